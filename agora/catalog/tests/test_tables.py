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


def _data_url(dataset: Dataset, version: ResourceVersion, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/datasets/{dataset.slug}/resources/{version.resource_id}/data?{query}"


@pytest.fixture
def published(organisation: Organisation, people: dict[str, User | None]):  # type: ignore[no-untyped-def]
    return _publish(organisation, editor_of(people))


def test_a_csv_upload_becomes_a_typed_table(published: tuple[Dataset, ResourceVersion]) -> None:
    dataset, version = published
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
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{table.parquet.path}')").fetchall()
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
