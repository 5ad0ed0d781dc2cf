"""Access to information in a real browser: a newcomer files a request (with JavaScript on and
off), the body's reply comes in by email, the requester says what it means and takes the next
legal step; and the module's pages pass axe-core and reflow at 320 px, in English and French.

Mail goes out through the task queue: `run_tasks` runs the worker in this process, so what it
sends lands in Django's test outbox (`mailoutbox`). Replies come in through the same entry point
as the SMTP receiver and the pipe, `inbox.mail_receive`, with a raw message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.foi import inbox, services
from agora.foi.choices import MailStatus
from agora.foi.models import FoiRequest
from agora.foi.tests import factories

from .conftest import blocking_violations, describe, overflowing, visit

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "fr"]
NARROW = {"width": 320, "height": 640}
TITLE = "Road repair contracts for 2025"
TEXT = "Please send me the list of road repair contracts signed in 2025, with their amounts."
EARLIER_TITLE = "Road repair contracts signed in 2024"
WAITING = "Pothole repairs on the high street"


@dataclass(frozen=True)
class LawCase:
    """A law's chain as the requester meets it, and the bodies that answer under it."""

    code: str
    body: str
    body_email: str
    website: str
    oversight: str
    oversight_email: str
    next_step: str  # the next step's name, as the law data gives it
    status: str  # the request's status once that step is taken
    letter_names: tuple[str, ...]  # the body, and whoever handles the step
    letter_kind: str  # the message's kind, as the correspondence names it
    letter_to: str  # whoever handles that step


GB = LawCase(
    code="gb-foia",
    body="Valmont Borough Council",
    body_email="foi@valmont.example",
    website="https://www.valmont.example",
    oversight="Information Commissioner's Office",
    oversight_email="casework@ico.example",
    next_step="Internal review",
    status="Internal review",
    letter_names=("Valmont Borough Council",),
    letter_kind="Request for a review",
    letter_to="foi@valmont.example",
)
FR = LawCase(
    code="fr-crpa",
    body="Ministère de la Culture",
    body_email="prada@culture.example",
    website="https://www.culture.example",
    oversight="Commission d'accès aux documents administratifs",
    oversight_email="cada@cada.example",
    next_step="Referral to the CADA",
    status="With the oversight body",
    letter_names=("Commission d'accès aux documents administratifs", "Ministère de la Culture"),
    letter_kind="Referral to the oversight body",
    letter_to="cada@cada.example",
)


def public_bodies(law: LawCase) -> Organisation:
    """The body asked under `law`, with its details for requests, and its oversight body."""
    factories.oversight(law.oversight, email=law.oversight_email, laws=(law.code,))
    return factories.body(law.body, email=law.body_email, laws=(law.code,), website=law.website)


def reply_from_the_body(request: FoiRequest, law: LawCase, text: str) -> None:
    """The body's answer arrives by email at the request's own address."""
    message = EmailMessage()
    message["From"] = f"Records Officer <{law.body_email}>"
    message["To"] = request.reply_address
    message["Subject"] = f"RE: Information request: {request.title}"
    message["Message-ID"] = f"<reply-{request.pk}@{law.body_email.split('@')[1]}>"
    message.set_content(text)
    message.add_attachment(
        b"contract,amount\nA-road,1200\n", maintype="text", subtype="csv", filename="contracts.csv"
    )
    stored = inbox.mail_receive(message.as_bytes())
    assert stored.status == MailStatus.ROUTED, stored.hold_reason


def in_english(day: Any) -> str:
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def sent_to(mailoutbox: list[Any], address: str, subject: str) -> list[Any]:
    return [m for m in mailoutbox if m.to == [address] and m.subject == subject]


def section(page: Page, name: str) -> Locator:
    """A <section> of the page, found by its heading, as assistive technologies find it."""
    return page.get_by_role("region", name=name, exact=True)


# 1. Filing a request ----------------------------------------------------------------------------


