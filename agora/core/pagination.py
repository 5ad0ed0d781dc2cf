"""Keyset pagination: the one way every list is paged, in pages and in the API.

A page ends with an opaque cursor holding the sort key of its last row; the next page
starts strictly after it. Unlike offsets, this stays fast deep into a list and never
repeats or skips a row when rows are added meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class InvalidCursor(ValueError):
    def __init__(self) -> None:
        super().__init__(_("The cursor is not valid: use the 'next' link of a previous page."))


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def _encodable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, Decimal):
        return {"dec": str(value)}
    return value


def _decoded(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"} and isinstance(value["dt"], str):
        parsed = parse_datetime(value["dt"])
        if parsed is None:
            raise InvalidCursor
        return parsed
    if isinstance(value, dict) and set(value) == {"dec"} and isinstance(value["dec"], str):
        return Decimal(value["dec"])
    if isinstance(value, dict | list):
        raise InvalidCursor
    return value


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


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(limit, MAX_LIMIT))


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
    queryset: QuerySet[M], *, order: Sequence[str], cursor: str | None, limit: int | None
) -> Page[M]:
    """One page of `queryset` sorted by `order`, whose last field must be unique (e.g. "id")."""
    size = clamp_limit(limit)
    if cursor:
        queryset = queryset.filter(_after(order, decode_cursor(cursor, len(order))))
    rows = list(queryset.order_by(*order)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_attr(last, f.lstrip("-")) for f in order])
    return Page(items=rows, next_cursor=next_cursor)


def _attr(obj: Model, path: str) -> Any:
    value: Any = obj
    for part in path.split("__"):
        value = getattr(value, part)
    return value
