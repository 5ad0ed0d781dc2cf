"""Legal clocks, pinned: every expected date below was counted by hand from the legal rule.

How the dates were worked out (none of them comes from running the code):
- UK, FOIA 2000 s.10: the 20th working day after the date of receipt; a request received on a
  non-working day is received on the next working day; working days exclude weekends and the
  bank holidays of England, Wales, Scotland and Northern Ireland together (2 January and
  St Andrew's day for Scotland, 17 March and 12 July for Northern Ireland, with substitutes);
  s.10(2) disregards the working days from the day the fees notice is given to the day the fee
  is received, both included.
- France, CRPA: one month for the body (31 January + 1 month = the month's last day); CADA
  referral and court within two months, rolled forward to the next working day when the period
  ends on a Saturday, a Sunday or a French public holiday (CPC art. 642); the CADA's silence
  confirms the refusal two months after the referral is registered.
- EU, Regulation 1049/2001 and Regulation 1182/71: 15 working days from registration (a request
  received on a holiday is registered on the next working day), extension by 15 more; the
  institutions' holidays are the ones the law file lists; the General Court limit is two months
  plus ten days, rolled forward to the next working day.
"""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from django.utils import translation

from agora.foi.clocks import ClockEvent, filing_deadline, read_clock
from agora.foi.laws import LAW_DATA, Law, LawDataError, law, law_from_data, laws

D = datetime.date
LATER = D(2031, 1, 1)  # "today" far after every due date, when only dates are checked

GB, FR, EU = "gb-foia", "fr-crpa", "eu-1049-2001"


def reading(code: str, stage: str, received: D, events=(), today: D = LATER):
    law_ = law(code)
    return read_clock(law_, law_.stage(stage), received, list(events), today)


def pause(on: D, reason: str) -> ClockEvent:
    return ClockEvent("pause", on, reason)


def resume(on: D) -> ClockEvent:
    return ClockEvent("resume", on)


def restart(on: D) -> ClockEvent:
    return ClockEvent("restart", on)


def extend(on: D) -> ClockEvent:
    return ClockEvent("extend", on)


# --- UK: 20 working days, no events -------------------------------------------------------

UK_REQUESTS = [
    # received, due
    pytest.param(D(2027, 2, 1), D(2027, 3, 1), id="uk-plain"),
    pytest.param(D(2027, 2, 6), D(2027, 3, 8), id="uk-saturday-receipt"),
    pytest.param(D(2027, 3, 29), D(2027, 4, 27), id="uk-easter-monday-receipt"),
    pytest.param(D(2027, 3, 26), D(2027, 4, 27), id="uk-good-friday-receipt"),
    pytest.param(D(2027, 3, 15), D(2027, 4, 15), id="uk-ni-17mar-easter-2027"),
    pytest.param(D(2028, 4, 3), D(2028, 5, 4), id="uk-easter-2028-may-day"),
    pytest.param(D(2027, 12, 15), D(2028, 1, 18), id="uk-xmas-2027-substitutes"),
    pytest.param(D(2026, 12, 18), D(2027, 1, 21), id="uk-xmas-2026-sct-4jan"),
    pytest.param(D(2025, 12, 22), D(2026, 1, 23), id="uk-sct-2jan-2026"),
    pytest.param(D(2027, 1, 2), D(2027, 2, 2), id="uk-sct-2jan-receipt"),
    pytest.param(D(2028, 1, 1), D(2028, 2, 2), id="uk-new-year-2028-receipt"),
    pytest.param(D(2025, 11, 14), D(2025, 12, 15), id="uk-st-andrew-sub-2025"),
    pytest.param(D(2026, 11, 16), D(2026, 12, 15), id="uk-st-andrew-2026"),
    pytest.param(D(2027, 11, 22), D(2027, 12, 21), id="uk-st-andrew-2027"),
    pytest.param(D(2027, 6, 28), D(2027, 7, 27), id="uk-ni-12jul-2027"),
    pytest.param(D(2026, 6, 29), D(2026, 7, 28), id="uk-ni-12jul-sub-2026"),
    pytest.param(D(2028, 3, 6), D(2028, 4, 4), id="uk-ni-17mar-2028"),
    pytest.param(D(2028, 2, 7), D(2028, 3, 6), id="uk-leap-2028"),
    pytest.param(D(2027, 7, 19), D(2027, 8, 17), id="uk-sct-summer-2027"),
    pytest.param(D(2027, 4, 26), D(2027, 5, 25), id="uk-may-day-2027"),
]


