"""Requests from filing to the oversight body: addresses, clocks, classification, recourse."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from agora.accounts.choices import Role
from agora.accounts.models import User
from agora.accounts.services import user_delete
from agora.accounts.tests.factories import UserFactory, make_member
from agora.core.errors import PermissionDenied, ValidationError
from agora.core.search import search
from agora.foi import selectors, services
from agora.foi.choices import (
    Delivery,
    EventKind,
    Followed,
    MessageKind,
    Outcome,
    OversightDecision,
    RequestStatus,
    StageStatus,
)
from agora.foi.clock_tick import foi_clock_tick
from agora.foi.inbox import mail_receive
from agora.foi.models import FoiEvent, FoiMessage, FoiRequest, FoiStage
from agora.foi.outbox import message_deliver
from agora.foi.tests import factories
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def citizen() -> User:
    return UserFactory(display_name="Jane Citizen", email="jane@example.org")


def _deliver_all() -> list[FoiMessage]:
    queued = list(FoiMessage.objects.filter(delivery=Delivery.QUEUED))
    for message in queued:
        message_deliver(message.pk)
    return queued


def _opened(request: FoiRequest, day: datetime.date) -> FoiRequest:
    """Moves the request's current step back in time: the clock then runs from `day`."""
    FoiStage.objects.filter(pk=request.stage_id).update(opened_on=day)
    return FoiRequest.objects.get(pk=request.pk)


def test_a_request_is_sent_from_its_own_unguessable_address(citizen: User) -> None:
    council = factories.body()
    request = factories.request(citizen, council)
    assert re.fullmatch(
        rf"request-{request.pk}-[0-9a-f]{{12}}@foi\.localhost", request.reply_address
    )
    other = factories.request(citizen, council, title="Another")
    assert other.reply_address.split("-")[2] != request.reply_address.split("-")[2]
    _deliver_all()
    sent = [m for m in mail.outbox if request.title in m.subject]
    assert len(sent) == 1
    assert sent[0].to == ["foi@valmont.example"]
    assert sent[0].from_email == f"Jane Citizen <{request.reply_address}>"
    assert "road repair contracts signed in 2025" in sent[0].body
    assert "/foi/answer/" in sent[0].body  # the body's secure page to record its answer
    assert sent[0].extra_headers["X-Loop"] == "agora@foi.localhost"
    assert request.status == RequestStatus.AWAITING_RESPONSE
    assert request.stage is not None and request.stage.key == "request"
    assert FoiMessage.objects.get(request=request).delivery == Delivery.SENT
    assert [e.kind for e in request.events.all()] == [EventKind.SENT]


def test_a_batch_makes_one_request_per_body_and_a_pseudonym_hides_the_name(
    citizen: User,
) -> None:
    bodies = [factories.body(f"Council {n}", email=f"foi@c{n}.example") for n in range(3)]
    created = services.foi_request_create(
        actor=citizen,
        bodies=bodies,
        title="Grit bins",
        text="Where are the grit bins?",
        pseudonym=True,
    )
    assert len(created) == 3 and len({r.batch_id for r in created}) == 1
    assert {r.body for r in created} == set(bodies)
    assert all(r.public_name != "Jane Citizen" and r.real_name == "Jane Citizen" for r in created)
    assert len({r.public_name for r in created}) == 1  # one batch, one pseudonym
    later = factories.request(citizen, bodies[0], pseudonym=True)
    assert later.public_name.startswith("Requester ")
    assert later.public_name != created[0].public_name  # not linkable to the earlier requests
    _deliver_all()
    assert {m.to[0] for m in mail.outbox} == {"foi@c0.example", "foi@c1.example", "foi@c2.example"}
    assert all("Jane Citizen" in m.from_email for m in mail.outbox)  # the body gets the real name


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no_email", "has no address for requests"),
        ("no_law", "No access-to-information law"),
    ],
)
def test_a_body_that_cannot_take_requests_is_refused_with_a_reason(
    citizen: User, setup: str, message: str
) -> None:
    council = factories.body(
        email="" if setup == "no_email" else "foi@x.example",
        laws=() if setup == "no_law" else ("gb-foia",),
    )
    with pytest.raises(ValidationError, match=message):
        factories.request(citizen, council)
    assert not FoiRequest.objects.exists()


