"""The directory of bodies: CSV import (WhatDoTheyKnow's among others), export, corrections."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from agora.accounts.choices import Role
from agora.accounts.models import Organisation
from agora.accounts.tests.factories import UserFactory, make_member
from agora.core.errors import PermissionDenied, ValidationError
from agora.foi import directory
from agora.foi.choices import CorrectionStatus
from agora.foi.models import FoiBody
from agora.foi.tests import factories

pytestmark = pytest.mark.django_db
WDTK = Path(settings.BASE_DIR).parent / "shared" / "data" / "foi" / "whatdotheyknow"

SMALL = """Public Authority,Country,Category,FOI Email
Avon and Somerset Constabulary,England,Police Force,FOIREQUESTS@avonandsomerset.police.uk
Bedfordshire Police,England,Police Force,foi@Bedfordshire.pnn.police.uk  \n"""


@pytest.mark.skipif(not WDTK.exists(), reason="the shared WhatDoTheyKnow files are not here")
def test_the_whatdotheyknow_directory_imports_and_imports_again_unchanged() -> None:
    text = (WDTK / "foi-directory.csv").read_text(encoding="utf-8")
    report = directory.bodies_import(actor=None, text=text, default_laws=["gb-foia"])
    assert report.problems == [] and report.created == 45
    bedfordshire = FoiBody.objects.get(organisation__name="Bedfordshire Police")
    assert bedfordshire.request_email == "foi@Bedfordshire.pnn.police.uk"  # trailing spaces gone
    assert bedfordshire.laws == ["gb-foia"] and bedfordshire.category == "Police Force"
    again = directory.bodies_import(actor=None, text=text, default_laws=["gb-foia"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 45)


def test_export_then_import_is_a_round_trip() -> None:
    directory.bodies_import(actor=None, text=SMALL, default_laws=["gb-foia"])
    exported = directory.bodies_csv()
    assert exported.splitlines()[0] == ",".join(directory.COLUMNS)
    assert "foi@Bedfordshire.pnn.police.uk" in exported
    report = directory.bodies_import(actor=None, text=exported)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    changed = exported.replace("Police Force", "Police")
    assert directory.bodies_import(actor=None, text=changed).updated == 2


def test_a_bad_row_changes_nothing_and_is_reported_by_line_and_column() -> None:
    text = SMALL + "Cheshire Constabulary,England,Police Force,not-an-address\n,England,x,\n"
    report = directory.bodies_import(actor=None, text=text, default_laws=["gb-foia"])
    assert [(p["line"], p["column"]) for p in report.problems] == [
        (4, "request_email"),
        (5, "name"),
    ]
    assert not Organisation.objects.exists()
    unknown_law = directory.bodies_import(actor=None, text=SMALL, default_laws=["xx-nolaw"])
    assert unknown_law.problems[0]["column"] == "laws"
    with pytest.raises(ValidationError, match="no “name” column"):
        directory.bodies_import(actor=None, text="email\nx@y.example\n")
    with pytest.raises(ValidationError, match="empty"):
        directory.bodies_import(actor=None, text="")
    with pytest.raises(PermissionDenied):
        directory.bodies_import(actor=UserFactory(), text=SMALL)


def test_corrections_are_suggested_by_anyone_and_applied_by_staff() -> None:
    council = factories.body()
    details = FoiBody.objects.get(organisation=council)
    citizen = UserFactory()
    correction = directory.correction_suggest(
        actor=citizen,
        body=details,
        field="request_email",
        value="requests@valmont.example",
        note="Their website says so",
    )
    with pytest.raises(PermissionDenied):
        directory.correction_review(actor=citizen, correction=correction, accept=True)
    staff = UserFactory(is_staff=True)
    directory.correction_review(actor=staff, correction=correction, accept=True)
    details.refresh_from_db()
    assert details.request_email == "requests@valmont.example"
    assert correction.status == CorrectionStatus.ACCEPTED
    with pytest.raises(ValidationError, match="already reviewed"):
        directory.correction_review(actor=staff, correction=correction, accept=False)


def test_only_the_bodys_administrators_or_staff_set_its_details() -> None:
    council = factories.body()
    member = make_member(council, Role.MEMBER)
    admin = make_member(council, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        directory.body_details_set(actor=member, organisation=council, request_email="x@y.example")
    directory.body_details_set(
        actor=admin, organisation=council, request_email="foi@new.example", laws_=["gb-foia"]
    )
    with pytest.raises(ValidationError, match="valid email"):
        directory.body_details_set(actor=admin, organisation=council, request_email="nope")
    with pytest.raises(ValidationError, match="Unknown law"):
        directory.body_details_set(
            actor=admin, organisation=council, request_email="a@b.example", laws_=["xx"]
        )


def test_an_import_without_addresses_keeps_the_known_ones() -> None:
    directory.bodies_import(actor=None, text=SMALL, default_laws=["gb-foia"])
    report = directory.bodies_import(
        actor=None, text="Public Authority,Category\nBedfordshire Police,Police\n"
    )
    assert report.problems == [] and report.updated == 1
    details = FoiBody.objects.get(organisation__name="Bedfordshire Police")
    assert details.request_email == "foi@Bedfordshire.pnn.police.uk"
    assert (details.laws, details.category) == (["gb-foia"], "Police")
