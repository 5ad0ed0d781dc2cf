"""The demo's requests: every state, and statistics whose figures are known in advance."""

from __future__ import annotations

import pytest

from agora.accounts import demo as accounts_demo
from agora.core.demo import DemoReport
from agora.foi import demo, statistics
from agora.foi.choices import RequestStatus
from agora.foi.models import FoiRequest, IncomingMail

pytestmark = pytest.mark.django_db


def test_the_demo_has_requests_in_every_state_and_the_right_statistics() -> None:
    accounts_demo.load(DemoReport())
    report = DemoReport()
    demo.load(report)
    demo.load(DemoReport())  # idempotent
    statuses = set(FoiRequest.objects.values_list("status", flat=True))
    assert {
        RequestStatus.AWAITING_RESPONSE,
        RequestStatus.CLARIFICATION_REQUESTED,
        RequestStatus.DEADLINE_EXTENDED,
        RequestStatus.ANSWERED,
        RequestStatus.WITHDRAWN,
        RequestStatus.WITH_OVERSIGHT,
    } <= statuses
    assert FoiRequest.objects.filter(clock_state="overdue").exists()
    assert FoiRequest.objects.filter(embargo_until__isnull=False).exists()
    assert IncomingMail.objects.filter(status="routed").count() >= 12  # replies came as email
    assert "Access to information" in report.lines[0]
    region = next(f for f in statistics.by_body() if f.key == "region-valmont")
    # Twelve requests of the region's history, plus one still within its month; the embargoed
    # one is not public, so it does not count. See demo.REGION_HISTORY.
    assert region.requests == 13
    assert (region.answered_in_time.successes, region.answered_in_time.n) == (9, 12)
    assert (region.refused.successes, region.refused.n) == (3, 12)
    assert (region.overdue_now.successes, region.overdue_now.n) == (0, 1)
    assert region.overdue_now.value is None  # one open request: too few to give a rate
    assert region.median_days_to_answer == 25
    low, high = region.answered_in_time.interval  # type: ignore[misc]
    assert (round(low, 3), round(high, 3)) == (0.468, 0.911)
    cada = next(f for f in statistics.oversight_figures() if f.key == "cada-valmont")
    assert (cada.received, cada.decided, cada.decisions) == (2, 1, {"upheld": 1})
