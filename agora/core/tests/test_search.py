from __future__ import annotations

import pytest

from agora.accounts.tests.factories import OrganisationFactory
from agora.core.pagination import InvalidCursor
from agora.core.search import SearchDocument, search, search_index, search_rebuild, search_remove
from agora.core.search.text import index_terms, query_terms

pytestmark = pytest.mark.django_db


def doc(key: str, title: str, body: str = "") -> SearchDocument:
    return SearchDocument(kind="test", key=key, url=f"/t/{key}", title=title, body=body)


def test_accents_and_case_do_not_matter() -> None:
    search_index(doc("1", "Direction de la Santé publique"))
    assert [h.key for h in search("SANTE").hits] == ["1"]
    assert [h.key for h in search("santé").hits] == ["1"]


def test_french_and_english_stemming() -> None:
    search_index(doc("fr", "Les hôpitaux régionaux", "Financement des établissements"))
    search_index(doc("en", "Regional hospitals", "Funding of institutions"))
    assert {h.key for h in search("hôpital").hits} == {"fr"}
    assert {h.key for h in search("hospital").hits} == {"en"}
    assert {h.key for h in search("financements").hits} == {"fr"}
    assert {h.key for h in search("funded").hits} == {"en"}


def test_every_word_must_match_and_stop_words_are_ignored() -> None:
    search_index(doc("1", "Budget de la région"))
    search_index(doc("2", "Budget de la ville"))
    assert {h.key for h in search("budget de la région").hits} == {"1"}
    assert {h.key for h in search("budget").hits} == {"1", "2"}


def test_title_matches_rank_above_body_matches() -> None:
    search_index(doc("body", "Annual report", "a word about transport somewhere in the body text"))
    search_index(doc("title", "Transport plan"))
    assert [h.key for h in search("transport").hits] == ["title", "body"]


def test_pages_follow_the_cursor_without_repeats() -> None:
    for i in range(7):
        search_index(doc(str(i), f"Dataset number {i}", "water quality"))
    seen: list[str] = []
    page = search("water", limit=3)
    seen += [h.key for h in page.hits]
    while page.next_cursor:
        page = search("water", limit=3, cursor=page.next_cursor)
        seen += [h.key for h in page.hits]
    assert sorted(seen) == [str(i) for i in range(7)]
    assert page.total == 7


def test_bad_cursor_is_refused() -> None:
    search_index(doc("1", "Water"))
    with pytest.raises(InvalidCursor):
        search("water", cursor="not-a-cursor")


def test_update_and_remove_keep_the_index_in_sync() -> None:
    search_index(doc("1", "Old title"))
    search_index(doc("1", "New title"))
    assert search("old").total == 0
    assert search("new").total == 1
    search_remove(kind="test", key="1")
    assert search("new").total == 0


def test_rebuild_reads_every_registered_provider() -> None:
    OrganisationFactory(name="Commission d'accès aux documents")
    assert search_rebuild() >= 1
    assert search("commission documents", kinds=["organisation"]).total == 1


def test_query_without_words_returns_nothing() -> None:
    assert search("  !!! ").hits == []


def test_terms() -> None:
    assert "hopital" in index_terms("Hôpital")
    assert query_terms("la santé") == [("sant",)]