@pytest.mark.parametrize(("received", "due"), UK_REQUESTS)
def test_uk_request_due(received: D, due: D) -> None:
    clock = reading(GB, "request", received)
    assert clock.due == due
    assert clock.of == 20
    assert clock.refusal_on is None  # silence is not a refusal under FOIA


def test_uk_internal_review_over_year_end() -> None:
    # Dec 2,3,6-10,13-17,20-24,29,30,31 = 20 (27 and 28 December are substitutes).
    clock = reading(GB, "internal_review", D(2027, 12, 1))
    assert clock.due == D(2027, 12, 31)


# --- France: one month, no events ---------------------------------------------------------

FR_REQUESTS = [
    # received, due (= the day silence becomes a refusal)
    pytest.param(D(2027, 1, 31), D(2027, 2, 28), id="fr-31jan-2027"),
    pytest.param(D(2027, 1, 30), D(2027, 2, 28), id="fr-30jan-2027"),
    pytest.param(D(2028, 1, 31), D(2028, 2, 29), id="fr-31jan-leap-2028"),
    pytest.param(D(2028, 2, 29), D(2028, 3, 29), id="fr-29feb-2028"),
    pytest.param(D(2027, 3, 31), D(2027, 4, 30), id="fr-31mar"),
    pytest.param(D(2027, 8, 31), D(2027, 9, 30), id="fr-31aug"),
    pytest.param(D(2027, 12, 15), D(2028, 1, 15), id="fr-year-end"),
    pytest.param(D(2027, 12, 31), D(2028, 1, 31), id="fr-31dec"),
    pytest.param(D(2027, 5, 1), D(2027, 6, 1), id="fr-received-1may"),
]


@pytest.mark.parametrize(("received", "due"), FR_REQUESTS)
def test_fr_request_due(received: D, due: D) -> None:
    clock = reading(FR, "request", received)
    assert clock.started == received  # no move to a working day under the CRPA
    assert clock.due == due
    assert clock.refusal_on == due
    assert clock.of == (due - received).days


CADA_REFUSALS = [
    # referral registered, opinion due (1 month), refusal confirmed (2 months)
    pytest.param(D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), id="cada-31jan"),
    pytest.param(D(2027, 12, 31), D(2028, 1, 31), D(2028, 2, 29), id="cada-31dec-leap"),
    pytest.param(D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28), id="cada-31dec-no-leap"),
    pytest.param(D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31), id="cada-31mar"),
]


@pytest.mark.parametrize(("registered", "due", "refusal"), CADA_REFUSALS)
def test_fr_cada_deemed_refusal(registered: D, due: D, refusal: D) -> None:
    clock = reading(FR, "cada", registered)
    assert clock.due == due
    assert clock.refusal_on == refusal


# --- EU: 15 working days, no events -------------------------------------------------------

