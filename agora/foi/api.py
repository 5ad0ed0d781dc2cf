"""API operations of access to information: requests, their messages, bodies, laws, figures.

Reads show what the public pages show, to whoever may see the request; writes are the
requester's (and, for classifying a reply, the body's officials'), through the services.
"""

from __future__ import annotations

from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from agora.accounts.apiauth import ApiAuth
from agora.accounts.models import Organisation, User
from agora.core.apilinks import next_link
from agora.core.errors import BadParameter, ValidationError
from agora.core.schemas import ERROR_RESPONSES
from agora.foi import selectors, services, statistics
from agora.foi.choices import StageStatus
from agora.foi.laws import laws
from agora.foi.models import FoiRequest
from agora.foi.schemas import (
    FoiBodyList,
    FoiBodyListParams,
    FoiBodyOut,
    FoiClassifyIn,
    FoiFiguresOut,
    FoiFollowupIn,
    FoiLawOut,
    FoiMessageList,
    FoiMessageOut,
    FoiRequestCreated,
    FoiRequestDetail,
    FoiRequestIn,
    FoiRequestList,
    FoiRequestListParams,
    FoiRequestOut,
    FoiStatisticsOut,
)

router = Router(tags=["foi"])
PUBLIC = {"x-agora-public": True}
WRITE = ApiAuth(required=True)
Slug = Annotated[
    str, Path(pattern=r"^[-a-zA-Z0-9_]+$", description="The short name, as in the page's address.")
]
LawCode = Annotated[str, Path(pattern=r"^[-a-zA-Z0-9_]+$", description="The law's code.")]


def actor_of(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]  # set by ApiAuth


def foi_of(request: HttpRequest, slug: str) -> FoiRequest:
    return selectors.foi_request_get(actor=request.user, slug=slug)


def _unknown_body(slug: str) -> str:
    return _("No body that takes requests has the short name “%(slug)s”.") % {"slug": slug}


def _detail(request: HttpRequest, slug: str) -> FoiRequestDetail:
    # Read again after a write: the services change the request behind the instance.
    foi = foi_of(request, slug)
    stage = foi.stage
    return FoiRequestDetail.build(
        request,
        foi,
        law=laws().get(foi.law_code),
        clock=selectors.stage_clock(stage) if stage and stage.status == StageStatus.OPEN else None,
        stages=selectors.request_stages(foi),
        events=selectors.timeline(foi),
    )


# Requests --------------------------------------------------------------------------------------


