"""Who is calling the API: a personal token, the browser session, or nobody.

Every operation runs `ApiAuth`; anonymous callers pass as AnonymousUser, so public
operations need no special case and the rate limit always knows whom to count.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from agora.accounts.choices import TokenScope
from agora.accounts.permissions import lacks_required_second_factor
from agora.accounts.services import api_token_authenticate
from agora.core.ratelimit import check_rate_limit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiAuth(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "A personal API token, created in your profile (Authorization: Bearer)."

    def __init__(self, *, required: bool = False) -> None:
        self.required = required
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        # Identify first, then count the call against whoever it is; a failed
        # identification is counted against the address it came from.
        try:
            return self.identify(request)
        finally:
            check_rate_limit(request)

    def identify(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, secret = header.partition(" ")
            token = api_token_authenticate(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                raise AuthenticationError(
                    401, _("The API token is missing, malformed, expired or revoked.")
                )
            if request.method not in SAFE_METHODS and not token.allows(TokenScope.WRITE):
                raise AuthorizationError(
                    403, _("This token can only read; create one with the write scope.")
                )
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]  # read by the rate limit
            _require_second_factor_for_writes(request, token.user)
            return token.user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.method not in SAFE_METHODS:
                csrf_error = check_csrf(request)
                if csrf_error:
                    raise AuthorizationError(
                        403, _("The CSRF check failed: send the CSRF token, or use an API token.")
                    )
            _require_second_factor_for_writes(request, user)
            return user
        if self.required:
            raise AuthenticationError(401, _("Sign in or send an API token to use this."))
        request.user = AnonymousUser()
        return request.user


def _require_second_factor_for_writes(request: HttpRequest, user: Any) -> None:
    """Those who act for an organisation must have two-factor authentication set up, through
    the API as in the pages, before they change anything."""
    if request.method not in SAFE_METHODS and lacks_required_second_factor(user):
        raise AuthorizationError(
            403, _("Your role requires two-factor authentication: set it up in your profile first.")
        )
