"""The modules a visitor can enter from the home page; each app registers its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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


# Links an app adds to an organisation's page, e.g. to the body's page in the FOI directory.
# Each function gets the organisation and returns (label, url), or None when it has nothing.
OrganisationLink = Callable[[Any], tuple["StrOrPromise", str] | None]
_organisation_links: list[OrganisationLink] = []


def register_organisation_link(link: OrganisationLink) -> None:
    if link not in _organisation_links:
        _organisation_links.append(link)


def organisation_links(organisation: Any) -> list[tuple[StrOrPromise, str]]:
    return [found for link in _organisation_links if (found := link(organisation)) is not None]
