"""`agora ledger verify` against a live server, after every way an operator with SQL access
could rewrite the log.

The log is built through the real services (officials acting in accounts, and direct
records); each tampering then goes around the application, as raw SQL on its database.
The verifier only sees the public API, served by pytest-django's live server.
"""

# The tampering SQL is assembled from our own models' table and column names; every value is
# a bound parameter.
# ruff: noqa: S608
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from agora.accounts import services as accounts
from agora.accounts.choices import OrganisationKind, Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import UserFactory
from agora.ledger import merkle, services, verifier
from agora.ledger.keys import log_signer
from agora.ledger.models import (
    Checkpoint,
    Cosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    Witness,
)
from agora.ledger.notes import COSIGNATURE, Note, Signer
from agora.ledger.notes import Checkpoint as CheckpointNote

ENTRIES = LedgerEntry._meta.db_table
NODES = LedgerNode._meta.db_table
CHECKPOINTS = Checkpoint._meta.db_table
INDEX = connection.ops.quote_name("index")
FAILED = "LEDGER VERIFICATION FAILED: "


# The log -----------------------------------------------------------------------------------


@dataclass
class Log:
    staff: User
    organisations: list[Organisation]
    admins: list[User]
    checkpoints: list[int]
    size: int


def build_log() -> Log:
    """25 entries by officials of three organisations: checkpoints at 11 and 23 entries, and
    two newer entries that no checkpoint covers yet. Entry 20 corrects entry 15."""
    staff = UserFactory(display_name="Agent de l'État", is_staff=True)
    organisations = [
        accounts.organisation_create(actor=staff, name=name, kind=OrganisationKind.PUBLIC_BODY)
        for name in ("Commune d'Arles", "Région Sud", "Cour des comptes")
    ]  # 0-2
    admins = [UserFactory(display_name=f"Admin {o.name}") for o in organisations]
    for organisation, admin in zip(organisations, admins, strict=True):  # 3-5
        accounts.membership_add(actor=staff, organisation=organisation, user=admin, role=Role.ADMIN)
    for organisation, admin in zip(organisations, admins, strict=True):  # 6-8
        accounts.organisation_update(
            actor=admin,
            organisation=organisation,
            description=f"{organisation.name} publie ses décisions.",
        )
    accounts.organisation_identifier_add(
        actor=admins[0], organisation=organisations[0], scheme="FR-SIREN", value="211300041"
    )  # 9
    editor = UserFactory(display_name="Éditrice")
    membership = accounts.membership_add(
        actor=staff, organisation=organisations[0], user=editor, role=Role.EDITOR
    )  # 10
    first = services.checkpoint_publish()
    accounts.membership_set_role(actor=admins[0], membership=membership, role=Role.MEMBER)  # 11
    accounts.membership_set_role(actor=admins[0], membership=membership, role=Role.EDITOR)  # 12
    for organisation, admin in zip(organisations[1:], admins[1:], strict=True):  # 13-14
        accounts.invitation_create(
            actor=admin, organisation=organisation, email="agent@example.org", role=Role.EDITOR
        )
    decisions = [
        services.ledger_record(
            actor=admins[n % 3],
            organisation=organisations[n % 3],
            action="ledger.test.decision",
            subject=None,
            summary=f"Décision n° {n} publiée",
            data={"number": n, "amount": 1000 * n, "tags": ["budget", "vote"]},
        )
        for n in range(5)
    ]  # 15-19
    services.ledger_correct(
        actor=admins[0], entry=decisions[0], summary="Décision n° 0 : montant corrigé"
    )  # 20
    services.ledger_record(
        actor=None, organisation=None, action="ledger.test.notice", subject=None, summary="Avis"
    )  # 21
    accounts.organisation_identifier_add(
        actor=admins[1], organisation=organisations[1], scheme="FR-SIREN", value="130000000"
    )  # 22
    second = services.checkpoint_publish()
    for n in range(2):  # 23-24
        services.ledger_record(
            actor=staff,
            organisation=organisations[2],
            action="ledger.test.notice",
            subject=None,
            summary=f"Avis n° {n}",
        )
    assert first is not None and second is not None
    log = Log(staff, organisations, admins, [first.size, second.size], LedgerEntry.objects.count())
    assert (log.checkpoints, log.size) == ([11, 23], 25)
    return log