EU_REQUESTS = [
    # received, registered (clock start), due
    pytest.param(D(2027, 2, 1), D(2027, 2, 1), D(2027, 2, 22), id="eu-plain"),
    pytest.param(D(2027, 2, 6), D(2027, 2, 8), D(2027, 3, 1), id="eu-saturday-receipt"),
    pytest.param(D(2027, 3, 15), D(2027, 3, 15), D(2027, 4, 8), id="eu-easter-2027"),
    pytest.param(D(2027, 3, 26), D(2027, 3, 30), D(2027, 4, 20), id="eu-good-friday-receipt"),
    pytest.param(D(2028, 4, 3), D(2028, 4, 3), D(2028, 4, 27), id="eu-easter-2028"),
    pytest.param(D(2028, 5, 9), D(2028, 5, 10), D(2028, 6, 2), id="eu-9may-receipt"),
    pytest.param(D(2027, 4, 26), D(2027, 4, 26), D(2027, 5, 20), id="eu-ascension-2027"),
    pytest.param(D(2028, 5, 22), D(2028, 5, 22), D(2028, 6, 15), id="eu-ascension-whit-2028"),
    pytest.param(D(2027, 12, 13), D(2027, 12, 13), D(2028, 1, 11), id="eu-year-end"),
    pytest.param(D(2027, 12, 27), D(2028, 1, 3), D(2028, 1, 24), id="eu-winter-break-receipt"),
    pytest.param(D(2025, 12, 31), D(2026, 1, 5), D(2026, 1, 26), id="eu-31dec-receipt"),
    pytest.param(D(2028, 2, 14), D(2028, 2, 14), D(2028, 3, 6), id="eu-leap-2028"),
    pytest.param(D(2027, 2, 15), D(2027, 2, 15), D(2027, 3, 8), id="eu-no-leap-2027"),
    pytest.param(D(2028, 10, 23), D(2028, 10, 23), D(2028, 11, 14), id="eu-1nov-2028"),
]


@pytest.mark.parametrize(("received", "registered", "due"), EU_REQUESTS)
def test_eu_request_due(received: D, registered: D, due: D) -> None:
    clock = reading(EU, "request", received)
    assert clock.started == registered
    assert clock.due == due
    assert clock.refusal_on == due  # silence entitles a confirmatory application
    assert clock.of == 15


# --- pauses, restarts and extensions ------------------------------------------------------

WITH_EVENTS = [
    # law, stage, received, events, started, due, of, extended
    pytest.param(
        GB, "request", D(2027, 2, 1), [extend(D(2027, 2, 20))],
        D(2027, 2, 1), D(2027, 4, 1), 40, True, id="uk-extension-easter",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [pause(D(2027, 2, 6), "fee"), resume(D(2027, 2, 12))],
        D(2027, 2, 1), D(2027, 3, 8), 20, False, id="uk-fee-notice-saturday",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [pause(D(2027, 2, 8), "fee"), resume(D(2027, 2, 15))],
        D(2027, 2, 1), D(2027, 3, 9), 20, False, id="uk-fee-notice-weekday",  # s.10(2): the notice day is disregarded too
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1),
        [pause(D(2027, 2, 6), "fee"), resume(D(2027, 2, 12)), extend(D(2027, 2, 20))],
        D(2027, 2, 1), D(2027, 4, 8), 40, True, id="uk-fee-and-extension",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1),
        [pause(D(2027, 2, 3), "clarification"), restart(D(2027, 2, 13))],
        D(2027, 2, 15), D(2027, 3, 15), 20, False, id="uk-clarified-saturday",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1),
        [pause(D(2027, 2, 3), "clarification"), restart(D(2027, 3, 10))],
        D(2027, 3, 10), D(2027, 4, 12), 20, False, id="uk-clarified-before-easter",
    ),
    pytest.param(
        FR, "request", D(2027, 3, 10),
        [pause(D(2027, 3, 15), "clarification"), restart(D(2027, 4, 20))],
        D(2027, 4, 20), D(2027, 5, 20), 30, False, id="fr-clarified",
    ),
    pytest.param(
        FR, "request", D(2027, 3, 10),
        [pause(D(2027, 3, 15), "clarification"), restart(D(2027, 5, 2))],
        D(2027, 5, 2), D(2027, 6, 2), 31, False, id="fr-clarified-sunday",
    ),
    pytest.param(
        FR, "request", D(2028, 1, 10),
        [pause(D(2028, 1, 12), "clarification"), restart(D(2028, 1, 31))],
        D(2028, 1, 31), D(2028, 2, 29), 29, False, id="fr-clarified-31jan-leap",
    ),
    pytest.param(
        FR, "request", D(2027, 3, 10), [extend(D(2027, 3, 20))],
        D(2027, 3, 10), D(2027, 4, 10), 31, False, id="fr-no-extension",
    ),
    pytest.param(
        EU, "request", D(2027, 2, 1), [extend(D(2027, 2, 15))],
        D(2027, 2, 1), D(2027, 3, 15), 30, True, id="eu-15-plus-15",
    ),
    pytest.param(
        EU, "request", D(2028, 3, 20), [extend(D(2028, 4, 5))],
        D(2028, 3, 20), D(2028, 5, 5), 30, True, id="eu-15-plus-15-easter-2028",
    ),
    pytest.param(
        EU, "request", D(2027, 2, 1),
        [pause(D(2027, 2, 3), "clarification"), restart(D(2027, 2, 13))],
        D(2027, 2, 15), D(2027, 3, 8), 15, False, id="eu-clarified-saturday",
    ),
    pytest.param(
        EU, "request", D(2027, 4, 20),
        [pause(D(2027, 4, 22), "clarification"), restart(D(2027, 5, 6))],
        D(2027, 5, 10), D(2027, 6, 1), 15, False, id="eu-clarified-ascension",
    ),
    pytest.param(
        EU, "confirmatory", D(2027, 12, 20), [],
        D(2027, 12, 20), D(2028, 1, 18), 15, False, id="eu-confirmatory-xmas",
    ),
    pytest.param(
        EU, "confirmatory", D(2027, 12, 20), [extend(D(2028, 1, 10))],
        D(2027, 12, 20), D(2028, 2, 8), 30, True, id="eu-confirmatory-extended",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "stage", "received", "events", "started", "due", "of", "extended"), WITH_EVENTS
)
def test_due_with_events(
    code: str,
    stage: str,
    received: D,
    events: list[ClockEvent],
    started: D,
    due: D,
    of: int,
    extended: bool,
) -> None:
    clock = reading(code, stage, received, events)
    assert clock.due == due
    assert clock.started == started
    assert clock.of == of
    assert clock.extended is extended


