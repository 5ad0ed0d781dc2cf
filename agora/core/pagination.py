"""Keyset pagination: the one way every list is paged, in pages and in the API.

A page ends with an opaque cursor holding the sort key of its last row; the next page
starts strictly after it. Unlike offsets, this stays fast deep into a list and never
repeats or skips a row when rows are added meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import DateField, DateTimeField, Model, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Keys are database columns: integers beyond 64 bits cannot come from one.
_INT64 = (-(2**63), 2**63 - 1)


class InvalidCursor(ValueError):  # views in several apps catch it by this name
    def __init__(self) -> None:
        super().__init__(_("The cursor is not valid: use the 'next' link of a previous page."))


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def _encodable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decoded(value: Any) -> Any:
    """A cursor arrives from outside: anything we could not have written is refused here,
    so that a tampered cursor is a 400 and never reaches the database as a 500."""
    if isinstance(value, dict) and set(value) == {"dt"} and isinstance(value["dt"], str):
        try:
            parsed = parse_datetime(value["dt"])
            # We only ever write aware datetimes; a naive one would be read in the wrong zone,
            # and one that overflows in UTC would only fail inside the database driver.
            if parsed is None or timezone.is_naive(parsed):
                raise InvalidCursor
            parsed.astimezone(UTC)
        except (ValueError, OverflowError):  # e.g. month 13, or year 9999 east of Greenwich
            raise InvalidCursor from None
        return parsed
    if isinstance(value, dict) and set(value) == {"d"} and isinstance(value["d"], str):
        try:
            day = parse_date(value["d"])
        except ValueError:
            day = None
        if day is None:
            raise InvalidCursor
        return day
    if isinstance(value, dict) and set(value) == {"dec"} and isinstance(value["dec"], str):
        try:
            number = Decimal(value["dec"])
        except ArithmeticError:
            raise InvalidCursor from None
        if not number.is_finite():
            raise InvalidCursor
        return number
    if isinstance(value, dict | list):
        raise InvalidCursor
    if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
        raise InvalidCursor
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidCursor
    if isinstance(value, str) and ("\x00" in value or not _encodable_text(value)):
        raise InvalidCursor
    return value


def _encodable_text(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate, which JSON allows and databases do not
        return False
    return True


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encodable(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor from exc
    if not isinstance(values, list) or len(values) != size:
        raise InvalidCursor
    return [_decoded(v) for v in values]


def clamp_limit(limit: int | None, max_limit: int = MAX_LIMIT) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(limit, max_limit))


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or ..."""
    condition = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{lookup}": values[i]})
        for prev_field, prev_value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{prev_field.lstrip("-"): prev_value})
        condition |= step
    return condition


def keyset_page[M: Model](
    queryset: QuerySet[M],
    *,
    order: Sequence[str],
    cursor: str | None,
    limit: int | None,
    max_limit: int = MAX_LIMIT,
) -> Page[M]:
    """One page of `queryset` sorted by `order`, whose last field must be unique (e.g. "id")."""
    size = clamp_limit(limit, max_limit)
    if cursor:
        values = decode_cursor(cursor, len(order))
        for field, value in zip(order, values, strict=True):
            if not _fits(queryset.model, field.lstrip("-"), value):
                raise InvalidCursor
        try:
            queryset = queryset.filter(_after(order, values))
        except (ValueError, TypeError, ValidationError) as exc:
            # Django's own checks of a value against its field (text for a number, say).
            raise InvalidCursor from exc
    rows = list(queryset.order_by(*order)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, f.lstrip("-")) for f in order])
    return Page(items=rows, next_cursor=next_cursor)


def _fits(model: type[Model], path: str, value: Any) -> bool:
    """Dates must come back as dates: Django would read text as a naive datetime and warn."""
    try:
        field: Any = None
        for part in path.split("__"):
            field = model._meta.get_field(part)
            model = field.related_model or model
    except FieldDoesNotExist:  # an annotation: nothing to compare with
        return True
    if isinstance(field, DateTimeField):
        return isinstance(value, datetime)
    if isinstance(field, DateField):
        return isinstance(value, date) and not isinstance(value, datetime)
    return True


def _attr(obj: Model, path: str) -> Any:
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return value
