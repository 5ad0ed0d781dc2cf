"""Fair statistics of how bodies answer: rates with their uncertainty, never on tiny samples.

- A request counts for "answered in time" only once it can be judged: answered, or past its
  due date. Requests still inside their legal time are left out, not counted as failures.
- "Refused" counts refusals by silence as well as written ones, among requests with an outcome.
- Every rate comes with its Wilson 95 % interval, and is not shown at all below MIN_SAMPLE:
  two late answers out of three say little about a body.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import statistics as stats
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from agora.accounts.models import Organisation
from agora.foi.choices import Outcome, RequestStatus, StageStatus
from agora.foi.clocks import read_clock
from agora.foi.laws import law, laws
from agora.foi.models import FoiRequest, FoiStage, published
from agora.foi.selectors import clock_events

MIN_SAMPLE = 10
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion (lower, upper), in [0, 1]."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    successes: int
    n: int

    @property
    def shown(self) -> bool:
        return self.n >= MIN_SAMPLE

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.shown else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.successes, self.n) if self.shown else None

    @property
    def percents(self) -> tuple[int, int, int] | None:
        """The rate and its interval in whole per cent, for pages."""
        if self.value is None or self.interval is None:
            return None
        low, high = self.interval
        return (round(100 * self.value), round(100 * low), round(100 * high))

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval or (None, None)
        return {
            "count": self.successes,
            "of": self.n,
            "rate": self.value,
            "ci95_low": low,
            "ci95_high": high,
        }


@dataclass
class Figures:
    key: str
    label: str
    requests: int = 0
    answered_in_time: Rate = Rate(0, 0)
    refused: Rate = Rate(0, 0)
    overdue_now: Rate = Rate(0, 0)
    median_days_to_answer: float | None = None
    appeals: int = 0
    appeal_decisions: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "requests": self.requests,
            "answered_in_time": self.answered_in_time.as_dict(),
            "refused": self.refused.as_dict(),
            "overdue_now": self.overdue_now.as_dict(),
            "median_days_to_answer": self.median_days_to_answer,
            "appeals": self.appeals,
            "appeal_decisions": self.appeal_decisions,
        }


def _first_stage_facts(
    request: FoiRequest, stage: FoiStage, today: datetime.date
) -> dict[str, Any]:
    """When the body's first answer was due, and whether and when it came."""
    law_ = law(request.law_code)
    rule = law_.stage(stage.key)
    closed = stage.status == StageStatus.CLOSED
    until = stage.closed_on if closed and stage.closed_on else today
    reading = read_clock(
        law_, rule, stage.opened_on, clock_events(stage, law_, list(stage.events.all())), until
    )
    answered = closed and not stage.deemed and bool(stage.outcome)
    return {
        "due": reading.due,
        "answered": answered,
        "answered_on": stage.closed_on if answered else None,
        "judgeable": answered or (reading.due is not None and today > reading.due),
        "in_time": answered
        and reading.due is not None
        and stage.closed_on is not None
        and stage.closed_on <= reading.due,
        "overdue_now": not closed
        and reading.due is not None
        and today > reading.due
        and reading.state != "paused",
        "open": not closed,
    }


def figures(
    key: str, label: str, requests: Iterable[FoiRequest], today: datetime.date | None = None
) -> Figures:
    today = today or timezone.localdate()
    total = judged = in_time = with_outcome = refused = open_ = overdue = appeals = 0
    days: list[int] = []
    decisions: Counter[str] = Counter()
    for request in requests:
        if request.status == RequestStatus.WITHDRAWN and not request.outcome:
            continue
        total += 1
        stages = sorted(request.stages.all(), key=lambda s: (s.opened_on, s.pk))
        if not stages:
            continue
        facts = _first_stage_facts(request, stages[0], today)
        judged += facts["judgeable"]
        in_time += facts["in_time"]
        open_ += facts["open"]
        overdue += facts["overdue_now"]
        if facts["answered_on"] is not None:
            days.append((facts["answered_on"] - stages[0].opened_on).days)
        if request.outcome:
            with_outcome += 1
            refused += request.outcome == Outcome.REFUSED
        for stage in stages[1:]:
            appeals += 1
            if stage.decision:
                decisions[stage.decision] += 1
    return Figures(
        key=key,
        label=label,
        requests=total,
        answered_in_time=Rate(in_time, judged),
        refused=Rate(refused, with_outcome),
        overdue_now=Rate(overdue, open_),
        median_days_to_answer=float(stats.median(days)) if len(days) >= MIN_SAMPLE else None,
        appeals=appeals,
        appeal_decisions=dict(decisions),
    )


