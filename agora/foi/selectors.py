"""Reads of requests, with the visibility rules of `permissions`; and each stage's clock."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agora.accounts.models import Organisation, User
from agora.accounts.permissions import Actor, is_staff
from agora.core.pagination import MAX_LIMIT, Page, keyset_page
from agora.core.search import search
from agora.core.search.selectors import SearchHit
from agora.foi import permissions
from agora.foi.choices import (
    CLASSIFICATION_LABELS,
    Direction,
    EventKind,
    MailStatus,
    OversightDecision,
    StageStatus,
)
from agora.foi.clocks import ClockEvent, ClockReading, read_clock
from agora.foi.laws import Law, law, laws
from agora.foi.models import (
    BodyCorrection,
    FoiAttachment,
    FoiBody,
    FoiEvent,
    FoiMessage,
    FoiReport,
    FoiRequest,
    FoiStage,
    IncomingMail,
    published,
)
from agora.foi.search import FoiRequestSearch

ANSWER_SIGNER = signing.Signer(salt="agora.foi.answer-page")

# Timeline events that move a clock: event kind -> (clock event, pause reason).
PAUSING: dict[str, str] = {
    EventKind.CLARIFICATION_REQUESTED: "clarification",
    EventKind.FEE_REQUESTED: "fee",
}
RESOLVING: dict[str, str] = {
    EventKind.CLARIFICATION_SENT: "clarification",
    EventKind.FEE_PAID: "fee",
}


def request_law(request: FoiRequest) -> Law:
    return law(request.law_code)


def clock_events(stage: FoiStage, law_: Law, events: list[FoiEvent]) -> list[ClockEvent]:
    """The stage's pauses, restarts and extensions, as the law says each event counts."""
    rule = law_.stage(stage.key)
    found: list[ClockEvent] = []
    for event in events:
        if event.kind in PAUSING and PAUSING[event.kind] in rule.pauses:
            found.append(ClockEvent("pause", event.on, PAUSING[event.kind]))
        elif event.kind in RESOLVING and RESOLVING[event.kind] in rule.pauses:
            effect = rule.pauses[RESOLVING[event.kind]]
            found.append(ClockEvent(effect, event.on))
        elif event.kind == EventKind.EXTENDED:
            found.append(ClockEvent("extend", event.on))
    return found


def stage_clock(stage: FoiStage, today: datetime.date | None = None) -> ClockReading:
    law_ = law(stage.request.law_code)
    events = list(stage.events.all())
    return read_clock(
        law_,
        law_.stage(stage.key),
        stage.opened_on,
        clock_events(stage, law_, events),
        today or timezone.localdate(),
    )


def visible_requests(actor: Actor) -> QuerySet[FoiRequest]:
    requests = FoiRequest.objects.select_related("body", "stage")
    if is_staff(actor):
        return requests
    public = published()
    if getattr(actor, "is_authenticated", False):
        public |= Q(requester=actor) | Q(body__memberships__user=actor)
        public |= Q(stages__handler__memberships__user=actor)
    return requests.filter(public).distinct()


def foi_request_get(*, actor: Actor, slug: str) -> FoiRequest:
    request = (
        FoiRequest.objects.select_related("body", "stage", "requester").filter(slug=slug).first()
    )
    if request is None or not permissions.can_view_request(actor, request):
        raise Http404
    return request


def foi_request_list(
    *,
    actor: Actor,
    status: str = "",
    body: Organisation | None = None,
    law_code: str = "",
    overdue: bool = False,
) -> QuerySet[FoiRequest]:
    requests = visible_requests(actor)
    if status:
        requests = requests.filter(status=status)
    if body is not None:
        requests = requests.filter(body=body)
    if law_code:
        requests = requests.filter(law_code=law_code)
    if overdue:
        requests = requests.filter(clock_state__in=["overdue", "very_overdue"])
    return requests


