"""Writes to information requests: filing, messages, classification, the legal steps.

What a body or an oversight body does on a request (its reply, an official's classification,
a decision) is an official act and goes to the public ledger.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation, User
from agora.core.errors import PermissionDenied, ValidationError
from agora.core.official_actions import public_text
from agora.core.slugs import unique_slug
from agora.core.text_input import clean_text
from agora.foi import addresses, permissions, selectors
from agora.foi.choices import (
    CLASSIFICATION_LABELS,
    Delivery,
    Direction,
    EventKind,
    Followed,
    MessageKind,
    Outcome,
    OversightDecision,
    RequestStatus,
    StageStatus,
)
from agora.foi.clocks import filing_deadline
from agora.foi.laws import Law, law, laws
from agora.foi.models import (
    FoiAttachment,
    FoiBatch,
    FoiBody,
    FoiEvent,
    FoiMessage,
    FoiReport,
    FoiRequest,
    FoiStage,
    Redaction,
)
from agora.foi.redaction import redact
from agora.foi.search import request_reindex
from agora.ledger.services import ledger_record

MAX_BODIES = 50  # bodies in one batch
STAGE_STATUS = {
    "request": RequestStatus.AWAITING_RESPONSE,
    "review": RequestStatus.INTERNAL_REVIEW,
    "oversight": RequestStatus.WITH_OVERSIGHT,
    "court": RequestStatus.IN_COURT,
}
MESSAGE_KIND = {"review": MessageKind.REVIEW, "oversight": MessageKind.REFERRAL}
# What a reply can be classified as: the request's new status (and outcome when answered).
CLASSIFICATIONS = {
    "successful": (RequestStatus.ANSWERED, Outcome.SUCCESSFUL),
    "partially_successful": (RequestStatus.ANSWERED, Outcome.PARTIALLY_SUCCESSFUL),
    "not_held": (RequestStatus.ANSWERED, Outcome.NOT_HELD),
    "refused": (RequestStatus.ANSWERED, Outcome.REFUSED),
    "clarification_requested": (RequestStatus.CLARIFICATION_REQUESTED, ""),
    "fee_requested": (RequestStatus.FEE_REQUESTED, ""),
    "deadline_extended": (RequestStatus.DEADLINE_EXTENDED, ""),
    "acknowledgement": (RequestStatus.AWAITING_RESPONSE, ""),
}
CLASSIFY_EVENT = {
    "clarification_requested": EventKind.CLARIFICATION_REQUESTED,
    "fee_requested": EventKind.FEE_REQUESTED,
    "deadline_extended": EventKind.EXTENDED,
}


# Helpers shared by the services ---------------------------------------------------------------


def event_add(
    request: FoiRequest,
    kind: str,
    *,
    stage: FoiStage | None = None,
    actor: User | None = None,
    as_body: bool = False,
    message: FoiMessage | None = None,
    on: datetime.date | None = None,
    **data: Any,
) -> FoiEvent:
    return FoiEvent.objects.create(
        request=request,
        stage=stage or request.stage,
        kind=kind,
        on=on or timezone.localdate(),
        actor=actor,
        as_body=as_body,
        message=message,
        data=data,
    )


def public_copy(request: FoiRequest, text: str) -> str:
    rules = list(request.redactions.values_list("text", flat=True)) if request.pk else []
    names = [request.real_name, request.requester.display_name]
    return redact(text, names=names, rules=rules, keep=[request.reply_address])


def refresh_clock(request: FoiRequest, today: datetime.date | None = None) -> None:
    """Keeps the request's due date and clock state, which lists filter on, up to date."""
    stage = request.stage
    if stage is None or stage.status != StageStatus.OPEN:
        request.due_on = request.very_overdue_on = None
        request.clock_state = ""
    else:
        reading = selectors.stage_clock(stage, today)
        request.due_on, request.very_overdue_on = reading.due, reading.very_overdue_on
        request.clock_state = reading.state
    request.save(update_fields=["due_on", "very_overdue_on", "clock_state"])


def touch(request: FoiRequest, status: str | None = None) -> None:
    fields = ["last_activity"]
    request.last_activity = timezone.now()
    if status is not None:
        request.status = status
        fields.append("status")
    request.save(update_fields=fields)
    transaction.on_commit(lambda: request_reindex(request))


