"""Turns every exception raised under the API into an RFC 9457 problem response."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from agora.core.errors import BadParameter, Conflict
from agora.core.pagination import InvalidCursor
from agora.core.problems import problem_response, too_large
from agora.core.ratelimit import RateLimitExceededError

logger = logging.getLogger(__name__)
JSON_TYPES = ("application/json", "application/merge-patch+json")


class UnsupportedMediaTypeError(Exception):
    pass


class MalformedBodyError(Exception):
    """The body is JSON by its content type but cannot be read; the message says why."""


class JsonOnlyParser(Parser):
    """Bodies are JSON; anything else is refused with 415 rather than misread."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type not in JSON_TYPES and not content_type.endswith("+json"):
            raise UnsupportedMediaTypeError(content_type)
        try:
            data = json.loads(request.body)
        except json.JSONDecodeError as exc:
            raise MalformedBodyError(
                _("The body is not valid JSON (error at line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from exc
        except UnicodeDecodeError as exc:
            raise MalformedBodyError(_("The body is not valid UTF-8 text.")) from exc
        except RecursionError as exc:
            raise MalformedBodyError(_("The body is nested too deeply.")) from exc
        if not isinstance(data, dict):
            raise MalformedBodyError(_("The body must be a JSON object."))
        return data


def _field_message(error: dict[str, Any]) -> str:
    """Pydantic's messages are English only; they are replaced by translated ones here."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "value_error":
        # Our own validators raise translated messages; email-validator's reason is English.
        if "reason" in ctx:
            return _("Enter a valid email address.")
        return str(ctx.get("error", "")) or _("This value is not valid.")
    # A string with validators of its own reports "too_short" (field_type "Value").
    items = ctx.get("field_type") in ("List", "Tuple", "Set", "Dictionary")
    if kind in ("string_too_long", "url_too_long", "too_long"):
        limit = int(ctx.get("max_length", 0))
        if items:
            return ngettext(
                "Enter at most %(max)d item.", "Enter at most %(max)d items.", limit
            ) % {"max": limit}
        return ngettext(
            "Use at most %(max)d character.", "Use at most %(max)d characters.", limit
        ) % {"max": limit}
    if kind in ("string_too_short", "too_short"):
        limit = int(ctx.get("min_length", 0))
        if items:
            return ngettext(
                "Enter at least %(min)d item.", "Enter at least %(min)d items.", limit
            ) % {"min": limit}
        return ngettext(
            "Use at least %(min)d character.", "Use at least %(min)d characters.", limit
        ) % {"min": limit}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a value of at least %(min)s.") % {"min": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a value of at most %(max)s.") % {"max": ctx.get("le", ctx.get("lt"))}
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    date_time = _("Enter a date and time in ISO 8601 format, e.g. 2026-03-12T09:30:00Z.")
    url = _("Enter a valid web address, starting with http:// or https://.")
    messages = {
        "missing": _("This field is required."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "string_pattern_mismatch": _("This value does not have the expected format."),
        "datetime_parsing": date_time,
        "datetime_from_date_parsing": date_time,
        "datetime_type": date_time,
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "url_parsing": url,
        "url_scheme": url,
        "url_type": url,
        "extra_forbidden": _("This field is not accepted here."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter an object."),
        "model_attributes_type": _("Enter an object."),
        "model_type": _("Enter an object."),
        "json_invalid": _("This is not valid JSON."),
    }
    return messages.get(kind) or _("This value is not valid.")


def _field_name(loc: list[Any]) -> str:
    # ninja prefixes the parameter source and, for bodies, the parameter name.
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_problem(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "field": _field_name(list(e.get("loc", []))),
            "message": _field_message(e),
            "code": str(e.get("type", "invalid")),
        }
        for e in exc.errors
    ]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    detail = ngettext(
        "%(count)d value is invalid: %(fields)s.",
        "%(count)d values are invalid: %(fields)s.",
        len(errors),
    ) % {"count": len(errors), "fields": fields}
    return problem_response(request, "validation-error", detail, errors=errors)


def service_validation_problem(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": message, "code": getattr(err, "code", None) or "invalid"}
            for field, error_list in exc.error_dict.items()
            for err in error_list
            for message in err.messages
        ]
    else:
        errors = [{"field": "body", "message": str(m), "code": "invalid"} for m in exc.messages]
    return problem_response(
        request, "validation-error", " ".join(e["message"] for e in errors), errors=errors
    )


def http_error_problem(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError(400) for a body it could not parse, with our error as the cause.
    cause = exc.__cause__
    if isinstance(cause, UnsupportedMediaTypeError):
        return problem_response(
            request,
            "unsupported-media-type",
            _("Send the body as application/json (it was sent as %(type)s).")
            % {"type": str(cause) or _("no content type")},
        )
    if isinstance(cause, RequestDataTooBig):
        return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(cause, MalformedBodyError):
        return problem_response(request, "bad-request", str(cause))
    slug = {
        400: "bad-request",
        401: "authentication-required",
        403: "permission-denied",
        404: "not-found",
        405: "method-not-allowed",
        409: "conflict",
        413: "payload-too-large",
        415: "unsupported-media-type",
        422: "validation-error",
        429: "rate-limited",
    }.get(exc.status_code, "server-error")
    # ninja's own messages are English: the problem type's translated description replaces them.
    response = problem_response(request, slug)
    response.status_code = exc.status_code
    return response


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = exc.message if exc.message != "Unauthorized" else None
    return problem_response(
        request, "authentication-required", detail, headers={"WWW-Authenticate": "Bearer"}
    )


def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = getattr(exc, "message", None) or str(exc)
    return problem_response(
        request, "permission-denied", None if detail == "Forbidden" else detail or None
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(request, "not-found")


def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return problem_response(request, "conflict", exc.message)


def _bad_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    return problem_response(request, "bad-request", str(exc))


def _bad_parameter(request: HttpRequest, exc: BadParameter) -> HttpResponse:
    error: dict[str, Any] = {"field": exc.parameter, "message": exc.message, "code": "invalid"}
    if exc.choices:
        error["choices"] = exc.choices
    return problem_response(request, "bad-request", exc.message, errors=[error])


def _throttled(request: HttpRequest, exc: RateLimitExceededError) -> HttpResponse:
    return problem_response(
        request,
        "rate-limited",
        ngettext(
            "The limit is %(limit)d requests per period; try again in %(seconds)d second.",
            "The limit is %(limit)d requests per period; try again in %(seconds)d seconds.",
            exc.retry_after,
        )
        % {"limit": exc.limit, "seconds": exc.retry_after},
        headers={"Retry-After": str(exc.retry_after)},
    )


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django raises this when reading a body over DATA_UPLOAD_MAX_MEMORY_SIZE.
    return too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API operation %s", request.path)
    return problem_response(request, "server-error")


HANDLERS: list[tuple[type[Exception], Any]] = [
    (Exception, _crash),
    (NinjaValidationError, validation_problem),
    (DjangoValidationError, service_validation_problem),
    (HttpError, http_error_problem),
    (AuthenticationError, _unauthenticated),
    (AuthorizationError, _forbidden),
    (DjangoPermissionDenied, _forbidden),
    (Http404, _not_found),
    (ObjectDoesNotExist, _not_found),
    (Conflict, _conflict),
    (InvalidCursor, _bad_cursor),
    (BadParameter, _bad_parameter),
    (RateLimitExceededError, _throttled),
    (RequestDataTooBig, _too_big),
]


def install_problem_handlers(api: NinjaAPI) -> None:
    for exc_class, handler in HANDLERS:
        api.add_exception_handler(exc_class, handler)
