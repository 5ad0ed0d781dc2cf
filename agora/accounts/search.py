"""Organisations in the site-wide search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from agora.accounts.models import Organisation
from agora.core.search import SearchDocument, register

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def organisation_document(organisation: Organisation) -> SearchDocument:
    identifiers = " ".join(f"{i.scheme} {i.value}" for i in organisation.identifiers.all())
    return SearchDocument(
        kind=OrganisationSearch.kind,
        key=str(organisation.pk),
        url=organisation.get_absolute_url(),
        title=organisation.name,
        summary=organisation.get_kind_display(),
        body=f"{organisation.description} {organisation.jurisdiction} {identifiers}",
    )


class OrganisationSearch:
    kind = "organisation"
    label: StrOrPromise = _("Organisations")

    def documents(self) -> Iterable[SearchDocument]:
        for organisation in Organisation.objects.prefetch_related("identifiers"):
            yield organisation_document(organisation)


register(OrganisationSearch())