def record_official(
    request: FoiRequest,
    organisation: Organisation,
    action: str,
    summary: str,
    actor: User | None,
    **data: Any,
) -> None:
    ledger_record(
        actor=actor,
        organisation=organisation,
        action=action,
        subject=request,
        summary=summary,
        data={"request": request.pk, "law": request.law_code, **data},
    )


def _send(message: FoiMessage) -> None:
    from agora.foi.tasks import send_message  # the task module imports these services

    transaction.on_commit(lambda: send_message.enqueue(message.pk))


def outgoing_add(
    request: FoiRequest,
    *,
    kind: str,
    text: str,
    subject: str,
    to_address: str,
    author: User | None,
    stage: FoiStage | None = None,
) -> FoiMessage:
    message = FoiMessage.objects.create(
        request=request,
        stage=stage or request.stage,
        direction=Direction.OUTGOING,
        kind=kind,
        author=author,
        from_address=request.reply_address,
        from_name=request.real_name,
        to_address=to_address,
        subject=subject,
        text=text,
        public_text=public_copy(request, text),
        message_id=make_msgid(domain=settings.FOI_EMAIL_DOMAIN),
        delivery=Delivery.QUEUED,
    )
    _send(message)
    return message


# Filing ----------------------------------------------------------------------------------------


def _law_for(details: FoiBody, law_code: str) -> Law:
    if law_code:
        if law_code not in details.laws or law_code not in laws():
            raise ValidationError({"law": _("This law does not apply to this body.")})
        return law(law_code)
    for code in details.laws:
        if code in laws():
            return law(code)
    raise ValidationError(
        {"body": _("No access-to-information law is set for %(body)s yet.") % {"body": details}}
    )


def _check_rate(actor: User, count: int) -> None:
    since = timezone.now() - datetime.timedelta(days=1)
    done = FoiRequest.objects.filter(requester=actor, created__gte=since).count()
    if done + count > settings.FOI_REQUESTS_PER_DAY and not actor.is_staff:
        raise ValidationError(
            _(
                "You can file %(limit)d requests a day; you have filed %(done)d. "
                "Try again tomorrow, or write to the site's team if you need more."
            )
            % {"limit": settings.FOI_REQUESTS_PER_DAY, "done": done}
        )


@transaction.atomic
def foi_request_create(
    *,
    actor: User,
    bodies: list[Organisation],
    title: str,
    text: str,
    real_name: str = "",
    pseudonym: bool = False,
    embargo_until: datetime.date | None = None,
    law_code: str = "",
) -> list[FoiRequest]:
    """Files one request per body (several make a batch) and sends each by email."""
    if not permissions.can_file_request(actor):
        raise PermissionDenied(_("Sign in to ask a public body for information."))
    title = clean_text(title, "title", required=True, limit=200)
    text = clean_text(text, "text", required=True, limit=20000)
    real_name = clean_text(real_name or actor.display_name, "real_name", limit=120)
    if not real_name:
        raise ValidationError({"real_name": _("Give your name: the body needs it.")})
    bodies = list(dict.fromkeys(bodies))
    if not bodies:
        raise ValidationError({"bodies": _("Choose the body to ask.")})
    if len(bodies) > MAX_BODIES:
        raise ValidationError(
            {"bodies": _("Ask at most %(n)d bodies at once.") % {"n": MAX_BODIES}}
        )
    if embargo_until is not None:
        if embargo_until <= timezone.localdate():
            raise ValidationError({"embargo_until": _("Choose a date in the future.")})
        if embargo_until > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError(
                {"embargo_until": _("Publication can be delayed a year at most.")}
            )
    if law_code and len(bodies) > 1:
        raise ValidationError(
            {
                "law": _(
                    "Name a law only when asking one body: in a batch, each body's own law applies."
                )
            }
        )
    _check_rate(actor, len(bodies))
    details = {}
    for body in bodies:
        found = selectors.body_details(body)
        if body.kind != OrganisationKind.PUBLIC_BODY:
            raise ValidationError(
                {
                    "bodies": _("%(body)s is not a public body that takes requests.")
                    % {"body": body.name}
                }
            )
        if found is None or not found.request_email:
            raise ValidationError(
                {"bodies": _("%(body)s has no address for requests yet.") % {"body": body.name}}
            )
        details[body.pk] = (found, _law_for(found, law_code))
    batch = FoiBatch.objects.create(requester=actor, title=title) if len(bodies) > 1 else None
    public_name = _new_pseudonym() if pseudonym else real_name
    created = []
    for body in bodies:
        found, law_ = details[body.pk]
        request = FoiRequest.objects.create(
            slug=unique_slug(FoiRequest, title, fallback="request", max_length=80),
            title=title,
            text=text,
            requester=actor,
            public_name=public_name,
            real_name=real_name,
            body=body,
            law_code=law_.code,
            batch=batch,
            embargo_until=embargo_until,
            reply_address=addresses.placeholder(uuid.uuid4().hex),
            sent_at=timezone.now(),
        )
        request.reply_address = addresses.reply_address(request.pk)
        stage = FoiStage.objects.create(
            request=request, key=law_.first_stage.key, handler=body, opened_on=timezone.localdate()
        )
        request.stage = stage
        request.save(update_fields=["reply_address", "stage"])
        message = outgoing_add(
            request,
            kind=MessageKind.REQUEST,
            text=text,
            subject=_("Information request: %(title)s") % {"title": title},
            to_address=found.request_email,
            author=actor,
        )
        event_add(request, EventKind.SENT, actor=actor, message=message, law=law_.code)
        refresh_clock(request)
        transaction.on_commit(lambda request=request: request_reindex(request))  # type: ignore[misc]
        created.append(request)
    return created


