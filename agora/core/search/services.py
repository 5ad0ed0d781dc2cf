from __future__ import annotations

from django.db import transaction

from agora.core.models import SearchEntry
from agora.core.search.registry import SearchDocument, providers
from agora.core.search.text import index_terms


def search_index(document: SearchDocument) -> None:
    """Adds or replaces one public document in the index."""
    SearchEntry.objects.update_or_create(
        kind=document.kind,
        key=document.key,
        defaults={
            "url": document.url,
            "title": document.title,
            "summary": document.summary,
            "terms_title": index_terms(document.title),
            "terms_body": index_terms(f"{document.summary} {document.body}"),
        },
    )


def search_remove(*, kind: str, key: str) -> None:
    SearchEntry.objects.filter(kind=kind, key=key).delete()


@transaction.atomic
def search_rebuild(*, kinds: list[str] | None = None) -> int:
    """Re-reads every document of the given kinds (all by default); returns how many."""
    count = 0
    for kind, provider in providers().items():
        if kinds is not None and kind not in kinds:
            continue
        SearchEntry.objects.filter(kind=kind).delete()
        for document in provider.documents():
            search_index(document)
            count += 1
    return count
