"""Every real file in ../shared/data/opendata is read with the right types (skipped when the
folder is not beside the checkout: the generated cases in test_build.py still run)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from agora.datastore.build import build_tables

pytestmark = pytest.mark.files

OPENDATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "opendata"

# file → (rows, columns, {column: type}, {column: a value that must be there})
EXPECTED: dict[str, tuple[int, int, dict[str, str], dict[str, object]]] = {
    "ckanext-xloader/brazilian_sample.csv": (10, 95, {"CO_MUNICIPIO": "integer"}, {}),
    "ckanext-xloader/german_sample.csv": (7, 10, {"Stadtname": "string"}, {}),
    "ckanext-xloader/non_utf8_sample.csv": (
        266,
        6,
        {"Amount": "number", "DateRec": "datetime", "Owner": "string"},
        {},
    ),
    "data-fair-csv-cases/CartoLavage_2023_Koumoul_VF_enrichi-v3.csv": (
        56,
        32,
        {"ID": "integer", "SIRET": "integer", "Région": "string"},
        {},
    ),
    "data-fair-csv-cases/Fiches_Action.csv": (
        638,
        16,
        {"Id_action": "integer", "Date_lancement": "date", "Description_action": "string"},
        {},
    ),
    "data-fair-csv-cases/formatting-issues.csv": (
        12,
        11,
        {"Volume (m3)": "number", "Montant (?)": "number"},
        {"Volume (m3)": 97.4, "Montant (?)": 1947.4},
    ),
    "data-fair-csv-cases/jep-2019-HR.csv": (33, 69, {"Identifiant": "integer"}, {}),
    "data-fair-csv-cases/long-text-tabs.csv": (7, 19, {"ID_FICHE": "integer"}, {}),
    "data-fair-csv-cases/ouverture.csv": (
        9999,
        22,
        {"#Id": "string", "Date": "date", "Pl1": "string"},
        {"Pl1": "09:30-12:30"},
    ),
    "data-fair-csv-cases/single-quotes.csv": (
        4999,
        5,
        {"DEPCOM": "string", "PTOT": "integer"},
        {"DEPCOM": "01001", "COM": "L' Abergement-Clémenciat"},
    ),
    "data-fair-csv-cases/some-quotes.csv": (
        1,
        47,
        {"No disposition": "string", "Date mutation": "integer"},
        {"No disposition": "000001", "Date mutation": 1508284800000},
    ),
    "data-fair-csv-cases/trailing-seps.csv": (
        7,
        8,
        {"Nombre passagers": "integer", "Date": "datetime"},
        {},
    ),
    "laposte/laposte_hexasmal_2020-04_coordonnees_gps.csv": (
        39192,
        6,
        {"Code_commune_INSEE": "string", "Code_postal": "string"},
        {"Code_commune_INSEE": "2A004"},
    ),
}


def test_every_real_file_is_listed() -> None:
    if not OPENDATA.is_dir():
        pytest.skip("../shared/data/opendata is not beside the checkout")
    found = {str(p.relative_to(OPENDATA)) for p in OPENDATA.rglob("*.csv")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file(name: str, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    source = OPENDATA / name
    if not source.exists():
        pytest.skip("../shared/data/opendata is not beside the checkout")
    settings.DATASTORE_CACHE_DIR = tmp_path
    rows, width, types, values = EXPECTED[name]
    (table,) = build_tables(source, "CSV", tmp_path)
    assert table.row_count == rows
    assert len(table.columns) == width
    found = {c.name: c.type for c in table.columns}
    assert {n: found.get(n) for n in types} == types
    # No character was lost to a wrong encoding: the file's own replacement characters aside,
    # no name or value holds U+FFFD unless the source bytes did.
    raw = source.read_bytes()
    if b"\xef\xbf\xbd" not in raw:
        assert not any("\ufffd" in c.name for c in table.columns)
    con = duckdb.connect(str(table.database), read_only=True)
    try:
        for column, value in values.items():
            hits = con.execute(
                f'SELECT count(*) FROM data WHERE "{column}" = ?', [value]
            ).fetchone()
            assert hits is not None and hits[0] >= 1, (column, value)
    finally:
        con.close()