def _new_pseudonym() -> str:
    """A fresh name per request (per batch): a requester's requests cannot be linked by it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Requester %(code)s") % {"code": secrets.token_hex(3).upper()}


# Messages --------------------------------------------------------------------------------------


@transaction.atomic
def foi_followup_send(*, actor: User, request: FoiRequest, text: str) -> FoiMessage:
    """The requester writes to the body; while a clarification was asked, this is it."""
    if not permissions.can_write(actor, request):
        raise PermissionDenied(_("Only the requester can write on an open request."))
    text = clean_text(text, "text", required=True, limit=20000)
    clarifying = request.status == RequestStatus.CLARIFICATION_REQUESTED
    handler = request.stage.handler if request.stage else None
    to_address = handler_address(handler)
    message = outgoing_add(
        request,
        kind=MessageKind.CLARIFICATION if clarifying else MessageKind.FOLLOWUP,
        text=text,
        subject=_("Re: Information request: %(title)s") % {"title": request.title},
        to_address=to_address,
        author=actor,
    )
    if clarifying:
        event_add(request, EventKind.CLARIFICATION_SENT, actor=actor, message=message)
        touch(request, STAGE_STATUS[_stage_kind(request)])
    else:
        event_add(request, EventKind.MESSAGE_SENT, actor=actor, message=message)
        touch(request)
    refresh_clock(request)
    return message


def handler_address(handler: Organisation | None) -> str:
    details = selectors.body_details(handler) if handler else None
    if details is None or not details.request_email:
        raise ValidationError(_("This body has no address to write to."))
    return details.request_email


def _stage_kind(request: FoiRequest) -> str:
    if request.stage is None:
        return "request"
    return law(request.law_code).stage(request.stage.key).kind


@transaction.atomic
def foi_fee_paid(*, actor: User, request: FoiRequest, on: datetime.date | None = None) -> None:
    if not permissions.can_write(actor, request) or request.status != RequestStatus.FEE_REQUESTED:
        raise PermissionDenied(_("No fee is awaited on this request."))
    event_add(request, EventKind.FEE_PAID, actor=actor, on=on)
    touch(request, STAGE_STATUS[_stage_kind(request)])
    refresh_clock(request)


# Classification --------------------------------------------------------------------------------


@transaction.atomic
def foi_request_classify(
    *,
    actor: User,
    request: FoiRequest,
    classification: str,
    reason: str = "",
    exemptions: str = "",
    on: datetime.date | None = None,
) -> FoiRequest:
    """Says what the latest reply means; an official of the body doing so is on the record."""
    if not permissions.can_classify(actor, request):
        raise PermissionDenied(_("Only the requester, the body's officials or staff can do this."))
    as_body = permissions.is_official(actor, request) and not permissions.is_requester(
        actor, request
    )
    return _classify(request, classification, reason, exemptions, actor, as_body=as_body, on=on)


@transaction.atomic
def foi_answer_record(
    *, token_request: FoiRequest, classification: str, reason: str = "", exemptions: str = ""
) -> FoiRequest:
    """The body records its answer through the secure link sent with the request."""
    if token_request.status in permissions.CLOSED:
        raise ValidationError(_("This request is closed."))
    return _classify(token_request, classification, reason, exemptions, None, as_body=True)


def _classify(
    request: FoiRequest,
    classification: str,
    reason: str,
    exemptions: str,
    actor: User | None,
    *,
    as_body: bool,
    on: datetime.date | None = None,
) -> FoiRequest:
    if classification not in CLASSIFICATIONS:
        raise ValidationError({"classification": _("Choose what the reply says.")})
    status, outcome = CLASSIFICATIONS[classification]
    reason = clean_text(reason, "reason", limit=5000)
    exemptions = clean_text(exemptions, "exemptions", limit=300)
    if outcome in (Outcome.REFUSED, Outcome.PARTIALLY_SUCCESSFUL) and not (reason or exemptions):
        raise ValidationError(
            {"reason": _("Say why the body withheld information, or which exemption it cited.")}
        )
    if on is None:
        # What a reply says dates from the day it arrived, not from the day someone read it:
        # "answered in time" must not depend on how soon the requester classifies.
        latest = (
            request.messages.filter(direction=Direction.INCOMING, needs_classification=True)
            .order_by("-created")
            .first()
        )
        on = timezone.localdate(latest.created) if latest else timezone.localdate()
    stage = request.stage
    extra_event = CLASSIFY_EVENT.get(classification)
    if extra_event == EventKind.EXTENDED and stage is not None:
        rule = law(request.law_code).stage(stage.key)
        if rule.extension is None:
            raise ValidationError(
                {"classification": _("This law allows no extension at this stage.")}
            )
        if stage.events.filter(kind=EventKind.EXTENDED).exists():
            raise ValidationError({"classification": _("The deadline was already extended once.")})
    if extra_event is not None:
        event_add(request, extra_event, actor=actor, as_body=as_body, on=on)
    if outcome:
        request.outcome = outcome
        request.refusal_reason = reason
        request.exemptions = exemptions
        request.answered_at = request.answered_at or timezone.now()
        request.save(update_fields=["outcome", "refusal_reason", "exemptions", "answered_at"])
        if stage is not None:
            close_stage(stage, outcome=outcome, on=on)
    event_add(
        request,
        EventKind.CLASSIFIED,
        actor=actor,
        as_body=as_body,
        classification=classification,
        reason=reason,
        exemptions=exemptions,
    )
    request.messages.filter(needs_classification=True).update(needs_classification=False)
    request.awaiting_classification = False
    request.save(update_fields=["awaiting_classification"])
    acknowledged = classification == "acknowledgement"
    new_status = STAGE_STATUS[_stage_kind(request)] if acknowledged else status
    touch(request, new_status)
    if as_body:
        record_official(
            request,
            request.body,
            "foi.request.classify",
            public_text(
                gettext_lazy("%(body)s classified its reply to request %(id)d: %(what)s"),
                body=request.body.name,
                id=request.pk,
                what=CLASSIFICATION_LABELS[classification],
            ),
            actor,
            classification=classification,
        )
    refresh_clock(request)
    return request


def close_stage(
    stage: FoiStage, *, outcome: str = "", deemed: bool = False, on: datetime.date | None = None
) -> None:
    stage.status = StageStatus.CLOSED
    stage.outcome = outcome
    stage.deemed = deemed
    stage.closed_on = on or timezone.localdate()
    stage.save(update_fields=["status", "outcome", "deemed", "closed_on"])


@transaction.atomic
def foi_request_withdraw(*, actor: User, request: FoiRequest) -> None:
    if not permissions.can_write(actor, request):
        raise PermissionDenied(_("Only the requester can withdraw an open request."))
    if request.stage is not None and request.stage.status == StageStatus.OPEN:
        close_stage(request.stage)
    event_add(request, EventKind.WITHDRAWN, actor=actor)
    touch(request, RequestStatus.WITHDRAWN)
    refresh_clock(request)


@transaction.atomic
def foi_request_close(*, actor: User, request: FoiRequest) -> None:
    """The requester is done: no further step will be taken."""
    if not permissions.can_write(actor, request):
        raise PermissionDenied(_("Only the requester can close an open request."))
    if request.stage is not None and request.stage.status == StageStatus.OPEN:
        raise ValidationError(_("Wait for the answer at this step, or withdraw the request."))
    event_add(request, EventKind.CLOSED, actor=actor)
    touch(request, RequestStatus.CLOSED)


# Recourse: the next legal step -----------------------------------------------------------------


def next_steps(request: FoiRequest, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The legal steps open to the requester now, each with its last day to file."""
    if request.status in permissions.CLOSED or request.stage is None:
        return []
    law_ = law(request.law_code)
    stage = request.stage
    rule = law_.stage(stage.key)
    today = today or timezone.localdate()
    if stage.status == StageStatus.OPEN:
        reading = selectors.stage_clock(stage, today)
        if reading.refusal_on is not None:
            # Where the law deems silence a refusal only later (the CADA's two months), the
            # next step opens then, and its time to file runs from then.
            if today <= reading.refusal_on:
                return []
            opened = reading.refusal_on
        elif reading.due is None or reading.state not in ("overdue", "very_overdue"):
            return []
        else:
            opened = reading.due
    elif (
        stage.outcome in (Outcome.SUCCESSFUL, "")
        and not stage.deemed
        and stage.decision not in (OversightDecision.NOT_UPHELD, OversightDecision.PARTLY_UPHELD)
        and stage.followed not in (Followed.NOT_FOLLOWED, Followed.PARTLY)
    ):
        return []
    else:
        opened = stage.closed_on or today
    steps = []
    for key in rule.next:
        following = law_.stage(key)
        deadline = filing_deadline(law_, following, opened)
        steps.append(
            {
                "key": key,
                "title": following.label,
                "handled_by": following.handled_by,
                "deadline": deadline,
                "late": deadline is not None and today > deadline,
            }
        )
    return steps


