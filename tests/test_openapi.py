"""The API is a contract: the committed OpenAPI document, and the API keeping to it."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from agora.accounts import services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Organisation
from agora.accounts.tests.factories import make_member
from agora.accounts.tests.tokens import bearer
from agora.api import openapi_document

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
REGENERATE = ".venv/bin/agora openapi --output docs/api/openapi.json"
SLUG = "region-test"


def test_the_committed_document_matches_the_code() -> None:
    committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
    generated = openapi_document()
    if committed != generated:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    generated.splitlines(keepends=True),
                    "docs/api/openapi.json (committed)",
                    "generated from the code",
                )
            )[:60]
        )
        pytest.fail(
            "The API changed but docs/api/openapi.json did not. If the change is intended, "
            f"regenerate the document with `{REGENERATE}`, review the diff and commit it; "
            f"clients rely on it.\n\n{diff}",
            pytrace=False,
        )


def test_the_committed_document_names_no_server() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert "servers" not in document  # the served document names this site's address


def test_the_served_document_names_this_site(client: Any, db: None) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["servers"] == [{"url": "http://testserver"}]
    assert {k: v for k, v in served.items() if k != "servers"} == json.loads(openapi_document())


# The API against its document ------------------------------------------------------------

schema = schemathesis.openapi.from_path(DOCUMENT)
schema.app = get_wsgi_application()


@schema.hook("flatmap_path_parameters")
def _some_real_slugs(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    # Random slugs only ever find nothing: half the cases name an organisation that exists.
    if path_parameters and "slug" in path_parameters:
        return st.sampled_from([path_parameters, {**path_parameters, "slug": SLUG}])
    return st.just(path_parameters)


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    # Django's test client does the same: a request must not close the connection that
    # holds the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def content(db: None, settings: Any) -> dict[str, dict[str, str]]:
    """A few organisations, searchable, and credentials of an administrator of one."""
    settings.API_RATE_LIMIT_ANONYMOUS = settings.API_RATE_LIMIT_TOKEN = "100000/minute"
    region = services.organisation_create(
        actor=None,
        name="Région de Test",
        kind=OrganisationKind.PUBLIC_BODY,
        slug=SLUG,
        identifiers=[("FR-SIREN", "130025265")],
    )
    services.organisation_create(
        actor=None, name="Service des eaux", kind=OrganisationKind.PUBLIC_BODY, parent=region
    )
    services.organisation_create(
        actor=None, name="Observatoire citoyen", kind=OrganisationKind.CIVIL_SOCIETY
    )
    admin = make_member(Organisation.objects.get(slug=SLUG), Role.ADMIN)
    return {"anonymous": {}, "token": bearer(admin, "read", "write")}


@pytest.mark.parametrize("caller", ["anonymous", "token"])
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_document(
    case: Any,
    caller: str,
    content: dict[str, dict[str, str]],
    wsgi_in_test_transaction: None,
) -> None:
    case.call_and_validate(
        headers=content[caller],
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.status_code_conformance,
            schemathesis.checks.content_type_conformance,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.response_headers_conformance,
        ],
    )
