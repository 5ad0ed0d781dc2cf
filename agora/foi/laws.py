"""Access-to-information laws as data: each law is a chain of stages with their clocks.

A law lives in one JSON file in `law_data/` (and in `FOI_EXTRA_LAWS_DIR` when set), which
cites its sources; the code only knows how to read the data and run the clocks, so a new law
is a reviewed data file, not new code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.utils import translation

Unit = Literal["calendar_days", "working_days", "months"]
Silence = Literal["refusal", "none"]
Handler = Literal["body", "oversight", "court"]
StageKind = Literal["request", "review", "oversight", "court"]
PauseEffect = Literal["resume", "restart"]

UNITS: tuple[str, ...] = ("calendar_days", "working_days", "months")
LAW_DATA = Path(__file__).with_name("law_data")


class LawDataError(ValueError):
    """A law file that does not describe a law: names the file and what is wrong."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit
    and_days: int = 0  # calendar days on top (the EU courts' ten days on account of distance)
    roll_forward: bool = False  # a period ending on a non-working day runs to the next one


@dataclass(frozen=True)
class Stage:
    key: str
    kind: StageKind
    handled_by: Handler
    title: dict[str, str]
    duration: Duration | None  # None: no legal time limit for an answer
    extension: Duration | None
    pauses: dict[str, PauseEffect]  # reason -> what happens when the reason is resolved
    silence: Silence
    deemed_refusal_after: Duration | None  # when silence is refusal after other than duration
    very_overdue_after: Duration | None
    filing_limit: Duration | None  # time allowed to file this stage after the previous one
    next: tuple[str, ...]
    letter: str | None

    @property
    def label(self) -> str:
        return _localised(self.title)


@dataclass(frozen=True)
class ExtraDays:
    fixed: tuple[tuple[int, int], ...]  # (month, day) every year
    easter: tuple[int, ...]  # days from Western Easter Sunday


@dataclass(frozen=True)
class CalendarRule:
    country: str | None
    subdivisions: tuple[str, ...]
    extra_days: ExtraDays | None


@dataclass(frozen=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True)
class Law:
    code: str
    title: dict[str, str]
    short_title: dict[str, str]
    jurisdiction: str
    calendar: CalendarRule
    receipt_on_working_day: bool  # a request received on a non-working day counts from the next
    sources: tuple[Source, ...]
    stages: tuple[Stage, ...]

    @property
    def label(self) -> str:
        return _localised(self.short_title)

    @property
    def full_title(self) -> str:
        return _localised(self.title)

    def stage(self, key: str) -> Stage:
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    @property
    def first_stage(self) -> Stage:
        return self.stages[0]


def _localised(texts: dict[str, str]) -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()))


def _duration(data: Any, where: str) -> Duration | None:
    if data is None:
        return None
    if not isinstance(data, dict) or data.get("unit") not in UNITS:
        raise LawDataError(f"{where}: a duration needs an amount and a unit among {UNITS}")
    amount, and_days = data.get("amount"), data.get("and_days", 0)
    if not isinstance(amount, int) or amount < 0 or not isinstance(and_days, int):
        raise LawDataError(f"{where}: the amount must be a whole number of {data['unit']}")
    return Duration(amount, data["unit"], and_days, bool(data.get("roll_forward", False)))


def _stage(data: dict[str, Any], where: str) -> Stage:
    key = data.get("key")
    if not isinstance(key, str) or not key:
        raise LawDataError(f"{where}: each stage needs a key")
    where = f"{where}, stage {key}"
    pauses = data.get("pauses") or {}
    if any(effect not in ("resume", "restart") for effect in pauses.values()):
        raise LawDataError(f"{where}: a pause ends with 'resume' or 'restart'")
    if data.get("silence") not in ("refusal", "none"):
        raise LawDataError(f"{where}: silence is 'refusal' or 'none'")
    if data.get("handled_by") not in ("body", "oversight", "court"):
        raise LawDataError(f"{where}: handled_by is 'body', 'oversight' or 'court'")
    if data.get("kind") not in ("request", "review", "oversight", "court"):
        raise LawDataError(f"{where}: kind is 'request', 'review', 'oversight' or 'court'")
    return Stage(
        key=key,
        kind=data["kind"],
        handled_by=data["handled_by"],
        title=dict(data["title"]),
        duration=_duration(data.get("duration"), f"{where}, duration"),
        extension=_duration(data.get("extension"), f"{where}, extension"),
        pauses=dict(pauses),
        silence=data["silence"],
        deemed_refusal_after=_duration(data.get("deemed_refusal_after"), f"{where}, refusal"),
        very_overdue_after=_duration(data.get("very_overdue_after"), f"{where}, very overdue"),
        filing_limit=_duration(data.get("filing_limit"), f"{where}, filing limit"),
        next=tuple(data.get("next") or ()),
        letter=data.get("letter"),
    )


def law_from_data(data: dict[str, Any], where: str = "law") -> Law:
    try:
        stages = tuple(_stage(stage, where) for stage in data["stages"])
        calendar = data["calendar"]
        extra = calendar.get("extra_days")
        law = Law(
            code=data["code"],
            title=dict(data["title"]),
            short_title=dict(data["short_title"]),
            jurisdiction=data["jurisdiction"],
            calendar=CalendarRule(
                country=calendar.get("country"),
                subdivisions=tuple(calendar.get("subdivisions") or ()),
                extra_days=ExtraDays(
                    fixed=tuple((int(day[:2]), int(day[3:])) for day in extra.get("fixed", ())),
                    easter=tuple(int(offset) for offset in extra.get("easter", ())),
                )
                if extra
                else None,
            ),
            receipt_on_working_day=bool(data.get("receipt_on_working_day", False)),
            sources=tuple(Source(s["title"], s["url"]) for s in data["sources"]),
            stages=stages,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise LawDataError(f"{where}: missing or malformed {error}") from error
    keys = {stage.key for stage in stages}
    if len(keys) != len(stages) or not stages:
        raise LawDataError(f"{where}: stage keys must be present and unique")
    for stage in stages:
        if unknown := set(stage.next) - keys:
            raise LawDataError(f"{where}: stage {stage.key} leads to unknown {sorted(unknown)}")
    if not law.sources:
        raise LawDataError(f"{where}: a law cites its sources")
    return law


def _files() -> list[Path]:
    folders = [LAW_DATA]
    if extra := getattr(settings, "FOI_EXTRA_LAWS_DIR", ""):
        folders.append(Path(extra))
    return sorted(path for folder in folders for path in folder.glob("*.json"))


@cache
def laws() -> dict[str, Law]:
    found: dict[str, Law] = {}
    for path in _files():
        law = law_from_data(json.loads(path.read_text(encoding="utf-8")), path.name)
        found[law.code] = law
    return found


def law(code: str) -> Law:
    return laws()[code]


def law_choices() -> list[tuple[str, str]]:
    return [(code, law.label) for code, law in laws().items()]
