"""Schemas shared by every API router: errors, paged lists and their parameters."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator

from agora.core.pagination import DEFAULT_LIMIT, MAX_LIMIT


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refusing them here keeps them from a 500.
    if "\x00" in value:
        raise ValueError(_("Remove the NUL character: text cannot contain it."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string the database can store: every free-text field of an In schema uses it."""


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


class ListParams(Schema):
    cursor: str | None = Field(None, description="The `next_cursor` of the previous page.")
    limit: int | None = Field(
        None,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
    )


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
    409: Problem,
    413: Problem,
    415: Problem,
    422: Problem,
    429: Problem,
    500: Problem,
}
