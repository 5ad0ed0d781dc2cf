"""Configuration: every variable read is documented, and production settings pass Django's
deployment checks."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import agora

ROOT = Path(agora.__file__).resolve().parent.parent
SETTINGS = ROOT / "agora" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"


def variables_read_by_settings() -> set[str]:
    """Names passed to env(...), env.str(...), env.bool(...), env.db_url(...) and so on."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_settings_reads_variables() -> None:
    # Guards the parser below: if it found nothing, the next test would pass vacuously.
    assert {
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "LOG_FORMAT",
    } <= variables_read_by_settings()


def test_every_variable_settings_reads_is_documented() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    missing = variables_read_by_settings() - documented
    assert not missing, f"Document these variables in .env.example: {sorted(missing)}"


def test_only_settings_reads_the_environment() -> None:
    offenders = []
    for path in (ROOT / "agora").rglob("*.py"):
        if path == SETTINGS or "tests" in path.parts:
            continue
        text = path.read_text()
        if re.search(r"os\.environ(?!\.setdefault)|os\.getenv|environ\.Env\(", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"Only agora/settings.py may read the environment: {offenders}"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-production-like-secret-key-with-enough-entropy-7f3a9c",
    "ALLOWED_HOSTS": "agora.example.org",
    "SITE_URL": "https://agora.example.org",
    "EMAIL_URL": "smtp+tls://agora:secret@smtp.example.org:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "SECURE_SSL_REDIRECT"}
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_check_deploy_passes_with_a_production_environment(tmp_path: Path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "VAR_DIR": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_is_a_clear_error_in_production(tmp_path: Path) -> None:
    env = {**PRODUCTION, "SECRET_KEY": "", "VAR_DIR": str(tmp_path)}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_invalid_log_format_is_refused(tmp_path: Path) -> None:
    result = _manage("check", env={**PRODUCTION, "LOG_FORMAT": "xml", "VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
