"""Fixed-window rate limits: counted in Redis when the cache is Redis, else in the database."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest

from agora.core.models import RateCounter

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'120/minute' -> Rate(120, 60)."""
        try:
            count, period = text.split("/")
            return cls(int(count), _PERIODS[period.strip().rstrip("s")])
        except (ValueError, KeyError) as exc:
            raise ImproperlyConfigured(
                f"Invalid rate {text!r}: write it as <number>/<second|minute|hour|day>."
            ) from exc


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int


def hit(key: str, rate: Rate, *, now: float | None = None) -> Decision:
    """Counts one request for `key` in the current window and says whether it may pass."""
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    cache_key = f"ratelimit:{key}:{window}"
    if isinstance(cache, RedisCache):
        # add() is a no-op when the key exists, so concurrent first hits do not reset the
        # count; incr() is atomic on Redis.
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=rate.seconds + 1)
            count = 1
    else:
        count = _count_in_database(cache_key, (window + 1) * rate.seconds, now)
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return Decision(
        allowed=count <= rate.count,
        limit=rate.count,
        remaining=max(0, rate.count - count),
        retry_after=retry_after,
    )


_SWEEP_SECONDS = 60
_COUNT_SQL = (
    "INSERT INTO core_ratecounter (key, count, expires) VALUES (%s, 1, %s) "
    "ON CONFLICT (key) DO UPDATE SET count = core_ratecounter.count + 1 RETURNING count"
)
_swept = {"at": 0.0}


def _count_in_database(key: str, expires: int, now: float) -> int:
    """One statement, atomic on SQLite and PostgreSQL alike: the database cache would take
    a read and a write per request, and two requests at once could both read the same count."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [key, expires])
        row = cursor.fetchone()
    if now - _swept["at"] >= _SWEEP_SECONDS:  # windows over are forgotten once a minute
        _swept["at"] = now
        RateCounter.objects.filter(expires__lte=int(now)).delete()
    return int(row[0])


def rate_limit_key(request: HttpRequest) -> tuple[str, Rate]:
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}", Rate.parse(settings.API_RATE_LIMIT_TOKEN)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", Rate.parse(settings.API_RATE_LIMIT_TOKEN)
    return f"ip:{address_block(client_ip(request))}", Rate.parse(settings.API_RATE_LIMIT_ANONYMOUS)


def address_block(address: str) -> str:
    """IPv6 callers are counted per /64, the block one subscriber usually holds."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_ip(request: HttpRequest) -> str:
    """The caller's address, trusting X-Forwarded-For only as far as NUM_PROXIES allows."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if settings.NUM_PROXIES:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [a.strip() for a in header.split(",") if a.strip()]
        if forwarded:
            return forwarded[-min(int(settings.NUM_PROXIES), len(forwarded))]
    return remote


class RateLimitExceededError(Exception):
    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__("rate limit exceeded")
        self.retry_after = retry_after
        self.limit = limit


def check_rate_limit(request: HttpRequest) -> Decision:
    key, rate = rate_limit_key(request)
    decision = hit(f"api:{key}", rate)
    if not decision.allowed:
        raise RateLimitExceededError(decision.retry_after, decision.limit)
    return decision