@pytest.fixture
def log(live_server: Any) -> Log:
    return build_log()


@pytest.fixture
def url(live_server: Any) -> str:
    return str(live_server.url)


def run_verify(*args: str) -> str:
    out = StringIO()
    call_command("ledger", "verify", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_fails(*args: str) -> str:
    """Runs `agora ledger verify`; it must exit with status 1 and say why on one line."""
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("ledger", "verify", *args, stdout=StringIO(), stderr=err)
    assert exit_.value.code == 1
    message = err.getvalue().strip().split("\r")[-1]
    assert message.startswith(FAILED), message
    return message.removeprefix(FAILED)


# Tampering, as an operator with SQL access would -------------------------------------------


def sql(statement: str, params: Sequence[Any] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def unchecked() -> Iterator[None]:
    """Foreign keys off for this connection, as a superuser can do."""
    sqlite = connection.vendor == "sqlite"
    sql("PRAGMA foreign_keys = OFF" if sqlite else "SET session_replication_role = replica")
    try:
        yield
    finally:
        sql("PRAGMA foreign_keys = ON" if sqlite else "SET session_replication_role = DEFAULT")


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def when(index: int) -> Any:
    return LedgerEntry.objects.get(index=index).recorded_at


def db_time(moment: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def set_column(index: int, column: str, value: Any) -> None:
    placeholder = json_param() if column == "data" else "%s"
    if column == "recorded_at":
        value = db_time(value)
    if column == "data":
        value = json.dumps(value)
    with unchecked():
        sql(f"UPDATE {ENTRIES} SET {column} = {placeholder} WHERE {INDEX} = %s", [value, index])


def releaf(*indexes: int) -> None:
    """Rewrites entries' leaves and leaf hashes from their (altered) columns, consistently,
    with the application's own code."""
    for index in indexes:
        entry = LedgerEntry.objects.select_related("organisation").get(index=index)
        leaf = rfc8785.dumps(services.leaf_document(entry))
        sql(
            f"UPDATE {ENTRIES} SET leaf = %s, leaf_hash = %s WHERE {INDEX} = %s",
            [leaf, merkle.leaf_hash(leaf), index],
        )


def rebuild_nodes() -> None:
    """Recomputes the stored tree from the leaf hashes, so that proofs match the rewrite."""
    tree = merkle.MemoryTree()
    for digest in LedgerEntry.objects.order_by("index").values_list("leaf_hash", flat=True):
        tree.append(bytes(digest))
    sql(f"DELETE FROM {NODES}")
    LedgerNode.objects.bulk_create(
        LedgerNode(level=level, position=position, hash=digest)
        for (level, position), digest in tree.nodes.items()
        if level > 0
    )
    sql(f"UPDATE {LedgerHead._meta.db_table} SET size = %s", [tree.size])


def shift(start: int, by: int) -> None:
    """Renumbers the entries from `start` on by `by`, and the corrections pointing at them."""
    with unchecked():
        sql(f"UPDATE {ENTRIES} SET {INDEX} = -{INDEX} - 1 WHERE {INDEX} >= %s", [start])
        sql(f"UPDATE {ENTRIES} SET {INDEX} = -{INDEX} - 1 + %s WHERE {INDEX} < 0", [by])
        sql(
            f"UPDATE {ENTRIES} SET corrects_id = corrects_id + %s WHERE corrects_id >= %s",
            [by, start],
        )


def delete(*indexes: int) -> None:
    with unchecked():
        for index in indexes:
            sql(f"DELETE FROM {ENTRIES} WHERE {INDEX} = %s", [index])


def insert(index: int, *, after: int, summary: str, organisation: Organisation) -> None:
    """A well-formed entry at `index`, dated like entry `after`, with a correct leaf hash."""
    entry = LedgerEntry(
        index=index,
        recorded_at=when(after),
        action="accounts.membership.add",
        actor_name="Agent de l'État",
        actor_role="staff",
        organisation=organisation,
        organisation_name=organisation.name,
        summary=summary,
        data={"member": "Jean Dupont", "role": "admin"},
    )
    leaf = rfc8785.dumps(services.leaf_document(entry))
    sql(
        f"INSERT INTO {ENTRIES} ({INDEX}, recorded_at, action, actor_name, actor_role, "
        "organisation_id, organisation_name, subject_url, subject_id, summary, data, "
        f"corrects_id, leaf, leaf_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, '', '', %s, "
        f"{json_param()}, NULL, %s, %s)",
        [
            index,
            db_time(entry.recorded_at),
            entry.action,
            entry.actor_name,
            entry.actor_role,
            organisation.pk,
            entry.organisation_name,
            entry.summary,
            json.dumps(entry.data),
            leaf,
            merkle.leaf_hash(leaf),
        ],
    )


def erase_ledger() -> None:
    """Every ledger row gone, as `DELETE FROM` would; witnesses stay registered."""
    with unchecked():
        for model in (Cosignature, Checkpoint, LedgerNode, LedgerEntry, LedgerHead):
            sql(f"DELETE FROM {model._meta.db_table}")


def record(count: int, organisation: Organisation, actor: User, words: str) -> None:
    for n in range(count):
        services.ledger_record(
            actor=actor,
            organisation=organisation,
            action="accounts.organisation.update",
            subject=organisation,
            summary=f"{words} {n}",
            data={"n": n},
        )


# The log as it was written -----------------------------------------------------------------


def test_the_untampered_log_passes_and_the_kept_checkpoint_is_updated(
    log: Log, url: str, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint.txt"
    out = run_verify(url, "--since", str(kept))
    assert "OK: testserver/ledger — 23 entries match the checkpoint signed" in out
    assert "and so do all 2 signed checkpoints" in out
    assert "2 newer entries are not yet covered by a checkpoint." in out
    assert f"Checkpoint saved to {kept}" in out
    first = Note.parse(kept.read_text())
    first.verify(log_signer().verifier())
    assert CheckpointNote.parse(first.text).size == 23

    record(4, log.organisations[1], log.admins[1], "Mise à jour")
    assert services.checkpoint_publish() is not None
    out = run_verify(url, "--since", str(kept))
    assert "29 entries match" in out
    assert "The log only grew since your last check (23 entries)." in out
    assert "newer entries" not in out
    assert CheckpointNote.parse(Note.parse(kept.read_text()).text).size == 29


def agora_command(*args: str) -> subprocess.CompletedProcess[str]:
    """`agora …` in a process of its own whose environment configures nothing: no settings,
    no secret key, no database — what an outside auditor has."""
    environment = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "agora.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).parents[3],
        timeout=120,
        check=False,
    )


def test_an_auditor_verifies_without_an_installation_of_their_own(log: Log, url: str) -> None:
    done = agora_command("ledger", "verify", url)
    assert done.returncode == 0, done.stderr
    assert "OK: testserver/ledger — 23 entries match the checkpoint signed" in done.stdout
    keys = agora_command("ledger", "keygen", "audit.example/witness")
    assert keys.returncode == 0, keys.stderr
    assert "PRIVATE+KEY+audit.example/witness+" in keys.stdout

    LedgerEntry.objects.filter(index=3).update(summary="Rewritten")
    failed = agora_command("ledger", "verify", url)
    assert failed.returncode == 1
    assert FAILED in failed.stderr
    assert "entry 3" in failed.stderr


def test_the_verifier_reads_the_log_page_by_page(
    log: Log, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "PAGE", 4)
    progress: list[tuple[int, int]] = []
    report = verifier.verify(url, progress=lambda done, total: progress.append((done, total)))
    assert (report.size, report.checkpoints, report.unsigned_entries) == (23, 2, 2)
    assert progress == [(n, 23) for n in (4, 8, 12, 16, 20, 24)]
    delete(8)  # the first entry of a page
    with pytest.raises(verifier.VerificationError, match="entry 8 is missing"):
        verifier.verify(url)


def test_the_given_key_is_the_one_checked(log: Log, url: str) -> None:
    assert "OK:" in run_verify(url, "--key", log_signer().verifier().encode())
    other = Signer.generate(log_signer().name).verifier().encode()
    assert verify_fails(url, "--key", other) == (
        "the server publishes another key than the one you gave: do not trust it"
    )
    assert "another key" in verify_fails(url, "--key", "not a key")


def test_an_unreachable_or_wrong_address_fails_cleanly(db: None, live_server: Any) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = verify_fails(f"http://127.0.0.1:{port}")
    assert message.startswith(f"cannot reach http://127.0.0.1:{port}/api/v1/ledger/public-key:")
    assert "is not a web address" in verify_fails("agora.example.org")
    message = verify_fails(f"{live_server.url}/elsewhere")
    assert message == (
        f"{live_server.url}/elsewhere/api/v1/ledger/public-key answered 404: a web page, not the "
        "ledger's API: is this the address of an Agora platform?"
    )


def test_a_log_without_a_checkpoint_cannot_be_verified(url: str) -> None:
    services.ledger_record(
        actor=None, organisation=None, action="ledger.test.notice", subject=None, summary="Avis"
    )
    assert verify_fails(url) == (
        "the log has not signed a checkpoint yet: there is nothing to verify its entries against"
    )


@override_settings(DEBUG=True)
def test_the_demo_passes(url: str) -> None:
    call_command("demo", stdout=StringIO())
    out = run_verify(url)
    assert "OK: testserver/ledger" in out
    assert "Cosigned by transparence-valmont.example/witness" in out


# Modified entries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("summary", "Rien à signaler", 'entry 5: its summary shown ("Rien à signaler") differs'),
        ("action", "accounts.organisation.delete", "entry 5: its action shown"),
        ("actor_name", "Quelqu'un d'autre", "entry 5: its actor shown"),
        ("actor_role", "member", "entry 5: its actor shown"),
        ("organisation_name", "Commune de Tarascon", "entry 5: its organisation shown"),
        ("subject_url", "/organisations/ailleurs/", "entry 5: its subject shown"),
        ("data", {"member": "Jean Dupont", "role": "admin"}, "entry 5: its data shown"),
        ("corrects_id", 3, "entry 5: its corrects shown (3) differs from what was recorded (null)"),
    ],
)
def test_a_modified_column_is_named(
    log: Log, url: str, column: str, value: Any, expected: str
) -> None:
    set_column(5, column, value)
    message = verify_fails(url)
    assert message.startswith(expected), message
    assert message.endswith("it was modified after it was recorded")


def test_an_entry_moved_to_another_organisation_is_caught(log: Log, url: str) -> None:
    set_column(16, "organisation_id", log.organisations[0].pk)
    assert verify_fails(url).startswith(
        'entry 16: its organisation shown ({"slug": "commune-darles"'
    )


def test_a_changed_date_is_caught(log: Log, url: str) -> None:
    set_column(12, "recorded_at", when(12) - timedelta(days=3))
    message = verify_fails(url)
    assert message.startswith("entry 12: its date shown (")
    assert "differs from the date recorded" in message


def test_a_rewritten_leaf_with_its_old_hash_is_caught(log: Log, url: str) -> None:
    set_column(7, "summary", "Details changed: nothing")
    hash_before = bytes(LedgerEntry.objects.get(index=7).leaf_hash)
    releaf(7)
    set_column(7, "leaf_hash", hash_before)
    assert verify_fails(url) == (
        "entry 7: its content does not match the hash stored when it was recorded: it was modified"
    )


@pytest.mark.parametrize("nodes_too", [False, True], ids=["leaf", "leaf-and-tree"])
@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (5, "entries 0 to 10 no longer match the checkpoint the log signed on "),
        (15, "entries 11 to 22 no longer match the checkpoint the log signed on "),
    ],
)
def test_a_consistently_rewritten_entry_breaks_its_checkpoint(
    log: Log, url: str, index: int, expected: str, nodes_too: bool
) -> None:
    """Columns, leaf and leaf hash agree: only the signed tree can tell."""
    set_column(index, "summary", "Rien à signaler")
    set_column(index, "data", {})
    releaf(index)
    if nodes_too:
        rebuild_nodes()
    message = verify_fails(url)
    assert message.startswith(expected), message
    size = 11 if index < 11 else 23
    assert message.endswith(
        f"for {size} entries: one of them was modified, removed, inserted or reordered after it "
        "was signed"
    )


