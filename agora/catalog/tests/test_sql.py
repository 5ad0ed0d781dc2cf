"""Read-only SQL over published tables: what works, and every way out refused with a 400."""

from __future__ import annotations

import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.catalog import ingestion, services
from agora.catalog.tests.factories import editor_of, make_dataset, upload
from agora.catalog.tests.test_tables import SPENDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables(organisation: Organisation, people: dict[str, User | None]) -> tuple[str, str]:
    editor = editor_of(people)
    names = []
    for title, content in [
        ("Dépenses", SPENDING),
        ("Services", "Service,Adjoint\nVoirie,Mme A\nÉcoles,M. B\n".encode()),
    ]:
        dataset = make_dataset(organisation, editor, title=title)
        version = services.resource_upload(
            actor=editor, dataset=dataset, title=title, file=upload("t.csv", content)
        )
        services.dataset_publish(actor=editor, dataset=dataset)
        ingestion.version_ingest(version.pk)
        names.append(f"{dataset.slug}/{version.resource_id}")
    return names[0], names[1]


def _sql(client: Client, sql: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/sql", {"sql": sql})


def test_select_and_join_over_two_tables(client: Client, tables: tuple[str, str]) -> None:
    spending, people = tables
    response = _sql(
        client,
        f'SELECT s.Adjoint, sum(d.Montant) AS total FROM "{spending}" d '
        f'JOIN "{people}" s ON s.Service = d.Service GROUP BY 1 ORDER BY 1',
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["columns"] == ["Adjoint", "total"]
    assert [row[0] for row in body["rows"]] == ["M. B", "Mme A"]
    post = client.post(
        "/api/v1/sql",
        {"sql": f'SELECT count(*) FROM "{spending}"'},
        content_type="application/json",
    )
    assert post.json()["rows"] == [[28]]
    ctes = _sql(client, f'WITH x AS (SELECT * FROM "{spending}") SELECT count(*) FROM x')
    assert ctes.json()["rows"] == [[28]]


def test_row_cap(client: Client, tables: tuple[str, str], settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATASTORE_SQL_MAX_ROWS = 5
    body = _sql(client, f'SELECT * FROM "{tables[0]}"').json()
    assert len(body["rows"]) == 5
    assert body["truncated"] is True


ESCAPES = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT read_text('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "COPY (SELECT 1) TO '/tmp/agora-escape.csv'",
    "ATTACH '/tmp/agora-escape.duckdb' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "PRAGMA database_list",
    "SELECT 1; SELECT 2",
    "CREATE TABLE x AS SELECT 1",
    "SELECT * FROM duckdb_settings()",
    "SELECT current_setting('temp_directory')",
    "SELECT getenv('HOME')",
    "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t",
    "SELECT * FROM t0.data",
    'SELECT * FROM "nope/00000000-0000-0000-0000-000000000000"',
    "SELECT * FROM information_schema.tables",
    "SELECT " + "+".join(["1"] * 6000),
    "SELECT " + "(" * 3000 + "1" + ")" * 3000,
    "",
    "DELETE FROM x",
    "SELECT * FROM sqlite_master",
]


@pytest.mark.parametrize("sql", ESCAPES)
def test_escapes_are_refused_with_a_400(client: Client, tables: tuple[str, str], sql: str) -> None:
    response = _sql(client, sql)
    assert response.status_code == 400, (sql[:60], response.content[:300])
    assert response.json()["errors"][0]["field"] == "sql"


def test_a_slow_query_is_stopped(client: Client, tables: tuple[str, str], settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATASTORE_SQL_TIMEOUT = 0.5
    table = tables[0]
    sql = (
        f"SELECT max(md5(a.Service || b.Service || c.Service || d.Service || e.Service)) "
        f'FROM "{table}" a, "{table}" b, "{table}" c, "{table}" d, "{table}" e'
    )
    response = _sql(client, sql)
    assert response.status_code == 400
    assert "stopped" in response.json()["detail"]


def test_drafts_are_not_readable(
    client_as, organisation: Organisation, people: dict[str, User | None]
) -> None:  # type: ignore[no-untyped-def]
    editor = editor_of(people)
    dataset = make_dataset(organisation, editor, title="Brouillon")
    version = services.resource_upload(
        actor=editor, dataset=dataset, title="T", file=upload("t.csv", SPENDING)
    )
    ingestion.version_ingest(version.pk)
    sql = f'SELECT count(*) FROM "{dataset.slug}/{version.resource_id}"'
    assert _sql(client_as("anonymous"), sql).status_code == 400
    assert _sql(client_as("citizen"), sql).status_code == 400
    assert _sql(client_as("editor"), sql).json()["rows"] == [[28]]
