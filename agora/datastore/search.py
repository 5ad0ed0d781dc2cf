"""Full-text search of a table: an inverted index written with the table, and the words of `q`.

Words are what SQLite FTS5's default tokenizer (unicode61) makes of text: runs of letters and
digits, lower-cased, accents removed ("Saint-Étienne" is `saint` and `etienne`). A search
matches the rows that have every word, each in any text column; `word*` matches words that
start with it. The index is one table of (term, row id) sorted by term, so a word is found by
skipping to its block instead of reading every text value; a table file written before the
index existed is searched by scanning with the same rules, and gives the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agora.datastore.types import quote

if TYPE_CHECKING:
    import duckdb

    from agora.datastore.build import BuiltColumn

INDEX = "search"  # the index table inside each table file
MAX_WORDS = 10
# Columns with fewer distinct values than this are tokenised once per value, not per row.
FEW_VALUES = 100_000
_SEPARATOR = r"[^\pL\pN]+"  # RE2, as DuckDB's regexp functions read it
_WORD = re.compile(r"[^\W_]+")  # the same runs, as Python reads them


@dataclass(frozen=True)
class Word:
    token: str
    prefix: bool = False


def normalise(text: str) -> str:
    """What DuckDB's lower(strip_accents(text)) gives, in Python."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[Word]:
    """The words of a search, at most MAX_WORDS; a trailing `*` asks for a prefix."""
    found: list[Word] = []
    for part in text.split():
        prefix = part.endswith("*")
        tokens = _WORD.findall(normalise(part))
        for i, token in enumerate(tokens):
            word = Word(token, prefix and i == len(tokens) - 1)
            if word not in found:
                found.append(word)
    return found[:MAX_WORDS]


def _tokens(expression: str) -> str:
    return f"unnest(regexp_split_to_array(lower(strip_accents({expression})), '{_SEPARATOR}'))"


def build_index(con: duckdb.DuckDBPyConnection, table: str, columns: list[BuiltColumn]) -> None:
    """Writes the index of every text column of `table` (profiles already computed)."""
    parts = []
    for column in columns:
        if column.type != "string":
            continue
        name = quote(column.name)
        if (column.profile.get("distinct") or 0) < FEW_VALUES:
            # Repeated values (a commune, a category) are split once each, then joined back.
            parts.append(
                f"SELECT d.rowid AS rid, v.term FROM {table} d JOIN "
                f"(SELECT value, {_tokens('value')} AS term "
                f"FROM (SELECT DISTINCT {name} AS value FROM {table})) v ON d.{name} = v.value"
            )
        else:
            parts.append(f"SELECT rowid AS rid, {_tokens(name)} AS term FROM {table}")
    if not parts:
        return
    # Column by column, each sorted by term: one query over every column holds all their
    # pipelines in memory at once. The table is then a few sorted runs, and a word is still
    # found by skipping to its block in each (row groups know their smallest and largest term).
    con.execute(f"CREATE TABLE {INDEX} (term VARCHAR, rid UINTEGER)")
    for part in parts:
        con.execute(
            f"INSERT INTO {INDEX} SELECT term, rid FROM ({part}) WHERE term <> '' ORDER BY term"
        )


def condition(
    found: list[Word], text_columns: list[str], index: str | None
) -> tuple[list[str], list[Any]]:
    """WHERE clauses for rows having every word: from the index when there is one."""
    if not found:
        return [], []
    if not text_columns:
        return ["false"], []
    if index is not None:
        parts, params = [], []
        for word in found:
            test = "starts_with(term, ?)" if word.prefix else "term = ?"
            parts.append(f"SELECT rid FROM {index} WHERE {test}")
            params.append(word.token)
        return [f"rowid IN ({' INTERSECT '.join(parts)})"], params
    clauses, params = [], []
    for word in found:
        # Tokens are letters and digits only: nothing in them needs escaping in a pattern.
        pattern = f"(^|{_SEPARATOR}){word.token}" + ("" if word.prefix else f"($|{_SEPARATOR})")
        tests = [f"regexp_matches(lower(strip_accents({quote(c)})), ?)" for c in text_columns]
        clauses.append("(" + " OR ".join(tests) + ")")
        params.extend([pattern] * len(text_columns))
    return clauses, params