def _requests() -> QuerySet[FoiRequest]:
    """Statistics are public: only what the public sees counts (no embargoed, no hidden)."""
    return (
        FoiRequest.objects.filter(published())
        .select_related("body")
        .prefetch_related("stages__events")
    )


def by_body(today: datetime.date | None = None) -> list[Figures]:
    groups: dict[int, list[FoiRequest]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for request in _requests():
        groups[request.body_id].append(request)
        names[request.body_id] = (request.body.slug, request.body.name)
    return sorted(
        (figures(names[pk][0], names[pk][1], found, today) for pk, found in groups.items()),
        key=lambda f: f.label.lower(),
    )


def by_law(today: datetime.date | None = None) -> list[Figures]:
    groups: dict[str, list[FoiRequest]] = defaultdict(list)
    for request in _requests():
        groups[request.law_code].append(request)
    return [
        figures(code, law_.label, groups.get(code, []), today)
        for code, law_ in laws().items()
        if code in groups
    ]


def overall(today: datetime.date | None = None) -> Figures:
    return figures("all", "", _requests(), today)


def for_body(organisation: Organisation, today: datetime.date | None = None) -> Figures:
    return figures(
        organisation.slug, organisation.name, _requests().filter(body=organisation), today
    )


@dataclass
class OversightFigures:
    key: str
    label: str
    received: int
    decided: int
    open_cases: int
    median_days_to_decide: float | None
    decisions: dict[str, int]
    followed: Rate


def oversight_figures(today: datetime.date | None = None) -> list[OversightFigures]:
    """Each oversight body's own record: appeals received and decided, how fast, followed."""
    groups: dict[int, list[FoiStage]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    stages = FoiStage.objects.filter(handler__kind="oversight_body").select_related(
        "handler", "request"
    )
    for stage in stages:
        if stage.request.hidden or stage.request.is_embargoed or stage.handler is None:
            continue
        groups[stage.handler_id].append(stage)  # type: ignore[index]
        names[stage.handler.pk] = (stage.handler.slug, stage.handler.name)
    found = []
    for pk, cases in groups.items():
        decided = [c for c in cases if c.decision]
        days = [(c.closed_on - c.opened_on).days for c in decided if c.closed_on is not None]
        with_follow_up = [c for c in decided if c.followed]
        found.append(
            OversightFigures(
                key=names[pk][0],
                label=names[pk][1],
                received=len(cases),
                decided=len(decided),
                open_cases=sum(c.status == StageStatus.OPEN for c in cases),
                median_days_to_decide=float(stats.median(days))
                if len(days) >= MIN_SAMPLE
                else None,
                decisions=dict(Counter(c.decision for c in decided)),
                followed=Rate(
                    sum(c.followed == "followed" for c in with_follow_up), len(with_follow_up)
                ),
            )
        )
    return sorted(found, key=lambda f: f.label.lower())


CSV_COLUMNS = [
    "key",
    "label",
    "requests",
    "answered_in_time",
    "answered_in_time_of",
    "answered_in_time_rate",
    "answered_in_time_ci95_low",
    "answered_in_time_ci95_high",
    "refused",
    "refused_of",
    "refused_rate",
    "refused_ci95_low",
    "refused_ci95_high",
    "overdue_now",
    "overdue_now_of",
    "overdue_now_rate",
    "median_days_to_answer",
    "appeals",
]


def figures_csv(rows: list[dict[str, Any]]) -> str:
    """One line per body; rates below the minimum sample are empty, as on the page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        line: list[Any] = [row["key"], row["label"], row["requests"]]
        for name in ("answered_in_time", "refused"):
            rate = row[name]
            line += [rate["count"], rate["of"], rate["rate"], rate["ci95_low"], rate["ci95_high"]]
        line += [row["overdue_now"]["count"], row["overdue_now"]["of"], row["overdue_now"]["rate"]]
        line += [row["median_days_to_answer"], row["appeals"]]
        writer.writerow(["" if value is None else value for value in line])
    return out.getvalue()
