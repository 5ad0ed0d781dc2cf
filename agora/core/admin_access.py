from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest

from agora.core.permissions import is_staff


def admin_requires_two_factor(request: HttpRequest) -> bool:
    """Django's admin opens only to active staff who sign in with a second factor."""
    return is_staff(request.user) and is_mfa_enabled(request.user)