@router.get(
    "/foi/requests",
    response={200: FoiRequestList, **ERROR_RESPONSES},
    summary="List information requests",
    openapi_extra=PUBLIC,
)
def foi_request_list(request: HttpRequest, params: Query[FoiRequestListParams]) -> FoiRequestList:
    """Public requests, latest activity first (with your own and your body's private ones);
    filter by body, status, law, or words of their public text."""
    body: Organisation | None = None
    if params.body:
        body = selectors.foi_body_find(params.body)
        if body is None:
            raise BadParameter("body", _unknown_body(params.body))
    if params.law and params.law not in laws():
        raise BadParameter(
            "law",
            _("Unknown law(s): %(codes)s. Known: %(known)s.")
            % {"codes": params.law, "known": ", ".join(laws())},
            choices=list(laws()),
        )
    page = selectors.foi_request_page(
        actor=request.user,
        status=params.status or "",
        body=body,
        law_code=params.law or "",
        query=params.q or "",
        cursor=params.cursor,
        limit=params.limit,
    )
    return FoiRequestList(
        items=[FoiRequestOut.from_request(request, r) for r in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.post(
    "/foi/requests",
    response={201: FoiRequestCreated, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Ask one or several public bodies for information",
)
def foi_request_create(request: HttpRequest, payload: FoiRequestIn) -> Status[FoiRequestCreated]:
    """Sends the request by email to each body (several make a batch, one request each) and
    starts its legal clock. The name is sent to the body; the public sees the pseudonym when
    asked, and nothing before `embargo_until`."""
    bodies = []
    for index, slug in enumerate(payload.bodies):
        body = selectors.requestable_body_find(slug)
        if body is None:
            raise ValidationError({f"bodies.{index}": _unknown_body(slug)})
        bodies.append(body)
    created = services.foi_request_create(
        actor=actor_of(request),
        bodies=bodies,
        title=payload.title,
        text=payload.text,
        real_name=payload.real_name,
        pseudonym=payload.pseudonym,
        embargo_until=payload.embargo_until,
        law_code=payload.law or "",
    )
    batch = created[0].batch_id if created else None
    return Status(
        201,
        FoiRequestCreated(
            batch=batch, requests=[FoiRequestOut.from_request(request, r) for r in created]
        ),
    )


@router.get(
    "/foi/requests/{slug:slug}",
    response={200: FoiRequestDetail, **ERROR_RESPONSES},
    summary="One information request: its steps, legal clock and timeline",
    openapi_extra=PUBLIC,
)
def foi_request_detail(request: HttpRequest, slug: Slug) -> FoiRequestDetail:
    return _detail(request, slug)


@router.get(
    "/foi/requests/{slug:slug}/messages",
    response={200: FoiMessageList, **ERROR_RESPONSES},
    summary="A request's correspondence, oldest first",
    openapi_extra=PUBLIC,
)
def foi_message_list(request: HttpRequest, slug: Slug) -> FoiMessageList:
    """The public copy of each message, with its published attachments."""
    foi = foi_of(request, slug)
    return FoiMessageList(
        items=[FoiMessageOut.from_message(request, foi, m) for m in selectors.request_messages(foi)]
    )


@router.post(
    "/foi/requests/{slug:slug}/messages",
    response={201: FoiMessageOut, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Write to the body (the requester)",
)
def foi_followup_create(
    request: HttpRequest, slug: Slug, payload: FoiFollowupIn
) -> Status[FoiMessageOut]:
    """A follow-up sent by email to whoever handles the current step; while the body waits
    for a clarification, this is it and the clock starts again as the law says."""
    foi = foi_of(request, slug)
    message = services.foi_followup_send(actor=actor_of(request), request=foi, text=payload.text)
    return Status(201, FoiMessageOut.from_message(request, foi, message))


@router.post(
    "/foi/requests/{slug:slug}/classify",
    response={200: FoiRequestDetail, **ERROR_RESPONSES},
    auth=WRITE,
    summary="Say what the latest reply means",
)
def foi_request_classify(
    request: HttpRequest, slug: Slug, payload: FoiClassifyIn
) -> FoiRequestDetail:
    """For the requester, the body's officials and staff; an official's classification is an
    official act, recorded in the ledger."""
    services.foi_request_classify(
        actor=actor_of(request),
        request=foi_of(request, slug),
        classification=payload.classification,
        reason=payload.reason,
        exemptions=payload.exemptions,
    )
    return _detail(request, slug)


# Bodies, laws, figures -------------------------------------------------------------------------


@router.get(
    "/foi/bodies",
    response={200: FoiBodyList, **ERROR_RESPONSES},
    summary="List the bodies that take information requests",
    openapi_extra=PUBLIC,
)
def foi_body_list(request: HttpRequest, params: Query[FoiBodyListParams]) -> FoiBodyList:
    """Public bodies and oversight bodies, by name; `q` keeps those whose name contains it."""
    page = selectors.foi_body_page(query=params.q or "", cursor=params.cursor, limit=params.limit)
    return FoiBodyList(
        items=[FoiBodyOut.from_body(request, o) for o in page.items],
        next=next_link(request, page.next_cursor),
        next_cursor=page.next_cursor,
    )


@router.get(
    "/foi/bodies/{slug:slug}",
    response={200: FoiBodyOut, **ERROR_RESPONSES},
    summary="One body that takes information requests",
    openapi_extra=PUBLIC,
)
def foi_body_detail(request: HttpRequest, slug: Slug) -> FoiBodyOut:
    body = selectors.foi_body_find(slug)
    if body is None:
        raise Http404
    return FoiBodyOut.from_body(request, body)


@router.get(
    "/foi/laws",
    response={200: list[FoiLawOut], **ERROR_RESPONSES},
    summary="The access-to-information laws, with their steps and time limits",
    openapi_extra=PUBLIC,
)
def foi_law_list(request: HttpRequest) -> list[FoiLawOut]:
    return [FoiLawOut.from_law(request, law) for law in selectors.law_list()]


@router.get(
    "/foi/laws/{slug:code}",
    response={200: FoiLawOut, **ERROR_RESPONSES},
    summary="One access-to-information law",
    openapi_extra=PUBLIC,
)
def foi_law_detail(request: HttpRequest, code: LawCode) -> FoiLawOut:
    """Its steps, each with its time limit, extension, pauses, what silence means, the time
    allowed to take it, and the sources the rules come from."""
    law = laws().get(code)
    if law is None:
        raise Http404
    return FoiLawOut.from_law(request, law)


@router.get(
    "/foi/statistics",
    response={200: FoiStatisticsOut, **ERROR_RESPONSES},
    summary="How bodies answer, overall, per body and per law",
    openapi_extra=PUBLIC,
)
def foi_statistics(request: HttpRequest) -> FoiStatisticsOut:
    """The figures of /foi/statistics.json: public requests only; each rate with its Wilson
    95 % interval, and left out (null) below `min_sample` requests."""
    return FoiStatisticsOut(
        min_sample=statistics.MIN_SAMPLE,
        overall=FoiFiguresOut.from_figures(statistics.overall()),
        bodies=[FoiFiguresOut.from_figures(f) for f in statistics.by_body()],
        laws=[FoiFiguresOut.from_figures(f) for f in statistics.by_law()],
    )
