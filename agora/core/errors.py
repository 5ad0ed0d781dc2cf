"""Exceptions that services raise; the web and API layers turn them into responses."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["BadParameter", "Conflict", "PermissionDenied", "ValidationError"]


class Conflict(Exception):
    """The request is valid but clashes with the current state (a duplicate, a stale edit)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadParameter(Exception):
    """A query parameter that cannot be used (400): which one, why, and the valid choices when
    there are few enough to list."""

    def __init__(self, parameter: str, message: str, choices: list[str] | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.choices = choices or []


def error_message(exc: Exception) -> str:
    """The human-readable text of a service error, for a page message."""
    if isinstance(exc, Conflict | BadParameter):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)