def _letter_intro(letter: str) -> str:
    """The opening sentence of a step's letter: the law's own kind of letter, else the step's."""
    return {
        "internal_review": _(
            "I am writing to request an internal review of %(body)s's handling of my request "
            "“%(title)s”, made under %(law)s."
        ),
        "confirmatory_application": _(
            "I make a confirmatory application asking %(body)s to reconsider its handling of my "
            "request for access to documents “%(title)s”, made under %(law)s."
        ),
        "cada_referral": _(
            "I refer to %(handler)s the refusal by %(body)s of my request “%(title)s”, made "
            "under %(law)s, and ask for its opinion on the release of the documents."
        ),
        "ico_complaint": _(
            "I ask %(handler)s to decide whether %(body)s dealt with my request “%(title)s” "
            "in accordance with %(law)s."
        ),
        "ombudsman_complaint": _(
            "I complain to %(handler)s of maladministration by %(body)s in handling my request "
            "for access to documents “%(title)s”, made under %(law)s."
        ),
        "review": _(
            "I ask %(body)s to review its handling of my request “%(title)s”, made under %(law)s."
        ),
        "oversight": _(
            "I ask %(handler)s to examine the handling by %(body)s of my request “%(title)s”, "
            "made under %(law)s, and to decide that the information be released."
        ),
        "court": _(
            "Application concerning the refusal by %(body)s of my request “%(title)s”, made "
            "under %(law)s."
        ),
    }.get(letter, "%(title)s")


