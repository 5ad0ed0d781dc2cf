"""Full-text search: FTS5's word rules, the index and the scan agreeing, and counting."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from agora.datastore import engine, results, search
from agora.datastore.build import BuiltTable, build_tables
from agora.datastore.query import parse, select_sql

pytestmark = pytest.mark.files

TRICKY = [
    "Saint-Étienne",
    "L'Haÿ-les-Roses",
    "Œuvre d'art n°3, 2024/25",
    "straße ÀÉÎÕÜ ç",
    "Θεσσαλονίκη & 東京 \uff21\uff22\uff23",  # fullwidth ABC
    "e-mail: x_y@z.fr  tab\there",
    "١٢٣ arabic digits, ½ fraction",
    "",
]


def test_the_query_words_are_the_index_words() -> None:
    """Python's reading of `q` and DuckDB's reading of the values give the same words."""
    con = duckdb.connect()
    for text in TRICKY:
        (indexed,) = con.execute(
            "SELECT list_filter(regexp_split_to_array(lower(strip_accents(?)), "
            "'[^\\pL\\pN]+'), lambda t: t <> '')",
            [text],
        ).fetchone()  # type: ignore[misc]
        assert [w.token for w in search.words(text)] == list(dict.fromkeys(indexed))[:10], text


def test_words_and_prefixes() -> None:
    assert search.words("Saint-Étienne  saint") == [search.Word("saint"), search.Word("etienne")]
    assert search.words("rue* de") == [search.Word("rue", prefix=True), search.Word("de")]
    assert search.words("!!! ?") == []


@pytest.fixture(params=["split once per value", "split per row"])
def table(request, tmp_path: Path, settings, monkeypatch) -> BuiltTable:  # type: ignore[no-untyped-def]
    settings.DATASTORE_CACHE_DIR = tmp_path / "cache"
    if request.param == "split per row":
        monkeypatch.setattr(search, "FEW_VALUES", 0)
    rng = random.Random(7)
    towns = ["Saint-Étienne", "Saint-Jean-de-Luz", "Étienne-sur-Mer", "Lyon", "Jeanménil"]
    things = ["chauffage de l'école", "toiture", "Chauffage, toiture", "voirie", "éclairage"]
    lines = ["ville;objet;note;montant"]
    for i in range(3000):
        note = rng.choice(["", "urgent", "ÉCOLE Jean Moulin", "n/a"])
        lines.append(f"{rng.choice(towns)};{rng.choice(things)};{note};{i}")
    source = tmp_path / "t.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (work := tmp_path / "work").mkdir()
    (built,) = build_tables(source, "CSV", work)
    return built


def _ids(table: BuiltTable, index: str | None, text: str, **params: str) -> list[int]:
    columns = [c.as_dict() for c in table.columns]
    query = parse({"q": [text], "limit": ["10000"], **{k: [v] for k, v in params.items()}}, columns)
    sql, values = select_sql(query, results.table_name(table.database), index=index)
    cur = engine.cursor(table.database)
    try:
        return sorted(row[3] for row in cur.execute(sql, values).fetchall())
    finally:
        cur.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("saint etienne", lambda r: "Saint-Étienne" in r[0]),
        ("ETIENNE", lambda r: "tienne" in r[0]),
        ("tienne", lambda r: False),  # a part of a word is not a word
        ("jean*", lambda r: "Jean" in r[0] or "Jean" in r[2]),
        (
            "ecole chauffage",
            lambda r: "chauffage de" in r[1] or ("ÉCOLE" in r[2] and "hauffage" in r[1]),
        ),
        ("école urgent", lambda r: False if "urgent" not in r[2] else "école" in r[1]),
    ],
)
def test_index_and_scan_find_the_same_rows(table: BuiltTable, text: str, expected: Any) -> None:
    con = duckdb.connect(str(table.database), read_only=True)
    rows = con.execute("SELECT ville, objet, note, montant FROM data").fetchall()
    con.close()
    want = sorted(r[3] for r in rows if expected((r[0], r[1], r[2] or "")))
    index = engine.search_index(table.database)
    assert index is not None
    assert _ids(table, index, text) == want
    assert _ids(table, None, text) == want  # a file written without an index
    assert _ids(table, index, text, montant__lt="100") == [i for i in want if i < 100]


def test_punctuation_alone_is_no_search(table: BuiltTable) -> None:
    assert len(_ids(table, engine.search_index(table.database), "— !")) == 3000


def test_counts_are_exact_remembered_and_skipped_on_the_last_page(
    table: BuiltTable,
    settings,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    columns = [c.as_dict() for c in table.columns]
    counted: list[str] = []
    real = results._count

    def spy(*args: Any) -> int:
        counted.append("count")
        return real(*args)

    monkeypatch.setattr(results, "_count", spy)
    results._counts.clear()
    expected = _ids(table, None, "toiture")
    query = parse({"q": ["toiture"], "limit": ["100"]}, columns)
    first = results.page(table.database, query, row_count=table.row_count)
    assert first.total == len(expected) and counted == ["count"]
    assert len(results._counts) == 1  # a table file never changes: the count is kept
    small = parse({"q": ["toiture"], "montant__lt": ["50"], "limit": ["100"]}, columns)
    last = results.page(table.database, small, row_count=table.row_count)
    assert last.total == len([i for i in expected if i < 50]) and not last.has_more
    assert counted == ["count"]  # everything fitted on the page: nothing to count
    settings.DATASTORE_COUNT_CACHE = 0
    results.page(table.database, parse({"q": ["voirie"]}, columns), row_count=table.row_count)
    assert results._counts == {}
