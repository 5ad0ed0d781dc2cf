"""Demo data: each module registers a loader that builds its part through its services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class DemoReport:
    """What the loaders created, printed at the end of `agora demo`."""

    accounts: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # email, password, role, 2FA secret
    lines: list[str] = field(default_factory=list)


Loader = Callable[[DemoReport], None]
_loaders: list[tuple[int, str, Loader]] = []


def register(name: str, loader: Loader, *, order: int = 100) -> None:
    _loaders.append((order, name, loader))


def loaders() -> list[tuple[str, Loader]]:
    return [(name, loader) for _order, name, loader in sorted(_loaders, key=lambda x: (x[0], x[1]))]