def stage_letter(request: FoiRequest, key: str) -> str:
    """A letter for the next step, pre-filled with the whole thread."""
    law_ = law(request.law_code)
    following = law_.stage(key)
    handler = (
        selectors.oversight_body_for(request.law_code)
        if following.handled_by == "oversight"
        else None
    )
    intro = _letter_intro(following.letter or following.kind) % {
        "body": request.body.name,
        "title": request.title,
        "law": law_.full_title,
        "handler": handler.name if handler else _("the oversight body"),
    }
    situation = (
        _("The body has not answered within the legal time limit (due %(date)s).")
        % {"date": request.due_on.isoformat()}
        if request.outcome == "" and request.due_on
        else _("The body's answer: %(outcome)s. %(reason)s")
        % {
            "outcome": Outcome(request.outcome).label if request.outcome else "",
            "reason": request.refusal_reason,
        }
    )
    lines = [
        intro,
        "",
        situation.strip(),
        "",
        _("The full history of the request, including all correspondence, is at %(url)s")
        % {"url": settings.SITE_URL + request.get_absolute_url()},
        "",
        "-" * 20,
    ]
    for message in request.messages.order_by("created", "pk"):
        when = timezone.localtime(message.created).strftime("%Y-%m-%d")
        sender = message.from_name or message.from_address
        lines += ["", f"{when} — {sender}: {message.subject}", "", message.text.strip()]
    return "\n".join(lines)


