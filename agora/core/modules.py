"""The modules a visitor can enter from the home page; each app registers its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Module:
    key: str
    title: StrOrPromise
    description: StrOrPromise
    url_name: str
    count: Callable[[], int]
    count_label: StrOrPromise
    order: int = 100


_modules: dict[str, Module] = {}


def register(module: Module) -> None:
    _modules[module.key] = module


def modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda m: (m.order, m.key))