@pytest.mark.parametrize("js_enabled", [True, False], ids=["js-on", "js-off"])
def test_a_newcomer_files_a_request_and_sees_its_legal_clock(
    open_page: Callable[..., Any],
    run_tasks: Callable[[], None],
    mailoutbox: list[Any],
    js_enabled: bool,
) -> None:
    council = public_bodies(GB)
    factories.request(UserFactory(), council, title=EARLIER_TITLE)  # public, and alike
    newcomer = UserFactory(
        email=f"newcomer-{'js' if js_enabled else 'nojs'}@example.org", display_name="Ada Newcomer"
    )
    opened = open_page(java_script_enabled=js_enabled)
    page = opened.page

    # From the list of requests to the form, through signing in.
    visit(page, reverse("foi:request_list"))
    page.get_by_role("main").get_by_role("link", name="Make a request").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    page.get_by_label("Email").fill(newcomer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("foi:request_create")) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a request")

    similar = page.locator("#similar")
    earlier = similar.get_by_role("link", name=EARLIER_TITLE)
    if js_enabled:
        # Suggestions come while the summary is typed.
        expect(earlier).to_have_count(0)
        page.get_by_label("Summary").press_sequentially(TITLE)
        expect(earlier).to_be_visible()
    else:
        # Without JavaScript the same search is a plain form; then the request is written.
        page.get_by_label("Look for requests about").fill(TITLE)
        page.get_by_role("button", name="Look", exact=True).click()
        expect(earlier).to_be_visible()
        page.get_by_label("Summary").fill(TITLE)
    page.get_by_label("Public bodies to ask").select_option(label=GB.body)
    page.get_by_label("Your request").fill(TEXT)
    expect(page.get_by_label("Your name")).to_have_value("Ada Newcomer")
    page.get_by_role("button", name="Send the request").click()

    # The request's own page: status, the clock in words, the letter sent.
    foi = FoiRequest.objects.get(requester=newcomer)
    expect(page).to_have_url(re.compile(re.escape(foi.get_absolute_url()) + "$"))
    confirmation = page.get_by_role("status")
    expect(confirmation).to_contain_text("Your request was sent")
    expect(confirmation).not_to_contain_text("%(")  # a message left uninterpolated
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("main").locator(".badge").first).to_have_text("Awaiting response")
    assert foi.due_on is not None
    clock = section(page, "Legal clock: Request")
    expect(clock).to_contain_text(
        re.compile(rf"Day \d+ of 20 working days; due {re.escape(in_english(foi.due_on))}\.")
    )
    letter = page.get_by_role("article", name="Request — from Ada Newcomer")
    expect(letter).to_contain_text(TEXT)
    expect(page.locator("ol.timeline")).to_contain_text("Request sent")
    expect(page.get_by_role("link", name="Add the dates to your calendar")).to_be_visible()

    # The worker sends it from the request's own address, to the body's.
    run_tasks()
    sent = sent_to(mailoutbox, GB.body_email, f"Information request: {TITLE}")
    assert len(sent) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert foi.reply_address in sent[0].from_email
    assert TEXT in sent[0].body
    assert opened.console.errors() == []


# 2. A reply, and the next legal step ------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "js_enabled"),
    [
        pytest.param(GB, True, id="gb-foia-internal-review-js-on"),
        pytest.param(FR, False, id="fr-crpa-cada-referral-js-off"),
    ],
)
def test_the_requester_classifies_a_refusal_and_takes_the_next_step(
    open_page: Callable[..., Any],
    sign_in: Callable[[Page, User], None],
    run_tasks: Callable[[], None],
    mailoutbox: list[Any],
    law: LawCase,
    js_enabled: bool,
) -> None:
    body = public_bodies(law)
    requester = UserFactory(display_name="Jane Citizen")
    foi = factories.request(requester, body, title=TITLE, text=TEXT)
    run_tasks()
    refusal = "We hold the contracts but will not release them: they are commercially sensitive."
    reply_from_the_body(foi, law, refusal)
    opened = open_page(java_script_enabled=js_enabled)
    page = opened.page
    sign_in(page, requester)

    visit(page, reverse("foi:request_mine"))
    expect(page.get_by_role("listitem").filter(has_text=TITLE)).to_contain_text(
        "A reply waits for you to say what it means."
    )
    page.get_by_role("link", name=TITLE).click()

    # Say what the reply means.
    expect(page.get_by_role("article", name=f"Reply — from {law.body}")).to_contain_text(refusal)
    classify = section(page, "What does the reply say?")
    classify.get_by_role("radio", name="The request was refused").check()
    classify.get_by_label("Reason given").fill("Commercial interests")
    classify.get_by_label("Exemptions cited").fill("section 43")
    classify.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you: the request's status is updated."
    )
    expect(page.get_by_role("main").locator(".badge")).to_have_text(["Answered", "Refused"])
    expect(section(page, "What does the reply say?")).to_have_count(0)

    # The next step, with its last day to file.
    foi.refresh_from_db()
    (step,) = services.next_steps(foi)
    assert step["deadline"] is not None
    steps = section(page, "What you can do next")
    expect(steps).to_contain_text(f"{law.next_step} — by {in_english(step['deadline'])}")
    steps.get_by_role("link", name=law.next_step).click()

    # The letter is written, with the whole thread; the requester sends it.
    expect(page.get_by_role("heading", level=1)).to_have_text(law.next_step)
    expect(page.get_by_role("main")).to_contain_text(
        f"Last day to file: {in_english(step['deadline'])}."
    )
    letter = page.get_by_label("Your letter")
    for part in (*law.letter_names, TITLE, TEXT, refusal, foi.get_absolute_url()):
        expect(letter).to_have_value(re.compile(re.escape(part)))
    page.get_by_role("main").get_by_role("button", name="Send").click()

    # The request now stands at that step: its status, its clock, the letter, the timeline.
    expect(page).to_have_url(re.compile(re.escape(foi.get_absolute_url()) + "$"))
    expect(page.get_by_role("status")).to_contain_text("Sent. The clock of this step has started.")
    expect(page.get_by_role("main").locator(".badge").first).to_have_text(law.status)
    expect(section(page, f"Legal clock: {law.next_step}")).to_contain_text(
        re.compile(r"[Dd]ay \d+")
    )
    expect(
        page.get_by_role("article", name=f"{law.letter_kind} — from Jane Citizen")
    ).to_contain_text(refusal)
    expect(page.locator("ol.timeline > li").last).to_contain_text(
        f"Next step taken: {law.next_step}"
    )
    expect(page.get_by_role("row").filter(has_text=law.next_step)).to_contain_text("open")

    run_tasks()
    sent = sent_to(mailoutbox, law.letter_to, f"{law.next_step}: {TITLE}")
    assert len(sent) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert all(part in sent[0].body for part in (*law.letter_names, TITLE, refusal))
    assert opened.console.errors() == []