def test_a_leaf_that_is_no_entry_record_is_refused(log: Log, url: str) -> None:
    for leaf, expected in [
        ('"effacé"'.encode(), "entry 6: the bytes hashed are not an entry's record"),
        (b'{"v":1, "index":6}', "entry 6: the bytes hashed are not canonical JSON (RFC 8785)"),
        (b"\xff\xfe", "entry 6: the bytes hashed are not JSON"),
    ]:
        sql(
            f"UPDATE {ENTRIES} SET leaf = %s, leaf_hash = %s WHERE {INDEX} = 6",
            [leaf, merkle.leaf_hash(leaf)],
        )
        assert verify_fails(url) == expected


# Deleted entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indexes", "expected"),
    [
        ((7,), "entry 7 is missing: the log jumps from entry 6 to entry 8"),
        ((7, 8), "entries 7 to 8 are missing: the log jumps from entry 6 to entry 9"),
        ((0,), "entry 0 is missing: the log starts at entry 1"),
        # the corrected decision: its correction (entry 20) still points at it
        ((15,), "entry 15 is missing: the log jumps from entry 14 to entry 16"),
    ],
)
def test_a_deleted_entry_is_named(
    log: Log, url: str, indexes: tuple[int, ...], expected: str
) -> None:
    delete(*indexes)
    assert verify_fails(url) == expected