@transaction.atomic
def foi_stage_open(*, actor: User, request: FoiRequest, key: str, text: str) -> FoiStage:
    """Takes the next legal step: sends the letter to whoever handles it and starts its clock."""
    if not permissions.can_write(actor, request):
        raise PermissionDenied(_("Only the requester can take the next step."))
    if key not in {step["key"] for step in next_steps(request)}:
        raise ValidationError({"key": _("This step is not open to this request now.")})
    text = clean_text(text, "text", required=True, limit=100000)
    law_ = law(request.law_code)
    rule = law_.stage(key)
    previous = request.stage
    if previous is not None and previous.status == StageStatus.OPEN:
        close_stage(previous, outcome=Outcome.REFUSED, deemed=True)
    handler: Organisation | None = request.body if rule.handled_by == "body" else None
    if rule.handled_by == "oversight":
        handler = selectors.oversight_body_for(request.law_code)
        if handler is None:
            raise ValidationError(_("No oversight body is set for this law yet."))
    opened = timezone.localdate()
    steps = {step["key"]: step for step in next_steps(request)}
    stage = FoiStage.objects.create(
        request=request,
        key=key,
        handler=handler,
        opened_on=opened,
        filing_deadline=steps[key]["deadline"] if key in steps else None,
    )
    request.stage = stage
    request.save(update_fields=["stage"])
    message = None
    if handler is not None:
        message = outgoing_add(
            request,
            kind=MESSAGE_KIND.get(rule.kind, MessageKind.FOLLOWUP),
            text=text,
            subject=f"{rule.label}: {request.title}",
            to_address=handler_address(handler),
            author=actor,
            stage=stage,
        )
    # A court is not written to from here: the requester files the application; it is kept.
    event_add(
        request,
        EventKind.STAGE_OPENED,
        stage=stage,
        actor=actor,
        message=message,
        key=key,
        letter=text if message is None else "",
    )
    touch(request, STAGE_STATUS[rule.kind])
    refresh_clock(request)
    return stage


@transaction.atomic
def foi_stage_decide(
    *,
    actor: User,
    stage: FoiStage,
    decision: str,
    summary: str = "",
    on: datetime.date | None = None,
) -> FoiStage:
    """Records the oversight body's (or court's) decision; by one of its officials, on the record."""
    request = stage.request
    if not permissions.can_decide(actor, stage):
        raise PermissionDenied(
            _("Only the oversight body, the requester or staff can record this.")
        )
    if decision not in OversightDecision.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    if stage.status != StageStatus.OPEN:
        raise ValidationError(_("This step is already decided."))
    summary = clean_text(summary, "summary", limit=5000)
    stage.decision = decision
    outcome = {
        OversightDecision.UPHELD: Outcome.SUCCESSFUL,
        OversightDecision.PARTLY_UPHELD: Outcome.PARTIALLY_SUCCESSFUL,
        # A complaint withdrawn or settled decides nothing: no outcome, and no next step.
        OversightDecision.WITHDRAWN: "",
    }.get(OversightDecision(decision), Outcome.REFUSED)
    stage.save(update_fields=["decision"])
    close_stage(stage, outcome=outcome, on=on)
    if outcome:
        request.outcome = outcome
        request.save(update_fields=["outcome"])
    official = stage.handler is not None and permissions.can_edit_body(actor, stage.handler)
    event_add(
        request,
        EventKind.STAGE_DECIDED,
        stage=stage,
        actor=actor,
        as_body=official,
        on=on,
        decision=decision,
        summary=summary,
    )
    touch(request, RequestStatus.ANSWERED)
    if official and stage.handler is not None:
        record_official(
            request,
            stage.handler,
            "foi.appeal.decide",
            public_text(
                gettext_lazy("%(handler)s decided on the appeal about request %(id)d: %(what)s"),
                handler=stage.handler.name,
                id=request.pk,
                what=OversightDecision(decision).label,
            ),
            actor,
            decision=decision,
            stage=stage.key,
        )
    refresh_clock(request)
    return stage