def test_requests_per_day_are_limited(citizen: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOI_REQUESTS_PER_DAY = 2
    council = factories.body()
    factories.request(citizen, council)
    factories.request(citizen, council, title="Second")
    with pytest.raises(ValidationError, match="2 requests a day"):
        factories.request(citizen, council, title="Third")


def test_an_embargoed_request_is_seen_only_by_the_requester_the_body_and_staff(
    citizen: User,
) -> None:
    council = factories.body()
    official = make_member(council, Role.MEMBER)
    request = factories.request(
        citizen, council, embargo_until=datetime.date.today() + datetime.timedelta(days=30)
    )
    stranger = UserFactory()
    assert list(selectors.foi_request_list(actor=stranger)) == []
    assert list(selectors.foi_request_list(actor=citizen)) == [request]
    assert list(selectors.foi_request_list(actor=official)) == [request]
    anonymous = Client().get(request.get_absolute_url())
    assert anonymous.status_code == 404


def test_the_uk_clock_counts_working_days_and_marks_overdue_once(citizen: User) -> None:
    council = factories.body()
    request = _opened(factories.request(citizen, council), D(2027, 3, 1))  # a Monday
    reading = selectors.stage_clock(request.stage, D(2027, 3, 15))  # type: ignore[arg-type]
    # St Patrick's day (17 March, Northern Ireland), Good Friday and Easter Monday are not counted.
    assert (reading.day, reading.of, reading.due) == (10, 20, D(2027, 4, 1))
    assert "day 10 of 20 working days" in reading.describe()
    assert foi_clock_tick(D(2027, 4, 1)).overdue == []
    report = foi_clock_tick(D(2027, 4, 2))
    assert report.overdue == [request.pk]
    assert foi_clock_tick(D(2027, 4, 5)).overdue == []  # once
    request.refresh_from_db()
    assert request.clock_state == "overdue" and request.due_on == D(2027, 4, 1)
    reminders = FoiMessage.objects.filter(request=request, kind=MessageKind.REMINDER)
    assert reminders.count() == 1 and reminders[0].to_address == "foi@valmont.example"
    # The timeline dates the overdue mark the first day past the due date, the reminder the day
    # the clock ran.
    assert request.events.get(kind=EventKind.OVERDUE).on == D(2027, 4, 2)
    assert request.events.get(kind=EventKind.REMINDER).on == D(2027, 4, 2)
    assert foi_clock_tick(D(2027, 4, 29)).very_overdue == []
    assert foi_clock_tick(D(2027, 4, 30)).very_overdue == [request.pk]  # 20 working days late
    assert request.events.filter(kind=EventKind.VERY_OVERDUE).count() == 1


def test_a_fee_pauses_the_uk_clock_and_a_clarification_restarts_it(citizen: User) -> None:
    council = factories.body()
    request = _opened(factories.request(citizen, council), D(2027, 3, 1))
    services.foi_request_classify(
        actor=citizen, request=request, classification="fee_requested", on=D(2027, 3, 8)
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.FEE_REQUESTED
    services.foi_fee_paid(actor=citizen, request=request, on=D(2027, 3, 15))
    reading = selectors.stage_clock(request.stage, D(2027, 3, 16))  # type: ignore[arg-type]
    # 1 April + the 6 working days from the notice to the payment, both included.
    assert reading.due == D(2027, 4, 9)
    assert reading.paused_days == 7
    services.foi_request_classify(
        actor=citizen, request=request, classification="clarification_requested", on=D(2027, 3, 17)
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.CLARIFICATION_REQUESTED
    assert selectors.stage_clock(request.stage, D(2027, 3, 20)).state == "paused"  # type: ignore[arg-type]
    services.foi_followup_send(actor=citizen, request=request, text="I mean the A-roads only.")
    clarification = FoiEvent.objects.get(request=request, kind=EventKind.CLARIFICATION_SENT)
    clarification.on = D(2027, 3, 22)
    clarification.save()
    reading = selectors.stage_clock(request.stage, D(2027, 3, 23))  # type: ignore[arg-type]
    assert reading.started == D(2027, 3, 22) and reading.due == D(2027, 4, 21)  # 20 WD again
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_RESPONSE


def test_an_extension_is_allowed_once_where_the_law_has_one(citizen: User) -> None:
    council = factories.body()
    request = _opened(factories.request(citizen, council), D(2027, 3, 1))
    services.foi_request_classify(
        actor=citizen, request=request, classification="deadline_extended", on=D(2027, 3, 20)
    )
    assert selectors.stage_clock(request.stage, D(2027, 3, 22)).due == D(2027, 4, 29)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="already extended"):
        services.foi_request_classify(
            actor=citizen, request=request, classification="deadline_extended"
        )
    ministry = factories.body("Ministère", email="prada@ministere.example", laws=("fr-crpa",))
    french = factories.request(citizen, ministry, title="Rapports")
    with pytest.raises(ValidationError, match="no extension"):
        services.foi_request_classify(
            actor=citizen, request=french, classification="deadline_extended"
        )


def test_a_refusal_needs_its_reason_and_an_officials_classification_is_on_the_record(
    citizen: User,
) -> None:
    council = factories.body()
    official = make_member(council, Role.MEMBER)
    request = factories.request(citizen, council)
    with pytest.raises(ValidationError, match="Say why"):
        services.foi_request_classify(actor=citizen, request=request, classification="refused")
    services.foi_request_classify(
        actor=official,
        request=request,
        classification="refused",
        exemptions="section 43 (commercial interests)",
    )
    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.ANSWERED, Outcome.REFUSED)
    assert request.stage is not None and request.stage.status == StageStatus.CLOSED
    entry = LedgerEntry.objects.get(action="foi.request.classify")
    assert council.name in entry.summary and "refused" in entry.summary
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.foi_request_classify(actor=stranger, request=request, classification="successful")


def test_the_secure_answer_link_records_the_bodys_answer(citizen: User) -> None:
    council = factories.body()
    request = factories.request(citizen, council)
    token = selectors.answer_token(request)
    assert selectors.request_by_answer_token(token) == request
    assert selectors.request_by_answer_token(token[:-1] + "x") is None
    response = Client().post(
        f"/foi/answer/{token}/", {"classification": "not_held", "reason": "", "exemptions": ""}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.outcome == Outcome.NOT_HELD
    event = request.events.get(kind=EventKind.CLASSIFIED)
    assert event.as_body and event.actor is None
    assert LedgerEntry.objects.filter(action="foi.request.classify").exists()


def test_france_silence_is_a_refusal_and_opens_the_cada_referral(
    citizen: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    ministry = factories.body(
        "Ministère de l'Exemple", email="prada@ministere.example", laws=("fr-crpa",)
    )
    factories.oversight("CADA", email="cada@cada.example", laws=("fr-crpa",))
    request = _opened(factories.request(citizen, ministry), D(2027, 1, 31))
    assert selectors.stage_clock(request.stage, D(2027, 2, 1)).due == D(2027, 2, 28)  # type: ignore[arg-type]
    with django_capture_on_commit_callbacks(execute=True):
        report = foi_clock_tick(D(2027, 3, 1))
    assert report.deemed_refusals == [request.pk]
    assert "has not answered by the legal deadline (Feb. 28, 2027)" in mail.outbox[-1].body
    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.ANSWERED, Outcome.REFUSED)
    assert request.stage is not None and request.stage.deemed
    steps = services.next_steps(request, D(2027, 3, 1))
    # Two months from the refusal (28 February) end on 28 April 2027, a Wednesday.
    assert [(s["key"], s["deadline"]) for s in steps] == [("cada", D(2027, 4, 28))]
    services.foi_stage_open(
        actor=citizen, request=request, key="cada", text=services.stage_letter(request, "cada")
    )
    request = _opened(request, D(2027, 3, 1))
    # The CADA is late after a month, but the administration's silence only confirms the
    # refusal two months after the referral: the court opens then, for two months more.
    assert services.next_steps(request, D(2027, 4, 15)) == []
    steps = services.next_steps(request, D(2027, 5, 3))
    assert [(s["key"], s["deadline"]) for s in steps] == [("court", D(2027, 7, 1))]


def test_internal_review_then_the_oversight_body_then_its_decision(citizen: User) -> None:
    council = factories.body()
    ico = factories.oversight()
    caseworker = make_member(ico, Role.EDITOR)
    request = factories.request(citizen, council)
    services.foi_request_classify(
        actor=citizen, request=request, classification="refused", reason="Too costly (s.12)."
    )
    steps = services.next_steps(request)
    assert [s["key"] for s in steps] == ["internal_review"]
    letter = services.stage_letter(request, "internal_review")
    assert "internal review" in letter and "road repair contracts signed in 2025" in letter
    assert request.get_absolute_url() in letter
    services.foi_stage_open(actor=citizen, request=request, key="internal_review", text=letter)
    request.refresh_from_db()
    assert request.status == RequestStatus.INTERNAL_REVIEW
    assert request.stage is not None and request.stage.key == "internal_review"
    services.foi_request_classify(
        actor=citizen, request=request, classification="refused", reason="Review upholds s.12."
    )
    request.refresh_from_db()
    assert [s["key"] for s in services.next_steps(request)] == ["ico"]
    complaint = services.stage_letter(request, "ico")
    assert complaint.startswith(
        "I ask Information Commissioner's Office to decide whether Valmont Borough Council dealt"
    )
    services.foi_stage_open(actor=citizen, request=request, key="ico", text=complaint)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITH_OVERSIGHT
    assert request.stage is not None and request.stage.handler == ico
    _deliver_all()
    assert mail.outbox[-1].to == ["casework@ico.example"]
    assert list(selectors.foi_request_list(actor=caseworker)) == [request]
    for sender in ("casework@ico.example", "foi@valmont.example"):
        mail_receive(
            f"From: {sender}\r\nTo: {request.reply_address}\r\nSubject: Case\r\n\r\nNoted.\r\n".encode(),
            envelope_to=[request.reply_address],
        )
    # The public thread says who wrote: the oversight body, or the body itself.
    senders = [m.sender_name for m in selectors.request_messages(request)][-2:]  # type: ignore[attr-defined]
    assert senders == [ico.name, council.name]
    replies = LedgerEntry.objects.filter(action="foi.request.reply").order_by("-pk")[:2]
    assert [e.organisation_name for e in replies] == [council.name, ico.name]
    services.foi_stage_decide(
        actor=caseworker, stage=request.stage, decision=OversightDecision.UPHELD
    )
    entry = LedgerEntry.objects.get(action="foi.appeal.decide")
    assert (entry.organisation_name, entry.actor_role) == (ico.name, Role.EDITOR)
    assert entry.data["decision"] == "upheld"
    services.foi_decision_followed(
        actor=caseworker, stage=request.stage, followed=Followed.FOLLOWED
    )
    stage = FoiStage.objects.get(pk=request.stage.pk)
    assert (stage.decision, stage.followed, stage.outcome) == (
        "upheld",
        "followed",
        Outcome.SUCCESSFUL,
    )
    kinds = [e.kind for e in request.events.all()]
    assert kinds.count(EventKind.STAGE_OPENED) == 2 and EventKind.STAGE_DECIDED in kinds


def test_steps_are_not_offered_before_the_body_is_late_or_refuses(citizen: User) -> None:
    council = factories.body()
    request = factories.request(citizen, council)
    assert services.next_steps(request) == []
    with pytest.raises(ValidationError, match="not open"):
        services.foi_stage_open(actor=citizen, request=request, key="internal_review", text="x")


def test_personal_data_is_masked_in_public_and_manual_rules_apply_everywhere(citizen: User) -> None:
    council = factories.body()
    request = factories.request(
        citizen, council, text="Call me on 07700 900123 or jane@example.org. Jane Citizen"
    )
    message = request.messages.get()
    assert "07700" not in message.public_text and "jane@example.org" not in message.public_text
    assert "Jane Citizen" not in message.public_text
    assert "07700 900123" in message.text  # the original is kept
    services.foi_redaction_add(actor=citizen, request=request, text="Call me")
    message.refresh_from_db()
    assert "Call me" not in message.public_text
    with pytest.raises(PermissionDenied):
        services.foi_redaction_add(actor=UserFactory(), request=request, text="anything")


def test_the_bodys_answer_link_quoted_in_a_reply_is_never_published(citizen: User) -> None:
    request = factories.request(citizen, factories.body())
    link = f"https://agora.example/foi/answer/{selectors.answer_token(request)}/"
    quoted = f"Our answer is attached.\n\n> Record your answer here: {link}\n> Thank you"
    mail_receive(
        f"From: foi@valmont.example\r\nTo: {request.reply_address}\r\nSubject: Re\r\n\r\n"
        f"{quoted}\r\n".encode(),
        envelope_to=[request.reply_address],
    )
    reply = request.messages.filter(direction="incoming").get()
    assert selectors.answer_token(request) in reply.text  # the original is kept
    assert selectors.answer_token(request) not in reply.public_text
    assert "[private link]" in reply.public_text and "Thank you" in reply.public_text


def test_withdraw_and_report(citizen: User) -> None:
    council = factories.body()
    request = factories.request(citizen, council)
    reporter = UserFactory()
    services.foi_report(actor=reporter, request=request, reason="Contains someone's address")
    with pytest.raises(ValidationError):
        services.foi_report(actor=reporter, request=request, reason="again")
    services.foi_request_withdraw(actor=citizen, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN and request.due_on is None
    with pytest.raises(PermissionDenied):
        services.foi_followup_send(actor=citizen, request=request, text="hello")


def test_each_law_has_its_own_letter_for_the_next_step(citizen: User) -> None:
    commission = factories.body(
        "European Commission", email="sg-acc-doc@ec.example", laws=("eu-1049-2001",)
    )
    request = factories.request(citizen, commission, law_code="eu-1049-2001")
    letter = services.stage_letter(request, "confirmatory")
    assert letter.startswith("I make a confirmatory application asking European Commission")
    ministry = factories.body(
        "Ministère de l'Exemple", email="prada@ministere.example", laws=("fr-crpa",)
    )
    french = factories.request(citizen, ministry, law_code="fr-crpa")
    # No oversight body is in the directory: the letter names it generically.
    assert services.stage_letter(french, "cada").startswith(
        "I refer to the oversight body the refusal"
    )


def test_only_public_bodies_take_requests_and_a_batch_names_no_law(citizen: User) -> None:
    ico = factories.oversight()
    with pytest.raises(ValidationError, match="not a public body that takes requests"):
        services.foi_request_create(actor=citizen, bodies=[ico], title="Cases", text="All cases.")
    bodies = [factories.body(f"Council {n}", email=f"foi@c{n}.example") for n in range(2)]
    with pytest.raises(ValidationError, match="Name a law only when asking one body"):
        services.foi_request_create(
            actor=citizen, bodies=bodies, title="Bins", text="Bins?", law_code="gb-foia"
        )


def test_search_follows_what_is_public(
    citizen: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    def found(words: str) -> bool:
        return any(hit.kind == "foi_request" for hit in search(words).hits)

    council = factories.body()
    with django_capture_on_commit_callbacks(execute=True):
        request = factories.request(citizen, council, text="Gritting routes of Northfield lanes")
    assert found("Northfield")
    with django_capture_on_commit_callbacks(execute=True):
        services.foi_redaction_add(actor=citizen, request=request, text="Northfield")
    assert not found("Northfield") and found("Gritting")
    staff = UserFactory(is_staff=True, two_factor=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.foi_request_hide(actor=staff, request=request, hidden=True, reason="libel")
    assert not found("Gritting")
    with django_capture_on_commit_callbacks(execute=True):
        services.foi_request_hide(actor=staff, request=request, hidden=False)
    assert found("Gritting")


def test_a_request_enters_search_when_its_embargo_ends(
    citizen: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    council = factories.body()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        factories.request(
            citizen,
            council,
            text="Salt stock of the winter depot",
            embargo_until=today + datetime.timedelta(days=10),
        )
    assert not any(hit.kind == "foi_request" for hit in search("depot").hits)
    with django_capture_on_commit_callbacks(execute=True):
        foi_clock_tick(today + datetime.timedelta(days=9))
    assert not any(hit.kind == "foi_request" for hit in search("depot").hits)
    with django_capture_on_commit_callbacks(execute=True):
        foi_clock_tick(today + datetime.timedelta(days=10))
    assert any(hit.kind == "foi_request" for hit in search("depot").hits)


def test_an_answer_dates_from_its_arrival_not_from_its_classification(citizen: User) -> None:
    request = factories.request(citizen, factories.body())
    mail_receive(
        f"From: foi@valmont.example\r\nTo: {request.reply_address}\r\nSubject: Re\r\n\r\n"
        "Here is the list.\r\n".encode(),
        envelope_to=[request.reply_address],
    )
    arrived = timezone.now() - datetime.timedelta(days=12)
    FoiMessage.objects.filter(request=request, direction="incoming").update(created=arrived)
    services.foi_request_classify(actor=citizen, request=request, classification="successful")
    stage = FoiStage.objects.get(request=request)
    assert stage.closed_on == timezone.localdate(arrived)


def test_the_requester_is_reminded_once_per_reply_waiting(citizen: User) -> None:
    council = factories.body()
    waiting, withdrawn = (factories.request(citizen, council, title=t) for t in ("A", "B"))
    for request in (waiting, withdrawn):
        mail_receive(
            f"From: foi@valmont.example\r\nTo: {request.reply_address}\r\nSubject: Re\r\n\r\n"
            "See attached.\r\n".encode(),
            envelope_to=[request.reply_address],
        )
    services.foi_request_withdraw(actor=citizen, request=withdrawn)
    FoiMessage.objects.filter(direction="incoming").update(
        created=timezone.now() - datetime.timedelta(days=4)
    )
    assert foi_clock_tick().classify_reminders == [waiting.pk]
    assert mail.outbox[-1].subject == "What did the reply to “A” say?"
    assert foi_clock_tick().classify_reminders == []


def test_a_deleted_account_leaves_its_requests_under_a_pseudonym(citizen: User) -> None:
    council = factories.body()
    named = factories.request(citizen, council, title="Named")
    hidden = factories.request(citizen, council, title="Pseudonymous", pseudonym=True)
    exported = selectors.user_personal_data(citizen)["information_requests"]
    assert {r["title"] for r in exported} == {"Named", "Pseudonymous"}
    assert exported[0]["messages"][0]["text"]  # the letters they wrote
    pseudonym = hidden.public_name
    user_delete(user=citizen)
    named.refresh_from_db()
    hidden.refresh_from_db()
    assert named.public_name.startswith("Former user") and named.real_name == ""
    assert (hidden.public_name, hidden.real_name) == (pseudonym, "")


def test_a_withdrawn_complaint_opens_no_further_step(citizen: User) -> None:
    council, ico = factories.body(), factories.oversight()
    request = factories.request(citizen, council)
    services.foi_request_classify(
        actor=citizen, request=request, classification="refused", reason="s.12"
    )
    services.foi_stage_open(actor=citizen, request=request, key="internal_review", text="Review")
    services.foi_request_classify(
        actor=citizen, request=request, classification="refused", reason="s.12"
    )
    services.foi_stage_open(actor=citizen, request=request, key="ico", text="Complaint")
    request.refresh_from_db()
    caseworker = make_member(ico, Role.EDITOR)
    services.foi_stage_decide(actor=caseworker, stage=request.stage, decision="withdrawn")  # type: ignore[arg-type]
    request.refresh_from_db()
    assert services.next_steps(request) == [] and request.outcome == Outcome.REFUSED


def test_a_copy_for_one_address_goes_to_that_addresss_request(citizen: User) -> None:
    council = factories.body()
    first, second = (factories.request(citizen, council, title=t) for t in ("One", "Two"))
    # A mail server's pipe hands over one copy per recipient; the headers name both.
    for address in (second.reply_address, first.reply_address):
        mail_receive(
            f"From: foi@valmont.example\r\nTo: {first.reply_address}, {second.reply_address}\r\n"
            "Subject: Both\r\n\r\nOne answer for both.\r\n".encode(),
            envelope_to=[address],
        )
    assert first.messages.filter(direction="incoming").count() == 1
    assert second.messages.filter(direction="incoming").count() == 1
