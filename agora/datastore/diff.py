"""What changed between two versions of a table: columns, and rows by a declared key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from agora.datastore import engine
from agora.datastore.errors import QueryError
from agora.datastore.results import table_name
from agora.datastore.types import quote

SAMPLE = 10


@dataclass
class Diff:
    schema: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    samples: dict[str, list[Any]] = field(default_factory=dict)


def _schema(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> dict[str, list[Any]]:
    old = {c["name"]: c["type"] for c in before}
    new = {c["name"]: c["type"] for c in after}
    return {
        "added": [{"name": n, "type": t} for n, t in new.items() if n not in old],
        "removed": [{"name": n, "type": t} for n, t in old.items() if n not in new],
        "changed": [
            {"name": n, "before": old[n], "after": new[n]}
            for n in new
            if n in old and old[n] != new[n]
        ],
    }


def diff(
    before: Path,
    before_columns: list[dict[str, Any]],
    after: Path,
    after_columns: list[dict[str, Any]],
    key: list[str],
) -> Diff:
    """Rows added, removed and changed between two table files, matched on `key` (without
    a key, rows are compared whole: a changed row counts as one removed and one added)."""
    schema = _schema(before_columns, after_columns)
    old_types = {c["name"]: c["type"] for c in before_columns}
    new_types = {c["name"]: c["type"] for c in after_columns}
    common = [n for n in new_types if n in old_types]
    for name in key:
        if name not in common:
            raise QueryError(
                "key",
                _("“%(name)s” is not a column of both versions.") % {"name": name},
                common,
            )

    def value(alias: str, name: str) -> str:
        # Columns whose type changed are compared as text.
        same = old_types[name] == new_types[name]
        return f"{alias}.{quote(name)}" if same else f"CAST({alias}.{quote(name)} AS VARCHAR)"

    a, b = table_name(before), table_name(after)
    cur = engine.cursor(before, after)
    try:
        if not key:
            row_a = ", ".join(value("a", n) for n in common)
            row_b = ", ".join(value("b", n) for n in common)
            added = f"SELECT {row_b} FROM {b} b EXCEPT ALL SELECT {row_a} FROM {a} a"
            removed = f"SELECT {row_a} FROM {a} a EXCEPT ALL SELECT {row_b} FROM {b} b"
            counts = {
                "added": _count(cur, added),
                "removed": _count(cur, removed),
                "changed": 0,
            }
            samples = {
                "added": _sample(cur, added, common),
                "removed": _sample(cur, removed, common),
                "changed": [],
            }
            return Diff(schema, counts, samples)
        for path, label in ((a, 1), (b, 2)):
            keys = ", ".join(quote(n) for n in key)
            duplicated = _count(
                cur, f"SELECT {keys} FROM {path} GROUP BY {keys} HAVING count(*) > 1"
            )
            if duplicated:
                raise QueryError(
                    "key",
                    _(
                        "The key does not identify rows: %(count)d values appear more than once "
                        "in the %(which)s version."
                    )
                    % {"count": duplicated, "which": _("older") if label == 1 else _("newer")},
                )
        on = " AND ".join(f"{value('a', n)} = {value('b', n)}" for n in key)
        rest = [n for n in common if n not in key]
        different = (
            " OR ".join(f"{value('a', n)} IS DISTINCT FROM {value('b', n)}" for n in rest)
            or "false"
        )
        b_columns = list(new_types)
        a_columns = list(old_types)
        added = (
            f"SELECT {', '.join('b.' + quote(n) for n in b_columns)} FROM {b} b "
            f"ANTI JOIN {a} a ON {on}"
        )
        removed = (
            f"SELECT {', '.join('a.' + quote(n) for n in a_columns)} FROM {a} a "
            f"ANTI JOIN {b} b ON {on}"
        )
        changed_columns = [*(f"a.{quote(n)}" for n in common), *(f"b.{quote(n)}" for n in common)]
        changed = (
            f"SELECT {', '.join(changed_columns)} FROM {a} a JOIN {b} b ON {on} WHERE {different}"
        )
        counts = {
            "added": _count(cur, added),
            "removed": _count(cur, removed),
            "changed": _count(cur, changed),
        }
        changes = []
        for row in cur.execute(changed + f" LIMIT {SAMPLE}").fetchall():
            old_row = dict(zip(common, row[: len(common)], strict=True))
            new_row = dict(zip(common, row[len(common) :], strict=True))
            changes.append(
                {
                    "key": {n: new_row[n] for n in key},
                    "columns": {
                        n: {"before": old_row[n], "after": new_row[n]}
                        for n in rest
                        if old_row[n] != new_row[n]
                    },
                }
            )
        samples = {
            "added": _sample(cur, added, b_columns),
            "removed": _sample(cur, removed, a_columns),
            "changed": changes,
        }
        return Diff(schema, counts, samples)
    finally:
        cur.close()


def _count(cur: Any, sql: str) -> int:
    row = cur.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    return int(row[0]) if row else 0


def _sample(cur: Any, sql: str, names: list[str]) -> list[dict[str, Any]]:
    rows = cur.execute(f"SELECT * FROM ({sql}) LIMIT {SAMPLE}").fetchall()
    return [dict(zip(names, row, strict=True)) for row in rows]
