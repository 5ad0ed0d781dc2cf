from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from agora.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    """Sign-up keeps the public name and the language the visitor was using."""

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"].strip()
        user.preferred_language = translation.get_language() or ""
        if commit:
            user.save()
        return user


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in attempt targets, for login throttling: allauth authenticates
    with `email=`, while its form field is `login`."""
    credentials = credentials or {}
    login = credentials.get("email") or credentials.get("username") or request.POST.get("login")
    return str(login).strip().lower() if login else None
