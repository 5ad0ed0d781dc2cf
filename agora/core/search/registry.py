from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class SearchDocument:
    kind: str
    key: str
    url: str
    title: str
    body: str = ""
    summary: str = ""


class SearchProvider(Protocol):
    kind: str
    label: StrOrPromise

    def documents(self) -> Iterable[SearchDocument]:
        """Every public document of this kind, for a full rebuild."""
        ...


_providers: dict[str, SearchProvider] = {}


def register(provider: SearchProvider) -> SearchProvider:
    _providers[provider.kind] = provider
    return provider


def providers() -> dict[str, SearchProvider]:
    return dict(_providers)
