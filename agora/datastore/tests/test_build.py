"""Reading files into typed tables: encodings, dialects, types, formats and bad files."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter  # type: ignore[import-untyped]  # the package ships no type hints

from agora.datastore import readers
from agora.datastore.build import ColumnSpec, build_tables
from agora.datastore.errors import IngestError, SchemaMismatch

pytestmark = pytest.mark.files


@pytest.fixture(autouse=True)
def _cache(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.DATASTORE_CACHE_DIR = tmp_path / "cache"


def _build(tmp_path: Path, content: bytes, name: str = "data.csv", fmt: str = "CSV", **kw: Any):  # type: ignore[no-untyped-def]
    source = tmp_path / name
    source.write_bytes(content)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return build_tables(source, fmt, work, **kw)


def _rows(table: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(table.database), read_only=True)
    try:
        return con.execute("SELECT * FROM data ORDER BY rowid").fetchall()
    finally:
        con.close()


def _types(table: Any) -> dict[str, str]:
    return {c.name: c.type for c in table.columns}


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "ville;montant\nSaint-Étienne;12\nMâcon;3\n"),
        ("utf-8-sig", "ville;montant\nSaint-Étienne;12\nMâcon;3\n"),
        ("utf-16", "ville\tmontant\nSaint-Étienne\t12\nMâcon\t3\n"),
        ("cp1252", "ville;montant\nSaint-Étienne;12\nMâcon;3\n"),
    ],
)
def test_encodings(tmp_path: Path, encoding: str, text: str) -> None:
    (table,) = _build(tmp_path, text.encode(encoding))
    assert _types(table) == {"ville": "string", "montant": "integer"}
    assert _rows(table) == [("Saint-Étienne", 12), ("Mâcon", 3)]


def test_cp1252_only_on_the_last_line_is_still_found(tmp_path: Path) -> None:
    content = ("nom,prix\n" + "a,1\n" * 50_000 + "Coût €,2\n").encode("cp1252")
    (table,) = _build(tmp_path, content)
    assert _rows(table)[-1] == ("Coût €", 2)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_and_quoting(tmp_path: Path, delimiter: str) -> None:
    lines = [["id", "texte"], ["1", 'un "mot", puis; une\nligne'], ["2", "deux"]]
    text = "\r\n".join(
        delimiter.join('"' + c.replace('"', '""') + '"' for c in line) for line in lines
    )
    (table,) = _build(tmp_path, text.encode())
    assert _rows(table) == [(1, 'un "mot", puis; une\nligne'), (2, "deux")]


def test_types_are_inferred_from_every_value(tmp_path: Path) -> None:
    rows = ["code;entier;grand;decimal;virgule;milliers;iso;fr;horodatage;booleen;mixte"]
    rows += [
        f"0{i:04d};{i};{10**19 + i};{i}.5;{i},25;{1 + i // 1000} {i % 1000:03d},5;2024-01-{1 + i % 28:02d};"
        f"{1 + i % 28:02d}/03/2024;2024-03-01T10:{i % 60:02d}:00;{'true' if i % 2 else 'false'};{i}"
        for i in range(1, 30_000)
    ]
    rows.append("01234;NA;;;;;;;;;31/02/2024")  # empty markers in typed columns; one odd value
    (table,) = _build(tmp_path, "\n".join(rows).encode())
    assert _types(table) == {
        "code": "string",
        "entier": "integer",
        "grand": "string",  # beyond 64-bit integers
        "decimal": "number",
        "virgule": "number",
        "milliers": "number",
        "iso": "date",
        "fr": "date",
        "horodatage": "datetime",
        "booleen": "boolean",
        "mixte": "string",  # the last of 30 000 values is not an integer
    }
    first, *_middle, last = _rows(table)
    assert first[:2] == ("00001", 1)
    assert first[4:6] == (1.25, 1001.5)  # "1,25" and "1 001,5"
    assert str(first[7]) == "2024-03-02"
    assert last[1:10] == (None,) * 9


def test_header_names_are_unique_and_not_empty(tmp_path: Path) -> None:
    (table,) = _build(tmp_path, b"a;;a;A;\xef\xbb\xbf b  c\n1;2;3;4;5\n")
    assert [c.name for c in table.columns] == ["a", "column_2", "a_2", "A_3", "b c"]
    assert [c.source for c in table.columns][:3] == ["a", "", "a"]
    assert _rows(table) == [(1, 2, 3, 4, 5)]  # each column keeps its own values


def test_ragged_rows_are_padded_not_lost(tmp_path: Path) -> None:
    (table,) = _build(tmp_path, b"a;b;c\n1;2;3\n4\n5;6;7;8\n")
    rows = _rows(table)
    assert len(rows) == 3
    assert rows[1][:3] == (4, None, None)
    assert "8" in [str(v) for v in rows[2]]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"PK\x03\x04" + b"\x00" * 200, "not_text"),
        (b"a;b\n1;\x00\x00\x00\x002\n" * 3, "binary"),
        (b"%PDF-1.7 junk", "not_text"),
        (";".join(f"c{i}" for i in range(10_000)).encode() + b"\n", "too_many_columns"),
    ],
)
def test_malformed_files_get_a_clear_report(tmp_path: Path, content: bytes, code: str) -> None:
    with pytest.raises(IngestError) as caught:
        _build(tmp_path, content)
    assert caught.value.code == code
    assert caught.value.message


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(1, 256)) * 400,
        random.Random(4).randbytes(300_000).replace(b"\x00", b"x"),
    ],
)
def test_binary_junk_is_reported_not_crashed(tmp_path: Path, junk: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        _build(tmp_path, junk)
    assert caught.value.code in {"binary", "unreadable"}


def test_workbook_sheets_are_tables(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    first = workbook.add_worksheet("Budget")
    first.write_row(0, 0, ["poste", "montant", "date"])
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    import datetime

    for r in range(1, 6):
        first.write_row(r, 0, [f"poste {r}", r * 1.5])
        first.write_datetime(r, 2, datetime.datetime(2024, 1, r), date)
    workbook.add_worksheet("Vide")
    second = workbook.add_worksheet("Codes")
    second.write_row(0, 0, ["code"])
    second.write_string(1, 0, "01001")
    workbook.close()
    budget, codes = build_tables(path, "XLSX", tmp_path)
    assert (budget.name, codes.name) == ("Budget", "Codes")
    assert _types(budget) == {"poste": "string", "montant": "number", "date": "date"}
    assert _rows(budget)[0] == ("poste 1", 1.5, datetime.date(2024, 1, 1))
    assert _rows(codes) == [("01001",)]


def test_ods(tmp_path: Path) -> None:
    cells = "".join(
        f"<table:table-row><table:table-cell office:value-type='string'><text:p>{a}</text:p>"
        f"</table:table-cell><table:table-cell office:value-type='float' office:value='{b}'>"
        f"<text:p>{b}</text:p></table:table-cell></table:table-row>"
        for a, b in [("nom", "0"), ("Lyon", "522250"), ("Nice", "342669")]
    ).replace(
        "office:value-type='float' office:value='0'><text:p>0",
        "office:value-type='string'><text:p>population",
        1,
    )
    content = (
        "<?xml version='1.0' encoding='UTF-8'?><office:document-content "
        "xmlns:office='urn:oasis:names:tc:opendocument:xmlns:office:1.0' "
        "xmlns:table='urn:oasis:names:tc:opendocument:xmlns:table:1.0' "
        "xmlns:text='urn:oasis:names:tc:opendocument:xmlns:text:1.0' office:version='1.2'>"
        f"<office:body><office:spreadsheet><table:table table:name='Communes'>{cells}"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        "<?xml version='1.0' encoding='UTF-8'?><manifest:manifest "
        "xmlns:manifest='urn:oasis:names:tc:opendocument:xmlns:manifest:1.0' manifest:version='1.2'>"
        "<manifest:file-entry manifest:full-path='/' "
        "manifest:media-type='application/vnd.oasis.opendocument.spreadsheet'/>"
        "<manifest:file-entry manifest:full-path='content.xml' manifest:media-type='text/xml'/>"
        "</manifest:manifest>"
    )
    path = tmp_path / "communes.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    (table,) = build_tables(path, "ODS", tmp_path)
    assert table.name == "Communes"
    assert _rows(table) == [("Lyon", 522250), ("Nice", 342669)]


def test_json_records_and_nested_values(tmp_path: Path) -> None:
    records = [{"id": 1, "nom": "A", "tags": ["x", "y"]}, {"id": 2, "nom": "B", "tags": []}]
    (table,) = _build(tmp_path, json.dumps(records).encode(), "data.json", "JSON")
    assert _types(table) == {"id": "integer", "nom": "string", "tags": "string"}
    assert json.loads(_rows(table)[0][2]) == ["x", "y"]
    ndjson = "\n".join(json.dumps(r) for r in records).encode()
    (lines,) = _build(tmp_path, ndjson, "data.ndjson", "NDJSON")
    assert lines.row_count == 2


def test_geojson_features_with_geometry(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": "Mairie", "etages": 3},
                "geometry": {"type": "Point", "coordinates": [4.83, 45.76]},
            },
            {
                "type": "Feature",
                "properties": {"nom": "École", "etages": 2},
                "geometry": {"type": "Point", "coordinates": [4.85, 45.75]},
            },
        ],
    }
    (table,) = _build(tmp_path, json.dumps(collection).encode(), "lieux.geojson", "GeoJSON")
    assert _types(table) == {"geometry": "string", "nom": "string", "etages": "integer"}
    assert json.loads(_rows(table)[1][0])["coordinates"] == [4.85, 45.75]


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    duckdb.sql(
        "SELECT range AS n, 'v' || range AS label, DATE '2024-01-01' + range::INT AS day "
        "FROM range(1000)"
    ).write_parquet(str(path))
    (table,) = build_tables(path, "Parquet", tmp_path)
    assert _types(table) == {"n": "integer", "label": "string", "day": "date"}
    assert table.row_count == 1000


def test_confirmed_schema_renames_retypes_and_rejects_with_row_report(tmp_path: Path) -> None:
    specs = {
        "data": [
            ColumnSpec("code", "code_insee", "string"),
            ColumnSpec("population", "habitants", "integer"),
        ]
    }
    (table,) = _build(tmp_path, b"code;population\n01001;12\n01002;13\n", specs=specs)
    assert [(c.name, c.type) for c in table.columns] == [
        ("code_insee", "string"),
        ("habitants", "integer"),
    ]
    with pytest.raises(SchemaMismatch) as caught:
        _build(tmp_path, b"code;population\n01001;12\n01002;beaucoup\n01003;n/a\n", specs=specs)
    assert caught.value.total == 1
    assert caught.value.problems == [
        {"row": 2, "column": "population", "value": "beaucoup", "expected": "integer"}
    ]
    with pytest.raises(SchemaMismatch) as missing:
        _build(tmp_path, b"code;habitants\n01001;12\n", specs=specs)
    assert missing.value.problems[0]["column"] == "population"


def test_a_cell_of_megabytes_is_read_and_a_longer_line_reported(tmp_path: Path) -> None:
    """Lines of up to 8 MB are read (the reader's buffers stay small: memory is bounded on
    files of any size); a longer one is reported, not a crash."""
    big = "x" * 5_000_000
    (table,) = _build(tmp_path, f"id,texte\n1,{big}\n2,court\n".encode())
    assert [row[0] for row in _rows(table)] == [1, 2] and len(_rows(table)[0][1]) == 5_000_000
    with pytest.raises(IngestError, match="A line is longer than 8 MB") as error:
        _build(tmp_path, f"id,texte\n1,a\n2,{'y' * 9_000_000}\n".encode(), name="long.csv")
    assert error.value.code == "line_too_long"


@pytest.mark.parametrize("late", ["", "n/a,row 0,beaucoup,,,\n"], ids=["direct", "careful"])
def test_rows_keep_the_order_of_the_file_across_row_groups(
    tmp_path: Path, copies: list[str], late: str
) -> None:
    # 40 MB: more than the CSV reader's 32 MB buffer and many row groups, with a typed
    # column of each kind (DuckDB 2.0's parallel reader put the first rows of such a file last)
    rows = 400_000
    content = "n,label,amount,day,code,note\n" + "".join(
        f"{i},row {i % 7},{i % 1000}.5,2024-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 97:05d},"
        f"{'x' * (40 + i % 17)}\n"
        for i in range(rows)
    )
    (table,) = _build(tmp_path, (content + late).encode())  # a late text value: read carefully
    assert copies == (["data"] if late else [])
    con = duckdb.connect(str(table.database), read_only=True)
    try:
        in_table = con.execute("SELECT n FROM data ORDER BY rowid").fetchall()
        in_parquet = con.execute(
            f"SELECT n FROM read_parquet('{table.parquet}', file_row_number = true) "
            "ORDER BY file_row_number"
        ).fetchall()
        first = con.execute("SELECT n FROM data WHERE label = 'row 3' LIMIT 3").fetchall()
    finally:
        con.close()
    assert in_table == in_parquet == [(i,) for i in range(rows)] + ([(None,)] if late else [])
    assert first == [(3,), (10,), (17,)]


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tables copied whole into the scratch database: the careful reading."""
    copied: list[str] = []
    load = readers.load

    def spy(con: duckdb.DuckDBPyConnection, raw: readers.RawTable) -> None:
        copied.append(raw.name)
        load(con, raw)

    monkeypatch.setattr(readers, "load", spy)
    return copied


