"""Recording, checkpoints and witnesses; appends under concurrency, by threads and processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import rfc8785
from django.db import connection, connections, transaction

import agora
from agora.accounts import services as accounts
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Membership, Organisation, User
from agora.core.errors import Conflict, PermissionDenied, ValidationError
from agora.ledger import merkle, selectors, services
from agora.ledger.keys import log_signer
from agora.ledger.models import Checkpoint, LedgerEntry, LedgerNode
from agora.ledger.notes import COSIGNATURE, Note, Signer
from agora.ledger.notes import Checkpoint as CheckpointNote

ROOT = Path(agora.__file__).resolve().parent.parent


def record(
    organisation: Organisation | None = None, n: int = 0, actor: User | None = None
) -> LedgerEntry:
    return services.ledger_record(
        actor=actor,
        organisation=organisation,
        action="test.thing.do",
        subject=organisation,
        summary=f"Thing {n}",
        data={"n": n, "note": "é"},
    )


def assert_tree_matches_entries() -> None:
    """The stored nodes equal a tree rebuilt from the entries' leaves, with no gap."""
    leaves = list(LedgerEntry.objects.order_by("index").values_list("index", "leaf"))
    assert [i for i, _leaf in leaves] == list(range(len(leaves)))
    tree = merkle.MemoryTree()
    for _index, leaf in leaves:
        tree.append(merkle.leaf_hash(bytes(leaf)))
    assert selectors.ledger_size() == len(leaves)
    assert merkle.root(len(leaves), selectors.node_fetch) == tree.root()
    stored = {(n.level, n.position): bytes(n.hash) for n in LedgerNode.objects.all()}
    assert stored == {k: v for k, v in tree.nodes.items() if k[0] > 0}