def test_deleted_last_entries_are_named(log: Log, url: str) -> None:
    delete(*range(20, 25))
    rebuild_nodes()
    message = verify_fails(url)
    assert message.startswith(
        "entries 20 to 22 are missing: the log serves 20 entries, but it signed a checkpoint of "
        "23 entries on "
    ), message
    assert message.endswith(": they were removed")


def test_a_deletion_hidden_by_renumbering_is_named(log: Log, url: str) -> None:
    delete(7)
    shift(8, -1)
    assert verify_fails(url) == (
        "entry 7 was recorded as entry 8: the entry recorded as 7 was removed and the later "
        "entries renumbered to close the gap"
    )


def test_a_deletion_hidden_by_renumbering_and_rehashing_breaks_the_checkpoint(
    log: Log, url: str
) -> None:
    delete(7)
    shift(8, -1)
    releaf(*range(7, 24))
    rebuild_nodes()
    assert verify_fails(url).startswith(
        "entries 0 to 10 no longer match the checkpoint the log signed on "
    )


# Inserted entries --------------------------------------------------------------------------


def test_an_insertion_is_named(log: Log, url: str) -> None:
    shift(5, 1)
    insert(5, after=4, summary="Jean Dupont added as admin", organisation=log.organisations[0])
    assert verify_fails(url) == (
        "entry 6 was recorded as entry 5: 1 entry was inserted before it (at entry 5) and the "
        "later entries renumbered"
    )


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (5, "entries 0 to 10 no longer match the checkpoint"),
        (15, "entries 11 to 22 no longer match the checkpoint"),
    ],
)
def test_an_insertion_with_every_later_leaf_rewritten_breaks_the_checkpoint(
    log: Log, url: str, index: int, expected: str
) -> None:
    shift(index, 1)
    insert(
        index,
        after=index - 1,
        summary="Jean Dupont added as admin",
        organisation=log.organisations[0],
    )
    releaf(*range(index + 1, 26))
    rebuild_nodes()
    assert verify_fails(url).startswith(expected)


