"""RFC 9457 problem details: the one error format of the API.

Each problem has a stable `type` URI (documented at that address), a translated `title`,
and a translated `detail` for this occurrence; validation problems list field errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: Promise
    description: Promise


_TYPES = [
    ProblemType(
        "bad-request",
        400,
        gettext_lazy("Bad request"),
        gettext_lazy("The request could not be understood: a parameter or the body is malformed."),
    ),
    ProblemType(
        "authentication-required",
        401,
        gettext_lazy("Authentication required"),
        gettext_lazy(
            "This needs a valid API token, sent as 'Authorization: Bearer <token>'. "
            "Create one in your profile."
        ),
    ),
    ProblemType(
        "permission-denied",
        403,
        gettext_lazy("Permission denied"),
        gettext_lazy("You are authenticated but not allowed to do this."),
    ),
    ProblemType(
        "not-found",
        404,
        gettext_lazy("Not found"),
        gettext_lazy("Nothing exists at this address, or it is not visible to you."),
    ),
    ProblemType(
        "method-not-allowed",
        405,
        gettext_lazy("Method not allowed"),
        gettext_lazy(
            "This address does not accept this HTTP method; the Allow header lists those it does."
        ),
    ),
    ProblemType(
        "conflict",
        409,
        gettext_lazy("Conflict"),
        gettext_lazy("The request clashes with the current state of the resource."),
    ),
    ProblemType(
        "payload-too-large",
        413,
        gettext_lazy("Request too large"),
        gettext_lazy("The request body is larger than this server accepts."),
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        gettext_lazy("Unsupported media type"),
        gettext_lazy("The body must be sent as application/json."),
    ),
    ProblemType(
        "validation-error",
        422,
        gettext_lazy("Invalid input"),
        gettext_lazy("One or more fields are invalid; 'errors' says which and why."),
    ),
    ProblemType(
        "rate-limited",
        429,
        gettext_lazy("Too many requests"),
        gettext_lazy(
            "You have sent too many requests; wait for the number of seconds in Retry-After."
        ),
    ),
    ProblemType(
        "server-error",
        500,
        gettext_lazy("Server error"),
        gettext_lazy(
            "Something went wrong on our side. It has been logged; quote the request id if "
            "you report it."
        ),
    ),
    ProblemType(
        "service-unavailable",
        503,
        gettext_lazy("Service unavailable"),
        gettext_lazy("The service is temporarily unavailable; try again shortly."),
    ),
]
PROBLEM_TYPES: dict[str, ProblemType] = {p.slug: p for p in _TYPES}
_BY_STATUS: dict[int, ProblemType] = {p.status: p for p in _TYPES}


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def type_uri(slug: str) -> str:
    return f"{settings.SITE_URL}/api/v1/problems/{slug}"


def problem_response(
    request: HttpRequest,
    slug: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    kind = PROBLEM_TYPES[slug]
    body: dict[str, Any] = {
        "type": type_uri(slug),
        "title": str(kind.title),
        "status": kind.status,
        "detail": detail or str(kind.description),
        "instance": request.path,
        "request_id": getattr(request, "request_id", ""),
    }
    if errors is not None:
        body["errors"] = errors
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=kind.status,
        content_type=CONTENT_TYPE,
        headers=headers,
    )


def too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413, for a body over `limit` bytes (MAX_REQUEST_SIZE unless another limit was hit)."""
    size = filesizeformat(settings.MAX_REQUEST_SIZE if limit is None else limit)
    detail = _("The request body is larger than the limit of %(limit)s.") % {"limit": size}
    if is_api_request(request):
        return problem_response(request, "payload-too-large", detail)
    return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


def from_status(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Rewrites an error that bypassed the API's handlers (a 404 route, a 405) as a problem."""
    kind = _BY_STATUS.get(response.status_code)
    if kind is None:
        kind = PROBLEM_TYPES["server-error" if response.status_code >= 500 else "bad-request"]
    headers = {h: response[h] for h in ("Allow", "Retry-After") if response.has_header(h)}
    detail: str | None = None
    if kind.slug == "method-not-allowed":
        detail = _("%(method)s is not allowed here. Allowed: %(allowed)s.") % {
            "method": request.method,
            "allowed": headers.get("Allow", ""),
        }
    problem = problem_response(request, kind.slug, detail, headers=headers)
    problem.status_code = response.status_code
    return problem
