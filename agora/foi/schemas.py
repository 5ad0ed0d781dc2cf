"""API shapes of access to information: requests, their messages, bodies, laws and figures.

Only what the public pages show goes out: the public copy of each text (personal data
masked), the public name (a pseudonym when one was asked), published attachments. Originals,
the name given to the body and the bodies' request addresses never do.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ValidationInfo, field_validator

from agora.accounts.choices import OrganisationKind
from agora.accounts.models import Organisation
from agora.accounts.schemas import OrganisationRef
from agora.core.schemas import ListParams, PagedList, Text
from agora.foi import selectors
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
from agora.foi.clocks import ClockReading, ClockState
from agora.foi.laws import (
    Duration,
    Handler,
    Law,
    PauseEffect,
    Silence,
    Stage,
    StageKind,
    Unit,
    laws,
)
from agora.foi.models import FoiAttachment, FoiEvent, FoiMessage, FoiRequest, FoiStage
from agora.foi.services import MAX_BODIES
from agora.foi.statistics import Figures

SLUG = r"^[-a-zA-Z0-9_]+$"
BodySlug = Annotated[str, Field(pattern=SLUG, max_length=100)]


def _api_url(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", kwargs=kwargs))


# Laws ------------------------------------------------------------------------------------------


class FoiDurationOut(Schema):
    amount: int
    unit: Unit
    and_days: int = Field(
        description="Calendar days on top (e.g. ten days on account of distance)."
    )
    roll_forward: bool = Field(description="A period ending on a non-working day runs to the next.")

    @classmethod
    def from_duration(cls, duration: Duration | None) -> FoiDurationOut | None:
        if duration is None:
            return None
        return cls(
            amount=duration.amount,
            unit=duration.unit,
            and_days=duration.and_days,
            roll_forward=duration.roll_forward,
        )


class FoiStageRuleOut(Schema):
    key: str
    kind: StageKind
    handled_by: Handler
    title: str
    duration: FoiDurationOut | None = Field(description="Time to answer; null: no legal limit.")
    extension: FoiDurationOut | None = Field(description="How far the body may extend it, once.")
    pauses: dict[str, PauseEffect] = Field(
        description="What stops the clock (clarification, fee) and how it goes on afterwards: "
        "resume (the days paused do not count) or restart (the whole period again)."
    )
    silence: Silence = Field(description="refusal: no answer in time counts as a refusal.")
    deemed_refusal_after: FoiDurationOut | None
    very_overdue_after: FoiDurationOut | None
    filing_limit: FoiDurationOut | None = Field(
        description="Time allowed to take this step after the previous one ended."
    )
    next: list[str] = Field(description="The steps that may follow.")

    @classmethod
    def from_stage(cls, stage: Stage) -> FoiStageRuleOut:
        return cls(
            key=stage.key,
            kind=stage.kind,
            handled_by=stage.handled_by,
            title=stage.label,
            duration=FoiDurationOut.from_duration(stage.duration),
            extension=FoiDurationOut.from_duration(stage.extension),
            pauses=dict(stage.pauses),
            silence=stage.silence,
            deemed_refusal_after=FoiDurationOut.from_duration(stage.deemed_refusal_after),
            very_overdue_after=FoiDurationOut.from_duration(stage.very_overdue_after),
            filing_limit=FoiDurationOut.from_duration(stage.filing_limit),
            next=list(stage.next),
        )


class FoiSourceOut(Schema):
    title: str
    url: str


class FoiCalendarOut(Schema):
    country: str | None = Field(description="Whose public holidays are not working days.")
    subdivisions: list[str]
    extra_days: list[str] = Field(description="Further days off every year, as MM-DD.")
    easter_offsets: list[int] = Field(description="Further days off, counted from Easter Sunday.")


class FoiLawOut(Schema):
    code: str
    title: str
    short_title: str
    jurisdiction: str
    calendar: FoiCalendarOut
    receipt_on_working_day: bool = Field(
        description="A request received on a non-working day counts from the next working day."
    )
    sources: list[FoiSourceOut]
    stages: list[FoiStageRuleOut]
    api_url: str

    @classmethod
    def from_law(cls, request: HttpRequest, law: Law) -> FoiLawOut:
        extra = law.calendar.extra_days
        return cls(
            code=law.code,
            title=law.full_title,
            short_title=law.label,
            jurisdiction=law.jurisdiction,
            calendar=FoiCalendarOut(
                country=law.calendar.country,
                subdivisions=list(law.calendar.subdivisions),
                extra_days=[f"{m:02d}-{d:02d}" for m, d in extra.fixed] if extra else [],
                easter_offsets=list(extra.easter) if extra else [],
            ),
            receipt_on_working_day=law.receipt_on_working_day,
            sources=[FoiSourceOut(title=s.title, url=s.url) for s in law.sources],
            stages=[FoiStageRuleOut.from_stage(s) for s in law.stages],
            api_url=_api_url(request, "foi_law_detail", code=law.code),
        )


class FoiLawRef(Schema):
    code: str
    title: str
    api_url: str

    @classmethod
    def of(cls, request: HttpRequest, code: str) -> FoiLawRef:
        law = laws().get(code)
        return cls(
            code=code,
            title=law.label if law else code,
            api_url=_api_url(request, "foi_law_detail", code=code),
        )


# Bodies ----------------------------------------------------------------------------------------


class FoiBodyListParams(ListParams):
    q: Text | None = Field(None, max_length=200, description="Words of the body's name.")


class FoiBodyOut(Schema):
    slug: str
    name: str
    kind: OrganisationKind
    jurisdiction: str
    website: str
    category: str
    laws: list[str] = Field(
        description="Codes of the laws it answers under; for an oversight body, those whose "
        "appeals it hears (see /foi/laws)."
    )
    takes_requests: bool = Field(description="Requests can be sent to it from Agora.")
    address_bounces: bool = Field(description="Mail to its address for requests last bounced.")
    url: str
    api_url: str
    requests_api_url: str = Field(description="The public requests asked of it.")

    @classmethod
    def from_body(cls, request: HttpRequest, o: Organisation) -> FoiBodyOut:
        # Bodies without access-to-information details yet are listed with none.
        details = getattr(o, "foi_body", None)
        requests_url = reverse("api:foi_request_list") + f"?body={o.slug}"
        return cls(
            slug=o.slug,
            name=o.name,
            kind=OrganisationKind(o.kind),
            jurisdiction=o.jurisdiction,
            website=o.website,
            category=details.category if details else "",
            laws=list(details.laws) if details else [],
            takes_requests=o.kind == OrganisationKind.PUBLIC_BODY
            and bool(details and details.request_email),
            address_bounces=bool(details and details.bounced_at),
            url=request.build_absolute_uri(o.get_absolute_url()),
            api_url=_api_url(request, "foi_body_detail", slug=o.slug),
            requests_api_url=request.build_absolute_uri(requests_url),
        )


class FoiBodyList(PagedList):
    items: list[FoiBodyOut]


# Requests --------------------------------------------------------------------------------------


class FoiRequestListParams(ListParams):
    body: str | None = Field(None, pattern=SLUG, max_length=100, description="A body's slug.")
    status: RequestStatus | None = None
    law: str | None = Field(None, pattern=SLUG, max_length=40, description="A law's code.")
    q: Text | None = Field(
        None,
        max_length=200,
        description="Words that must all appear in the request's public text (its best 1 000 "
        "matches, listed like the rest).",
    )


class FoiClockOut(Schema):
    description: str = Field(description='In plain words: "day 14 of 20 working days; due …".')
    state: ClockState = Field(description="none: the step has no legal time limit.")
    started: date
    due: date | None
    very_overdue_on: date | None
    refusal_on: date | None = Field(description="The day silence becomes a refusal, if it does.")
    unit: Unit
    day: int = Field(description="Units counted so far, pauses left out.")
    of: int = Field(description="Units allowed, extensions included.")
    paused_for: str = Field(description="What the clock waits for (clarification, fee), or empty.")
    extended: bool

    @classmethod
    def from_reading(cls, reading: ClockReading) -> FoiClockOut:
        return cls(
            description=reading.describe(),
            state=reading.state,
            started=reading.started,
            due=reading.due,
            very_overdue_on=reading.very_overdue_on,
            refusal_on=reading.refusal_on,
            unit=cast(Unit, reading.unit),
            day=reading.day,
            of=reading.of,
            paused_for=reading.paused_for,
            extended=reading.extended,
        )


class FoiStageOut(Schema):
    key: str
    title: str
    handled_by: OrganisationRef | None
    opened_on: date
    filing_deadline: date | None
    status: StageStatus
    outcome: Outcome | None
    deemed: bool = Field(description="Closed by silence, not by an answer.")
    decision: OversightDecision | None
    followed: Followed | None
    closed_on: date | None

    @classmethod
    def from_stage(cls, request: HttpRequest, stage: FoiStage, law: Law | None) -> FoiStageOut:
        try:
            title = law.stage(stage.key).label if law else stage.key
        except KeyError:
            title = stage.key
        return cls(
            key=stage.key,
            title=title,
            handled_by=OrganisationRef.of(request, stage.handler) if stage.handler else None,
            opened_on=stage.opened_on,
            filing_deadline=stage.filing_deadline,
            status=StageStatus(stage.status),
            outcome=Outcome(stage.outcome) if stage.outcome else None,
            deemed=stage.deemed,
            decision=OversightDecision(stage.decision) if stage.decision else None,
            followed=Followed(stage.followed) if stage.followed else None,
            closed_on=stage.closed_on,
        )


class FoiEventOut(Schema):
    on: date
    kind: EventKind
    label: str
    step: str | None = Field(description="The key of the step it happened at.")
    by_body: bool = Field(description="Done by an official of the body.")
    message: int | None = Field(description="The id of the message it concerns.")
    classification: str | None = None
    decision: str | None = None
    opened: str | None = Field(None, description="For a step taken: the new step's key.")

    @classmethod
    def from_event(cls, event: FoiEvent) -> FoiEventOut:
        # The timeline shows these few details; the rest of `data` stays out, as on the page.
        data = event.data if isinstance(event.data, dict) else {}
        return cls(
            on=event.on,
            kind=EventKind(event.kind),
            label=event.get_kind_display(),
            step=event.stage.key if event.stage else None,
            by_body=event.as_body,
            message=event.message_id,
            classification=data.get("classification") or None,
            decision=data.get("decision") or None,
            opened=data.get("key") or None,
        )


class FoiRequestOut(Schema):
    slug: str
    title: str
    body: OrganisationRef
    law: FoiLawRef
    requester: str = Field(description="The requester's public name, or their pseudonym.")
    status: RequestStatus
    outcome: Outcome | None
    refusal_reason: str
    exemptions: str
    due_on: date | None = Field(description="When the current step must be answered.")
    clock_state: str = Field(description="running, paused, overdue, very_overdue, or empty.")
    awaiting_classification: bool = Field(description="A reply waits to be classified.")
    embargo_until: date | None = Field(description="Private until this date.")
    hidden: bool = Field(description="Hidden by a moderator (then seen only by those involved).")
    created: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    last_activity: datetime
    url: str
    api_url: str

    @classmethod
    def fields_of(cls, request: HttpRequest, r: FoiRequest) -> dict[str, Any]:
        return {
            "slug": r.slug,
            "title": r.title,
            "body": OrganisationRef.of(request, r.body),
            "law": FoiLawRef.of(request, r.law_code),
            "requester": r.public_name,
            "status": RequestStatus(r.status),
            "outcome": Outcome(r.outcome) if r.outcome else None,
            "refusal_reason": r.refusal_reason,
            "exemptions": r.exemptions,
            "due_on": r.due_on,
            "clock_state": r.clock_state,
            "awaiting_classification": r.awaiting_classification,
            "embargo_until": r.embargo_until,
            "hidden": r.hidden,
            "created": r.created,
            "sent_at": r.sent_at,
            "answered_at": r.answered_at,
            "last_activity": r.last_activity,
            "url": request.build_absolute_uri(r.get_absolute_url()),
            "api_url": _api_url(request, "foi_request_detail", slug=r.slug),
        }

    @classmethod
    def from_request(cls, request: HttpRequest, r: FoiRequest) -> FoiRequestOut:
        return cls(**cls.fields_of(request, r))


class FoiRequestDetail(FoiRequestOut):
    stage: FoiStageOut | None = Field(description="The current step.")
    clock: FoiClockOut | None = Field(
        description="The current step's legal clock, while it is open."
    )
    stages: list[FoiStageOut] = Field(description="Every step so far, first first.")
    timeline: list[FoiEventOut]
    messages_api_url: str

    @classmethod
    def build(
        cls,
        request: HttpRequest,
        r: FoiRequest,
        *,
        law: Law | None,
        clock: ClockReading | None,
        stages: list[FoiStage],
        events: list[FoiEvent],
    ) -> FoiRequestDetail:
        return cls(
            **cls.fields_of(request, r),
            stage=FoiStageOut.from_stage(request, r.stage, law) if r.stage else None,
            clock=FoiClockOut.from_reading(clock) if clock else None,
            stages=[FoiStageOut.from_stage(request, s, law) for s in stages],
            timeline=[FoiEventOut.from_event(e) for e in events],
            messages_api_url=_api_url(request, "foi_message_list", slug=r.slug),
        )


class FoiRequestList(PagedList):
    items: list[FoiRequestOut]


class FoiAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    download_url: str | None

    @classmethod
    def from_attachment(
        cls, request: HttpRequest, r: FoiRequest, a: FoiAttachment
    ) -> FoiAttachmentOut:
        url = None
        if a.file:
            url = request.build_absolute_uri(
                reverse("foi:attachment_download", kwargs={"slug": r.slug, "pk": a.pk})
            )
        return cls(
            id=a.pk,
            filename=a.filename,
            content_type=a.content_type,
            size=a.size,
            download_url=url,
        )


class FoiMessageOut(Schema):
    id: int
    kind: MessageKind
    direction: Direction
    sender: str = Field(
        description="The requester's public name, or the name of the body (or oversight body) "
        "that wrote."
    )
    text: str = Field(
        description="The public copy: email addresses, phone numbers and names masked."
    )
    delivery: Delivery
    created: datetime
    attachments: list[FoiAttachmentOut] = Field(description="Those the requester published.")

    @classmethod
    def from_message(cls, request: HttpRequest, r: FoiRequest, m: FoiMessage) -> FoiMessageOut:
        return cls(
            id=m.pk,
            kind=MessageKind(m.kind),
            direction=Direction(m.direction),
            sender=selectors.message_sender(r, m),
            text=m.public_text,
            delivery=Delivery(m.delivery),
            created=m.created,
            attachments=[
                FoiAttachmentOut.from_attachment(request, r, a)
                for a in m.attachments.all()
                if a.approved
            ],
        )


class FoiMessageList(Schema):
    items: list[FoiMessageOut]


def _known_law(value: str | None) -> str | None:
    if value is not None and value not in laws():
        raise ValueError(
            _("Unknown law(s): %(codes)s. Known: %(known)s.")
            % {"codes": value, "known": ", ".join(laws())}
        )
    return value


class FoiRequestIn(Schema):
    bodies: list[BodySlug] = Field(
        min_length=1,
        max_length=MAX_BODIES,
        description="The slugs of the bodies to ask; several send the same request to each "
        "(a batch: one request per body).",
    )
    title: Text = Field(min_length=1, max_length=200, description="A one-line public summary.")
    text: Text = Field(
        min_length=1, max_length=20_000, description="The request, sent by email and published."
    )
    real_name: Text = Field(
        "",
        max_length=120,
        description="The name sent to the body (the law requires one); your display name if "
        "empty. Masked in everything public.",
    )
    pseudonym: bool = Field(False, description="Show a pseudonym in public instead of the name.")
    embargo_until: date | None = Field(
        None, description="Keep the request private until this date (a year at most)."
    )
    law: Annotated[str | None, AfterValidator(_known_law)] = Field(
        None,
        max_length=40,
        description="The law to ask under, when the body answers under several; with one body "
        "only (in a batch each body's first law applies).",
    )

    @field_validator("law")
    @classmethod
    def _one_body_for_a_law(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and len(set(info.data.get("bodies") or [])) > 1:
            raise ValueError(
                _("Name a law only when asking one body: in a batch, each body's own law applies.")
            )
        return value


class FoiRequestCreated(Schema):
    batch: int | None = Field(description="The batch's id, when several bodies were asked.")
    requests: list[FoiRequestOut]


class FoiFollowupIn(Schema):
    text: Text = Field(
        min_length=1,
        max_length=20_000,
        description="Sent to whoever handles the current step; while a clarification is "
        "asked, this is it.",
    )


def _classification(value: str) -> str:
    if value not in CLASSIFICATION_LABELS:
        raise ValueError(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(CLASSIFICATION_LABELS)}
        )
    return value


class FoiClassifyIn(Schema):
    classification: Annotated[str, AfterValidator(_classification)] = Field(
        json_schema_extra={"enum": list(CLASSIFICATION_LABELS)},
        description="What the latest reply says, as in the request page's form; refused and "
        "partially_successful need the reason or the exemptions cited.",
    )
    reason: Text = Field(
        "",
        max_length=5_000,
        description="When information was withheld: the body's reason, in a few words.",
    )
    exemptions: Text = Field("", max_length=300, description="The exemptions the body cited.")


# Statistics ------------------------------------------------------------------------------------


class FoiRateOut(Schema):
    count: int
    of: int
    rate: float | None = Field(description="Null below the minimum sample.")
    ci95_low: float | None = Field(description="Wilson 95 % interval.")
    ci95_high: float | None


class FoiFiguresOut(Schema):
    key: str
    label: str
    requests: int
    answered_in_time: FoiRateOut
    refused: FoiRateOut
    overdue_now: FoiRateOut
    median_days_to_answer: float | None
    appeals: int
    appeal_decisions: dict[str, int]

    @classmethod
    def from_figures(cls, figures: Figures) -> FoiFiguresOut:
        return cls.model_validate(figures.as_dict())


class FoiStatisticsOut(Schema):
    min_sample: int = Field(description="Rates and medians are left out below this many.")
    overall: FoiFiguresOut
    bodies: list[FoiFiguresOut]
    laws: list[FoiFiguresOut]
