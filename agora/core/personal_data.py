"""What each module holds about a person: exported on request, erased on account deletion.

Modules register an exporter (returns JSON-serialisable data the user created) and an
eraser (removes what is personal, keeps public records under the account's pseudonym).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register(section: str, *, exporter: Exporter, eraser: Eraser | None = None) -> None:
    _exporters[section] = exporter
    if eraser is not None:
        _erasers[section] = eraser


def export_all(user: AbstractBaseUser) -> dict[str, Any]:
    return {section: exporter(user) for section, exporter in sorted(_exporters.items())}


def erase_all(user: AbstractBaseUser) -> None:
    for eraser in _erasers.values():
        eraser(user)