def test_an_insertion_at_the_end_dated_in_the_past_is_caught(log: Log, url: str) -> None:
    insert(25, after=24, summary="Décision oubliée", organisation=log.organisations[2])
    set_column(25, "recorded_at", when(3))
    releaf(25)
    message = verify_fails(url)
    assert message.startswith("entry 25 is dated ")
    assert message.endswith(": it was backdated, or inserted or moved out of order")


# Reordered entries -------------------------------------------------------------------------


def test_swapped_entries_are_named(log: Log, url: str) -> None:
    with unchecked():
        sql(f"UPDATE {ENTRIES} SET {INDEX} = -1 WHERE {INDEX} = 3")
        sql(f"UPDATE {ENTRIES} SET {INDEX} = 3 WHERE {INDEX} = 7")
        sql(f"UPDATE {ENTRIES} SET {INDEX} = 7 WHERE {INDEX} = -1")
    assert verify_fails(url) == "entry 3 was recorded as entry 7: entries were reordered"


def test_swapped_contents_with_rewritten_leaves_break_the_checkpoint(log: Log, url: str) -> None:
    """Entries 16 and 18 exchange everything but their number and date, and are rehashed."""
    columns = ["action", "actor_name", "actor_role", "organisation_name", "summary"]
    rows = {
        i: LedgerEntry.objects.filter(index=i).values(*columns, "organisation_id", "data").get()
        for i in (16, 18)
    }
    for index, other in ((16, 18), (18, 16)):
        for column in [*columns, "organisation_id", "data"]:
            set_column(index, column, rows[other][column])
    releaf(16, 18)
    rebuild_nodes()
    assert verify_fails(url).startswith("entries 11 to 22 no longer match the checkpoint")


