"""Every API error is an RFC 9457 problem document, whichever layer produced it."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext
from ninja import NinjaAPI

from agora.accounts.apiauth import ApiAuth
from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import UserFactory, make_member
from agora.accounts.tests.tokens import bearer
from agora.core.apierrors import JsonOnlyParser, install_problem_handlers
from agora.core.problems import CONTENT_TYPE, PROBLEM_TYPES
from agora.core.tests.conftest import Clock

pytestmark = pytest.mark.django_db

ORG = "/api/v1/organisations/region-test"

# A test-only API and view that fail, to see what a 500 looks like.
crash_api = NinjaAPI(
    urls_namespace="crash-test", auth=ApiAuth(), parser=JsonOnlyParser(), docs_url=None
)
install_problem_handlers(crash_api)


@crash_api.get("/boom")
def boom(request: HttpRequest) -> dict[str, str]:
    raise RuntimeError("a bug")


def plain_crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug outside ninja")


urlpatterns = [
    path("api/v1/crash/", crash_api.urls),
    path("api/v1/plain-crash", plain_crash),
    path("", include("agora.urls")),
]
handler404 = "agora.core.views.page_not_found"
handler500 = "agora.core.views.server_error"


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == CONTENT_TYPE
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == f"http://testserver/api/v1/problems/{slug}"
    assert body["status"] == status
    assert body["title"] == str(PROBLEM_TYPES[slug].title)
    assert body["detail"]
    assert body["instance"] == response.wsgi_request.path
    assert body["request_id"] == response["X-Request-ID"]
    return body


@pytest.fixture
def admin(organisation: Organisation) -> User:
    return make_member(organisation, Role.ADMIN)


@pytest.fixture
def write_headers(admin: User) -> dict[str, str]:
    return bearer(admin, "read", "write")


def test_400_for_malformed_json(client: Client, write_headers: dict[str, str]) -> None:
    response = client.patch(
        ORG, data="{'name': 1", content_type="application/json", headers=write_headers
    )
    body = assert_problem(response, 400, "bad-request")
    assert "line 1, column 2" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"[1, 2]", "must be a JSON object"),
        (b'{"name": "\xff"}', "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["not-an-object", "not-utf8", "too-deep"],
)
def test_400_for_a_body_that_is_not_a_json_object(
    client: Client, write_headers: dict[str, str], payload: bytes, expected: str
) -> None:
    response = client.patch(
        ORG, data=payload, content_type="application/json", headers=write_headers
    )
    assert expected in assert_problem(response, 400, "bad-request")["detail"]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        b64("not json"),
        b64("[1]"),  # the key of the list is (name, id)
        b64('["a", "b"]'),
        b64('["a", {"dt": "yesterday"}]'),
        b64('["a", 1e400]'),
        b64(f'["a", {2**64}]'),
        b64('["a\\u0000", 1]'),
        b64('["\\ud800", 1]'),
    ],
)
def test_400_for_a_bad_cursor(client: Client, organisation: Organisation, cursor: str) -> None:
    response = client.get("/api/v1/organisations", {"cursor": cursor})
    assert "cursor" in assert_problem(response, 400, "bad-request")["detail"]


def test_401_without_credentials_says_how_to_authenticate(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert_problem(response, 401, "authentication-required")
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer agora_nope", "Bearer", "Basic dXNlcjpwdw==", "x"])
def test_401_for_a_bad_authorization_header(
    client: Client, organisation: Organisation, header: str
) -> None:
    # Even on a public operation: a wrong token is an error, not a silent anonymous call.
    response = client.get("/api/v1/organisations", headers={"Authorization": header})
    assert "token" in assert_problem(response, 401, "authentication-required")["detail"]


def test_403_when_not_allowed(client: Client, organisation: Organisation) -> None:
    response = client.get(f"{ORG}/members", headers=bearer(UserFactory.create()))
    assert_problem(response, 403, "permission-denied")


def test_404_for_an_unknown_object(client: Client, organisation: Organisation) -> None:
    assert_problem(client.get("/api/v1/organisations/nowhere"), 404, "not-found")


@pytest.mark.parametrize(
    "url", ["/api/v1/nowhere", "/api/v1/organisations/", "/api/v1/organisations/a%20b"]
)
def test_404_for_an_unknown_address(client: Client, url: str) -> None:
    assert_problem(client.get(url), 404, "not-found")


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("delete", "/api/v1/organisations", "GET"),
        ("put", ORG, "GET, PATCH"),
        ("post", "/api/v1/me", "GET"),
    ],
)
def test_405_lists_the_allowed_methods(
    client: Client, organisation: Organisation, method: str, url: str, allowed: str
) -> None:
    response = getattr(client, method)(url)
    body = assert_problem(response, 405, "method-not-allowed")
    assert set(response["Allow"].split(", ")) == set(allowed.split(", "))
    assert method.upper() in body["detail"]


def test_409_for_a_duplicate_invitation(client: Client, write_headers: dict[str, str]) -> None:
    url = f"{ORG}/invitations"
    payload = {"email": "new@example.org"}
    first = client.post(url, payload, content_type="application/json", headers=write_headers)
    assert first.status_code == 201
    second = client.post(url, payload, content_type="application/json", headers=write_headers)
    assert "new@example.org" in assert_problem(second, 409, "conflict")["detail"]


@override_settings(MAX_REQUEST_SIZE=100)
def test_413_when_the_declared_body_is_too_large(
    client: Client, write_headers: dict[str, str]
) -> None:
    payload = json.dumps({"description": "x" * 200})
    response = client.patch(
        ORG, data=payload, content_type="application/json", headers=write_headers
    )
    assert "100" in assert_problem(response, 413, "payload-too-large")["detail"]


@override_settings(MAX_REQUEST_SIZE=100)
def test_413_is_translated_although_refused_early(
    client: Client, write_headers: dict[str, str]
) -> None:
    response = client.patch(
        ORG,
        data=json.dumps({"description": "x" * 200}),
        content_type="application/json",
        headers={**write_headers, "Accept-Language": "fr"},
    )
    body = json.loads(response.content)
    assert "100\xa0octets" in body["detail"]  # Django's French for the size
    with translation.override("fr"):
        assert body["title"] == gettext("Request too large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_413_when_the_body_is_larger_than_can_be_read(
    client: Client, write_headers: dict[str, str]
) -> None:
    payload = json.dumps({"description": "x" * 200})
    response = client.patch(
        ORG, data=payload, content_type="application/json", headers=write_headers
    )
    assert_problem(response, 413, "payload-too-large")


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("name=New+name", "application/x-www-form-urlencoded"), ('{"name": "x"}', "text/plain")],
)
def test_415_for_a_body_that_is_not_json(
    client: Client, write_headers: dict[str, str], data: str, content_type: str
) -> None:
    response = client.patch(ORG, data=data, content_type=content_type, headers=write_headers)
    body = assert_problem(response, 415, "unsupported-media-type")
    assert content_type in body["detail"]
    assert Organisation.objects.get(slug="region-test").name == "Région de Test"


def test_422_lists_each_invalid_field(client: Client, write_headers: dict[str, str]) -> None:
    response = client.patch(
        ORG,
        {"name": "", "website": "not a web address", "description": 5},
        content_type="application/json",
        headers=write_headers,
    )
    body = assert_problem(response, 422, "validation-error")
    fields = {e["field"]: e for e in body["errors"]}
    assert set(fields) == {"name", "website", "description"}
    assert fields["name"]["message"] == "Use at least 1 character."
    assert fields["website"]["code"] == "url_parsing"
    assert fields["description"]["message"] == "Enter text."
    assert "name, website, description" in body["detail"]


def test_422_for_a_value_the_service_refuses(client: Client, write_headers: dict[str, str]) -> None:
    # Valid for the schema, refused by the service: still field errors.
    response = client.patch(
        ORG, {"name": "   "}, content_type="application/json", headers=write_headers
    )
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["name"]


@override_settings(API_RATE_LIMIT_ANONYMOUS="1/minute")
def test_429_says_when_to_retry(client: Client, organisation: Organisation, clock: Clock) -> None:
    assert client.get("/api/v1/organisations").status_code == 200
    response = client.get("/api/v1/organisations")
    assert "1 requests" in assert_problem(response, 429, "rate-limited")["detail"]
    assert response["Retry-After"] == "45"


@pytest.mark.urls(__name__)
def test_500_from_an_operation_that_fails(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/crash/boom")
    body = assert_problem(response, 500, "server-error")
    assert "a bug" not in response.content.decode()
    assert any("a bug" in r.exc_text for r in caplog.records if r.exc_text)
    assert body["request_id"]


@pytest.mark.urls(__name__)
def test_500_from_a_view_outside_ninja(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.CRITICAL):
        response = client.get("/api/v1/plain-crash")
    assert_problem(response, 500, "server-error")
    assert "outside ninja" not in response.content.decode()


def test_titles_follow_the_language_asked_for(client: Client) -> None:
    response = client.get("/api/v1/nowhere", headers={"Accept-Language": "fr"})
    body = json.loads(response.content)
    assert response["Content-Language"] == "fr"
    with translation.override("fr"):
        assert body["title"] == gettext("Not found")
        assert body["detail"] == gettext(
            "Nothing exists at this address, or it is not visible to you."
        )


def test_field_errors_follow_the_language_asked_for(
    client: Client, write_headers: dict[str, str]
) -> None:
    # Django's own French catalogue has these messages, so this holds before ours exists.
    response = client.post(
        f"{ORG}/invitations",
        {"role": "member"},
        content_type="application/json",
        headers={**write_headers, "Accept-Language": "fr"},
    )
    errors = json.loads(response.content)["errors"]
    assert errors == [{"field": "email", "message": "Ce champ est obligatoire.", "code": "missing"}]
    response = client.get(
        "/api/v1/organisations", {"limit": "many"}, headers={"Accept-Language": "fr"}
    )
    assert json.loads(response.content)["errors"][0]["message"] == "Saisissez un nombre entier."


OVERFLOWING_DATETIME = b64('[{"dt": "9999-12-31T23:00:00-05:00"}, 1]')
NAIVE_DATETIME = b64('[{"dt": "2026-01-01T00:00:00"}, 1]')
TEXT_FOR_DATETIME = b64('["2026-01-01", "x"]')
HUGE_ID = b64(f"[1.5, {2**64}]")
NAN_RANK = b64("[NaN, 1]")


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/organisations/a%00b", None),
        ("get", "/api/v1/search?q=%00", None),
        ("get", "/api/v1/search?q=water&cursor=%00", None),
        ("get", "/api/v1/search?q=water&kind=%00", None),
        ("get", "/api/v1/organisations?kind=%00", None),
        ("get", "/api/v1/organisations?limit=99999999999999999999999", None),
        ("get", "/api/v1/organisations?limit=-1", None),
        ("get", f"{ORG}/members?cursor={OVERFLOWING_DATETIME}", None),
        ("get", f"{ORG}/members?cursor={NAIVE_DATETIME}", None),
        ("get", f"{ORG}/members?cursor={TEXT_FOR_DATETIME}", None),
        ("get", f"/api/v1/search?q=water&cursor={HUGE_ID}", None),
        ("get", f"/api/v1/search?q=water&cursor={NAN_RANK}", None),
        ("patch", ORG, {"name": "a\x00b"}),
        ("patch", ORG, {"name": None}),
        ("patch", ORG, {"email": None, "description": None, "jurisdiction": None}),
        ("patch", ORG, {"website": "http://exa\x00mple.org"}),
        ("patch", ORG, {"email": "a\x00@example.org"}),
        ("patch", ORG, {"website": "https://example.org/" + "a" * 300}),
        ("patch", ORG, {"name": {"nested": True}}),
        ("post", f"{ORG}/invitations", {"email": "x@example.org", "role": "owner"}),
        ("post", f"{ORG}/invitations", {"email": "ü@exämple.org"}),
        ("post", f"{ORG}/invitations", {"email": "a" * 250 + "@example.org"}),
    ],
)
def test_malformed_input_is_never_a_server_error(
    client: Client,
    write_headers: dict[str, str],
    method: str,
    url: str,
    body: dict[str, Any] | None,
) -> None:
    kwargs: dict[str, Any] = {"headers": write_headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    assert response["Content-Type"].startswith(("application/json", CONTENT_TYPE))
    assert response.status_code < 500, response.content


def test_each_problem_type_is_documented_at_its_address(client: Client) -> None:
    for slug, problem in PROBLEM_TYPES.items():
        response = client.get(f"/api/v1/problems/{slug}")
        assert response.status_code == 200
        assert str(problem.title) in response.content.decode()
    assert_problem(client.get("/api/v1/problems/no-such-problem"), 404, "not-found")


def test_the_reference_page_lists_every_operation(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    for operation in ("GET /api/v1/me", "PATCH /api/v1/organisations/{slug}", "GET /api/v1/search"):
        assert operation in page
