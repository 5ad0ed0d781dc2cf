"""Agora settings: the only module that reads the environment.

Every variable read here is documented in `.env.example` (a test enforces it).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key: str = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (see .env.example); "
            "it is only generated automatically when DEBUG is on."
        )
    # A development key kept out of the repository, stable across restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "agora.core",
    "agora.accounts",
    "agora.ledger",
    "agora.catalog",
    "agora.foi",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_tasks_db",
    "ninja",
]

MIDDLEWARE = [
    "agora.core.middleware.RequestIdMiddleware",
    "agora.core.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "agora.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agora.core.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agora.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "agora.accounts.middleware.RequireTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    "agora.core.middleware.ApiProblemMiddleware",
]

ROOT_URLCONF = "agora.urls"
WSGI_APPLICATION = "agora.wsgi.application"
ASGI_APPLICATION = "agora.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agora.core.context_processors.site",
            ],
        },
    },
]

# Database: SQLite in WAL mode under VAR_DIR by default; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'agora.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers work while one writer writes; IMMEDIATE avoids
            # "database is locked" on lock upgrades inside transactions.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Connections are kept (one per thread): opening one and running the pragmas above cost
    # a data API call as much as its query in the catalog.
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    # A file (not memory) so that tests can start worker processes on it; one per test run
    # so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Cache, rate limits and the task queue: Redis when REDIS_URL is set; otherwise the
# database, so that every process of one machine shares the same counters.
REDIS_URL: str = env.str("REDIS_URL", default="")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "agora",
        }
    }
    TASKS = {
        "default": {
            "BACKEND": "agora.core.rq_backend.RQBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"url": REDIS_URL},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "agora_cache",
            # Culling at the default 300 entries would forget rate-limit counters.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }

# Mail: printed on the console by default; smtp://user:password@host:587 (or smtp+tls://,
# smtp+ssl://) in production; filemail:///absolute/path writes each message to a file.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
_email = environ.Env.email_url_config(EMAIL_URL)
_mail_options: dict[str, object] = {}
if EMAIL_URL.startswith("filemail:"):
    _mail_options["file_path"] = "/" + _email["EMAIL_FILE_PATH"]
elif EMAIL_URL.startswith("smtp"):
    _mail_options = {
        "host": _email["EMAIL_HOST"] or "localhost",
        "port": _email["EMAIL_PORT"] or 25,
        "username": _email["EMAIL_HOST_USER"] or "",
        "password": _email["EMAIL_HOST_PASSWORD"] or "",
        "use_tls": _email.get("EMAIL_USE_TLS", False),
        "use_ssl": _email.get("EMAIL_USE_SSL", False),
        "timeout": 30,
    }
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Agora <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Files: local MEDIA_ROOT by default; S3-compatible storage when a bucket is named.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start otherwise
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Request and upload limits. Any request body is refused past MAX_REQUEST_SIZE, except on
# the upload addresses that modules register (core/uploads.py), which take MAX_UPLOAD_SIZE.
MAX_REQUEST_SIZE = env.int("MAX_REQUEST_SIZE", default=10 * 1024**2)
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=1024**3)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_PERMISSIONS = 0o640

# Tables (agora.datastore): each table version is an immutable DuckDB file kept in storage and
# copied into DATASTORE_CACHE_DIR to be queried when storage is not a local directory.
DATASTORE_CACHE_DIR = Path(env.str("DATASTORE_CACHE_DIR", default=str(VAR_DIR / "tables")))
DATASTORE_MEMORY_LIMIT = env.str("DATASTORE_MEMORY_LIMIT", default="512MB")
DATASTORE_THREADS = env.int("DATASTORE_THREADS", default=2)
# Seconds during which a process adds up downloads and API calls before writing them.
USAGE_FLUSH_SECONDS = env.float("USAGE_FLUSH_SECONDS", default=10.0)
# Counts of filtered rows kept per process (tables never change, so counts never go stale).
DATASTORE_COUNT_CACHE = env.int("DATASTORE_COUNT_CACHE", default=10_000)
DATASTORE_INGEST_TIMEOUT = env.int("DATASTORE_INGEST_TIMEOUT", default=3600)
# Read-only SQL: seconds per query, and rows returned at most.
DATASTORE_SQL_TIMEOUT = env.float("DATASTORE_SQL_TIMEOUT", default=5.0)
DATASTORE_SQL_MAX_ROWS = env.int("DATASTORE_SQL_MAX_ROWS", default=10_000)
# Reading remote resources and harvested portals: seconds per read, and whether addresses on
# private networks may be read (off: a user's link must not reach the machine's own network).
OUTBOUND_TIMEOUT = env.float("OUTBOUND_TIMEOUT", default=30.0)
OUTBOUND_ALLOW_PRIVATE = env.bool("OUTBOUND_ALLOW_PRIVATE", default=False)
# Access to information: requests are sent from request-<id>-<code>@FOI_EMAIL_DOMAIN and
# replies come back to Agora's own receiver (`agora mail serve`) or a mail server's pipe.
FOI_EMAIL_DOMAIN = env.str("FOI_EMAIL_DOMAIN", default="foi.localhost")
FOI_MAIL_HOST = env.str("FOI_MAIL_HOST", default="127.0.0.1")
FOI_MAIL_PORT = env.int("FOI_MAIL_PORT", default=2525)
FOI_MAIL_MAX_BYTES = env.int("FOI_MAIL_MAX_BYTES", default=50 * 1024 * 1024)
FOI_REQUESTS_PER_DAY = env.int("FOI_REQUESTS_PER_DAY", default=20)
FOI_EXTRA_LAWS_DIR = env.str("FOI_EXTRA_LAWS_DIR", default="")
# Real public files the demo publishes when they are there.
DEMO_OPENDATA_DIR = env.str(
    "DEMO_OPENDATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "opendata")
)

# Internationalisation
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in {"en", "fr"}:
    raise ImproperlyConfigured("LANGUAGE_CODE must be 'en' or 'fr'.")
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "agora_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
USE_TZ = True

# Accounts: email is the login; the display name is public and may be a pseudonym.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "agora.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_ADAPTER = "agora.accounts.adapters.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if SITE_URL.startswith("http://") else "https"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "30/m/ip,10/5m/key",  # axes locks out first (5 failures), with a 429
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "change_email": "1/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("SITE_NAME", default="Agora")
SITE_NAME = MFA_TOTP_ISSUER

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "agora.accounts.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "errors/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# The same reading of X-Forwarded-For as the API rate limits (NUM_PROXIES trusted hops).
AXES_CLIENT_IP_CALLABLE = "agora.core.ratelimit.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES
# Failures are kept (to lock out); successful sign-ins are not logged (personal data).
AXES_DISABLE_ACCESS_LOG = True

# Django's admin lives at a configurable path and is for staff with two-factor only.
ADMIN_PATH = env.str("ADMIN_PATH", default="admin/").strip("/") + "/"

# Public ledger: the log's identity (the origin line of its checkpoints) and its Ed25519 key,
# in the C2SP private-key format (PRIVATE+KEY+name+id+base64). Without one, a key is
# generated on first use under VAR_DIR — fine for one machine; give every machine the same
# LEDGER_SIGNING_KEY when there are several.
LEDGER_ORIGIN = env.str(
    "LEDGER_ORIGIN", default=SITE_URL.split("://", 1)[-1].split("/", 1)[0] + "/ledger"
)
LEDGER_SIGNING_KEY = env.str("LEDGER_SIGNING_KEY", default="")
LEDGER_CHECKPOINT_INTERVAL = env.int("LEDGER_CHECKPOINT_INTERVAL", default=60)

# API
API_RATE_LIMIT_ANONYMOUS = env.str("API_RATE_LIMIT_ANONYMOUS", default="120/minute")
API_RATE_LIMIT_TOKEN = env.str("API_RATE_LIMIT_TOKEN", default="1200/minute")
NINJA_NUM_PROXIES = NUM_PROXIES

# Security headers. The policy forbids inline scripts and styles: templates use nonces.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "agora.core.views.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator of each domain, not a default.
    "security.W021",
]

# Logging: human-readable by default, one JSON object per line when LOG_FORMAT=json.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "agora.core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "agora.core.logging.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "agora.access": {"level": env.str("ACCESS_LOG_LEVEL", default="INFO")},
    },
}

# Branding shown in the interface.
SITE_TAGLINE = _("Open government, in the open")
