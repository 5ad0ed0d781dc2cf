"""Core API operations: site-wide search."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from agora.core.apilinks import next_link
from agora.core.errors import ValidationError
from agora.core.schemas import ERROR_RESPONSES, ListParams, PagedList
from agora.core.search import providers, search

router = Router(tags=["search"])
MAX_QUERY_LENGTH = 200


class SearchParams(ListParams):
    q: str = Field(
        description=f"The words to look for; only the first {MAX_QUERY_LENGTH} characters count."
    )
    kind: str | None = Field(None, description="Only results of this kind, e.g. organisation.")


class SearchHitOut(Schema):
    kind: str
    title: str
    summary: str
    url: str
    rank: float


class SearchResults(PagedList):
    items: list[SearchHitOut]
    total: int
    counts: dict[str, int]


@router.get(
    "/search",
    response={200: SearchResults, **ERROR_RESPONSES},
    summary="Search everything public",
    openapi_extra={"x-agora-public": True},
)
def search_everything(request: HttpRequest, params: Query[SearchParams]) -> SearchResults:
    """Ranked full-text search over every public document, accents and word endings ignored."""
    known = providers()
    if params.kind and params.kind not in known:
        raise ValidationError(
            {"kind": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(sorted(known))}}
        )
    page = search(
        params.q[:MAX_QUERY_LENGTH],
        kinds=[params.kind] if params.kind else None,
        cursor=params.cursor,
        limit=params.limit,
    )
    return SearchResults(
        items=[
            SearchHitOut(
                kind=h.kind,
                title=h.title,
                summary=h.summary,
                url=request.build_absolute_uri(h.url),
                rank=h.rank,
            )
            for h in page.hits
        ],
        total=page.total,
        counts=page.counts,
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )
