"""Site-wide pages: home, search, error pages, health, security headers and logs."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client, override_settings
from django.urls import path
from django.utils import translation

from agora.accounts.tests.factories import OrganisationFactory
from agora.core.logging import JsonFormatter, RequestIdFilter
from agora.core.markdown import render_markdown
from agora.core.search import search_rebuild

pytestmark = pytest.mark.django_db


def boom(request: object) -> None:
    raise RuntimeError("deliberate failure for the test")


urlpatterns = [path("boom/", boom), path("api/v1/boom", boom)]
handler500 = "agora.core.views.server_error"


@pytest.mark.parametrize(("language", "lang_attr"), [("en", 'lang="en"'), ("fr", 'lang="fr"')])
def test_home_page_in_both_languages(language: str, lang_attr: str) -> None:
    OrganisationFactory()
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE=language)
    html = response.content.decode()
    assert response.status_code == 200
    assert lang_attr in html
    assert 'action="/search/"' in html and 'href="/organisations/"' in html
    assert 'class="skip-link" href="#main"' in html
    assert re.search(r"<main[^>]*id=\"main\"", html) and "<header" in html and "<footer" in html
    with translation.override(language):
        assert translation.gettext("Search everything public") in html


def test_search_page_and_its_htmx_fragment() -> None:
    OrganisationFactory(name="Commission de la transparence")
    search_rebuild()
    client = Client()
    page = client.get("/search/", {"q": "transparence"})
    assert page.status_code == 200
    assert "Commission de la transparence" in page.content.decode()
    assert "<html" in page.content.decode()
    fragment = client.get("/search/", {"q": "transparence"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "Commission de la transparence" in fragment.content.decode()


def test_search_page_handles_bad_input() -> None:
    client = Client()
    assert client.get("/search/", {"q": "x", "cursor": "%%%"}).status_code == 400
    assert client.get("/search/", {"q": "'); DROP TABLE x; --", "kind": "nope"}).status_code == 200
    assert client.get("/search/", {"q": "a" * 5000}).status_code == 200
    assert client.get("/search/", {"q": '"*" OR NEAR(a b)'}).status_code == 200


@pytest.mark.parametrize("language", ["en", "fr"])
def test_404_page_in_both_languages(language: str) -> None:
    response = Client().get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'lang="{language}"' in html
    with translation.override(language):
        assert translation.gettext("Page not found") in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_403_page_in_both_languages(client_as, language: str) -> None:  # type: ignore[no-untyped-def]
    response = client_as("citizen").get("/organisations/new/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    with translation.override(language):
        assert (
            translation.gettext("You are not allowed to see or do this")
            in response.content.decode()
        )


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_500_page_in_both_languages(language: str) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    html = response.content.decode()
    assert response["X-Request-ID"] in html
    with translation.override(language):
        assert translation.gettext("Something went wrong on our side") in html


def test_csrf_failure_is_a_friendly_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 403
    assert "The form had expired" in response.content.decode()


def test_healthz_and_readyz() -> None:
    client = Client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    body = ready.json()
    assert ready.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "tasks"}
    assert all(c["status"] == "ok" for c in body["checks"].values())


def test_readyz_fails_when_storage_is_not_writable(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(FileSystemStorage, "save", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "failing"
    assert "read-only" in checks["storage"]["detail"]
    assert checks["database"]["status"] == "ok"


def test_security_headers() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_hsts_on_secure_requests_when_debug_is_off() -> None:
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_forms_carry_csrf_tokens(client_as) -> None:  # type: ignore[no-untyped-def]
    html = client_as("citizen").get("/accounts/profile/").content.decode()
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S)
    assert forms and all("csrfmiddlewaretoken" in f for f in forms)


def test_incoming_request_ids_are_kept_only_when_well_formed() -> None:
    client = Client()
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="abcDEF12-3456")["X-Request-ID"] == "abcDEF12-3456"
    )
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nInjected: 1")["X-Request-ID"]
        != "bad id\nInjected: 1"
    )


def test_json_logs_carry_the_request_id() -> None:
    from agora.core.logging import request_id_var

    request_id_var.set("req-12345678")
    record = logging.LogRecord(
        "agora.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None
    )
    RequestIdFilter().filter(record)
    line = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s").format(
        record
    )
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["request_id"] == "req-12345678"
    assert data["level"] == "WARNING" and data["logger"] == "agora.test"


def test_markdown_is_sanitised() -> None:
    html = render_markdown(
        "# Title\n\n<img src=x onerror=alert(1)> [link](https://example.org) "
        "[bad](javascript:alert(1)) <a href='x' onclick='y'>a</a>\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<h2>Title</h2>" in html  # the page's own h1 stays unique
    assert "<img" not in html
    assert not re.search(r"<[^>]*\son(error|click)=", html)
    assert 'href="https://example.org"' in html and 'rel="nofollow ugc noopener noreferrer"' in html
    assert 'href="javascript' not in html
    assert "<table>" in html


def test_api_docs_page_lists_every_operation() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    for op in ("GET /api/v1/organisations", "GET /api/v1/search", "GET /api/v1/me"):
        assert op in html


def test_dates_and_numbers_are_localised() -> None:
    from datetime import date

    from django.template import Context, Template

    template = Template('{{ day|date:"DATE_FORMAT" }} · {{ amount }}')
    context = Context({"day": date(2026, 3, 12), "amount": 1234567.5})
    with translation.override("en"):
        assert template.render(context) == "March 12, 2026 · 1,234,567.5"
    with translation.override("fr"):
        assert template.render(context) == "12 mars 2026 · 1\xa0234\xa0567,5"


def test_readyz_shows_details_only_to_staff_and_local_probes(client_as) -> None:  # type: ignore[no-untyped-def]
    remote = {"REMOTE_ADDR": "203.0.113.5"}
    public = Client().get("/readyz", **remote).json()
    assert public["checks"]["database"] == {
        "status": "ok",
        "ms": public["checks"]["database"]["ms"],
    }
    staff = client_as("staff").get("/readyz", **remote).json()
    assert "detail" in staff["checks"]["database"]
    assert "detail" in Client().get("/readyz").json()["checks"]["database"]  # from 127.0.0.1


def test_search_responses_vary_on_htmx() -> None:
    assert "HX-Request" in Client().get("/search/", {"q": "x"})["Vary"]


def test_access_log_leaves_secrets_out(caplog: pytest.LogCaptureFixture) -> None:
    from agora.core.middleware import loggable_path

    assert loggable_path("/accounts/confirm-email/MQ:1vK:abc/") == "/accounts/confirm-email/…/"
    assert (
        loggable_path("/accounts/password/reset/key/1-set-password/")
        == "/accounts/password/reset/key/…/"
    )
    with caplog.at_level(logging.INFO, logger="agora.access"):
        Client().get("/invitations/accept/?token=s3cret-value")
        Client().get("/accounts/confirm-email/MQ:1vK:s3cret/")
    lines = [r.getMessage() for r in caplog.records if r.name == "agora.access"]
    assert lines[0].startswith("GET /invitations/accept/ 302")
    assert not any("s3cret" in line for line in lines)