def request_by_answer_token(token: str) -> FoiRequest | None:
    """The request an official's secure answer link points to."""
    try:
        pk = int(ANSWER_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return FoiRequest.objects.select_related("body").filter(pk=pk).first()


def answer_token(request: FoiRequest) -> str:
    return ANSWER_SIGNER.sign(str(request.pk))


def request_by_address(addresses: list[str]) -> FoiRequest | None:
    """The request of the first address that is one: envelope recipients come first, so a
    copy delivered for one address goes to that address's request, whatever the headers say."""
    wanted = [a.lower() for a in addresses]
    found = {r.reply_address: r for r in FoiRequest.objects.filter(reply_address__in=wanted)}
    return next((found[a] for a in wanted if a in found), None)


def body_details(organisation: Organisation) -> FoiBody | None:
    return FoiBody.objects.filter(organisation=organisation).first()


def oversight_body_for(law_code: str) -> Organisation | None:
    """The oversight body that hears appeals under this law."""
    from agora.accounts.choices import OrganisationKind

    for details in FoiBody.objects.filter(
        organisation__kind=OrganisationKind.OVERSIGHT_BODY
    ).select_related("organisation"):
        if law_code in details.laws:
            return details.organisation
    return None


def timeline(request: FoiRequest) -> list[FoiEvent]:
    """The request's events, each with `detail`: what was decided, in words, not codes."""
    events = list(request.events.select_related("stage__request", "message", "actor"))
    for event in events:
        event.detail = _event_detail(request, event.data)  # type: ignore[attr-defined]
    return events


def _event_detail(request: FoiRequest, data: dict[str, str]) -> str:
    if classification := data.get("classification"):
        return str(CLASSIFICATION_LABELS.get(classification, classification))
    if decision := data.get("decision"):
        return str(dict(OversightDecision.choices).get(decision, decision))
    if key := data.get("key"):
        return FoiStage(request=request, key=key).label
    return ""


def request_messages(request: FoiRequest) -> list[FoiMessage]:
    """The thread, each message with `sender_name`: who wrote it, as the public sees it."""
    messages = list(
        request.messages.select_related("stage__handler__foi_body").prefetch_related("attachments")
    )
    for message in messages:
        message.sender_name = message_sender(request, message)  # type: ignore[attr-defined]
    return messages


def message_sender(request: FoiRequest, message: FoiMessage) -> str:
    if message.direction == Direction.OUTGOING:
        return request.public_name
    return replying_body(request, message).name


def replying_body(request: FoiRequest, message: FoiMessage) -> Organisation:
    """Who sent a reply. At the oversight stage it may be the oversight body or the body
    itself: the sender's domain tells them apart."""
    handler = message.stage.handler if message.stage else None
    details = getattr(handler, "foi_body", None) if handler else None
    if handler is not None and handler != request.body and details is not None:
        domain = details.request_email.rpartition("@")[2].lower()
        if domain and message.from_address.lower().endswith("@" + domain):
            return handler
    return request.body


def held_mail() -> QuerySet[IncomingMail]:
    return IncomingMail.objects.filter(status=MailStatus.HELD)


def law_list() -> list[Law]:
    return list(laws().values())


def similar_requests(title: str, *, actor: Actor | None = None, limit: int = 5) -> list[SearchHit]:
    """Earlier public requests about the same thing, to read before asking again."""
    words = [w for w in title.split() if len(w) > 3]
    if not words:
        return []
    hits = search(title, kinds=[FoiRequestSearch.kind], limit=limit).hits
    if not hits:  # every word must match in the index; fall back on the longest ones
        for word in sorted(words, key=len, reverse=True)[:2]:
            hits += search(word, kinds=[FoiRequestSearch.kind], limit=limit).hits
    unique = {hit.key: hit for hit in hits}
    return list(unique.values())[:limit]


def cases_of(user: User) -> QuerySet[FoiRequest]:
    """What the bodies (and oversight bodies) a person works for must answer: open steps they
    handle, the most urgent first."""
    return (
        FoiRequest.objects.filter(
            stage__status=StageStatus.OPEN,
            stage__handler__memberships__user=user,
            stage__handler__memberships__user__is_active=True,
        )
        .select_related("body", "stage__handler")
        .distinct()
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )


def requests_of(user: User) -> QuerySet[FoiRequest]:
    return FoiRequest.objects.filter(requester=user).select_related("body", "stage")


def stage_decided_outside(stage: FoiStage) -> bool:
    """Whether an oversight body or a court decides this step (not the body asked)."""
    try:
        kind = law(stage.request.law_code).stage(stage.key).kind
    except KeyError:
        return False
    return kind in ("oversight", "court")


def decided_stage(request: FoiRequest) -> FoiStage | None:
    return request.stages.exclude(decision="").order_by("-opened_on", "-pk").first()


def attachment_get(*, actor: Actor, request: FoiRequest, pk: int) -> FoiAttachment:
    """An attachment's file: public once the requester approved it, else only to those who
    may see originals."""
    attachment = FoiAttachment.objects.filter(pk=pk, message__request=request).first()
    if attachment is None or not attachment.file:
        raise Http404
    if not attachment.approved and not permissions.can_view_private(actor, request):
        raise Http404
    return attachment


def body_directory(query: str = "") -> QuerySet[Organisation]:
    from agora.foi.directory import public_bodies

    bodies = public_bodies().order_by("name")
    query = query.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if query:
        bodies = bodies.filter(name__icontains=query)
    return bodies


def public_request_count() -> int:
    return visible_requests(AnonymousUser()).count()


def public_requests() -> QuerySet[FoiRequest]:
    """What anyone may see, newest activity first: for feeds and statistics."""
    return visible_requests(AnonymousUser()).order_by("-last_activity", "-pk")


def requests_matching(query: str, *, status: str = "", limit: int = 50) -> list[FoiRequest]:
    """Public requests whose text (messages and published attachments included) matches."""
    requests = public_requests()
    if status:
        requests = requests.filter(status=status)
    if not query.strip():
        return list(requests[:limit])
    hits = search(query, kinds=[FoiRequestSearch.kind], limit=limit).hits
    found = requests.in_bulk([int(hit.key) for hit in hits])
    return [found[int(hit.key)] for hit in hits if int(hit.key) in found]


def open_reports() -> QuerySet[FoiReport]:
    return FoiReport.objects.filter(handled_at__isnull=True).select_related("request", "reporter")


def pending_corrections() -> QuerySet[BodyCorrection]:
    return BodyCorrection.objects.filter(status="pending").select_related(
        "body__organisation", "author"
    )


def request_for_moderation(slug: str, incoming: IncomingMail) -> FoiRequest | None:
    """The request a moderator names for a held message, or the one it was addressed to."""
    if slug.strip():
        return FoiRequest.objects.filter(slug=slug.strip().strip("/").split("/")[-1]).first()
    return incoming.request


# For the API: pages of requests and bodies -----------------------------------------------------

MAX_MATCHES = 1000  # a text query keeps its best matches, then lists them like the rest


def foi_request_page(
    *,
    actor: Actor,
    status: str = "",
    body: Organisation | None = None,
    law_code: str = "",
    query: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[FoiRequest]:
    """A page of the requests the actor may see, latest activity first; `query` keeps those
    whose public text (the search index: never an original) matches."""
    requests = foi_request_list(actor=actor, status=status, body=body, law_code=law_code)
    if query.strip():
        requests = requests.filter(pk__in=_matching_requests(query))
    return keyset_page(requests, order=("-last_activity", "-pk"), cursor=cursor, limit=limit)


def _matching_requests(query: str) -> list[int]:
    keys: list[int] = []
    after: str | None = None
    while len(keys) < MAX_MATCHES:
        found = search(query, kinds=[FoiRequestSearch.kind], cursor=after, limit=MAX_LIMIT)
        keys += [int(hit.key) for hit in found.hits]
        after = found.next_cursor
        if after is None:
            break
    return keys


def request_stages(request: FoiRequest) -> list[FoiStage]:
    return list(request.stages.select_related("handler"))


def foi_body_page(
    *, query: str = "", cursor: str | None = None, limit: int | None = None
) -> Page[Organisation]:
    return keyset_page(body_directory(query), order=("name", "pk"), cursor=cursor, limit=limit)


def foi_body_find(slug: str) -> Organisation | None:
    """A body of the directory (public or oversight), or None."""
    return body_directory().filter(slug=slug).first()


def requestable_body_find(slug: str) -> Organisation | None:
    """A body a request can be sent to, as the request form offers them, or None."""
    from agora.foi.directory import requestable_bodies

    return requestable_bodies().filter(slug=slug).first()


def user_personal_data(user: User) -> dict[str, Any]:
    """A person's requests, letters, reports and suggestions, for "download my data"."""
    return {
        "information_requests": [
            {
                "slug": r.slug,
                "title": r.title,
                "body": r.body.slug,
                "law": r.law_code,
                "status": r.status,
                "real_name": r.real_name,
                "public_name": r.public_name,
                "created": r.created.isoformat(),
                "messages": [
                    {"subject": m.subject, "text": m.text, "created": m.created.isoformat()}
                    for m in r.messages.filter(author=user)
                ],
            }
            for r in requests_of(user).prefetch_related("messages")
        ],
        "information_request_reports": [
            {"request": r.request.slug, "reason": r.reason, "created": r.created.isoformat()}
            for r in FoiReport.objects.filter(reporter=user).select_related("request")
        ],
        "body_corrections": [
            {"body": c.body.organisation.slug, "field": c.field, "value": c.value, "note": c.note}
            for c in BodyCorrection.objects.filter(author=user).select_related("body__organisation")
        ],
    }
