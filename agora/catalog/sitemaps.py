"""Public datasets in /sitemap.xml, with the date their data or metadata last changed."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from agora.catalog.choices import DatasetStatus
from agora.catalog.models import Dataset


class DatasetSitemap(Sitemap[Dataset]):
    changefreq = "weekly"

    def items(self) -> QuerySet[Dataset]:
        return Dataset.objects.exclude(status=DatasetStatus.DRAFT).order_by("pk")

    def lastmod(self, item: Dataset) -> datetime:
        return item.data_modified or item.modified
