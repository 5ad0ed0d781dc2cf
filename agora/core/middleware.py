"""Cross-cutting HTTP behaviour: request ids, security headers, size limits, API errors."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from agora.core import problems
from agora.core.logging import request_id_var
from agora.core.uploads import upload_limit

Handler = Callable[[HttpRequest], HttpResponse]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives every request an id (a trusted proxy's, if well-formed) for logs and responses."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # read by problems
        # Left set after the response: Django logs 4xx/5xx after the middleware chain returns.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


access_logger = logging.getLogger("agora.access")

# Path segments that carry secrets (allauth's email-confirmation and password-reset keys).
_SECRET_IN_PATH = re.compile(r"(/confirm-email/|/password/reset/key/)[^/]+")


def loggable_path(path: str) -> str:
    """The path without the secrets some links carry; query strings are never logged."""
    return _SECRET_IN_PATH.sub(r"\1…", path)


class AccessLogMiddleware:
    """One log line per request: method, path (secrets removed), status, duration."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        access_logger.info(
            "%s %s %s %.1fms",
            request.method,
            loggable_path(request.path),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RequestSizeLimitMiddleware:
    """Refuses a declared body over the limit before anything reads it: MAX_REQUEST_SIZE
    everywhere, MAX_UPLOAD_SIZE on the upload addresses modules register."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = upload_limit(request.path) or settings.MAX_REQUEST_SIZE
        if length > limit:
            # This runs before LocaleMiddleware: answer in the language asked for all the same.
            with translation.override(translation.get_language_from_request(request)):
                return problems.too_large(request, limit)
        return self.get_response(request)


class ApiProblemMiddleware:
    """Makes every API error a problem+json document, whichever layer produced it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            problems.is_api_request(request)
            and response.status_code >= 400
            and response.get("Content-Type", "") != problems.CONTENT_TYPE
        ):
            return problems.from_status(request, response)
        return response
