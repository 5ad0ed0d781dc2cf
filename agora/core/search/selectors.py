"""Ranked full-text queries, written for each database behind one function.

SQLite uses FTS5's bm25 (lower is better); PostgreSQL uses ts_rank_cd over a GIN-indexed
tsvector (higher is better, negated here). Both then order by (rank, id), which is what
the keyset cursor holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from agora.core.models import SearchEntry
from agora.core.pagination import InvalidCursor, clamp_limit, decode_cursor, encode_cursor
from agora.core.search.text import query_terms

# Title words weigh more than body words.
TITLE_WEIGHT = 4.0


@dataclass(frozen=True)
class SearchHit:
    kind: str
    key: str
    url: str
    title: str
    summary: str
    rank: float


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    total: int
    counts: dict[str, int]
    next_cursor: str | None


def _fts5_match(groups: list[tuple[str, ...]]) -> str:
    return " AND ".join("(" + " OR ".join(f'"{s}"*' for s in g) + ")" for g in groups)


def _tsquery(groups: list[tuple[str, ...]]) -> str:
    return " & ".join("(" + " | ".join(f"{s}:*" for s in g) + ")" for g in groups)


_TABLE = SearchEntry._meta.db_table
_PG_VECTOR = (
    "(setweight(to_tsvector('simple', e.terms_title), 'A') || "
    "setweight(to_tsvector('simple', e.terms_body), 'B'))"
)


def _ranked_sql(kind_filter: str) -> str:
    # ts_rank_cd is a float4; as float8 its text form round-trips exactly through the cursor.
    if connection.vendor == "postgresql":
        return (
            f"SELECT e.id, -ts_rank_cd({_PG_VECTOR}, to_tsquery('simple', %s), 1)::float8 AS rank, e.kind "
            f"FROM {_TABLE} e WHERE {_PG_VECTOR} @@ to_tsquery('simple', %s){kind_filter}"
        )
    return (
        f"SELECT e.id, bm25({_TABLE}_fts, {TITLE_WEIGHT}, 1.0) AS rank, e.kind "
        f"FROM {_TABLE}_fts JOIN {_TABLE} e ON e.id = {_TABLE}_fts.rowid "
        f"WHERE {_TABLE}_fts MATCH %s{kind_filter}"
    )


def search(
    query: str,
    *,
    kinds: list[str] | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> SearchPage:
    """Public documents matching every word of `query`, best first, one page at a time."""
    size = clamp_limit(limit)
    groups = query_terms(query)
    if not groups:
        return SearchPage(query=query, hits=[], total=0, counts={}, next_cursor=None)
    match = _tsquery(groups) if connection.vendor == "postgresql" else _fts5_match(groups)
    match_params: list[Any] = [match, match] if connection.vendor == "postgresql" else [match]

    ranked = _ranked_sql("")
    with connection.cursor() as db:
        db.execute(f"SELECT kind, COUNT(*) FROM ({ranked}) r GROUP BY kind", match_params)
        counts = dict(db.fetchall())

        kind_filter = ""
        kind_params: list[Any] = []
        if kinds:
            kind_filter = " AND e.kind IN (" + ", ".join(["%s"] * len(kinds)) + ")"
            kind_params = list(kinds)
        after = ""
        after_params: list[Any] = []
        if cursor:
            rank, last_id = decode_cursor(cursor, 2)
            if not isinstance(rank, int | float) or not isinstance(last_id, int):
                raise InvalidCursor
            after = " WHERE r.rank > %s OR (r.rank = %s AND r.id > %s)"
            after_params = [rank, rank, last_id]
        db.execute(
            f"SELECT r.id, r.rank FROM ({_ranked_sql(kind_filter)}) r{after} "
            "ORDER BY r.rank, r.id LIMIT %s",
            [*match_params, *kind_params, *after_params, size + 1],
        )
        rows = db.fetchall()

    more = len(rows) > size
    rows = rows[:size]
    entries = SearchEntry.objects.in_bulk([row[0] for row in rows])
    hits = [
        SearchHit(
            kind=entries[i].kind,
            key=entries[i].key,
            url=entries[i].url,
            title=entries[i].title,
            summary=entries[i].summary,
            rank=rank,
        )
        for i, rank in rows
    ]
    total = sum(n for k, n in counts.items() if not kinds or k in kinds)
    next_cursor = encode_cursor([rows[-1][1], rows[-1][0]]) if more else None
    return SearchPage(query=query, hits=hits, total=total, counts=counts, next_cursor=next_cursor)
