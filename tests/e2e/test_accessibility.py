"""Accessibility in a real browser: axe-core finds no serious or critical WCAG 2.0/2.1 A or AA
violation, pages reflow at 320 px without horizontal scrolling, the skip link works from the
keyboard, and the Content-Security-Policy blocks nothing that the pages themselves use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from agora.accounts import services
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import make_member
from agora.catalog import services as catalog
from agora.catalog.community import discussion_open, discussion_reply, reuse_create
from agora.catalog.ingestion import version_ingest
from agora.catalog.models import (
    DataRequest,
    Dataset,
    Discussion,
    HarvestJob,
    HarvestSource,
    ResourceVersion,
    Reuse,
)
from agora.catalog.tests.factories import make_dataset
from agora.ledger.services import checkpoint_publish

from .conftest import blocking_violations, describe, overflowing, visit

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "fr"]
# Agora's own French catalogue is not written yet; the French heading of the sign-in page comes
# from django-allauth's (or, later, from Agora's, which takes precedence and may reword it).
FRENCH_SIGN_IN = ("Connexion", "Se connecter")
# The narrowest width WCAG 2.1's reflow criterion (1.4.10) asks for: 320 CSS pixels.
NARROW = {"width": 320, "height": 640}

# name -> the page's address, given the public body that the test data is about
PAGES: dict[str, Callable[[Organisation], str]] = {
    "home": lambda body: reverse("core:home"),
    "login": lambda body: reverse("account_login"),
    "signup": lambda body: reverse("account_signup"),
    "organisation-list": lambda body: reverse("accounts:organisation_list"),
    "organisation-detail": lambda body: body.get_absolute_url(),
    "search-results": lambda body: reverse("core:search") + "?q=environnement",
    "ledger": lambda body: reverse("ledger:entry_list"),
    "ledger-entry": lambda body: reverse("ledger:entry_detail", kwargs={"index": 1}),
    "ledger-verify": lambda body: reverse("ledger:verify"),
    "dataset-list": lambda body: reverse("catalog:dataset_list"),
    "dataset-detail": lambda body: reverse("catalog:dataset_detail", args=[DATASET]),
    "resource-detail": lambda body: (
        Dataset.objects.get(slug=DATASET).resources.get(remote_url="").get_absolute_url()
    ),
    "link-detail": lambda body: (
        Dataset.objects.get(slug=DATASET).resources.exclude(remote_url="").get().get_absolute_url()
    ),
    "data-requests": lambda body: reverse("catalog:data_request_list"),
    "data-request": lambda body: DataRequest.objects.get().get_absolute_url(),
    "data-request-responses": lambda body: reverse("catalog:response_records"),
    "reuses": lambda body: reverse("catalog:reuse_list"),
    "reuse": lambda body: Reuse.objects.get().get_absolute_url(),
    "discussion": lambda body: Discussion.objects.get().get_absolute_url(),
    "quality-dashboard": lambda body: reverse("catalog:quality_dashboard", args=[body.slug]),
}
DATASET = "qualite-eau-test"


@pytest.fixture
def public_body(live_server: Any) -> Organisation:
    """A public body with everything its page can show, and long words that must wrap."""
    region = services.organisation_create(
        actor=None,
        name="Région de Test",
        slug="region-test",
        kind=OrganisationKind.PUBLIC_BODY,
        jurisdiction="FR-TST",
    )
    body = services.organisation_create(
        actor=None,
        name="Direction régionale de l'environnement, de l'aménagement et du logement",
        slug="dreal-test",
        kind=OrganisationKind.PUBLIC_BODY,
        parent=region,
        jurisdiction="FR-TST",
        website="https://www.environnement-amenagement-logement.region-test.gouv.example/",
        email="contact.environnement-amenagement-logement@region-test.gouv.example",
        description=(
            "La direction met en œuvre les politiques de l'**environnement**, de l'aménagement "
            "et du logement.\n\n- Eau et biodiversité\n- Risques naturels et technologiques\n"
        ),
        identifiers=[("FR-SIRET", "13000000000000000000042")],
    )
    services.organisation_create(
        actor=None,
        name="Unité départementale de l'environnement",
        slug="ud-test",
        kind=OrganisationKind.PUBLIC_BODY,
        parent=body,
    )
    editor = make_member(body, Role.EDITOR)
    dataset = make_dataset(
        body,
        editor,
        slug=DATASET,
        title="Qualité des eaux de baignade et des cours d'eau",
        description="Analyses mensuelles des **points de baignade** surveillés.",
        themes=["ENVI", "HEAL"],
        keywords=["eau", "baignade", "santé-environnement"],
        temporal_start=date(2024, 1, 1),
        temporal_end=date(2025, 12, 31),
        publish=True,
    )
    for version in ResourceVersion.objects.filter(resource__dataset=dataset):
        version_ingest(version.pk)  # the resource page then shows its table
    catalog.resource_link(
        actor=editor,
        dataset=dataset,
        title="Carte interactive",
        url="https://www.environnement-amenagement-logement.region-test.gouv.example/eau/carte",
    )
    asked = catalog.data_request_create(
        actor=editor,
        organisation=body,
        title="Relevés piézométriques des nappes phréatiques",
        description="Les relevés **mensuels** de chaque piézomètre depuis 2015.",
        reason="Suivre la sécheresse.",
    )
    catalog.data_request_comment(actor=editor, request=asked, body="Une première piste.")
    catalog.data_request_answer(
        actor=editor,
        request=asked,
        status="planned",
        answer="Publication prévue.",
        planned_for=date(2027, 6, 1),
    )
    reuse_create(
        actor=editor,
        title="Carte des eaux de baignade surveillées",
        kind="visualisation",
        url="https://example.org/carte-baignade",
        datasets=[dataset],
    )
    talk = discussion_open(
        actor=editor, dataset=dataset, title="Points manquants", body="Où est la plage du lac ?"
    )
    discussion_reply(actor=editor, discussion=talk, body="Ajoutée.", as_organisation=True)
    checkpoint_publish()  # the entry page then shows its inclusion proof
    return body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(
    open_page: Callable[..., Any],
    axe_source: str,
    public_body: Organisation,
    name: str,
    language: str,
) -> None:
    page = open_page(language=language).page
    path = PAGES[name](public_body)
    visit(page, path, language)
    if name == "login" and language == "fr":
        # The French run checks a page that is really in French, not an English one.
        assert page.get_by_role("heading", level=1).inner_text().strip() in FRENCH_SIGN_IN
    blocking = blocking_violations(page, axe_source)
    assert not blocking, f"axe on {path} ({language}):\n{describe(blocking)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_harvest_pages_of_an_editor_have_no_serious_violation(
    open_page: Callable[..., Any],
    axe_source: str,
    public_body: Organisation,
    live_server: Any,
    sign_in: Callable[[Page, User], None],
    language: str,
) -> None:
    """Pages behind sign-in: the editor's session is made on the server, as after signing in
    with a password and a second factor."""
    editor = make_member(public_body, Role.EDITOR)
    services.user_enable_totp(user=editor, secret="JBSWY3DPEHPK3PXP")
    source = HarvestSource.objects.create(
        organisation=public_body,
        name="Portail national",
        url="https://data.example.org",
        kind="ckan",
        created_by=editor,
    )
    HarvestJob.objects.create(
        source=source,
        status="done",
        counts={"created": 1, "failed": 1},
        items=[
            {
                "remote_id": "a1",
                "title": "Arrêts de bus",
                "outcome": "created",
                "detail": "",
                "dataset": DATASET,
            },
            {
                "remote_id": "b2",
                "title": "Sans fichier",
                "outcome": "failed",
                "detail": "resources: The dataset has no file or link to import.",
                "dataset": "",
            },
        ],
    )
    browser_page = open_page(language=language)
    sign_in(browser_page.page, editor)
    for path in (
        reverse("catalog:harvest_sources", args=[public_body.slug]),
        reverse("catalog:harvest_report", args=[public_body.slug, source.pk]),
    ):
        visit(browser_page.page, path, language)
        assert browser_page.page.url == live_server.url + path  # signed in: not sent to sign in
        blocking = blocking_violations(browser_page.page, axe_source)
        assert not blocking, f"axe on {path} ({language}):\n{describe(blocking)}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_pages_reflow_at_320_px_without_horizontal_scrolling(
    open_page: Callable[..., Any], public_body: Organisation, name: str, language: str
) -> None:
    page = open_page(language=language, viewport=NARROW).page
    path = PAGES[name](public_body)
    visit(page, path, language)
    if name == "search-results":
        # A results page with results, not an empty one.
        expect(
            page.locator("#search-results").get_by_role("link", name=public_body.name)
        ).to_be_visible()
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert client_width == NARROW["width"]
    assert scroll_width <= client_width, (
        f"{path} ({language}) is {scroll_width} px wide at {client_width} px; "
        f"sticking out: {overflowing(page)}"
    )


@pytest.mark.parametrize("js_enabled", [True, False], ids=["js-on", "js-off"])
def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    open_page: Callable[..., Any], js_enabled: bool
) -> None:
    page = open_page(java_script_enabled=js_enabled).page
    visit(page, reverse("core:home"))
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).not_to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    # Hidden until focused, then shown where sighted keyboard users can see it.
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_have_attribute("href", "#main")

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("name", PAGES)
def test_content_security_policy_blocks_nothing_the_page_uses(
    open_page: Callable[..., Any], public_body: Organisation, name: str
) -> None:
    opened = open_page()
    page = opened.page
    path = PAGES[name](public_body)
    response = page.goto(path)
    assert response is not None
    assert response.ok
    policy = response.headers.get("content-security-policy", "")
    assert "script-src" in policy, "the page must be served with a Content-Security-Policy"
    page.wait_for_load_state("load")
    # htmx, loaded with the policy's nonce, ran.
    assert page.evaluate("typeof window.htmx") == "object"
    if name == "search-results":
        # htmx's live search swaps results in without a full page load.
        with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            page.get_by_label("Search terms").fill("régionale")
        expect(
            page.locator("#search-results").get_by_role("link", name=public_body.name)
        ).to_be_visible()
    assert opened.console.csp_errors() == [], opened.console.errors()
