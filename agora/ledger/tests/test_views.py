"""The ledger's pages: public to everyone, filterable, and each entry with its proof."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory
from agora.ledger import services
from agora.ledger.keys import log_signer
from agora.ledger.merkle import verify_inclusion
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "citizen", "member", "editor", "admin", "staff")
ROW = re.compile(r'<td><a href="/ledger/entries/(\d+)/">\1</a></td>')
CODE = re.compile(r"<code>([A-Za-z0-9+/=]{44})</code>")


def record(
    count: int,
    *,
    organisation: Organisation | None,
    action: str = "ledger.test.decision",
    actor: User | None = None,
) -> list[LedgerEntry]:
    return [
        services.ledger_record(
            actor=actor,
            organisation=organisation,
            action=action,
            subject=organisation,
            summary=f"Décision <b>{n}</b> & publiée",
            data={"n": n, "note": "<script>"},
        )
        for n in range(count)
    ]


@pytest.fixture
def city(organisation: Organisation) -> Organisation:
    """Entries 0-2 of the region, 3-4 of the city, 5 of no one."""
    city = OrganisationFactory(name="Ville de Test", slug="ville-test")
    record(3, organisation=organisation)
    record(2, organisation=city, action="ledger.test.notice")
    record(1, organisation=None, action="ledger.test.notice")
    return city


def rows(client: Client, query: str = "") -> list[int]:
    response = client.get(f"/ledger/{query}")
    assert response.status_code == 200
    return [int(n) for n in ROW.findall(response.content.decode())]


@pytest.mark.parametrize("role", ROLES)
def test_every_ledger_page_is_public(
    client_as: Callable[[str], Client], city: Organisation, role: str
) -> None:
    services.checkpoint_publish()
    client = client_as(role)
    for url in (
        "/ledger/",
        "/ledger/?organisation=ville-test&action=ledger.test.notice&since=2020-01-01&until=2100-12-31",
        "/ledger/entries/0/",
        "/ledger/entries/5/",
        "/ledger/verify/",
        "/.well-known/agora-ledger.vkey",
    ):
        assert client.get(url).status_code == 200, url
    assert rows(client) == [0, 1, 2, 3, 4, 5]
    assert client.get("/ledger/entries/6/").status_code == 404


def test_the_list_filters_by_organisation_and_action(client: Client, city: Organisation) -> None:
    assert rows(client) == [0, 1, 2, 3, 4, 5]
    assert rows(client, "?organisation=region-test") == [0, 1, 2]
    assert rows(client, "?organisation=ville-test") == [3, 4]
    assert rows(client, "?action=ledger.test.notice") == [3, 4, 5]
    assert rows(client, "?organisation=ville-test&action=ledger.test.decision") == []
    assert rows(client, "?organisation=nowhere") == []
    page = client.get("/ledger/?organisation=ville-test").content.decode()
    assert '<option value="ville-test" selected>Ville de Test</option>' in page
    assert '<option value="ledger.test.notice">ledger.test.notice</option>' in page
    assert "No entry matches." in client.get("/ledger/?organisation=nowhere").content.decode()


def test_the_list_filters_by_day(client: Client, city: Organisation) -> None:
    today = timezone.localdate()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    assert rows(client, f"?since={today}") == [0, 1, 2, 3, 4, 5]
    assert rows(client, f"?until={today}") == [0, 1, 2, 3, 4, 5]  # the whole day
    assert rows(client, f"?since={today}&until={today}") == [0, 1, 2, 3, 4, 5]
    assert rows(client, f"?since={tomorrow}") == []
    assert rows(client, f"?until={yesterday}") == []
    page = client.get(f"/ledger/?since={tomorrow}").content.decode()
    assert f'name="since" value="{tomorrow:%Y-%m-%d}"' in page


@pytest.mark.parametrize(
    "query", ["?since=2026-02-31", "?until=yesterday", "?since=20260101", "?since=-1&until=%00"]
)
def test_bad_dates_are_ignored(client: Client, city: Organisation, query: str) -> None:
    assert rows(client, query) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("query", ["?action=%00", "?organisation=ville%00test"])
def test_filters_no_entry_can_match_find_nothing(
    client: Client, city: Organisation, query: str
) -> None:
    assert rows(client, query) == []


@pytest.mark.parametrize("cursor", ["nonsense", "WyJhIl0", "W3siZHQiOiJ4In1d", "%00"])
def test_a_bad_cursor_starts_over(client: Client, city: Organisation, cursor: str) -> None:
    response = client.get(f"/ledger/?organisation=region-test&cursor={cursor}")
    assert response.status_code == 302
    assert response["Location"] == "/ledger/"


def test_the_list_pages_through_the_log(client: Client, organisation: Organisation) -> None:
    record(60, organisation=organisation)
    page = client.get("/ledger/?organisation=region-test").content.decode()
    assert [int(n) for n in ROW.findall(page)] == list(range(50))
    found = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next"', page)
    assert found is not None
    query = found.group(1).replace("&amp;", "&")
    assert query.startswith("organisation=region-test&cursor=")
    second = client.get(f"/ledger/?{query}").content.decode()
    assert [int(n) for n in ROW.findall(second)] == list(range(50, 60))
    assert 'rel="next"' not in second


def test_an_entry_shows_its_leaf_and_waits_for_a_checkpoint(
    client: Client, city: Organisation
) -> None:
    entry = LedgerEntry.objects.get(index=1)
    page = client.get("/ledger/entries/1/").content.decode()
    assert escape(bytes(entry.leaf).decode()) in page
    assert escape("Décision <b>1</b> & publiée") in page
    assert escape('"note": "<script>"') in page
    assert "<script>" not in page.split("<main", 1)[-1]
    assert base64.b64encode(bytes(entry.leaf_hash)).decode() in page
    assert "Not yet covered by a signed checkpoint" in page


def test_an_entry_shows_its_inclusion_proof(client: Client, city: Organisation) -> None:
    checkpoint = services.checkpoint_publish()
    assert checkpoint is not None
    record(2, organisation=None)  # entries 6-7, after the checkpoint
    root = base64.b64encode(bytes(checkpoint.root)).decode()
    for index in range(6):
        entry = LedgerEntry.objects.get(index=index)
        page = client.get(f"/ledger/entries/{index}/").content.decode()
        assert "tree of 6 entries" in page
        hashes = CODE.findall(page)
        leaf, shown_root, proof = hashes[0], hashes[1], hashes[2:]
        assert leaf == base64.b64encode(bytes(entry.leaf_hash)).decode()
        assert shown_root == root
        verify_inclusion(
            index,
            6,
            bytes(entry.leaf_hash),
            [base64.b64decode(p) for p in proof],
            bytes(checkpoint.root),
        )
    assert "Not yet covered" in client.get("/ledger/entries/7/").content.decode()


def test_a_single_entry_tree_needs_no_proof(client: Client, db: None) -> None:
    record(1, organisation=None)
    services.checkpoint_publish()
    page = client.get("/ledger/entries/0/").content.decode()
    assert "tree of 1 entry" in page
    assert "(none: the entry is the whole tree)" in page


def test_corrections_link_both_ways(client: Client, city: Organisation) -> None:
    services.ledger_correct(actor=None, entry=LedgerEntry.objects.get(index=2), summary="Erratum")
    original = client.get("/ledger/entries/2/").content.decode()
    assert 'Corrected by</dt><dd><a href="/ledger/entries/6/">entry 6</a>' in original
    correction = client.get("/ledger/entries/6/").content.decode()
    assert 'Corrects</dt><dd><a href="/ledger/entries/2/">entry 2</a>' in correction


def test_unknown_entries_are_not_found(client: Client, city: Organisation) -> None:
    assert client.get("/ledger/entries/6/").status_code == 404
    assert client.get("/ledger/entries/99999999999999999999/").status_code == 404
    assert client.get("/ledger/entries/-1/").status_code == 404


def test_the_verify_page_and_the_well_known_key(client: Client, db: None) -> None:
    vkey = log_signer().verifier().encode()
    page = client.get("/ledger/verify/").content.decode()
    assert vkey in page
    assert "agora ledger verify http://testserver --since my-checkpoint.txt" in page
    response = client.get("/.well-known/agora-ledger.vkey")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == vkey + "\n"
    assert client.get("/api/v1/ledger/public-key").content == response.content