# Backdated entries -------------------------------------------------------------------------


@pytest.mark.parametrize("index", [9, 24], ids=["signed", "not-yet-signed"])
def test_a_backdated_entry_is_named(log: Log, url: str, index: int) -> None:
    set_column(index, "recorded_at", when(index) - timedelta(days=1))
    releaf(index)
    rebuild_nodes()
    message = verify_fails(url)
    time = json.loads(bytes(LedgerEntry.objects.get(index=index).leaf))["time"]
    assert message.startswith(f"entry {index} is dated {time}, earlier than entry {index - 1} (")
    assert message.endswith(": it was backdated, or inserted or moved out of order")


def test_backdating_the_first_entry_breaks_the_checkpoint(log: Log, url: str) -> None:
    set_column(0, "recorded_at", when(0) - timedelta(days=30))
    releaf(0)
    rebuild_nodes()
    assert verify_fails(url).startswith("entries 0 to 10 no longer match the checkpoint")


# Checkpoints -------------------------------------------------------------------------------


def test_an_altered_checkpoint_is_refused(log: Log, url: str) -> None:
    note = Checkpoint.objects.get(size=23).note
    lines = note.split("\n")
    lines[2] = "A" * 43 + "="  # another root hash, under the log's signature
    sql(f"UPDATE {CHECKPOINTS} SET note = %s WHERE size = 23", ["\n".join(lines)])
    assert verify_fails(url) == (
        "the latest checkpoint is rejected: the signature by testserver/ledger does not match "
        "the note"
    )


def test_a_checkpoint_signed_with_another_key_is_refused(log: Log, url: str) -> None:
    impostor = Signer.generate(log_signer().name)
    text = Note.parse(Checkpoint.objects.get(size=11).note).text
    sql(
        f"UPDATE {CHECKPOINTS} SET note = %s WHERE size = 11",
        [text + "\n" + impostor.sign(text) + impostor.cosign(text, 1_790_000_000)],
    )
    assert verify_fails(url) == (
        "the checkpoint of 11 entries is rejected: the note carries no signature by "
        "testserver/ledger"
    )


