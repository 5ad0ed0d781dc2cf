"""Predicates shared by every app; each app keeps its own in its permissions.py."""

from __future__ import annotations

from typing import Any


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))
