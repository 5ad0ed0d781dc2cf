"""Keyset pagination: every row once, in order, whatever the ties; bad cursors refused."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agora.accounts.choices import Role
from agora.accounts.models import Membership, Organisation
from agora.accounts.tests.factories import OrganisationFactory, UserFactory
from agora.core.pagination import (
    MAX_LIMIT,
    InvalidCursor,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    keyset_page,
)

pytestmark = pytest.mark.django_db


def all_pages(fetch: Any, limit: int) -> list[list[Any]]:
    pages = []
    page = fetch(cursor=None, limit=limit)
    pages.append(page.items)
    while page.next_cursor:
        page = fetch(cursor=page.next_cursor, limit=limit)
        pages.append(page.items)
    return pages


def organisations(order: tuple[str, ...]) -> Any:
    def fetch(cursor: str | None, limit: int) -> Any:
        return keyset_page(Organisation.objects.all(), order=order, cursor=cursor, limit=limit)

    return fetch


def test_ties_on_the_first_key_are_split_by_the_second() -> None:
    made = [OrganisationFactory.create(name=name) for name in ["B", "A", "B", "A", "B", "C", "B"]]
    pages = all_pages(organisations(("name", "id")), limit=2)
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    flat = [o.pk for p in pages for o in p]
    assert flat == [o.pk for o in sorted(made, key=lambda o: (o.name, o.pk))]


def test_descending_order() -> None:
    made = [OrganisationFactory.create(name=name) for name in ["B", "A", "B", "C"]]
    flat = [o.pk for p in all_pages(organisations(("-name", "-id")), limit=3) for o in p]
    assert flat == [o.pk for o in sorted(made, key=lambda o: (o.name, o.pk), reverse=True)]


def test_datetimes_with_ties_and_microseconds() -> None:
    organisation = OrganisationFactory.create()
    base = timezone.now().replace(microsecond=0)
    offsets = [0, 0, 1, 0, 999_999, 1, 0]  # microseconds; several rows share a timestamp
    rows = []
    for offset in offsets:
        m = Membership.objects.create(
            user=UserFactory.create(), organisation=organisation, role=Role.MEMBER
        )
        Membership.objects.filter(pk=m.pk).update(created=base + timedelta(microseconds=offset))
        rows.append((base + timedelta(microseconds=offset), m.pk))

    def fetch(cursor: str | None, limit: int) -> Any:
        return keyset_page(
            Membership.objects.all(), order=("created", "id"), cursor=cursor, limit=limit
        )

    flat = [m.pk for p in all_pages(fetch, limit=2) for m in p]
    assert flat == [pk for _created, pk in sorted(rows)]


def test_the_last_page_has_no_cursor_and_limits_are_clamped() -> None:
    for _ in range(3):
        OrganisationFactory.create()
    page = keyset_page(Organisation.objects.all(), order=("name", "id"), cursor=None, limit=3)
    assert len(page.items) == 3
    assert page.next_cursor is None
    assert clamp_limit(None) == 20
    assert clamp_limit(0) == 1
    assert clamp_limit(10**9) == MAX_LIMIT


@pytest.mark.parametrize(
    "values",
    [
        ["Name", 3],
        [timezone.now(), 2**63 - 1],
        [date(2026, 3, 12), -5],
        [Decimal("12.50"), "é ✓"],
        [1.5, None],
    ],
)
def test_cursors_round_trip(values: list[Any]) -> None:
    assert decode_cursor(encode_cursor(values), len(values)) == values


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        b64("{}"),
        b64("[1, 2, 3]"),
        b64("[[1], 2]"),
        b64('[{"dt": "yesterday"}, 1]'),
        b64('[{"dt": "2026-13-01T00:00:00+00:00"}, 1]'),
        b64('[{"dt": "2026-01-01T00:00:00"}, 1]'),
        b64('[{"dec": "lots"}, 1]'),
        b64('[{"dec": "NaN"}, 1]'),
        b64('[{"other": 1}, 1]'),
        b64("[Infinity, 1]"),
        b64(f'["a", {2**63}]'),
        b64('["a\\u0000b", 1]'),
        b64('["\\udc80", 1]'),
    ],
)
def test_invalid_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, 2)


@pytest.mark.parametrize(
    "raw",
    [
        '["2026-01-01", 1]',  # text where a datetime belongs
        '[{"d": "2026-01-01"}, 1]',  # a date where a datetime belongs
        '[{"dt": "2026-01-01T00:00:00+00:00"}, "one"]',
        '[{"dt": "2026-01-01T00:00:00+00:00"}, null]',
        '[{"dt": "2026-01-01T00:00:00+00:00"}, [1]]',
    ],
)
def test_cursors_that_do_not_fit_the_fields_are_refused(raw: str) -> None:
    with pytest.raises(InvalidCursor):
        keyset_page(Organisation.objects.all(), order=("created", "id"), cursor=b64(raw), limit=5)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(st.sampled_from(["A", "B", "b", "É", "Z"]), max_size=12),
    days=st.lists(st.integers(min_value=0, max_value=2), min_size=12, max_size=12),
    limit=st.integers(min_value=1, max_value=5),
    descending=st.booleans(),
)
def test_pages_cover_every_row_exactly_once(
    names: list[str], days: list[int], limit: int, descending: bool
) -> None:
    # Each example runs in a savepoint rolled back at its end: examples do not see each other.
    with transaction.atomic():
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for name, day in zip(names, days, strict=False):
            made = OrganisationFactory.create(name=name)
            Organisation.objects.filter(pk=made.pk).update(created=start + timedelta(days=day))
        orders: list[tuple[str, ...]] = [("name", "id"), ("created", "name", "id")]
        for order in orders:
            if descending:
                order = tuple(f"-{f}" for f in order)
            expected = list(Organisation.objects.order_by(*order).values_list("pk", flat=True))
            pages = all_pages(organisations(order), limit)
            flat = [o.pk for p in pages for o in p]
            assert flat == expected
            assert all(0 < len(p) <= limit for p in pages) or flat == []
        transaction.set_rollback(True)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=2),
    max_leaves=6,
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cursor=st.text()
    | st.builds(b64, st.text())
    | st.builds(lambda v: b64(json.dumps(v)), st.lists(JSON, min_size=2, max_size=2))
)
def test_any_cursor_gives_a_page_or_invalid_cursor(cursor: str) -> None:
    # Nothing else may escape: another exception would be a 500 in the API.
    with contextlib.suppress(InvalidCursor):
        keyset_page(Organisation.objects.all(), order=("created", "id"), cursor=cursor, limit=5)
