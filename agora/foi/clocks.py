"""Legal clocks: when an answer is due under a law's stage, given what happened so far.

Rules, as the three shipped laws and the EU's Regulation 1182/71 state them:
- the day of the starting event is not counted; a period of n working days ends on the n-th
  working day after it, a period of n months on the same day-number n months later (or on
  the month's last day when that day does not exist), a period of n calendar days n days
  later;
- a pause (waiting for a fee) stops the clock; the days from the pause to the resumption,
  both included (FOIA s.10(2)), are disregarded: the due date moves by those working days
  (working-day clocks) or calendar days (other clocks);
- a restart (clarification received) starts the whole period again from that day;
- an extension adds its period after the due date it extends.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import holidays
from dateutil.easter import easter
from dateutil.relativedelta import relativedelta
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agora.foi.laws import CalendarRule, Duration, Law, Stage, Unit

DAY = datetime.timedelta(days=1)
EventKind = Literal["pause", "resume", "restart", "extend"]
ClockState = Literal["running", "paused", "overdue", "very_overdue", "none"]


class Calendar:
    """Working days under one law: not a Saturday, a Sunday or one of its public holidays."""

    def __init__(self, rule: CalendarRule) -> None:
        self.rule = rule
        self._years: dict[int, frozenset[datetime.date]] = {}

    def holidays_of(self, year: int) -> frozenset[datetime.date]:
        if year not in self._years:
            self._years[year] = self._holidays(year)
        return self._years[year]

    def _holidays(self, year: int) -> frozenset[datetime.date]:
        days: set[datetime.date] = set()
        if self.rule.country:
            for subdivision in self.rule.subdivisions or (None,):
                days |= set(
                    holidays.country_holidays(self.rule.country, subdiv=subdivision, years=year)
                )
        if extra := self.rule.extra_days:
            days |= {datetime.date(year, month, day) for month, day in extra.fixed}
            sunday = easter(year)
            days |= {sunday + offset * DAY for offset in extra.easter}
        return frozenset(days)

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays_of(day.year)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        while not self.is_working_day(day):
            day += DAY
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]: the day of `start` is not counted."""
        count, day = 0, start + DAY
        while day <= end:
            count += self.is_working_day(day)
            day += DAY
        return count

    def add(self, start: datetime.date, duration: Duration) -> datetime.date:
        """The last day of a period of `duration` that starts on the day after `start`."""
        if duration.unit == "working_days":
            end, left = start, duration.amount
            while left:
                end += DAY
                left -= self.is_working_day(end)
        elif duration.unit == "months":
            # relativedelta keeps the day-number and clips to the month's last day.
            end = start + relativedelta(months=duration.amount)
        else:
            end = start + duration.amount * DAY
        end += duration.and_days * DAY
        return self.next_working_day(end) if duration.roll_forward else end

    def elapsed(self, start: datetime.date, end: datetime.date, unit: str) -> int:
        if unit == "working_days":
            return self.working_days_between(start, end)
        return max((end - start).days, 0)


_calendars: dict[str, Calendar] = {}


def calendar_for(law: Law) -> Calendar:
    if law.code not in _calendars:
        _calendars[law.code] = Calendar(law.calendar)
    return _calendars[law.code]


@dataclass(frozen=True)
class ClockEvent:
    kind: EventKind
    on: datetime.date
    reason: str = ""


@dataclass(frozen=True)
class ClockReading:
    stage: Stage
    started: datetime.date
    due: datetime.date | None  # None: this stage has no legal time limit
    very_overdue_on: datetime.date | None
    refusal_on: datetime.date | None  # the day silence becomes a refusal, if it does
    unit: str
    day: int  # units counted so far (pauses excluded)
    of: int  # units allowed, extensions included
    paused_days: int  # calendar days since each pause began, for people to read
    paused_for: str  # the reason of the current pause, "" when running
    extended: bool
    state: ClockState

    def describe(self) -> str:
        """In plain words: "day 14 of 20 working days; paused 3 days for a fee; due 12 March"."""
        if self.due is None:
            return _("no legal time limit; started %(date)s") % {"date": _day(self.started)}
        parts = [_count(self.unit, self.day, self.of)]
        if self.paused_for:
            parts.append(_("paused for %(reason)s") % {"reason": pause_reason(self.paused_for)})
        elif self.paused_days:
            parts.append(
                ngettext("paused %(n)d day", "paused %(n)d days", self.paused_days)
                % {"n": self.paused_days}
            )
        if self.extended:
            parts.append(_("extended"))
        parts.append(_("due %(date)s") % {"date": _day(self.due)})
        if self.state in ("overdue", "very_overdue"):
            parts.append(_("overdue") if self.state == "overdue" else _("long overdue"))
        return "; ".join(parts)


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _count(unit: str, day: int, of: int) -> str:
    if unit == "working_days":
        template = ngettext(
            "day %(day)d of %(of)d working day", "day %(day)d of %(of)d working days", of
        )
    else:
        template = ngettext("day %(day)d of %(of)d day", "day %(day)d of %(of)d days", of)
    return template % {"day": day, "of": of}