# --- filing limits ------------------------------------------------------------------------

FILING = [
    # law, stage, opened (previous stage ended), last day to file
    pytest.param(GB, "request", D(2027, 3, 10), None, id="uk-request-none"),
    pytest.param(GB, "internal_review", D(2027, 3, 10), D(2027, 5, 11), id="uk-review-40wd"),
    pytest.param(GB, "internal_review", D(2027, 11, 15), D(2028, 1, 17), id="uk-review-xmas"),
    pytest.param(GB, "ico", D(2027, 5, 11), D(2027, 6, 22), id="uk-ico-6-weeks"),
    pytest.param(GB, "tribunal", D(2027, 6, 1), D(2027, 6, 29), id="uk-tribunal-28d"),
    pytest.param(
        GB, "tribunal", D(2027, 6, 5), D(2027, 7, 5), id="uk-tribunal-28d-saturday",
    ),
    pytest.param(FR, "request", D(2027, 3, 10), None, id="fr-request-none"),
    pytest.param(FR, "cada", D(2027, 1, 31), D(2027, 3, 31), id="fr-cada-31jan"),
    pytest.param(FR, "cada", D(2027, 3, 1), D(2027, 5, 3), id="fr-cada-1may-sat"),
    pytest.param(FR, "cada", D(2027, 3, 8), D(2027, 5, 10), id="fr-cada-8may-sat"),
    pytest.param(FR, "cada", D(2027, 3, 6), D(2027, 5, 7), id="fr-cada-ascension"),
    pytest.param(FR, "cada", D(2027, 3, 17), D(2027, 5, 18), id="fr-cada-whit-monday"),
    pytest.param(FR, "cada", D(2027, 1, 29), D(2027, 3, 30), id="fr-cada-easter-2027"),
    pytest.param(FR, "cada", D(2028, 2, 17), D(2028, 4, 18), id="fr-cada-easter-2028"),
    pytest.param(FR, "cada", D(2027, 10, 25), D(2027, 12, 27), id="fr-cada-xmas-sat"),
    pytest.param(FR, "cada", D(2027, 11, 1), D(2028, 1, 3), id="fr-cada-new-year-sat"),
    pytest.param(FR, "cada", D(2027, 12, 31), D(2028, 2, 29), id="fr-cada-leap"),
    pytest.param(FR, "cada", D(2026, 12, 31), D(2027, 3, 1), id="fr-cada-28feb-sunday"),
    pytest.param(FR, "cada", D(2027, 5, 14), D(2027, 7, 15), id="fr-cada-14jul"),
    pytest.param(FR, "cada", D(2027, 6, 15), D(2027, 8, 16), id="fr-cada-15aug-sunday"),
    pytest.param(FR, "court", D(2027, 9, 1), D(2027, 11, 2), id="fr-court-toussaint"),
    pytest.param(FR, "court", D(2027, 9, 11), D(2027, 11, 12), id="fr-court-armistice"),
    pytest.param(EU, "request", D(2027, 3, 10), None, id="eu-request-none"),
    pytest.param(EU, "confirmatory", D(2027, 4, 26), D(2027, 5, 20), id="eu-confirm-15wd"),
    pytest.param(EU, "confirmatory", D(2027, 12, 24), D(2028, 1, 21), id="eu-confirm-xmas"),
    pytest.param(EU, "general_court", D(2027, 10, 20), D(2028, 1, 3), id="eu-court-xmas"),
    pytest.param(EU, "general_court", D(2027, 12, 31), D(2028, 3, 10), id="eu-court-leap"),
    pytest.param(EU, "general_court", D(2026, 12, 31), D(2027, 3, 10), id="eu-court-no-leap"),
    pytest.param(EU, "general_court", D(2027, 1, 18), D(2027, 3, 30), id="eu-court-easter"),
    pytest.param(EU, "general_court", D(2028, 2, 5), D(2028, 4, 18), id="eu-court-easter-28"),
    pytest.param(EU, "general_court", D(2027, 2, 27), D(2027, 5, 10), id="eu-court-ascension"),
    pytest.param(EU, "ombudsman", D(2027, 3, 31), D(2029, 4, 3), id="eu-ombudsman-easter-29"),
    pytest.param(EU, "ombudsman", D(2028, 2, 29), D(2030, 2, 28), id="eu-ombudsman-29feb"),
    pytest.param(EU, "ombudsman", D(2026, 2, 28), D(2028, 2, 28), id="eu-ombudsman-28feb"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "stage", "opened", "deadline"), FILING)