def test_types_the_first_rows_tell_are_checked_while_the_file_is_read_once(
    tmp_path: Path, copies: list[str]
) -> None:
    content = "id;code;montant;jour\n" + "".join(
        f"{i};{i % 97:05d};{i},5;{1 + i % 28:02d}/03/2024\n" for i in range(1, 30_001)
    )
    (table,) = _build(tmp_path, content.encode())
    assert copies == []
    assert _types(table) == {"id": "integer", "code": "string", "montant": "number", "jour": "date"}
    assert _rows(table)[-1][:3] == (30_000, "00027", 30_000.5)


def test_a_type_that_changes_after_the_first_rows_is_found_by_the_careful_reading(
    tmp_path: Path, copies: list[str]
) -> None:
    content = "id;code\n" + "".join(f"{i};{i}\n" for i in range(1, 25_001)) + "25001;01001\n"
    (table,) = _build(tmp_path, content.encode())
    assert copies == ["data"]
    assert _types(table) == {"id": "integer", "code": "string"}  # the leading zero is kept
    assert _rows(table)[-1] == (25_001, "01001")


def test_a_mismatch_after_the_first_rows_is_reported_by_row(
    tmp_path: Path, copies: list[str]
) -> None:
    specs = {"data": [ColumnSpec("population", "population", "integer")]}
    content = "population\n" + "12\n" * 25_000 + "beaucoup\n"
    with pytest.raises(SchemaMismatch) as caught:
        _build(tmp_path, content.encode(), specs=specs)
    assert copies == ["data"]
    assert caught.value.problems == [
        {"row": 25_001, "column": "population", "value": "beaucoup", "expected": "integer"}
    ]


@pytest.mark.parametrize("rows", [100, 25_000], ids=["shorter than the sample", "longer"])
def test_small_tables_are_written_without_dictionary_compression(tmp_path: Path, rows: int) -> None:
    content = "ville;n\n" + "".join(f"Saint-Étienne {i % 5};{i}\n" for i in range(rows))
    (table,) = _build(tmp_path, content.encode())
    con = duckdb.connect(str(table.database), read_only=True)
    try:
        methods = {
            m
            for (m,) in con.execute(
                "SELECT compression FROM pragma_storage_info('data')"
            ).fetchall()
        }
    finally:
        con.close()
    assert not methods & {"DICT_FSST", "Dictionary", "FSST"}, methods