def pause_reason(reason: str) -> str:
    names = {"clarification": _("clarification"), "fee": _("a fee")}
    return names.get(reason, reason)


def stage_start(law: Law, received: datetime.date) -> datetime.date:
    """The day a stage's clock starts from (its own day not counted)."""
    if law.receipt_on_working_day:
        return calendar_for(law).next_working_day(received)
    return received


def read_clock(
    law: Law,
    stage: Stage,
    received: datetime.date,
    events: Sequence[ClockEvent] | Iterable[ClockEvent],
    today: datetime.date,
) -> ClockReading:
    """The clock of `stage`, started by a filing received on `received`, as of `today`."""
    calendar = calendar_for(law)
    start = stage_start(law, received)
    ordered = sorted((e for e in events if e.on <= today), key=lambda e: e.on)
    # A restart wipes out everything before it.
    for index in range(len(ordered) - 1, -1, -1):
        if ordered[index].kind == "restart":
            start = stage_start(law, ordered[index].on)
            ordered = ordered[index + 1 :]
            break
    duration = stage.duration
    unit = duration.unit if duration else "calendar_days"
    paused_units = paused_days = 0
    paused_since: datetime.date | None = None
    paused_for = ""
    extensions = 0
    for event in ordered:
        if event.kind == "pause" and paused_since is None:
            paused_since, paused_for = event.on, event.reason
        elif event.kind == "resume" and paused_since is not None:
            paused_units += calendar.elapsed(paused_since - DAY, event.on, unit)
            paused_days += (event.on - paused_since).days
            paused_since, paused_for = None, ""
        elif event.kind == "extend" and stage.extension is not None:
            extensions += 1
    counted_until = paused_since - DAY if paused_since else today
    day = max(calendar.elapsed(start, counted_until, unit) - paused_units, 0)
    if paused_since is not None:
        paused_days += (today - paused_since).days
    if duration is None:
        return ClockReading(
            stage, start, None, None, None, unit, day, 0, paused_days, paused_for, False, "none"
        )
    due = calendar.add(start, duration)
    for _extension in range(extensions):
        assert stage.extension is not None
        due = calendar.add(due, stage.extension)
    of = calendar.elapsed(start, due, unit)
    # A pause moves the due date by its length; while it lasts, as if the clock resumed today.
    held = paused_units + (calendar.elapsed(paused_since - DAY, today, unit) if paused_since else 0)
    if held:
        step: Unit = "working_days" if unit == "working_days" else "calendar_days"
        due = calendar.add(due, Duration(held, step, roll_forward=duration.roll_forward))
    very = calendar.add(due, stage.very_overdue_after) if stage.very_overdue_after else None
    refusal = None
    if stage.silence == "refusal":
        refusal = due
    elif stage.deemed_refusal_after is not None:
        refusal = calendar.add(start, stage.deemed_refusal_after)
    state: ClockState = "running"
    if paused_since is not None:
        state = "paused"
    elif very is not None and today > very:
        state = "very_overdue"
    elif today > due:
        state = "overdue"
    return ClockReading(
        stage=stage,
        started=start,
        due=due,
        very_overdue_on=very,
        refusal_on=refusal,
        unit=unit,
        day=day,
        of=of,
        paused_days=paused_days,
        paused_for=paused_for,
        extended=extensions > 0,
        state=state,
    )


def filing_deadline(law: Law, stage: Stage, opened: datetime.date) -> datetime.date | None:
    """The last day to file `stage`, counted from the day the previous stage ended."""
    if stage.filing_limit is None:
        return None
    return calendar_for(law).add(opened, stage.filing_limit)