def test_filing_deadline(code: str, stage: str, opened: D, deadline: D | None) -> None:
    law_ = law(code)
    assert filing_deadline(law_, law_.stage(stage), opened) == deadline


# --- states and counters ------------------------------------------------------------------

STATES = [
    # law, received, events, today, state, day, of, due, very overdue on
    pytest.param(
        GB, D(2027, 2, 1), [], D(2027, 2, 19), "running", 14, 20, D(2027, 3, 1), D(2027, 4, 1),
        id="uk-day-14",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [], D(2027, 3, 1), "running", 20, 20, D(2027, 3, 1), D(2027, 4, 1),
        id="uk-due-today",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [], D(2027, 3, 2), "overdue", 21, 20, D(2027, 3, 1), D(2027, 4, 1),
        id="uk-overdue",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [], D(2027, 4, 1), "overdue", 40, 20, D(2027, 3, 1), D(2027, 4, 1),
        id="uk-last-overdue-day",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [], D(2027, 4, 2), "very_overdue", 41, 20, D(2027, 3, 1),
        D(2027, 4, 1), id="uk-very-overdue",
    ),
    pytest.param(
        GB, D(2027, 2, 6), [], D(2027, 2, 8), "running", 0, 20, D(2027, 3, 8), D(2027, 4, 8),
        id="uk-saturday-day-0",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [pause(D(2027, 2, 6), "fee")], D(2027, 2, 10), "paused", 4, 20,
        D(2027, 3, 4), D(2027, 4, 6), id="uk-paused-fee",
    ),
    pytest.param(
        GB, D(2027, 2, 1), [pause(D(2027, 2, 6), "fee")], D(2027, 4, 20), "paused", 4, 20,
        None, None, id="uk-paused-beats-overdue",
    ),
    pytest.param(
        FR, D(2027, 1, 31), [], D(2027, 2, 28), "running", 28, 28, D(2027, 2, 28),
        D(2027, 3, 28), id="fr-due-today",
    ),
    pytest.param(
        FR, D(2027, 1, 31), [], D(2027, 3, 1), "overdue", 29, 28, D(2027, 2, 28),
        D(2027, 3, 28), id="fr-overdue",
    ),
    pytest.param(
        FR, D(2027, 1, 31), [], D(2027, 3, 29), "very_overdue", 57, 28, D(2027, 2, 28),
        D(2027, 3, 28), id="fr-very-overdue",
    ),
    pytest.param(
        EU, D(2027, 2, 1), [], D(2027, 2, 22), "running", 15, 15, D(2027, 2, 22),
        D(2027, 3, 15), id="eu-due-today",
    ),
    pytest.param(
        EU, D(2027, 2, 1), [], D(2027, 3, 15), "overdue", 30, 15, D(2027, 2, 22),
        D(2027, 3, 15), id="eu-overdue",
    ),
    pytest.param(
        EU, D(2027, 2, 1), [], D(2027, 3, 16), "very_overdue", 31, 15, D(2027, 2, 22),
        D(2027, 3, 15), id="eu-very-overdue",
    ),
    pytest.param(
        # The day of the pause itself is not counted: only 2 February is.
        EU, D(2027, 2, 1), [pause(D(2027, 2, 3), "clarification")], D(2027, 2, 10), "paused",
        1, 15, None, None, id="eu-paused-clarification",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "received", "events", "today", "state", "day", "of", "due", "very"), STATES
)
def test_states_and_counters(
    code: str,
    received: D,
    events: list[ClockEvent],
    today: D,
    state: str,
    day: int,
    of: int,
    due: D | None,
    very: D | None,
) -> None:
    clock = reading(code, "request", received, events, today)
    assert clock.state == state
    assert clock.day == day
    assert clock.of == of
    if due is not None:
        assert clock.due == due
    if very is not None:
        assert clock.very_overdue_on == very
    if state == "paused":
        assert clock.paused_for == events[-1].reason
        assert clock.paused_days == (today - events[-1].on).days


