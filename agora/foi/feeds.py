"""Atom feeds: the latest public requests to a body, and those matching a search."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from agora.accounts.models import Organisation
from agora.foi import selectors
from agora.foi.models import FoiRequest

FEED_SIZE = 50


NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _RequestFeed(Feed):  # type: ignore[type-arg]  # django-stubs: Feed is generic
    feed_type = Atom1Feed

    def item_title(self, item: FoiRequest) -> str:
        return item.title

    def item_description(self, item: FoiRequest) -> str:
        status = item.get_status_display()
        if item.outcome:
            status += f" — {item.get_outcome_display()}"
        return f"{item.body.name}: {status}"

    def item_link(self, item: FoiRequest) -> str:
        return item.get_absolute_url()

    def item_updateddate(self, item: FoiRequest) -> Any:
        return item.last_activity

    def item_pubdate(self, item: FoiRequest) -> Any:
        return item.created

    def item_author_name(self, item: FoiRequest) -> str:
        return item.public_name


class BodyFeed(_RequestFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        body = selectors.body_directory().filter(slug=slug).first()
        if body is None:
            raise Http404
        return body

    def title(self, obj: Organisation) -> str:
        return _("Information requests to %(body)s") % {"body": obj.name}

    def link(self, obj: Organisation) -> str:
        return reverse("foi:request_list") + f"?body={obj.slug}"

    def items(self, obj: Organisation) -> list[FoiRequest]:
        return list(selectors.public_requests().filter(body=obj)[:FEED_SIZE])


class SearchFeed(_RequestFeed):
    def get_object(self, request: HttpRequest) -> dict[str, str]:
        # XML cannot carry control characters: a query with them would break the feed.
        query = NOT_XML.sub("", request.GET.get("q", ""))[:200]
        return {"q": query, "status": NOT_XML.sub("", request.GET.get("status", ""))[:40]}

    def title(self, obj: dict[str, str]) -> str:
        if obj["q"]:
            return _("Information requests about “%(q)s”") % {"q": obj["q"]}
        return _("Information requests")

    def link(self, obj: dict[str, str]) -> str:
        return reverse("foi:request_list")

    def items(self, obj: dict[str, str]) -> list[FoiRequest]:
        return selectors.requests_matching(obj["q"], status=obj["status"], limit=FEED_SIZE)
