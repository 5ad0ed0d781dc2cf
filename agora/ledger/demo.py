"""The demo's ledger: officials of the Région de Valmont act, the log records it, a checkpoint
is signed and an association's witness cosigns it."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings

from agora.accounts import services as accounts
from agora.accounts.choices import Role
from agora.accounts.models import Membership, Organisation, User
from agora.core.demo import DemoReport
from agora.ledger import services
from agora.ledger.models import LedgerEntry, Witness
from agora.ledger.notes import COSIGNATURE, Note, Signer

WITNESS_NAME = "transparence-valmont.example/witness"


def demo_witness() -> Signer:
    """Derived from SECRET_KEY: stable for one installation, never in the repository."""
    seed = hmac.new(settings.SECRET_KEY.encode(), b"demo-witness", hashlib.sha256).digest()
    return Signer(WITNESS_NAME, seed)


def load(report: DemoReport) -> None:
    if LedgerEntry.objects.filter(
        actor_role=Role.ADMIN, action="accounts.organisation.update"
    ).exists():
        return  # the officials have already acted
    region = Organisation.objects.get(slug="region-valmont")
    camille = User.objects.get(email="camille.martin@valmont.example")
    accounts.organisation_update(
        actor=camille,
        organisation=region,
        website="https://www.region-valmont.example",
        description=region.description + "\n\nContact : accueil@region-valmont.example",
    )
    lea = Membership.objects.get(organisation=region, user__email="lea.dubois@valmont.example")
    accounts.membership_set_role(actor=camille, membership=lea, role=Role.EDITOR)
    accounts.membership_set_role(actor=camille, membership=lea, role=Role.MEMBER)
    ines = User.objects.get(email="ines.moreau@valmont.example")
    cada = Organisation.objects.get(slug="cada-valmont")
    accounts.organisation_update(
        actor=ines, organisation=cada, jurisdiction="FR-VAL (Région de Valmont)"
    )

    checkpoint = services.checkpoint_publish()
    witness = demo_witness()
    staff = User.objects.get(email="admin@valmont.example")
    if not Witness.objects.filter(name=WITNESS_NAME).exists():
        services.witness_register(
            actor=staff,
            name=WITNESS_NAME,
            vkey=witness.verifier(COSIGNATURE).encode(),
            organisation=Organisation.objects.get(slug="transparence-valmont"),
            description="Témoin tenu par l'association Transparence Valmont.",
        )
    if checkpoint is not None:
        text = Note.parse(checkpoint.note).text
        services.cosignature_add(
            witness_name=WITNESS_NAME,
            tree_size=checkpoint.size,
            line=witness.cosign(text, int(time.time())),
        )
        report.lines.append(
            f"Ledger: {checkpoint.size} entries, checkpoint signed and cosigned by {WITNESS_NAME}.\n"
            "Verify it with: agora ledger verify http://127.0.0.1:8000"
        )
