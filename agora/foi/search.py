"""Public information requests in the site-wide search: the request, its public messages and
the text of the attachments the requester published."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from agora.core.search import SearchDocument, register, search_index, search_remove
from agora.foi.models import FoiRequest, published

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def request_document(request: FoiRequest) -> SearchDocument:
    texts: list[str] = []
    for message in request.messages.all():
        texts.append(message.public_text)
        texts.extend(a.public_text for a in message.attachments.all() if a.approved)
    return SearchDocument(
        kind=FoiRequestSearch.kind,
        key=str(request.pk),
        url=request.get_absolute_url(),
        title=request.title,
        summary=f"{request.body.name} · {request.get_status_display()}",
        body=" ".join(texts),
    )


def is_public(request: FoiRequest, today: datetime.date | None = None) -> bool:
    return FoiRequest.objects.filter(published(today), pk=request.pk).exists()


def request_reindex(request: FoiRequest, today: datetime.date | None = None) -> None:
    if is_public(request, today):
        search_index(request_document(request))
    else:
        search_remove(kind=FoiRequestSearch.kind, key=str(request.pk))


class FoiRequestSearch:
    kind = "foi_request"
    label: StrOrPromise = _("Information requests")

    def documents(self) -> Iterable[SearchDocument]:
        public = FoiRequest.objects.filter(published())
        for request in public.select_related("body").prefetch_related("messages__attachments"):
            yield request_document(request)


register(FoiRequestSearch())
