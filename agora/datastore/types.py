"""Column types, inferred from every value of a column, and the SQL that converts text to them.

A column gets a type only when every non-empty value has it, so that nothing is lost: postal
codes with a leading zero stay text, "97,4" is a number, "25/04/2023" a date. Each type may be
written in several ways (its "format"); the conversion follows the one the column uses.
"""

from __future__ import annotations

from dataclasses import dataclass

# Table Schema type → DuckDB type.
SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
}
TYPES = tuple(SQL_TYPES)

# Markers that mean "no value" in a typed column (text columns keep them as written).
NULL_MARKERS = ("", "NA", "N/A", "n/a", "NULL", "null", "None", "-", "nd", "n.d.")
_GROUP = "[ \u00a0\u202f]"  # thousands separators: space, no-break space, narrow no-break space
_INT = "[+-]?(0|[1-9][0-9]{0,17})"
_GROUPED_INT = f"[+-]?[1-9][0-9]{{0,2}}({_GROUP}[0-9]{{3}})+"


@dataclass(frozen=True)
class Format:
    type: str
    name: str  # stable identifier kept with a confirmed schema
    pattern: str  # a value matches when regexp_full_match(value, pattern)
    convert: str  # SQL with {v} for the cleaned value
    # False for a format only used when the publisher asks for the type: "01001" is a
    # code unless someone says it is the number 1001.
    inferred: bool = True


FORMATS: tuple[Format, ...] = (
    Format("boolean", "default", "(?i)true|false", "lower({v}) = 'true'"),
    Format("integer", "default", _INT, "CAST({v} AS BIGINT)"),
    Format(
        "integer",
        "grouped",
        f"{_INT}|{_GROUPED_INT}",
        f"CAST(regexp_replace({{v}}, '{_GROUP}', '', 'g') AS BIGINT)",
    ),
    Format("integer", "leading_zeros", "[+-]?[0-9]{1,18}", "CAST({v} AS BIGINT)", inferred=False),
    Format(
        "number",
        "default",
        r"[+-]?((0|[1-9][0-9]{0,14})(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
        "CAST({v} AS DOUBLE)",
    ),
    Format(
        "number",
        "decimal_comma",
        f"({_INT}|{_GROUPED_INT})(,[0-9]+)?|[+-]?,[0-9]+",
        f"CAST(replace(regexp_replace({{v}}, '{_GROUP}', '', 'g'), ',', '.') AS DOUBLE)",
    ),
    Format("date", "default", r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "CAST({v} AS DATE)"),
    Format(
        "date",
        "dd/mm/yyyy",
        r"[0-9]{2}/[0-9]{2}/[0-9]{4}",
        "CAST(strptime({v}, '%d/%m/%Y') AS DATE)",
    ),
    Format(
        "datetime",
        "default",
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?",
        "CAST({v} AS TIMESTAMP)",
    ),
    Format(
        "datetime",
        "dd/mm/yyyy hh:mm",
        r"[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}(:[0-9]{2})?",
        "strptime({v}, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M'])",
    ),
    Format(
        "datetime",
        "yyyymmdd hh:mm:ss",
        r"[0-9]{8} [0-9]{2}:[0-9]{2}:[0-9]{2}",
        "strptime({v}, '%Y%m%d %H:%M:%S')",
    ),
)
STRING = Format("string", "default", ".*", "{v}")


def quote(name: str) -> str:
    """A column or table name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def cleaned(column: str) -> str:
    """The column's value trimmed, with empty-value markers as NULL."""
    markers = ", ".join(literal(m) for m in NULL_MARKERS)
    return (
        f"CASE WHEN trim({quote(column)}) IN ({markers}) THEN NULL ELSE trim({quote(column)}) END"
    )


def _attempt(fmt: Format, value: str) -> str:
    """The conversion of `value`, NULL where it fails."""
    return (
        fmt.convert.replace("CAST(", "TRY_CAST(")
        .replace("strptime(", "try_strptime(")
        .format(v=value)
    )


def _valid(fmt: Format, value: str) -> str:
    """SQL true when `value` (already cleaned) is in the format and converts."""
    check = f"regexp_full_match({value}, {literal(fmt.pattern)})"
    if fmt.type in {"date", "datetime"}:
        # The pattern admits 2023-02-31; the conversion decides.
        check += f" AND {_attempt(fmt, value)} IS NOT NULL"
    return check


@dataclass(frozen=True)
class Census:
    """How many values a column has, and how many of them have each format counted."""

    present: int
    matching: dict[Format, int]

    def passing(self) -> list[Format]:
        return [fmt for fmt in FORMATS if self.matching.get(fmt) == self.present]


def census_sql(candidates: dict[str, list[Format]], source: str) -> str:
    """One pass over `source` counting, per column, its values and those of each format."""
    cleaned_columns = ", ".join(f"{cleaned(c)} AS {quote(c)}" for c in candidates)
    parts = []
    for column, formats in candidates.items():
        parts.append(f"count({quote(column)})")
        parts.extend(f"count(*) FILTER (WHERE {_valid(fmt, quote(column))})" for fmt in formats)
    return f"SELECT {', '.join(parts)} FROM (SELECT {cleaned_columns} FROM {source})"


def read_census(row: tuple[int, ...], candidates: dict[str, list[Format]]) -> dict[str, Census]:
    result, position = {}, 0
    for column, formats in candidates.items():
        counts = row[position + 1 : position + 1 + len(formats)]
        result[column] = Census(row[position], dict(zip(formats, counts, strict=True)))
        position += 1 + len(formats)
    return result


def choose(census: Census, *, wanted: str | None = None) -> Format:
    """The first format that every value of the column has (of type `wanted`, if given)."""
    if wanted == "string" or (census.present == 0 and wanted is None):
        return STRING
    for fmt in census.passing():
        if fmt.type == wanted or (wanted is None and fmt.inferred):
            return fmt
    if wanted is None:
        return STRING
    raise LookupError(wanted)


def best_attempt(census: Census, wanted: str) -> Format:
    """Of a type's formats, the one most values have: its failures are the ones to report."""
    candidates = [fmt for fmt in FORMATS if fmt.type == wanted]
    return max(candidates, key=lambda fmt: census.matching.get(fmt, 0))


def conversion(column: str, fmt: Format) -> str:
    if fmt.type == "string":
        return quote(column)
    return fmt.convert.format(v=cleaned(column))


def checked_conversion(column: str, fmt: Format) -> str:
    """The conversion of a column already `cleaned` that should have `fmt` throughout: a
    value without it stops the query with an error, so that nothing is converted by a guess."""
    value = quote(column)
    if fmt.type == "string":
        return value
    stop = "error('a value without its column''s format')"
    return (
        f"CASE WHEN {value} IS NULL THEN NULL "
        f"WHEN regexp_full_match({value}, {literal(fmt.pattern)}) "
        f"THEN coalesce({_attempt(fmt, value)}, {stop}) ELSE {stop} END"
    )


def invalid(column: str, fmt: Format) -> str:
    """SQL true for a value that has content but not the format."""
    value = cleaned(column)
    return f"{value} IS NOT NULL AND NOT coalesce({_valid(fmt, value)}, false)"