def test_altered_tree_nodes_are_caught_by_the_consistency_proof(
    log: Log, url: str, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoint.txt"
    run_verify(url, "--since", str(kept))
    record(3, log.organisations[0], log.admins[0], "Mise à jour")
    services.checkpoint_publish()
    # The stored hash of entries 16-19, which the proof from 23 to 28 entries is made of.
    sql(f"UPDATE {NODES} SET hash = %s WHERE level = 2 AND position = 4", [bytes(32)])
    message = verify_fails(url, "--since", str(kept))
    assert message.startswith(
        "the log's consistency proof from 23 to 28 entries is wrong (the proof does not lead"
    ), message
    assert message.endswith(
        "its stored tree nodes were altered, so the proofs it gives others cannot be trusted"
    )


# Forked views ------------------------------------------------------------------------------


@pytest.fixture
def kept(log: Log, url: str, tmp_path: Path) -> Path:
    """The checkpoint a citizen kept from a first check of the honest log (23 entries)."""
    path = tmp_path / "checkpoint.txt"
    assert "OK:" in run_verify(url, "--since", str(path))
    return path


def rewrite_history(log: Log, size: int) -> None:
    """The operator erases the ledger and records another one of `size` entries through the
    services, signed with the log's real key: on its own, the new log is flawless."""
    erase_ledger()
    record(size, log.organisations[0], log.admins[0], "Autre histoire")
    assert services.checkpoint_publish() is not None


def test_a_rewritten_longer_history_is_a_fork(log: Log, url: str, kept: Path) -> None:
    before = kept.read_text()
    rewrite_history(log, 30)
    assert "OK:" in run_verify(url)  # alone, the rewritten log verifies...
    message = verify_fails(url, "--since", str(kept))  # ...but not against what was seen
    assert message.startswith(
        "forked log: its first 23 entries are not those you checked against its checkpoint of "
    ), message
    assert message.endswith(
        "(the one you kept): the log rewrote its history, or shows different histories to "
        "different people"
    )
    assert kept.read_text() == before  # the proof of what was seen is kept


def test_a_rewritten_history_of_the_same_size_is_a_fork(log: Log, url: str, kept: Path) -> None:
    erase_ledger()
    record(23, log.organisations[1], log.admins[1], "Autre histoire")
    assert services.checkpoint_publish() is not None
    message = verify_fails(url, "--since", str(kept))
    assert message.startswith(
        "forked log: the log signed two different trees of 23 entries, the one you kept ("
    ), message
    assert message.endswith(
        "it rewrote its history, or shows different histories to different people"
    )


def test_a_rewrite_of_recent_history_is_a_fork(log: Log, url: str, kept: Path) -> None:
    """The operator keeps the first 15 entries and the first checkpoint, and rewrites the rest."""
    with unchecked():
        sql(f"DELETE FROM {ENTRIES} WHERE {INDEX} >= 15")
        sql(f"DELETE FROM {CHECKPOINTS} WHERE size > 15")
    rebuild_nodes()
    record(12, log.organisations[2], log.admins[2], "Autre histoire")
    assert services.checkpoint_publish() is not None
    assert "OK:" in run_verify(url)
    assert verify_fails(url, "--since", str(kept)).startswith(
        "forked log: its first 23 entries are not those you checked"
    )


def test_a_shrunk_log_is_caught(log: Log, url: str, kept: Path) -> None:
    erase_ledger()
    record(10, log.organisations[0], log.admins[0], "Autre histoire")
    assert services.checkpoint_publish() is not None
    message = verify_fails(url, "--since", str(kept))
    assert message.startswith("the log shrank: at your last check its checkpoint of "), message
    assert message.endswith(
        "covered 23 entries, and its latest checkpoint now covers only 10: entries were removed "
        "or the log was rewritten"
    )


def test_removed_checkpoints_are_caught(log: Log, url: str, kept: Path) -> None:
    sql(f"DELETE FROM {CHECKPOINTS}")
    assert verify_fails(url, "--since", str(kept)) == (
        "the log shows no signed checkpoint, although you kept one from your last check: its "
        "checkpoints were removed"
    )


def test_a_kept_checkpoint_that_was_altered_is_refused(log: Log, url: str, kept: Path) -> None:
    kept.write_text(kept.read_text().replace("\n23\n", "\n22\n"))
    assert verify_fails(url, "--since", str(kept)) == (
        "the checkpoint you kept from your last check is rejected: the signature by "
        "testserver/ledger does not match the note"
    )


def test_a_witness_refuses_to_cosign_a_fork(log: Log, url: str, tmp_path: Path) -> None:
    witness = Signer.generate("audit.example/witness")
    services.witness_register(
        actor=log.staff, name=witness.name, vkey=witness.verifier(COSIGNATURE).encode()
    )
    key_file, kept = tmp_path / "witness.key", tmp_path / "witness-checkpoint.txt"
    key_file.write_text(witness.encode() + "\n")
    call_command(
        "ledger",
        "cosign",
        url,
        "--key-file",
        str(key_file),
        "--since",
        str(kept),
        stdout=StringIO(),
    )
    assert Cosignature.objects.get().checkpoint.size == 23
    rewrite_history(log, 30)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "ledger",
            "cosign",
            url,
            "--key-file",
            str(key_file),
            "--since",
            str(kept),
            stdout=StringIO(),
            stderr=err,
        )
    assert exit_.value.code == 1
    assert f"{FAILED}forked log: its first 23 entries" in err.getvalue()
    assert not Cosignature.objects.exists()
    assert Witness.objects.count() == 1
