"""Tabular resources: reading into tables in the background, the data API, the schema."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import duckdb
import pytest
from django.test import Client

from agora.accounts.models import Organisation, User
from agora.catalog import ingestion, services
from agora.catalog.choices import IngestionStatus
from agora.catalog.models import Dataset, ResourceVersion
from agora.catalog.tests.factories import editor_of, make_dataset, upload

pytestmark = pytest.mark.django_db

SPENDING = (
    "Date;Service;Montant;Code postal;Payé\r\n"
    + "".join(
        f"{day:02d}/0{1 + day % 9}/2024;{service};{day * 1000 + 0.5:.2f}".replace(".", ",")
        + f";0{1000 + day};{'true' if day % 2 else 'false'}\r\n"
        for day, service in zip(
            range(1, 29), ["Voirie", "Écoles", "Culture", "Sport"] * 7, strict=True
        )
    )
).encode("cp1252")


def _publish(
    organisation: Organisation, editor: User, content: bytes = SPENDING, name: str = "depenses.csv"
) -> tuple[Dataset, ResourceVersion]:
    dataset = make_dataset(organisation, editor, title="Dépenses")
    version = services.resource_upload(
        actor=editor, dataset=dataset, title="Dépenses 2024", file=upload(name, content)
    )
    services.dataset_publish(actor=editor, dataset=dataset)
    ingestion.version_ingest(version.pk)
    return dataset, version


def _data_url(dataset: Dataset, of: ResourceVersion, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/datasets/{dataset.slug}/resources/{of.resource_id}/data?{query}"


@pytest.fixture
def published(organisation: Organisation, people: dict[str, User | None]):  # type: ignore[no-untyped-def]
    return _publish(organisation, editor_of(people))


def test_a_csv_upload_becomes_a_typed_table(published: tuple[Dataset, ResourceVersion]) -> None:
    _dataset, version = published
    version.refresh_from_db()
    assert version.ingestion.status == IngestionStatus.DONE
    (table,) = version.tables.all()
    assert table.row_count == 28
    types = {c["name"]: (c["type"], c["format"]) for c in table.columns}
    assert types == {
        "Date": ("date", "dd/mm/yyyy"),
        "Service": ("string", "default"),
        "Montant": ("number", "decimal_comma"),
        "Code postal": ("string", "default"),  # leading zeros are kept
        "Payé": ("boolean", "default"),
    }
    montant = table.column("Montant")
    assert montant is not None
    assert montant["profile"]["min"] == 1000.5
    assert montant["profile"]["nulls"] == 0
    service = table.column("Service")
    assert service is not None
    assert {"value": "Écoles", "count": 7} in service["profile"]["top"]
    # The Parquet file holds the same typed rows.
    rows = duckdb.read_parquet(table.parquet.path).fetchall()
    assert len(rows) == 28
    assert str(rows[0][0]) == "2024-02-01"
    assert rows[0][3] == "01001"


def test_data_api_filters_sorts_and_pages(
    client: Client, published: tuple[Dataset, ResourceVersion]
) -> None:
    dataset, version = published
    body = client.get(
        _data_url(dataset, version, Service="Écoles", sort="-Montant", limit=3)
    ).json()
    assert body["total"] == 7
    assert [r["Montant"] for r in body["rows"]] == [26000.5, 22000.5, 18000.5]
    assert body["next_cursor"]
    second = client.get(body["next"]).json()
    assert [r["Montant"] for r in second["rows"]] == [14000.5, 10000.5, 6000.5]
    assert client.get(_data_url(dataset, version, Montant__gte=27000)).json()["total"] == 2
    assert (
        client.get(_data_url(dataset, version, **{"Code postal__startswith": "0101"})).json()[
            "total"
        ]
        == 10
    )
    arrays = client.get(
        _data_url(dataset, version, fields="Service,Payé", shape="arrays", limit=1)
    ).json()
    assert arrays["rows"] == [["Voirie", True]]
    found = client.get(_data_url(dataset, version, q="écoles")).json()
    assert found["total"] == 7


def test_data_api_groups_and_facets(
    client: Client, published: tuple[Dataset, ResourceVersion]
) -> None:
    dataset, version = published
    body = client.get(
        _data_url(dataset, version, group_by="Service", sum="Montant", sort="Service")
    ).json()
    assert [r["Service"] for r in body["rows"]] == ["Culture", "Sport", "Voirie", "Écoles"]
    assert body["rows"][0]["count"] == 7
    assert body["rows"][0]["sum_Montant"] == pytest.approx(
        sum(d * 1000 + 0.5 for d in range(3, 29, 4))
    )
    facets = client.get(_data_url(dataset, version, facet="Service,Payé", limit=0)).json()["facets"]
    assert {f["value"]: f["count"] for f in facets["Payé"]} == {True: 14, False: 14}
    assert len(facets["Service"]) == 4


def test_data_api_exports(client: Client, published: tuple[Dataset, ResourceVersion]) -> None:
    dataset, version = published
    response = client.get(_data_url(dataset, version, format="csv", Service="Sport"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Date", "Service", "Montant", "Code postal", "Payé"]
    assert len(rows) == 8
    lines = b"".join(client.get(_data_url(dataset, version, format="ndjson")).streaming_content)
    assert len(lines.splitlines()) == 28
    assert json.loads(lines.splitlines()[0])["Date"] == "2024-02-01"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"Nope": "1"}, "Nope"),
        ({"Montant__contains": "1"}, "Montant__contains"),
        ({"Montant": "beaucoup"}, "Montant"),
        ({"sort": "Nope"}, "sort"),
        ({"limit": "10001"}, "limit"),
        ({"format": "pdf"}, "format"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "WyJ4Il0"}, "cursor"),  # ["x"]: a row id that is not a number
        ({"cursor": "Wy0xXQ"}, "cursor"),  # [-1]
        ({"sum": "Service"}, "sum"),
        ({"facet": "a,b,c,d,e,f"}, "facet"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(
    client: Client,
    published: tuple[Dataset, ResourceVersion],
    params: dict[str, str],
    parameter: str,
) -> None:
    dataset, version = published
    response = client.get(_data_url(dataset, version, **params))
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == parameter


def _draft_upload(organisation: Organisation, editor: User) -> tuple[Dataset, ResourceVersion]:
    """A draft dataset with a CSV resource, not read yet."""
    dataset = make_dataset(organisation, editor)
    version = services.resource_upload(
        actor=editor, dataset=dataset, title="T", file=upload("t.csv", SPENDING)
    )
    return dataset, version


def _page_url(dataset: Dataset, version: ResourceVersion) -> str:
    return f"/datasets/{dataset.slug}/resources/{version.resource_id}/"


def test_resource_page_previews_the_table_without_javascript(
    client: Client, published: tuple[Dataset, ResourceVersion]
) -> None:
    dataset, version = published
    page = client.get(_page_url(dataset, version))
    html = page.content.decode()
    assert "Rows 1 to 20 of 28" in html
    assert "Écoles" in html
    assert 'rel="next"' in html
    # The filter form's fields become the data API's own parameters.
    response = client.get(
        _page_url(dataset, version),
        {"filter_column": "Montant", "filter_operator": "gte", "filter_value": "27000"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?Montant__gte=27000")
    filtered = client.get(response["Location"]).content.decode()
    assert "Rows 1 to 2 of 2" in filtered
    assert "Montant__gte=27000&amp;format=csv" in filtered  # exports keep the filter
    sorted_page = client.get(_page_url(dataset, version), {"sort": "-Montant"}).content.decode()
    assert 'aria-sort="descending"' in sorted_page
    assert (
        sorted_page.index("28000.5") < sorted_page.index("27000.5") < sorted_page.index("26000.5")
    )
    bad = client.get(_page_url(dataset, version), {"Montant": "beaucoup"})
    assert bad.status_code == 200
    assert "is not a number" in bad.content.decode()


def test_page_refreshes_while_the_file_is_read(
    client_as,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    dataset, version = _draft_upload(organisation, editor_of(people))
    page = client_as("editor").get(_page_url(dataset, version))
    assert page["Refresh"] == "3"
    assert "Waiting to be read" in page.content.decode()


def test_upload_is_read_by_the_worker(
    run_tasks,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    _dataset, version = _draft_upload(organisation, editor_of(people))
    assert version.ingestion.status == IngestionStatus.QUEUED
    run_tasks()
    version.ingestion.refresh_from_db()
    assert version.ingestion.status == IngestionStatus.DONE
    assert version.tables.get().row_count == 28


def test_confirmed_schema_sticks_and_a_misfit_version_is_not_published(
    client: Client, published: tuple[Dataset, ResourceVersion], people: dict[str, User | None]
) -> None:
    dataset, first = published
    editor = editor_of(people)
    table = first.tables.get()
    columns = [{"source": c["source"], "name": c["name"], "type": c["type"]} for c in table.columns]
    columns[3] = {"source": "Code postal", "name": "code_postal", "type": "integer"}
    ingestion.schema_confirm(actor=editor, table=table, columns=columns)
    ingestion.version_ingest(first.pk)
    renamed = client.get(_data_url(dataset, first, code_postal=1001)).json()

    assert renamed["total"] == 1
    assert renamed["columns"][3] == {"name": "code_postal", "type": "integer"}

    bad = SPENDING.replace(b"01003", b"01O03")  # a letter O for a zero, on row 3
    second = services.resource_version_upload(
        actor=editor, resource=first.resource, file=upload("depenses.csv", bad)
    )
    ingestion.version_ingest(second.pk)
    second.ingestion.refresh_from_db()
    assert second.ingestion.status == IngestionStatus.REJECTED
    assert second.ingestion.problems == [
        {"row": 3, "column": "Code postal", "value": "01O03", "expected": "integer"}
    ]
    live = client.get(_data_url(dataset, first, limit=1)).json()
    assert live["version"] == 1  # the previous version stays live
    page = client.get(_page_url(dataset, first)).content.decode()
    assert "01O03" in page
    assert "Version 1 stays online." in page
    tables = client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{first.resource_id}/tables"
    ).json()
    assert tables["ingestion"]["status"] == "rejected"
    assert tables["items"][0]["version"] == 1


def test_schema_confirmation_is_for_editors_only(
    client_as,
    published: tuple[Dataset, ResourceVersion],  # type: ignore[no-untyped-def]
) -> None:
    dataset, version = published
    url = f"/api/v1/datasets/{dataset.slug}/resources/{version.resource_id}/tables/data/schema"
    body = {"columns": [{"source": "Date", "name": "jour", "type": "date"}]}
    for role, status in [("anonymous", 401), ("citizen", 403), ("member", 403)]:
        response = client_as(role).put(url, body, content_type="application/json")
        assert response.status_code == status, role
    page = f"/datasets/{dataset.slug}/resources/{version.resource_id}/schema"
    assert client_as("citizen").post(page, {"name-0": "jour"}).status_code == 403
    assert client_as("anonymous").post(page).status_code == 302  # to sign in


def test_schema_form_rejects_duplicate_names(
    client_as,
    published: tuple[Dataset, ResourceVersion],  # type: ignore[no-untyped-def]
) -> None:
    dataset, version = published
    page = f"/datasets/{dataset.slug}/resources/{version.resource_id}/schema"
    response = client_as("editor").post(page, {"name-0": "Service", "table": "data"}, follow=True)
    assert "must be different" in response.content.decode()


def test_versions_as_of_and_cache_headers(
    client: Client, published: tuple[Dataset, ResourceVersion], people: dict[str, User | None]
) -> None:
    dataset, first = published
    second = services.resource_version_upload(
        actor=editor_of(people),
        resource=first.resource,
        file=upload("depenses.csv", SPENDING + b"01/01/2025;Voirie;1,5;01099;true\r\n"),
    )
    ingestion.version_ingest(second.pk)
    assert client.get(_data_url(dataset, first, limit=0)).json()["total"] == 29
    assert client.get(_data_url(dataset, first, limit=0, version=1)).json()["total"] == 28
    as_of = first.created.isoformat().replace("+", "%2B")
    assert client.get(_data_url(dataset, first, limit=0, as_of=as_of)).json()["total"] == 28
    url = f"/api/v1/datasets/{dataset.slug}/resources/{first.resource_id}/versions/1/data?limit=5"
    response = client.get(url)
    assert "immutable" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url + "&offset=5")["ETag"] != etag
    assert "max-age=60" in client.get(_data_url(dataset, first))["Cache-Control"]


def test_parquet_and_xlsx_exports(
    client: Client, published: tuple[Dataset, ResourceVersion], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    dataset, version = published
    whole = client.get(_data_url(dataset, version, format="parquet"))
    target = tmp_path / "whole.parquet"
    target.write_bytes(b"".join(whole.streaming_content))
    assert duckdb.read_parquet(str(target)).fetchall()[0][3] == "01001"
    part = client.get(_data_url(dataset, version, format="parquet", Service="Sport"))
    target.write_bytes(b"".join(part.streaming_content))
    assert len(duckdb.read_parquet(str(target)).fetchall()) == 7
    sheet = client.get(_data_url(dataset, version, format="xlsx", fields="Service,Montant"))
    book = tmp_path / "book.xlsx"
    book.write_bytes(b"".join(sheet.streaming_content))
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["Service", "Montant"]
    assert rows[1] == ["Voirie", 1000.5]
    assert len(rows) == 29


def test_draft_tables_are_hidden_from_the_public(
    client_as,
    organisation: Organisation,
    people: dict[str, User | None],  # type: ignore[no-untyped-def]
) -> None:
    dataset, version = _draft_upload(organisation, editor_of(people))
    ingestion.version_ingest(version.pk)
    for role, status in [("anonymous", 404), ("citizen", 404), ("editor", 200), ("staff", 200)]:
        assert client_as(role).get(_data_url(dataset, version)).status_code == status, role
        tables = f"/api/v1/datasets/{dataset.slug}/resources/{version.resource_id}/tables"
        assert client_as(role).get(tables).status_code == status, role


def test_tables_api_and_csvw(client: Client, published: tuple[Dataset, ResourceVersion]) -> None:
    dataset, version = published
    body = client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{version.resource_id}/tables"
    ).json()
    (table,) = body["items"]
    assert body["ingestion"]["status"] == "done"
    assert table["sql_name"] == f'"{dataset.slug}/{version.resource_id}"'
    montant = table["columns"][2]
    assert montant["operators"] == [
        "exact",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "notin",
        "isnull",
        "notnull",
    ]
    assert table["table_schema"]["fields"][0] == {
        "name": "Date",
        "type": "date",
        "constraints": {"required": True},
    }
    csvw = client.get(table["csvw_url"])
    assert csvw["Content-Type"] == "application/csvm+json"
    metadata = csvw.json()
    assert metadata["@context"] == "http://www.w3.org/ns/csvw"
    assert [c["datatype"] for c in metadata["tableSchema"]["columns"]] == [
        "date",
        "string",
        "double",
        "string",
        "boolean",
    ]
    exported = b"".join(client.get(metadata["url"]).streaming_content).decode()
    assert exported.splitlines()[0] == "Date,Service,Montant,Code postal,Payé"


def test_diff_between_versions(
    client: Client, published: tuple[Dataset, ResourceVersion], people: dict[str, User | None]
) -> None:
    dataset, first = published
    lines = SPENDING.decode("cp1252").split("\r\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    changed = rows[1].replace("Écoles", "Écoles primaires")
    new_rows = [rows[0], changed, *rows[3:], "01/01/2025;Voirie;1,5;01099;true"]
    content = (header + ";Note\r\n" + "".join(r + ";\r\n" for r in new_rows)).encode("cp1252")
    second = services.resource_version_upload(
        actor=editor_of(people), resource=first.resource, file=upload("depenses.csv", content)
    )
    ingestion.version_ingest(second.pk)
    base = f"/api/v1/datasets/{dataset.slug}/resources/{first.resource_id}/diff"
    body = client.get(base, {"from": 1, "key": "Code postal"}).json()
    assert body["to"] == 2
    assert body["schema"]["added"] == [{"name": "Note", "type": "string"}]
    assert body["rows"] == {"added": 1, "removed": 1, "changed": 1}
    assert body["samples"]["removed"][0]["Code postal"] == "01003"
    assert body["samples"]["changed"][0] == {
        "key": {"Code postal": "01002"},
        "columns": {"Service": {"before": "Écoles", "after": "Écoles primaires"}},
    }
    whole = client.get(base, {"from": 1, "to": 2}).json()
    assert whole["rows"] == {"added": 2, "removed": 2, "changed": 0}
    assert client.get(base, {"from": 1, "key": "Service"}).status_code == 400  # not unique
    assert client.get(base, {"from": 1, "key": "Nope"}).json()["errors"][0]["field"] == "key"
    assert client.get(base, {"from": "x"}).status_code == 400


def test_each_table_has_its_own_openapi_description(
    client: Client, published: tuple[Dataset, ResourceVersion]
) -> None:
    dataset, version = published
    document = client.get(
        f"/api/v1/datasets/{dataset.slug}/resources/{version.resource_id}/openapi.json"
    ).json()
    operation = document["paths"][""]["get"]
    names = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert names["Montant__gte"] == {"type": "number"}
    assert names["Date"] == {"type": "string", "format": "date"}
    assert "Service__icontains" in names
    assert "Montant__icontains" not in names  # text operators on text columns only
    assert document["servers"][0]["url"].endswith("/data")
    row = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert row["properties"]["rows"]["items"]["properties"]["Payé"]["type"] == "boolean"


def test_unsorted_cursor_pages_follow_the_file_order_across_row_groups(
    client: Client, organisation: Organisation, people: dict[str, User | None]
) -> None:
    rows = 130_000  # more than one DuckDB row group (122 880 rows)
    content = ("id,parite\n" + "".join(f"{i},{i % 2}\n" for i in range(1, rows + 1))).encode()
    dataset, version = _publish(organisation, editor_of(people), content, "grand.csv")
    seen: list[int] = []
    url: str | None = _data_url(dataset, version, fields="id", limit=10000, shape="arrays")
    while url:
        body = client.get(url).json()
        seen.extend(row[0] for row in body["rows"])
        url = body["next"]
    assert seen == list(range(1, rows + 1))
    odd = client.get(_data_url(dataset, version, parite=1, limit=3, offset=60000)).json()
    assert [r["id"] for r in odd["rows"]] == [120001, 120003, 120005]
    # An unfiltered page far into the table is read from its row ids, not after every row.
    far = client.get(_data_url(dataset, version, limit=3, offset=129998)).json()
    assert [r["id"] for r in far["rows"]] == [129999, 130000] and far["next"] is None
    assert far["total"] == rows
    lines = b"".join(
        client.get(
            _data_url(dataset, version, format="csv", limit=2, offset=122879)
        ).streaming_content
    )
    assert lines.decode().splitlines() == ["id,parite", "122880,0", "122881,1"]


def test_exports_keep_the_sort(client: Client, published: tuple[Dataset, ResourceVersion]) -> None:
    dataset, version = published
    response = client.get(
        _data_url(dataset, version, format="csv", sort="-Montant", fields="Montant")
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[:3] == ["Montant", "28000.5", "27000.5"]
    assert len(lines) == 29