# 3. Accessibility -------------------------------------------------------------------------------


@pytest.fixture
def foi_pages(live_server: Any) -> tuple[User, dict[str, str]]:
    """A requester, and the address of every page of the module, each with something to show:
    a request waiting for its reply to be classified (clock, messages, attachment), another
    referred to the CADA (two steps, the oversight body's clock), and a refusal whose next step
    is open."""
    council, ministry = public_bodies(GB), public_bodies(FR)
    requester = UserFactory(display_name="Jane Citizen")
    waiting = factories.request(requester, council, title=WAITING)
    reply_from_the_body(waiting, GB, "Please find attached the contracts we hold.")
    referred = factories.request(requester, ministry, title="Rapports d'inspection des musées")
    reply_from_the_body(referred, FR, "Nous ne communiquerons pas ces rapports.")
    services.foi_request_classify(
        actor=requester, request=referred, classification="refused", reason="Secret des affaires"
    )
    services.foi_stage_open(
        actor=requester,
        request=referred,
        key="cada",
        text=services.stage_letter(referred, "cada"),
    )
    refused = factories.request(requester, council, title="Street lighting budget")
    reply_from_the_body(refused, GB, "We refuse under section 43.")
    services.foi_request_classify(
        actor=requester, request=refused, classification="refused", exemptions="section 43"
    )
    pages = {
        "requests": reverse("foi:request_list"),
        "new": reverse("foi:request_create") + "?title=Pothole+repairs",  # with a suggestion
        "request": waiting.get_absolute_url(),
        "referred-request": referred.get_absolute_url(),
        "stage-letter": reverse("foi:stage_open", args=[refused.slug, "internal_review"]),
        "mine": reverse("foi:request_mine"),
        "bodies": reverse("foi:body_list"),
        "body": reverse("foi:body_detail", args=[council.slug]),
        "cases": reverse("foi:cases"),
        "laws": reverse("foi:law_list"),
        "statistics": reverse("foi:statistics"),
        "oversight": reverse("foi:oversight"),
    }
    return requester, pages


@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_serious_violation_on_the_foi_pages(
    open_page: Callable[..., Any],
    axe_source: str,
    sign_in: Callable[[Page, User], None],
    foi_pages: tuple[User, dict[str, str]],
    language: str,
) -> None:
    requester, pages = foi_pages
    page = open_page(language=language).page
    sign_in(page, requester)
    found = {}
    for name, path in pages.items():
        visit(page, path, language)
        assert page.url.endswith(path), f"{name}: not signed in, sent to {page.url}"
        if name == "request":
            # The page under test shows what the test is about.
            expect(page.locator("#clock-h")).to_be_visible()
            expect(page.get_by_role("article")).to_have_count(2)
        elif name == "new":
            expect(page.locator("#similar").get_by_role("link", name=WAITING)).to_be_visible()
        if blocking := blocking_violations(page, axe_source):
            found[name] = f"{path}:\n{describe(blocking)}"
    assert not found, f"axe ({language}):\n" + "\n".join(found.values())


# Every page of the module: wide tables scroll in their own wrapper, not the page.
REFLOWING = [
    "bodies",
    "body",
    "requests",
    "new",
    "request",
    "referred-request",
    "stage-letter",
    "mine",
    "laws",
    "statistics",
    "oversight",
]


def test_the_foi_pages_reflow_at_320_px_and_their_wide_tables_scroll_from_the_keyboard(
    open_page: Callable[..., Any],
    axe_source: str,
    sign_in: Callable[[Page, User], None],
    foi_pages: tuple[User, dict[str, str]],
) -> None:
    """WCAG 1.4.10: no horizontal scrolling of the page at 320 px; a table too wide for that
    scrolls in its own region, which keyboard users can reach (axe only sees such a region at
    a width where it does scroll)."""
    requester, pages = foi_pages
    page = open_page(viewport=NARROW).page
    sign_in(page, requester)
    found = {}
    for name in REFLOWING:
        visit(page, pages[name])
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > NARROW["width"]:
            found[name] = f"{pages[name]} is {scroll_width} px wide: {overflowing(page)}"
        elif blocking := blocking_violations(page, axe_source):
            found[name] = f"{pages[name]} at {NARROW['width']} px:\n{describe(blocking)}"
    assert not found, "\n".join(found.values())
