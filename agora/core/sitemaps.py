"""The site's main pages in /sitemap.xml; each app adds its own content's pages."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

# URL names of the pages that list what each module holds.
MAIN_PAGES = [
    "core:home",
    "catalog:dataset_list",
    "accounts:organisation_list",
    "ledger:entry_list",
]


class MainPagesSitemap(Sitemap[str]):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return MAIN_PAGES

    def location(self, item: str) -> str:
        return reverse(item)
