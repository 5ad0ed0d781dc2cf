"""API rate limits: per token, per signed-in user, and per address for anonymous use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from agora.accounts.models import Organisation
from agora.accounts.tests.factories import UserFactory
from agora.accounts.tests.tokens import bearer
from agora.core.ratelimit import Rate
from agora.core.tests.conftest import Clock

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"
LIMITS = {"API_RATE_LIMIT_ANONYMOUS": "3/minute", "API_RATE_LIMIT_TOKEN": "5/minute"}


def statuses(client: Client, n: int, **kwargs: object) -> list[int]:
    return [client.get(URL, **kwargs).status_code for _ in range(n)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rate"),
    [("120/minute", Rate(120, 60)), ("5/seconds", Rate(5, 1)), ("1/day", Rate(1, 86400))],
)
def test_rates_are_read_from_settings(text: str, rate: Rate) -> None:
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["120", "many/minute", "5/fortnight"])
def test_a_bad_rate_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="number"):
        Rate.parse(text)


def check_limits(organisation: Organisation, clock: Clock) -> None:
    client = Client()
    assert statuses(client, 4) == [200, 200, 200, 429]
    refused = client.get(URL)
    assert refused["Retry-After"] == "45"
    assert refused["Content-Type"] == "application/problem+json"

    # Another address has its own count.
    assert client.get(URL, REMOTE_ADDR="192.0.2.7").status_code == 200

    # A token is counted on its own, not against the address it calls from.
    user = UserFactory.create()
    first, second = bearer(user), bearer(user)
    assert statuses(client, 6, headers=first) == [200] * 5 + [429]
    assert client.get(URL, headers=second).status_code == 200

    # A new window starts afresh.
    clock.now += 45
    assert client.get(URL).status_code == 200
    assert client.get(URL, headers=first).status_code == 200


@override_settings(**LIMITS)
def test_limits_per_address_and_per_token(organisation: Organisation, clock: Clock) -> None:
    check_limits(organisation, clock)


@override_settings(**LIMITS)
def test_a_signed_in_browser_has_the_token_limit(organisation: Organisation, clock: Clock) -> None:
    client = Client()
    client.force_login(UserFactory.create(), backend="django.contrib.auth.backends.ModelBackend")
    assert statuses(client, 6) == [200] * 5 + [429]


@override_settings(**LIMITS)
def test_a_bad_token_counts_against_its_address(organisation: Organisation, clock: Clock) -> None:
    client = Client()
    bad = {"Authorization": "Bearer agora_guess"}
    assert statuses(client, 3, headers=bad) == [401, 401, 401]
    assert client.get(URL, headers=bad).status_code == 429
    assert client.get(URL).status_code == 429


@override_settings(**LIMITS, NUM_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_counts(
    organisation: Organisation, clock: Clock
) -> None:
    client = Client()
    one = {"X-Forwarded-For": "spoofed, 198.51.100.1"}
    two = {"X-Forwarded-For": "spoofed, 198.51.100.2"}
    assert statuses(client, 4, headers=one) == [200, 200, 200, 429]
    assert client.get(URL, headers=two).status_code == 200


@pytest.fixture
def redis_cache() -> Iterator[None]:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {url} ({exc}). Start Redis or set REDIS_URL.")
    # A prefix of its own: counters of earlier runs cannot leak in, and nothing is flushed.
    config = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"agora-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=config):
        assert isinstance(caches["default"], RedisCache)
        yield


@pytest.mark.redis
@override_settings(**LIMITS)
def test_limits_with_the_redis_cache(
    redis_cache: None, organisation: Organisation, clock: Clock
) -> None:
    check_limits(organisation, clock)


def test_ipv6_callers_are_counted_per_64_block() -> None:
    from agora.core.ratelimit import address_block

    assert (
        address_block("2001:db8:1:2:aaaa::1")
        == address_block("2001:db8:1:2:bbbb::9")
        == "2001:db8:1:2::/64"
    )
    assert address_block("2001:db8:1:3::1") != address_block("2001:db8:1:2::1")
    assert address_block("198.51.100.7") == "198.51.100.7"
    assert address_block("not an address") == "not an address"


@pytest.mark.django_db(transaction=True)  # the threads write through connections of their own
def test_without_redis_counts_are_rows_counted_atomically_and_swept(
    monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    import threading

    from django.db import connection

    from agora.core import ratelimit
    from agora.core.models import RateCounter

    monkeypatch.setattr(ratelimit, "_swept", {"at": clock.now})
    rate = Rate(1000, 60)
    counts: list[int] = []

    def hits() -> None:
        try:
            counts.extend(ratelimit.hit("ip:192.0.2.1", rate).remaining for _ in range(20))
        finally:
            connection.close()

    threads = [threading.Thread(target=hits) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 80 requests at once: each saw its own count, none was lost.
    assert sorted(counts) == list(range(920, 1000))
    assert RateCounter.objects.get().count == 80
    clock.now += 60  # the next window, and a minute since the last sweep
    assert ratelimit.hit("ip:192.0.2.1", rate).remaining == 999
    assert [c.count for c in RateCounter.objects.all()] == [1]  # the window that is over is gone
