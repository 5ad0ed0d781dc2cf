"""The directory's pages: a body's page, its details, corrections, CSV in and out."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, UserFactory, make_member
from agora.foi.choices import CorrectionStatus
from agora.foi.models import BodyCorrection, FoiBody
from agora.foi.tests import factories
from agora.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

CSV = (
    "name,request_email,laws,category\n"
    "Northfield Parish Council,clerk@northfield.example,gb-foia,Parish council\n"
)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_body_page_shows_where_requests_go_its_figures_and_requests() -> None:
    council = factories.body()
    factories.request(UserFactory(display_name="Jane Citizen"), council, title="Bus lane fines")
    page = Client().get(f"/foi/bodies/{council.slug}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert council.foi_body.request_email in text  # type: ignore[attr-defined]
    assert "Bus lane fines" in text
    assert f"/foi/new/?body={council.slug}" in text
    assert "Edit the request details" not in text
    assert "Sign in to suggest a correction" in text
    # The organisation's own page leads to it.
    assert (
        f"/foi/bodies/{council.slug}/" in Client().get(council.get_absolute_url()).content.decode()
    )


def test_organisations_that_take_no_requests_have_no_body_page() -> None:
    company = OrganisationFactory(kind=OrganisationKind.CIVIL_SOCIETY)
    assert Client().get(f"/foi/bodies/{company.slug}/").status_code == 404
    assert "/foi/bodies/" not in Client().get(company.get_absolute_url()).content.decode()


def test_only_the_bodys_administrators_and_staff_edit_its_details() -> None:
    council = factories.body()
    url = f"/foi/bodies/{council.slug}/edit/"
    assert Client().get(url).status_code == 302  # to the sign-in page
    assert _client(UserFactory()).get(url).status_code == 404
    assert _client(make_member(council, Role.MEMBER)).post(url, {}).status_code == 404
    admin = make_member(council, Role.ADMIN)
    assert (
        "Edit the request details"
        in _client(admin).get(f"/foi/bodies/{council.slug}/").content.decode()
    )
    bad = _client(admin).post(url, {"request_email": "not an address", "laws": ["gb-foia"]})
    assert bad.status_code == 200 and "Enter a valid email address" in bad.content.decode()
    response = _client(admin).post(
        url,
        {
            "request_email": "foi@valmont.example",
            "postal_address": "1 Town Square",
            "laws": ["gb-foia", "fr-crpa"],
            "category": "District council",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(action="foi.body.update")
    assert (entry.organisation_name, entry.data["request_email"]) == (
        council.name,
        "foi@valmont.example",
    )
    details = FoiBody.objects.get(organisation=council)
    assert (details.request_email, details.laws, details.category) == (
        "foi@valmont.example",
        ["gb-foia", "fr-crpa"],
        "District council",
    )


def test_signed_in_people_suggest_corrections_that_staff_apply() -> None:
    council = factories.body()
    url = f"/foi/bodies/{council.slug}/correction/"
    assert Client().post(url, {"field": "website", "value": "https://x.example"}).status_code == 302
    assert not BodyCorrection.objects.exists()
    _client(UserFactory()).post(url, {"field": "nonsense", "value": "x"})
    assert not BodyCorrection.objects.exists()
    _client(UserFactory()).post(
        url, {"field": "request_email", "value": "new-foi@valmont.example", "note": "their site"}
    )
    correction = BodyCorrection.objects.get()
    staff = UserFactory(is_staff=True, two_factor=True)
    _client(staff).post("/foi/moderation/", {"action": "accept", "pk": correction.pk})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert FoiBody.objects.get(organisation=council).request_email == "new-foi@valmont.example"


def test_the_directory_exports_as_csv_and_staff_import_it() -> None:
    council = factories.body()
    export = Client().get("/foi/bodies.csv")
    assert export["Content-Type"].startswith("text/csv")
    assert council.slug in export.content.decode()
    url = "/foi/bodies/import/"
    assert _client(UserFactory()).get(url).status_code == 404
    staff = _client(UserFactory(is_staff=True, two_factor=True))
    bad = staff.post(url, {"file": SimpleUploadedFile("b.csv", b"name,request_email\nX,nope\n")})
    assert "This is not an email address" in bad.content.decode()
    assert not Organisation.objects.filter(name="X").exists()
    latin = staff.post(url, {"file": SimpleUploadedFile("b.csv", "name\nÉcole\n".encode("cp1252"))})
    assert "save the file as CSV UTF-8" in latin.content.decode()
    check = staff.post(url, {"file": SimpleUploadedFile("b.csv", CSV.encode()), "dry_run": "on"})
    assert "nothing was changed" in check.content.decode()
    assert not Organisation.objects.filter(name="Northfield Parish Council").exists()
    done = staff.post(url, {"file": SimpleUploadedFile("b.csv", CSV.encode())})
    assert "1 added" in done.content.decode()
    assert FoiBody.objects.get(organisation__name="Northfield Parish Council").laws == ["gb-foia"]


def test_the_bodies_command_imports_all_or_nothing_and_exports(tmp_path: Path) -> None:
    good = tmp_path / "bodies.csv"
    good.write_text(CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "Eastfield,not-an-address,gb-foia,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("bodies", "import", str(bad), stderr=io.StringIO())
    assert not Organisation.objects.filter(name="Northfield Parish Council").exists()
    with pytest.raises(CommandError, match="No such file"):
        call_command("bodies", "import", str(tmp_path / "missing.csv"))
    out = io.StringIO()
    call_command("bodies", "import", str(good), stdout=out)
    assert "1 added" in out.getvalue()
    exported = io.StringIO()
    call_command("bodies", "export", stdout=exported)
    assert "clerk@northfield.example" in exported.getvalue()
