"""The catalog's vocabularies. Codes are those of the EU Publications Office authority tables
(data themes, frequencies), so that the DCAT-AP export maps them one to one."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


class DatasetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Licence(models.TextChoices):
    ETALAB_2 = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0 (Etalab)")
    ODBL_1 = "odbl-1.0", _("Open Database License 1.0 (ODbL)")
    CC_BY_4 = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC-BY)")
    CC_BY_SA_4 = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC-BY-SA)")
    CC0_1 = "cc0-1.0", _("Creative Commons Zero 1.0 (CC0)")
    OTHER = "other", _("Other licence (give its address)")


LICENCE_URLS = {
    Licence.ETALAB_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL_1: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0_1: "https://creativecommons.org/publicdomain/zero/1.0/",
}
OPEN_LICENCES = frozenset(LICENCE_URLS)


class Theme(models.TextChoices):
    """The EU data themes (authority table data-theme)."""

    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECON = "ECON", _("Economy and finance")
    EDUC = "EDUC", _("Education, culture and sport")
    ENER = "ENER", _("Energy")
    ENVI = "ENVI", _("Environment")
    GOVE = "GOVE", _("Government and public sector")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")
    REGI = "REGI", _("Regions and cities")
    SOCI = "SOCI", _("Population and society")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")


class Frequency(models.TextChoices):
    """Update frequencies (authority table frequency)."""

    UPDATE_CONT = "UPDATE_CONT", _("Continuously updated")
    HOURLY = "HOURLY", _("Hourly")
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Annual")
    BIENNIAL = "BIENNIAL", _("Every two years")
    IRREG = "IRREG", _("Irregular")
    NEVER = "NEVER", _("Never (a closed dataset)")
    UNKNOWN = "UNKNOWN", _("Unknown")


# How old the data may be before a dataset with this frequency is out of date (with a margin).
FREQUENCY_PERIODS = {
    Frequency.UPDATE_CONT: timedelta(days=2),
    Frequency.HOURLY: timedelta(days=2),
    Frequency.DAILY: timedelta(days=3),
    Frequency.WEEKLY: timedelta(days=10),
    Frequency.MONTHLY: timedelta(days=40),
    Frequency.QUARTERLY: timedelta(days=100),
    Frequency.ANNUAL: timedelta(days=380),
    Frequency.BIENNIAL: timedelta(days=750),
}


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    PLANNED = "planned", _("Planned")
    PUBLISHED = "published", _("Published")
    REFUSED = "refused", _("Refused")
    NOT_HELD = "not_held", _("Not held")


ANSWERS = (
    DataRequestStatus.PLANNED,
    DataRequestStatus.PUBLISHED,
    DataRequestStatus.REFUSED,
    DataRequestStatus.NOT_HELD,
)
DATA_REQUEST_DELAY = timedelta(days=30)  # to answer, unless the platform says otherwise


class ReuseKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    VISUALISATION = "visualisation", _("Visualisation")
    ARTICLE = "article", _("Article or study")
    API = "api", _("API")
    OTHER = "other", _("Other")


class IngestionStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be read")
    RUNNING = "running", _("Being read")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Could not be read")
    REJECTED = "rejected", _("Does not fit the confirmed schema")


class ColumnType(models.TextChoices):
    """Frictionless Table Schema types that a column can be given."""

    STRING = "string", _("text")
    INTEGER = "integer", _("integer")
    NUMBER = "number", _("number")
    BOOLEAN = "boolean", _("true or false")
    DATE = "date", _("date")
    DATETIME = "datetime", _("date and time")


class HarvestKind(models.TextChoices):
    CKAN = "ckan", _("CKAN portal (action API)")
    DCAT = "dcat", _("DCAT catalog (RDF: Turtle, RDF/XML or JSON-LD)")


class HarvestStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class HarvestOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    REMOVED = "removed", _("No longer on the source: archived")
    FAILED = "failed", _("Not imported")
