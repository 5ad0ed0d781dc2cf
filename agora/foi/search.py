"""Public information requests in the site-wide search: the request, its public messages and
the text of the attachments the requester published."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.core.search import SearchDocument, register, search_index, search_remove
from agora.foi.models import FoiRequest

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


def is_public(request: FoiRequest) -> bool:
    return not request.hidden and not request.is_embargoed


def request_reindex(request: FoiRequest) -> None:
    if is_public(request):
        search_index(request_document(request))
    else:
        search_remove(kind=FoiRequestSearch.kind, key=str(request.pk))


class FoiRequestSearch:
    kind = "foi_request"
    label: StrOrPromise = _("Information requests")

    def documents(self) -> Iterable[SearchDocument]:
        today = timezone.localdate()
        public = FoiRequest.objects.filter(hidden=False).filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=today)
        )
        for request in public.select_related("body").prefetch_related("messages__attachments"):
            yield request_document(request)


register(FoiRequestSearch())