@pytest.mark.django_db
def test_an_entry_holds_public_facts_and_its_exact_leaf(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    admin = people["admin"]
    entry = record(organisation, 1, actor=admin)
    leaf = json.loads(bytes(entry.leaf))
    assert rfc8785.dumps(leaf) == bytes(entry.leaf)
    assert bytes(entry.leaf_hash) == merkle.leaf_hash(bytes(entry.leaf))
    assert leaf["actor"] == {"name": admin.display_name, "role": "admin"}
    assert leaf["organisation"] == {"slug": organisation.slug, "name": organisation.name}
    assert leaf["subject"]["id"] == f"accounts.organisation:{organisation.pk}"
    assert admin.email not in bytes(entry.leaf).decode()  # never private data
    staff_entry = record(organisation, 2, actor=people["staff"])
    assert json.loads(bytes(staff_entry.leaf))["actor"]["role"] == "staff"


@pytest.mark.django_db
def test_entries_are_numbered_in_order_and_dated_monotonically(organisation: Organisation) -> None:
    entries = [record(organisation, n) for n in range(5)]
    assert [e.index for e in entries] == [e.index for e in LedgerEntry.objects.order_by("index")][
        -5:
    ]
    times = [e.recorded_at for e in LedgerEntry.objects.order_by("index")]
    assert times == sorted(times)
    assert_tree_matches_entries()


@pytest.mark.django_db
def test_bad_records_are_refused_and_leave_nothing(organisation: Organisation) -> None:
    before = selectors.ledger_size()
    with pytest.raises(ValueError, match="dotted"):
        services.ledger_record(
            actor=None, organisation=None, action="Not An Action", subject=None, summary="x"
        )
    with pytest.raises(ValueError, match="plain JSON"):
        services.ledger_record(
            actor=None,
            organisation=None,
            action="a.b",
            subject=None,
            summary="x",
            data={"x": object()},
        )
    assert selectors.ledger_size() == before


@pytest.mark.django_db
def test_a_correction_is_a_new_entry(organisation: Organisation) -> None:
    wrong = record(organisation, 1)
    fix = services.ledger_correct(actor=None, entry=wrong, summary="The count was 2, not 1.")
    assert fix.index == wrong.index + 1
    assert fix.corrects == wrong and fix.action == "test.thing.do.correct"
    wrong.refresh_from_db()
    assert wrong.summary == "Thing 1"


@pytest.mark.django_db
def test_a_failed_action_leaves_no_entry(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    """Entries commit with the action they record, or not at all."""
    before = selectors.ledger_size()

    def act() -> None:
        with transaction.atomic():
            services.ledger_record(
                actor=None,
                organisation=organisation,
                action="test.thing.do",
                subject=None,
                summary="x",
            )
            raise Conflict("the action failed after recording")

    with pytest.raises(Conflict):
        act()
    assert selectors.ledger_size() == before
    assert_tree_matches_entries()


@pytest.mark.django_db
def test_official_actions_of_the_accounts_module_are_recorded(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    admin, member, staff = people["admin"], people["member"], people["staff"]
    start = selectors.ledger_size()
    accounts.organisation_update(actor=admin, organisation=organisation, description="New text")
    membership = Membership.objects.get(user=member, organisation=organisation)
    accounts.membership_set_role(actor=admin, membership=membership, role=Role.EDITOR)
    invitation = accounts.invitation_create(
        actor=admin, organisation=organisation, email="secret@example.org", role=Role.MEMBER
    )
    accounts.invitation_revoke(actor=admin, invitation=invitation)
    accounts.membership_remove(actor=admin, membership=membership)
    created = accounts.organisation_create(
        actor=staff, name="Office nouveau", kind=OrganisationKind.MEDIA
    )
    actions = list(
        LedgerEntry.objects.filter(index__gte=start)
        .order_by("index")
        .values_list("action", flat=True)
    )
    assert actions == [
        "accounts.organisation.update",
        "accounts.membership.role",
        "accounts.invitation.create",
        "accounts.invitation.revoke",
        "accounts.membership.remove",
        "accounts.organisation.create",
    ]
    everything = b"".join(bytes(e.leaf) for e in LedgerEntry.objects.all())
    assert b"secret@example.org" not in everything  # the invited address stays private
    role_change = LedgerEntry.objects.get(index=start + 1)
    assert role_change.data == {
        "member": member.display_name,
        "role": "editor",
        "previous_role": "member",
    }
    assert role_change.actor_role == "admin"
    assert LedgerEntry.objects.get(index=start + 5).organisation == created


@pytest.mark.django_db
def test_deleting_an_account_records_its_departures_under_the_pseudonym(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    member = people["member"]
    real_name = member.display_name
    accounts.user_delete(user=member)
    entry = LedgerEntry.objects.order_by("-index").first()
    assert entry.action == "accounts.membership.remove"
    assert real_name not in bytes(entry.leaf).decode()
    assert entry.data["member"].startswith("Former user")


@pytest.mark.django_db
def test_checkpoints_sign_the_tree_when_it_grows(organisation: Organisation) -> None:
    Checkpoint.objects.all().delete()
    for n in range(3):
        record(organisation, n)
    first = services.checkpoint_publish()
    assert first is not None and first.size == selectors.ledger_size()
    assert services.checkpoint_publish() is None  # nothing new
    note = Note.parse(first.note)
    signer = log_signer()
    note.verify(signer.verifier())
    assert abs(note.cosignature_time(signer.verifier(COSIGNATURE)) - time.time()) < 120
    parsed = CheckpointNote.parse(note.text)
    assert (parsed.origin, parsed.size, parsed.root) == (signer.name, first.size, bytes(first.root))
    record(organisation, 9)
    second = services.checkpoint_publish()
    proof = selectors.consistency_proof(first=first.size, second=second.size)
    merkle.verify_consistency(
        first.size, second.size, bytes(first.root), bytes(second.root), proof.proof
    )


@pytest.mark.django_db
def test_witnesses_are_registered_by_staff_and_cosign_with_their_key(
    people: dict[str, User | None], organisation: Organisation
) -> None:
    record(organisation, 1)
    checkpoint = services.checkpoint_publish() or selectors.checkpoint_latest()
    witness = Signer.generate("audit.example/witness")
    vkey = witness.verifier(COSIGNATURE).encode()
    with pytest.raises(PermissionDenied):
        services.witness_register(actor=people["admin"], name=witness.name, vkey=vkey)
    with pytest.raises(ValidationError):
        services.witness_register(
            actor=people["staff"], name=witness.name, vkey=witness.verifier().encode()
        )
    services.witness_register(
        actor=people["staff"], name=witness.name, vkey=vkey, organisation=organisation
    )
    with pytest.raises(Conflict):
        services.witness_register(actor=people["staff"], name=witness.name, vkey=vkey)
    text = Note.parse(checkpoint.note).text
    impostor = Signer.generate(witness.name)
    with pytest.raises(ValidationError):
        services.cosignature_add(
            witness_name=witness.name,
            tree_size=checkpoint.size,
            line=impostor.cosign(text, int(time.time())),
        )
    with pytest.raises(ValidationError):
        services.cosignature_add(
            witness_name=witness.name,
            tree_size=checkpoint.size,
            line=witness.cosign(text, int(time.time()) + 86400),
        )
    services.cosignature_add(
        witness_name=witness.name,
        tree_size=checkpoint.size,
        line=witness.cosign(text, int(time.time())),
    )
    full = Note.parse(selectors.checkpoint_note(checkpoint))
    assert full.cosignature_time(witness.verifier(COSIGNATURE)) > 0
    [status] = [s for s in selectors.witnesses_overview() if s.witness.name == witness.name]
    assert status.latest_size == checkpoint.size


# Concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_never_create_gaps_or_duplicates() -> None:
    writers, per_writer = 6, 8
    errors: list[BaseException] = []
    barrier = threading.Barrier(writers)

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_writer):
                for attempt in range(50):
                    try:
                        record(None, worker * 100 + n)
                        break
                    except Exception as exc:  # SQLite may report a busy database: retry
                        if "locked" not in str(exc) or attempt == 49:
                            raise
                        time.sleep(0.05)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert LedgerEntry.objects.count() == writers * per_writer
    assert_tree_matches_entries()
    values = sorted(LedgerEntry.objects.values_list("data__n", flat=True))
    assert values == sorted(w * 100 + n for w in range(writers) for n in range(per_writer))


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{quote(settings['USER'] or '')}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


APPEND_SCRIPT = """
import sys, django
django.setup()
from agora.ledger.tests.test_services import record
for n in range(int(sys.argv[1])):
    record(None, int(sys.argv[2]) * 1000 + n)
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_never_create_gaps_or_duplicates() -> None:
    processes, per_process = 4, 15
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "agora.settings",
        "SECRET_KEY": "insecure-key-for-tests-only",
        "DEBUG": "false",
    }
    running = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND_SCRIPT, str(per_process), str(p)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    for process in running:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert LedgerEntry.objects.count() == processes * per_process
    assert_tree_matches_entries()