@transaction.atomic
def foi_decision_followed(*, actor: User, stage: FoiStage, followed: str) -> FoiStage:
    """Whether the body did what the oversight body decided: the oversight body's follow-up."""
    if not permissions.can_decide(actor, stage) or not stage.decision:
        raise PermissionDenied(_("Only a decided appeal can be followed up."))
    if followed not in Followed.values:
        raise ValidationError({"followed": _("Choose whether the decision was followed.")})
    stage.followed = followed
    stage.save(update_fields=["followed"])
    event_add(
        stage.request, EventKind.DECISION_FOLLOWED, stage=stage, actor=actor, followed=followed
    )
    return stage


# Privacy and moderation ------------------------------------------------------------------------


def _republish(request: FoiRequest) -> None:
    for message in request.messages.all():
        message.public_text = public_copy(request, message.text)
        message.save(update_fields=["public_text"])
        for attachment in message.attachments.all():
            attachment.public_text = public_copy(request, attachment.text)
            attachment.save(update_fields=["public_text"])
    # The index holds public copies: masked text must leave search too.
    transaction.on_commit(lambda: request_reindex(request))


@transaction.atomic
def foi_redaction_add(*, actor: User, request: FoiRequest, text: str) -> Redaction:
    if not (permissions.is_requester(actor, request) or permissions.can_moderate(actor)):
        raise PermissionDenied(_("Only the requester or a moderator can mask text."))
    text = clean_text(text, "text", required=True, limit=300)
    if len(text) < 3:
        raise ValidationError({"text": _("Mask at least three characters.")})
    redaction = Redaction.objects.create(request=request, text=text, author=actor)
    _republish(request)
    return redaction


@transaction.atomic
def foi_attachment_approve(
    *, actor: User, attachment_id: int, request: FoiRequest, approved: bool
) -> None:
    if not (permissions.is_requester(actor, request) or permissions.can_moderate(actor)):
        raise PermissionDenied(_("Only the requester can publish attachments."))
    attachment = FoiAttachment.objects.filter(pk=attachment_id, message__request=request).first()
    if attachment is None:
        raise ValidationError(_("This attachment is not part of this request."))
    attachment.approved = approved
    attachment.save(update_fields=["approved"])
    transaction.on_commit(lambda: request_reindex(request))


@transaction.atomic
def foi_report(*, actor: User, request: FoiRequest, reason: str) -> FoiReport:
    if not (isinstance(actor, User) and actor.is_active):
        raise PermissionDenied(_("Sign in to report a request."))
    reason = clean_text(reason, "reason", required=True, limit=2000)
    if request.reports.filter(reporter=actor, handled_at__isnull=True).exists():
        raise ValidationError(_("You have already reported this request; moderators will look."))
    report = FoiReport.objects.create(request=request, reporter=actor, reason=reason)
    event_add(request, EventKind.REPORTED)
    return report


@transaction.atomic
def foi_request_hide(*, actor: User, request: FoiRequest, hidden: bool, reason: str = "") -> None:
    if not permissions.can_moderate(actor):
        raise PermissionDenied(_("Only moderators can hide a request."))
    request.hidden = hidden
    request.hidden_reason = clean_text(reason, "reason", limit=300)
    request.save(update_fields=["hidden", "hidden_reason"])
    transaction.on_commit(lambda: request_reindex(request))
    request.reports.filter(handled_at__isnull=True).update(handled_at=timezone.now())
    if hidden:
        event_add(request, EventKind.HIDDEN, actor=actor)


def user_erase(user: User) -> None:
    """On account deletion: the requests stay public, under the account's pseudonym (set on
    `user.display_name` by then); the real name given to bodies is no longer kept."""
    for request in FoiRequest.objects.filter(requester=user):
        if request.public_name == request.real_name:
            request.public_name = user.display_name
        request.real_name = ""
        request.save(update_fields=["public_name", "real_name"])
        transaction.on_commit(lambda request=request: request_reindex(request))  # type: ignore[misc]
