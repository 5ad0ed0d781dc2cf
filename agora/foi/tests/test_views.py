"""Every access-to-information page, for each kind of visitor."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from agora.accounts.choices import Role
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory, make_member
from agora.foi import services
from agora.foi.choices import Outcome, RequestStatus
from agora.foi.inbox import mail_receive
from agora.foi.models import FoiAttachment, FoiMessage, FoiRequest
from agora.foi.tests import factories

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def setting() -> dict[str, object]:
    council = factories.body()
    requester = UserFactory(display_name="Jane Citizen")
    return {
        "council": council,
        "requester": requester,
        "official": make_member(council, Role.MEMBER),
        "stranger": UserFactory(),
        "staff": UserFactory(is_staff=True, two_factor=True),
        "request": factories.request(requester, council),
    }


@pytest.mark.parametrize(
    "path", ["/foi/", "/foi/bodies/", "/foi/laws/", "/foi/new/similar/?title=roads"]
)
def test_public_pages_are_open_to_everyone(setting: dict[str, object], path: str) -> None:
    assert Client().get(path).status_code == 200


def test_a_public_request_page_shows_the_clock_and_the_thread(setting: dict[str, object]) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    page = Client().get(request.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Legal clock" in text and "working days" in text
    assert "road repair contracts signed in 2025" in text
    assert "Jane Citizen" in text  # the public name (no pseudonym asked)
    assert "classify" not in text  # nothing to classify, and anonymous cannot


def test_making_a_request_needs_an_account_and_sends_it(setting: dict[str, object]) -> None:
    assert Client().get("/foi/new/").status_code == 302
    requester = setting["requester"]
    assert isinstance(requester, User)
    client = _client(requester)
    page = client.get("/foi/new/")
    assert page.status_code == 200 and "Valmont Borough Council" in page.content.decode()
    # Without JavaScript, looking for earlier requests keeps the summary and the chosen body.
    slug = setting["council"].slug  # type: ignore[attr-defined]
    looked = client.get(f"/foi/new/?title=Library+hours&body={slug}").content.decode()
    assert re.search(r'<input[^>]*value="Library hours"[^>]*id="id_title"', looked)
    assert f'<input type="hidden" name="body" value="{slug}">' in looked
    response = client.post(
        "/foi/new/",
        {
            "bodies": [setting["council"].slug],  # type: ignore[attr-defined]
            "title": "Library opening hours",
            "text": "Please send the opening hours of every library.",
            "real_name": "Jane Citizen",
        },
    )
    created = FoiRequest.objects.get(title="Library opening hours")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert "Your request was sent." in client.get(response["Location"]).content.decode()
    other = factories.body("Northfield Council", email="foi@northfield.example")
    batch = client.post(
        "/foi/new/",
        {
            "bodies": [setting["council"].slug, other.slug],  # type: ignore[attr-defined]
            "title": "Bus shelters",
            "text": "Please send the list of bus shelters you maintain.",
            "real_name": "Jane Citizen",
        },
        follow=True,
    )
    assert "sent to 2 bodies, one request each" in batch.content.decode()
    assert FoiRequest.objects.filter(title="Bus shelters").count() == 2
    bad = client.post("/foi/new/", {"bodies": [], "title": "", "text": "", "real_name": ""})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()


def test_actions_are_refused_to_those_who_may_not_take_them(setting: dict[str, object]) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    url = f"{request.get_absolute_url()}withdraw/"
    assert Client().post(url).status_code == 302  # to the sign-in page
    _client(setting["stranger"]).post(url)  # type: ignore[arg-type]
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_RESPONSE
    _client(setting["stranger"]).post(  # type: ignore[arg-type]
        f"{request.get_absolute_url()}classify/", {"classification": "successful"}
    )
    request.refresh_from_db()
    assert request.outcome == ""
    _client(setting["official"]).post(  # type: ignore[arg-type]
        f"{request.get_absolute_url()}classify/", {"classification": "successful"}
    )
    request.refresh_from_db()
    assert request.outcome == Outcome.SUCCESSFUL
    assert (
        _client(setting["requester"]).post(f"{request.get_absolute_url()}nonsense/").status_code
        == 404
    )  # type: ignore[arg-type]


def test_the_next_step_page_is_the_requesters_only(setting: dict[str, object]) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    services.foi_request_classify(
        actor=setting["requester"],  # type: ignore[arg-type]
        request=request,
        classification="refused",
        reason="Cost limit",
    )
    url = f"{request.get_absolute_url()}steps/internal_review/"
    assert _client(setting["stranger"]).get(url).status_code == 404  # type: ignore[arg-type]
    page = _client(setting["requester"]).get(url)  # type: ignore[arg-type]
    assert page.status_code == 200 and "internal review" in page.content.decode()
    sent = _client(setting["requester"]).post(url, {"text": "Please review."})  # type: ignore[arg-type]
    assert sent.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.INTERNAL_REVIEW


def test_an_embargoed_request_is_hidden_from_others(setting: dict[str, object]) -> None:
    requester = setting["requester"]
    request = factories.request(
        requester,  # type: ignore[arg-type]
        setting["council"],  # type: ignore[arg-type]
        title="Secret until later",
        embargo_until=datetime.date.today() + datetime.timedelta(days=10),
    )
    for who, status in [
        (None, 404),
        ("stranger", 404),
        ("requester", 200),
        ("official", 200),
        ("staff", 200),
    ]:
        user = setting[who] if who else None
        assert _client(user).get(request.get_absolute_url()).status_code == status, who  # type: ignore[arg-type]
    assert "Secret until later" not in Client().get("/foi/").content.decode()


def test_unpublished_attachments_are_private_until_the_requester_publishes(
    setting: dict[str, object],
) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    message = FoiMessage.objects.create(
        request=request, direction="incoming", kind="reply", delivery="received", text="See file"
    )
    attachment = FoiAttachment(
        message=message, filename="list.csv", content_type="text/csv", size=3, sha256="x"
    )

    attachment.file.save("a", ContentFile(b"a,b"), save=False)
    attachment.save()
    url = f"{request.get_absolute_url()}attachments/{attachment.pk}/"
    assert Client().get(url).status_code == 404
    assert _client(setting["official"]).get(url).status_code == 200  # type: ignore[arg-type]
    _client(setting["stranger"]).post(  # type: ignore[arg-type]
        f"{request.get_absolute_url()}approve/", {"attachment": attachment.pk, "approved": "1"}
    )
    assert Client().get(url).status_code == 404
    _client(setting["requester"]).post(  # type: ignore[arg-type]
        f"{request.get_absolute_url()}approve/", {"attachment": attachment.pk, "approved": "1"}
    )
    response = Client().get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"a,b"  # type: ignore[attr-defined]


def test_the_calendar_export_has_the_due_date(setting: dict[str, object]) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    response = Client().get(f"{request.get_absolute_url()}calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and f"DTSTART;VALUE=DATE:{request.due_on:%Y%m%d}" in body


def test_the_answer_page_needs_a_valid_link(setting: dict[str, object]) -> None:
    assert Client().get("/foi/answer/1:forged/").status_code == 404


def test_statistics_pages_and_exports(setting: dict[str, object]) -> None:
    for path in ("/foi/statistics/", "/foi/statistics/oversight/"):
        page = Client().get(path)
        assert page.status_code == 200 and "Valmont Borough Council" in page.content.decode()
    csv_ = Client().get("/foi/statistics.csv")
    assert csv_["Content-Type"].startswith("text/csv")
    assert csv_.content.decode().splitlines()[0].startswith("key,label,requests")
    data = Client().get("/foi/statistics.json").json()
    assert data["bodies"][0]["requests"] == 1 and data["min_sample"] == 10
    assert Client().get("/foi/statistics.xml").status_code == 404


def test_atom_feeds_per_body_and_per_search(
    setting: dict[str, object], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    council = setting["council"]
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written then
        request = factories.request(setting["requester"], council, title="Pothole repair log")  # type: ignore[arg-type]
    body_feed = Client().get(f"/foi/bodies/{council.slug}/feed/")  # type: ignore[attr-defined]
    assert body_feed.status_code == 200
    assert body_feed["Content-Type"].startswith("application/atom+xml")
    assert request.title in body_feed.content.decode()
    assert Client().get("/foi/bodies/no-such-body/feed/").status_code == 404
    found = Client().get("/foi/feed/?q=repair").content.decode()
    assert request.title in found
    assert request.title not in Client().get("/foi/feed/?q=zebra").content.decode()
    listed = Client().get(f"/foi/?body={council.slug}")  # type: ignore[attr-defined]
    assert "Information requests to Valmont Borough Council" in listed.content.decode()


def test_the_moderation_queue_is_for_staff_only(setting: dict[str, object]) -> None:
    from agora.foi import inbox

    request = setting["request"]
    assert isinstance(request, FoiRequest)
    held = inbox.mail_receive(
        f"From: x@elsewhere.example\r\nTo: {request.reply_address}\r\nSubject: hi\r\n\r\nhello".encode()
    )
    assert held.status == "held"
    for who in (None, "stranger", "official", "requester"):
        response = _client(setting[who] if who else None).get("/foi/moderation/")  # type: ignore[arg-type]
        assert response.status_code in (302, 404), who
    staff = _client(setting["staff"])  # type: ignore[arg-type]
    assert "hello" not in staff.get("/foi/moderation/").content.decode()  # the body stays private
    staff.post("/foi/moderation/", {"action": "release", "pk": held.pk, "request": ""})
    held.refresh_from_db()
    assert held.status == "released"
    assert request.messages.filter(direction="incoming").count() == 1
    services.foi_report(actor=setting["stranger"], request=request, reason="Personal data")  # type: ignore[arg-type]
    report = request.reports.get()
    staff.post("/foi/moderation/", {"action": "hide", "pk": report.pk})
    request.refresh_from_db()
    assert request.hidden and Client().get(request.get_absolute_url()).status_code == 404


def test_the_oversight_body_works_its_queue_and_the_court_step_is_recorded(
    setting: dict[str, object],
) -> None:
    request, requester = setting["request"], setting["requester"]
    assert isinstance(request, FoiRequest) and isinstance(requester, User)
    ico = factories.oversight()
    caseworker = make_member(ico, Role.EDITOR)
    services.foi_request_classify(
        actor=requester, request=request, classification="refused", reason="Cost limit"
    )
    services.foi_stage_open(actor=requester, request=request, key="internal_review", text="Review")
    services.foi_request_classify(
        actor=requester, request=request, classification="refused", reason="Upheld on review"
    )
    services.foi_stage_open(actor=requester, request=request, key="ico", text="Complaint")
    # Officials see what they must answer; others see an empty queue.
    assert request.title in _client(caseworker).get("/foi/cases/").content.decode()
    assert request.title not in _client(setting["stranger"]).get("/foi/cases/").content.decode()  # type: ignore[arg-type]
    assert Client().get("/foi/cases/").status_code == 302
    page = _client(caseworker).get(request.get_absolute_url()).content.decode()
    assert "Record the oversight body's decision" in page
    assert (
        "Record the oversight body" not in Client().get(request.get_absolute_url()).content.decode()
    )
    _client(caseworker).post(f"{request.get_absolute_url()}decide/", {"decision": "upheld"})
    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.ANSWERED, Outcome.SUCCESSFUL)
    page = _client(caseworker).get(request.get_absolute_url()).content.decode()
    assert "Did the body do what was decided?" in page
    _client(caseworker).post(f"{request.get_absolute_url()}followed/", {"followed": "not_followed"})
    # The body ignored the decision: the tribunal is open to the requester.
    client = _client(requester)
    url = f"{request.get_absolute_url()}steps/tribunal/"
    response = client.post(
        url, {"text": "Appeal against the body's refusal to comply."}, follow=True
    )
    text = response.content.decode()
    assert "File the application with the court yourself" in text
    assert "Appeal against the body&#x27;s refusal to comply." in text  # kept, for the requester
    assert "Record the court's judgment" in text
    public = Client().get(request.get_absolute_url()).content.decode()
    assert "Appeal against the body" not in public
    client.post(f"{request.get_absolute_url()}decide/", {"decision": "upheld"})
    client.post(f"{request.get_absolute_url()}close/")
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED


def test_a_classification_with_a_mistake_keeps_what_was_typed(setting: dict[str, object]) -> None:
    request = setting["request"]
    assert isinstance(request, FoiRequest)
    mail_receive(
        f"From: foi@valmont.example\r\nTo: {request.reply_address}\r\nSubject: Re\r\n\r\n"
        "We refuse.\r\n".encode(),
        envelope_to=[request.reply_address],
    )
    page = _client(setting["requester"]).post(  # type: ignore[arg-type]
        f"{request.get_absolute_url()}classify/",
        {"classification": "refused", "exemptions": "", "reason": ""},
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Say why the body withheld information" in text
    assert re.search(r'value="refused"[^>]*checked', text)  # the choice is kept
    request.refresh_from_db()
    assert request.outcome == ""
