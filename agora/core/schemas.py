"""Schemas shared by every API router: errors and paged lists."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str
    code: str


class Problem(Schema):
    """An RFC 9457 problem details document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str
    errors: list[FieldError] | None = None


class PagedList(Schema):
    """A page of a list; follow `next` (or pass `next_cursor` as `cursor`) for the next one."""

    items: list[Any]
    next: str | None
    next_cursor: str | None


ERROR_RESPONSES: dict[int, type[Problem]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    405: Problem,
    413: Problem,
    415: Problem,
    422: Problem,
    429: Problem,
    500: Problem,
}
