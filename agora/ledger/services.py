"""Writes to the ledger: record an action, publish a checkpoint, accept a witness cosignature."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import Organisation, User
from agora.accounts.permissions import is_staff, role_in
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.ledger import merkle, selectors
from agora.ledger.keys import log_signer
from agora.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    Witness,
)
from agora.ledger.notes import (
    COSIGNATURE,
    Note,
    NoteError,
    VerifierKey,
)
from agora.ledger.notes import (
    Checkpoint as CheckpointNote,
)

ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
LEAF_VERSION = 1
COSIGNATURE_CLOCK_SKEW = timedelta(minutes=10)


def _actor(actor: User | None, organisation: Organisation | None) -> tuple[str, str]:
    """The actor's public name and the capacity they act in — never private data."""
    if actor is None:
        return "Agora", "system"
    role = role_in(actor, organisation) if organisation is not None else None
    return actor.display_name, role or ("staff" if is_staff(actor) else "user")


def _subject(subject: models.Model | None) -> tuple[str, str]:
    if subject is None:
        return "", ""
    get_url = getattr(subject, "get_absolute_url", None)
    return (get_url() if get_url else ""), f"{subject._meta.label_lower}:{subject.pk}"


def leaf_document(entry: LedgerEntry) -> dict[str, Any]:
    """What the leaf says about an entry; its RFC 8785 canonical JSON is what is hashed."""
    return {
        "v": LEAF_VERSION,
        "index": entry.index,
        "time": entry.recorded_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "action": entry.action,
        "actor": {"name": entry.actor_name, "role": entry.actor_role},
        "organisation": (
            {"slug": entry.organisation.slug, "name": entry.organisation_name}
            if entry.organisation is not None
            else None
        ),
        "subject": {"url": entry.subject_url, "id": entry.subject_id},
        "summary": entry.summary,
        "data": entry.data,
        "corrects": entry.corrects_id,
    }


@transaction.atomic
def ledger_record(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    subject: models.Model | None,
    summary: str,
    data: dict[str, Any] | None = None,
    corrects: LedgerEntry | None = None,
) -> LedgerEntry:
    """Appends one entry: called by the service that acts, inside its own transaction, so
    that the action and its record commit together or not at all."""
    if not ACTION.match(action):
        raise ValueError(f"ledger actions are dotted lower-case names, not {action!r}")
    # The head row serialises appends: indexes are gapless and the tree matches the entries.
    head, _created = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # milliseconds, as JSON shows
    if head.last_recorded_at is not None and now < head.last_recorded_at:
        now = head.last_recorded_at  # never earlier than the entry before, whatever the clocks
    actor_name, actor_role = _actor(actor, organisation)
    subject_url, subject_id = _subject(subject)
    entry = LedgerEntry(
        index=head.size,
        recorded_at=now,
        action=action,
        actor_name=actor_name,
        actor_role=actor_role,
        organisation=organisation,
        organisation_name=organisation.name if organisation else "",
        subject_url=subject_url,
        subject_id=subject_id,
        summary=summary[:500],
        data=data or {},
        corrects=corrects,
    )
    try:
        entry.leaf = rfc8785.dumps(leaf_document(entry))
    except (rfc8785.CanonicalizationError, TypeError) as exc:
        raise ValueError(f"ledger data must be plain JSON: {exc}") from exc
    entry.leaf_hash = merkle.leaf_hash(entry.leaf)
    entry.save(force_insert=True)
    nodes = merkle.nodes_completed_by(entry.index, entry.leaf_hash, selectors.node_fetch)
    LedgerNode.objects.bulk_create(
        [
            LedgerNode(level=level, position=position, hash=digest)
            for (level, position), digest in nodes.items()
            if level > 0
        ]
    )
    head.size = entry.index + 1
    head.last_recorded_at = now
    head.save(update_fields=["size", "last_recorded_at"])
    return entry


@transaction.atomic
def ledger_correct(
    *, actor: User | None, entry: LedgerEntry, summary: str, data: dict[str, Any] | None = None
) -> LedgerEntry:
    """Records a correction of an earlier entry, which itself stays as it was."""
    return ledger_record(
        actor=actor,
        organisation=entry.organisation,
        action=f"{entry.action}.correct" if not entry.action.endswith(".correct") else entry.action,
        subject=None,
        summary=summary,
        data=data,
        corrects=entry,
    )


def checkpoint_publish() -> Checkpoint | None:
    """Signs the current tree head when it has grown since the last checkpoint.

    The note carries the log's Ed25519 signature (what tlog tooling checks) and the log's
    own timestamped cosignature, which dates the tree head.
    """
    size = selectors.ledger_size()
    latest = selectors.checkpoint_latest()
    if size == 0 or (latest is not None and latest.size >= size):
        return None
    root = merkle.root(size, selectors.node_fetch)
    signer = log_signer()
    text = CheckpointNote(signer.name, size, root).text()
    note = text + "\n" + signer.sign(text) + signer.cosign(text, int(timezone.now().timestamp()))
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(size=size, root=root, note=note)
    except IntegrityError:  # another worker signed this size first
        return selectors.checkpoint_at(size)


@transaction.atomic
def witness_register(
    *,
    actor: User,
    name: str,
    vkey: str,
    organisation: Organisation | None = None,
    description: str = "",
) -> Witness:
    """Staff register a witness by its Ed25519 cosigner key (a vkey of type 0x04)."""
    if not is_staff(actor):
        raise PermissionDenied(_("Only staff can register witnesses."))
    try:
        key = VerifierKey.parse(vkey)
    except NoteError as exc:
        raise ValidationError({"vkey": str(exc)}) from exc
    if key.kind != COSIGNATURE or key.name != name:
        raise ValidationError(
            {"vkey": _("Give the witness's cosignature key (type 0x04) for this name.")}
        )
    if Witness.objects.filter(name=name).exists():
        raise Conflict(_("A witness with this name is already registered."))
    return Witness.objects.create(
        name=name, vkey=vkey, organisation=organisation, description=description
    )


@transaction.atomic
def cosignature_add(*, witness_name: str, tree_size: int, line: str) -> Cosignature:
    """Accepts a witness's cosignature of the checkpoint of `tree_size`. The signature is
    the witness's authentication: it must verify with the key registered for its name."""
    witness = Witness.objects.filter(name=witness_name).first()
    if witness is None:
        raise ValidationError({"witness": _("No witness is registered under this name.")})
    checkpoint = selectors.checkpoint_at(tree_size)
    if checkpoint is None:
        raise ValidationError({"tree_size": _("There is no checkpoint of this size.")})
    line = line.strip() + "\n"
    key = VerifierKey.parse(witness.vkey)
    try:
        text = Note.parse(checkpoint.note).text
        timestamp = Note.parse(text + "\n" + line).cosignature_time(key)
    except NoteError as exc:
        raise ValidationError({"cosignature": str(exc)}) from exc
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    if signed_at > timezone.now() + COSIGNATURE_CLOCK_SKEW:
        raise ValidationError({"cosignature": _("The cosignature is dated in the future.")})
    cosignature, _created = Cosignature.objects.get_or_create(
        witness=witness, checkpoint=checkpoint, defaults={"line": line, "signed_at": signed_at}
    )
    return cosignature
