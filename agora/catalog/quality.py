"""How reusable a dataset is: a score from concrete checks, each with what to do to pass it.

The checks are those reusers trip over: no description, no open licence, only closed formats,
data older than its declared frequency promises, no coverage or contact. Each weighs by how
much it costs a reuser; the score is the share of the weight passed, out of 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.catalog.choices import (
    FREQUENCY_PERIODS,
    OPEN_LICENCES,
    Frequency,
    IngestionStatus,
    Licence,
)
from agora.catalog.models import Dataset, Resource

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Formats anyone can read with free tools, and that machines can parse.
OPEN_FORMATS = frozenset({"CSV", "TSV", "JSON", "GeoJSON", "NDJSON", "ODS", "Parquet", "XML"})
MIN_DESCRIPTION = 100


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    passed: bool
    hint: str
    weight: int


@dataclass(frozen=True)
class Assessment:
    checks: list[Check]

    @property
    def score(self) -> int:
        total = sum(c.weight for c in self.checks)
        return round(100 * sum(c.weight for c in self.checks if c.passed) / total)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


def _up_to_date(dataset: Dataset, now: datetime) -> bool:
    if dataset.frequency == Frequency.UNKNOWN:
        return False
    period = FREQUENCY_PERIODS.get(Frequency(dataset.frequency))
    if period is None:  # irregular, or never updated: nothing is late
        return True
    return dataset.data_modified is not None and now - dataset.data_modified <= period


def _unreadable(resources: list[Resource]) -> list[str]:
    # `reading` is annotated by the selectors (resource_list, organisation_datasets).
    bad = {IngestionStatus.FAILED, IngestionStatus.REJECTED}
    return [r.title for r in resources if getattr(r, "reading", None) in bad]


def _unreachable(resources: list[Resource]) -> list[str]:
    return [r.title for r in resources if r.remote_url and r.reachable is False]


def assess(dataset: Dataset, resources: list[Resource]) -> Assessment:
    now = timezone.now()
    formats = {r.format for r in resources}
    unreadable = ", ".join(_unreadable(resources))
    unreachable = ", ".join(_unreachable(resources))

    def check(
        key: str, label: StrOrPromise, passed: bool, hint: StrOrPromise, weight: int
    ) -> Check:
        return Check(key, str(label), passed, str(hint), weight)

    return Assessment(
        [
            check(
                "description",
                _("A description that explains the data"),
                len(dataset.description.strip()) >= MIN_DESCRIPTION,
                _(
                    "Say what the data contains, where it comes from and how it is produced, "
                    "in a few sentences at least."
                ),
                2,
            ),
            check(
                "licence",
                _("An open licence"),
                Licence(dataset.licence) in OPEN_LICENCES,
                _("Choose an open licence (Licence Ouverte, ODbL, CC-BY, CC-BY-SA or CC0)."),
                3,
            ),
            check(
                "open_format",
                _("A file in an open, machine-readable format"),
                bool(formats & OPEN_FORMATS),
                _("Add the data as CSV, JSON, GeoJSON, ODS or Parquet, not only PDF or XLSX."),
                3,
            ),
            check(
                "schema_valid",
                _("Tables that can be read, and fit their schema"),
                not unreadable,
                _(
                    "Open these resources to see each problem, then add a corrected version: "
                    "%(titles)s."
                )
                % {"titles": unreadable},
                2,
            ),
            check(
                "reachable",
                _("Links that answer"),
                not unreachable,
                _("Fix or remove these links, which did not answer when last read: %(titles)s.")
                % {"titles": unreachable},
                2,
            ),
            check(
                "up_to_date",
                _("Up to date for its declared frequency"),
                _up_to_date(dataset, now),
                _(
                    "Declare how often the data is updated, and add a new version when the "
                    "period has passed."
                ),
                2,
            ),
            check(
                "classified",
                _("Themes and keywords"),
                dataset.themes.exists() and dataset.keywords.exists(),
                _("Choose at least one theme and one keyword, so that the dataset can be found."),
                1,
            ),
            check(
                "coverage",
                _("Period and area covered"),
                bool((dataset.temporal_start or dataset.temporal_end) and dataset.spatial),
                _("Say which period and which area the data covers."),
                1,
            ),
            check(
                "contact",
                _("A contact for questions"),
                bool(dataset.contact_email),
                _("Give an email address that answers questions about the data."),
                1,
            ),
        ]
    )
