from __future__ import annotations

import pytest

from agora.core import ratelimit


class Clock:
    """Stands in for the wall clock of the rate limiter, so windows do not turn mid-test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # 15 s into a minute (and into an hour, and a day): Retry-After is predictable.
    fake = Clock(1_767_225_600 + 15)
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake
