from __future__ import annotations

from django.http import HttpRequest


def next_link(request: HttpRequest, cursor: str | None) -> str | None:
    """The current URL with `cursor` replaced, or None on the last page."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
