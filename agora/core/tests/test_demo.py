"""`agora demo`: a fictional region built through the services, idempotent, refused in
production."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from agora.accounts.demo import ORGANISATIONS, PEOPLE, demo_password
from agora.accounts.models import Membership, Organisation, User
from agora.catalog.demo import REAL_FILES
from agora.core.search import search
from agora.ledger.models import LedgerEntry
from agora.ledger.selectors import checkpoint_latest, ledger_size

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_loads_every_kind_of_organisation_and_person_once() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    size = ledger_size()
    call_command("demo", stdout=StringIO())  # idempotent
    assert ledger_size() == size
    slugs = [row[0] for row in ORGANISATIONS]
    assert Organisation.objects.filter(slug__in=slugs).count() == len(ORGANISATIONS)
    assert set(Organisation.objects.values_list("kind", flat=True)) == {
        "public_body",
        "oversight_body",
        "civil_society",
        "company",
        "media",
    }
    assert User.objects.count() == len(PEOPLE)
    assert set(Membership.objects.values_list("role", flat=True)) == {"admin", "editor", "member"}
    printed = out.getvalue()
    for email, *_rest in PEOPLE:
        assert email in printed and demo_password(email) in printed
    assert "two-factor secret" in printed
    # The ledger was filled through real actions, signed, and cosigned by a witness.
    assert LedgerEntry.objects.filter(
        actor_role="admin", action="accounts.organisation.update"
    ).exists()
    checkpoint = checkpoint_latest()
    assert checkpoint is not None and checkpoint.size == size
    assert checkpoint.cosignatures.count() == 1
    assert "agora ledger verify" in printed
    assert [h.title for h in search("bâtiments publics").hits] == ["Bâtiments Durand SA"]
    found = search("Valmont")
    assert found.counts["organisation"] == len(ORGANISATIONS) - 1  # all but the company
    # The published and the archived, not the draft; plus the real files, when present.
    real = sum((Path(settings.DEMO_OPENDATA_DIR) / f[0]).is_file() for f in REAL_FILES)
    assert found.counts["dataset"] == 3 + real
    assert LedgerEntry.objects.filter(action="catalog.dataset.publish").count() == 3 + real


@override_settings(DEBUG=True)
def test_a_demo_citizen_can_sign_in_with_the_printed_password() -> None:
    call_command("demo", stdout=StringIO())
    client = Client()
    client.post(
        "/accounts/login/",
        {"login": "citizen@valmont.example", "password": demo_password("citizen@valmont.example")},
    )
    assert client.get("/accounts/profile/").status_code == 200


def test_demo_refuses_to_run_in_production() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert not Organisation.objects.exists()
