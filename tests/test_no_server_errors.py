"""Malformed input never produces a 500: every page and form, for every kind of visitor,
with hostile query strings and bodies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from agora.accounts import services
from agora.accounts.choices import Role
from agora.accounts.models import Membership, Organisation, User
from agora.catalog.tests.factories import make_dataset

GARBAGE = [
    {},
    {
        "q": "\x00",
        "cursor": "\x00",
        "kind": "\x00",
        "next": "\x00",
        "language": "\x00",
        "display_name": "a\x00b",
        "name": "\x00",
        "email": "a\x00@b.c",
    },
    {"q": "'\"<script>", "cursor": "!!!", "kind": "../../etc/passwd", "status": "%00"},
    {"q": "é" * 3000, "cursor": "e30", "name": "x" * 10_000, "email": "@@", "role": "root"},
    {
        "display_name": "🙂\u202e\x07",
        "preferred_language": "zz",
        "scopes": "write,admin",
        "expires_at": "31/02/2026",
    },
    {
        "website": "javascript:alert(1)",
        "kind": "pirate",
        "password": "",
        "confirm": "maybe",
        "token": "\x00",
    },
    {
        "title": "\x00",
        "licence": "zz",
        "themes": "MOON",
        "temporal_start": "2020-13-45",
        "url": "javascript:alert(1)",
        "organisation": "\x00",
        "sort": "\x00",
        "theme": "\x00",
        "keyword": "\x00",
        "file": "not a file",
    },
]


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            routes += _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            routes.append(pattern)
    return routes


def _concrete(route: str, values: dict[str, str]) -> str | None:
    """Fills <converter:name> parts with sample values; skips regex routes."""
    if route.startswith("^") or "(?P" in route:
        return None
    url = route
    while "<" in url:
        start, end = url.index("<"), url.index(">")
        name = url[start + 1 : end].split(":")[-1]
        url = url[:start] + values.get(name, "1") + url[end + 1 :]
    return "/" + url


@pytest.fixture
def urls(people: dict[str, User | None], organisation: Organisation) -> list[str]:
    services.invitation_create(
        actor=people["admin"],
        organisation=organisation,
        email="guest@example.org",
        role=Role.MEMBER,
    )
    membership = Membership.objects.get(user=people["member"], organisation=organisation)
    # A published dataset under the same short name, so that its pages are walked too.
    dataset = make_dataset(organisation, people["editor"], slug=organisation.slug, publish=True)
    values = {
        "slug": organisation.slug,
        "pk": str(membership.pk),
        "key": "bogus",
        "resource": str(dataset.resources.get().pk),
        "number": "1",
    }
    found = {_concrete(r, values) for r in _routes(get_resolver())}
    return sorted(u for u in found if u and not u.startswith("/static/"))


# Anonymous visitors and staff (who may do everything) get every hostile input; the roles in
# between get the empty query, NUL characters, markup, and the catalog's fields.
INPUTS = {
    "anonymous": GARBAGE,
    "staff": GARBAGE,
    "citizen": [GARBAGE[0], GARBAGE[1], GARBAGE[2], GARBAGE[-1]],
    "admin": [GARBAGE[0], GARBAGE[1], GARBAGE[2], GARBAGE[-1]],
}


@pytest.mark.parametrize("role", sorted(INPUTS))
def test_no_page_answers_500_to_hostile_input(role: str, client_as, urls: list[str]) -> None:  # type: ignore[no-untyped-def]
    client: Client = client_as(role)
    client.raise_request_exception = False
    failures = []
    for url in urls:
        if url.endswith(("/logout/", "/delete/")):
            continue  # would end the session under test
        for data in INPUTS[role]:
            for method in ("get", "post"):
                response = getattr(client, method)(url, data)
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} {url} {sorted(data)} -> {response.status_code}"
                    )
    assert not failures, "\n".join(failures[:30])
    assert len(urls) > 30  # the walk really covered the site