def test_resumed_pause_counts_calendar_days() -> None:
    events = [pause(D(2027, 2, 6), "fee"), resume(D(2027, 2, 12))]
    clock = reading(GB, "request", D(2027, 2, 1), events, D(2027, 2, 19))
    assert (clock.state, clock.day, clock.paused_days, clock.paused_for) == ("running", 9, 6, "")


@pytest.mark.parametrize(
    ("code", "stage", "received"),
    [
        pytest.param(GB, "ico", D(2027, 3, 10), id="uk-ico"),
        pytest.param(GB, "tribunal", D(2027, 3, 10), id="uk-tribunal"),
        pytest.param(FR, "court", D(2027, 3, 10), id="fr-court"),
        pytest.param(EU, "ombudsman", D(2027, 3, 10), id="eu-ombudsman"),
        pytest.param(EU, "general_court", D(2027, 3, 10), id="eu-court"),
    ],
)
def test_stage_without_duration(code: str, stage: str, received: D) -> None:
    clock = reading(code, stage, received, today=D(2027, 3, 24))
    assert clock.state == "none"
    assert clock.due is None and clock.refusal_on is None and clock.very_overdue_on is None
    assert (clock.day, clock.of) == (14, 0)


# --- describe() ---------------------------------------------------------------------------

DESCRIBE = [
    # law, stage, received, events, today, text
    pytest.param(
        GB, "request", D(2027, 2, 1), [], D(2027, 2, 19),
        "day 14 of 20 working days; due March 1, 2027", id="uk-running",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [pause(D(2027, 2, 6), "fee")], D(2027, 2, 10),
        "day 4 of 20 working days; paused for a fee; due March 4, 2027", id="uk-paused",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [pause(D(2027, 2, 6), "fee"), resume(D(2027, 2, 12))],
        D(2027, 2, 19), "day 9 of 20 working days; paused 6 days; due March 8, 2027",
        id="uk-resumed",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [extend(D(2027, 2, 20))], D(2027, 4, 2),
        "day 41 of 40 working days; extended; due April 1, 2027; overdue", id="uk-extended",
    ),
    pytest.param(
        GB, "request", D(2027, 2, 1), [], D(2027, 4, 2),
        "day 41 of 20 working days; due March 1, 2027; long overdue", id="uk-long-overdue",
    ),
    pytest.param(
        EU, "request", D(2027, 2, 1), [pause(D(2027, 2, 3), "clarification")],
        D(2027, 2, 10), "paused for clarification", id="eu-paused-clarification",
    ),
    pytest.param(
        FR, "request", D(2027, 3, 10), [], D(2027, 3, 24),
        "day 14 of 31 days; due April 10, 2027", id="fr-running",
    ),
    pytest.param(
        GB, "ico", D(2027, 3, 10), [], D(2027, 3, 24),
        "no legal time limit; started March 10, 2027", id="uk-none",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("code", "stage", "received", "events", "today", "text"), DESCRIBE)
def test_describe(
    code: str, stage: str, received: D, events: list[ClockEvent], today: D, text: str
) -> None:
    with translation.override("en"):
        described = reading(code, stage, received, events, today).describe()
    assert text in described


def test_describe_names_the_count_and_the_due_date() -> None:
    with translation.override("en"):
        described = reading(GB, "request", D(2027, 2, 1), today=D(2027, 2, 19)).describe()
    assert "day 14 of 20 working days" in described
    assert "due" in described


# --- law data -----------------------------------------------------------------------------


def shipped_data(name: str = "gb-foia.json") -> dict:
    return json.loads((LAW_DATA / name).read_text(encoding="utf-8"))


def _unknown_next(data: dict) -> None:
    data["stages"][0]["next"] = ["nowhere"]


def _bad_unit(data: dict) -> None:
    data["stages"][0]["duration"]["unit"] = "weeks"


def _negative_amount(data: dict) -> None:
    data["stages"][0]["duration"]["amount"] = -1


def _missing_sources(data: dict) -> None:
    del data["sources"]


def _empty_sources(data: dict) -> None:
    data["sources"] = []


def _duplicate_keys(data: dict) -> None:
    data["stages"].append(copy.deepcopy(data["stages"][0]))


def _no_stages(data: dict) -> None:
    data["stages"] = []


def _bad_pause(data: dict) -> None:
    data["stages"][0]["pauses"] = {"fee": "forget"}


def _bad_silence(data: dict) -> None:
    data["stages"][0]["silence"] = "consent"


def _missing_calendar(data: dict) -> None:
    del data["calendar"]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(_unknown_next, id="unknown-next"),
        pytest.param(_bad_unit, id="bad-unit"),
        pytest.param(_negative_amount, id="negative-amount"),
        pytest.param(_missing_sources, id="missing-sources"),
        pytest.param(_empty_sources, id="empty-sources"),
        pytest.param(_duplicate_keys, id="duplicate-keys"),
        pytest.param(_no_stages, id="no-stages"),
        pytest.param(_bad_pause, id="bad-pause"),
        pytest.param(_bad_silence, id="bad-silence"),
        pytest.param(_missing_calendar, id="missing-calendar"),
    ],
)
def test_malformed_law_is_rejected(spoil) -> None:
    data = shipped_data()
    spoil(data)
    with pytest.raises(LawDataError, match="broken-law"):
        law_from_data(data, "broken-law")


def test_untouched_data_loads() -> None:
    assert law_from_data(shipped_data(), "gb-foia.json").code == GB


SHIPPED = sorted(path.name for path in LAW_DATA.glob("*.json"))


def test_the_three_laws_ship() -> None:
    assert SHIPPED == ["eu-1049-2001.json", "fr-crpa.json", "gb-foia.json"]
    assert {GB, FR, EU} <= set(laws())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_law_loads_and_cites_sources(name: str) -> None:
    loaded: Law = law_from_data(shipped_data(name), name)
    assert loaded.code == name.removesuffix(".json")
    assert loaded.sources
    for source in loaded.sources:
        assert source.title
        assert source.url.startswith("https://")
    keys = {stage.key for stage in loaded.stages}
    assert loaded.first_stage.key == "request"
    for stage in loaded.stages:
        assert set(stage.next) <= keys
        assert stage.title.get("en")
