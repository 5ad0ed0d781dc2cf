"""Organisations' public pages in /sitemap.xml."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from agora.accounts.models import Organisation


class OrganisationSitemap(Sitemap[Organisation]):
    changefreq = "monthly"

    def items(self) -> QuerySet[Organisation]:
        return Organisation.objects.order_by("pk")

    def lastmod(self, item: Organisation) -> datetime:
        return item.modified
