"""The ledger's API: entries and their leaves, signed checkpoints, proofs, keys, witnesses and
their cosignatures — checked the way an outside verifier would, with merkle.py and notes.py."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from agora.accounts import services as accounts
from agora.accounts.choices import Role
from agora.accounts.models import Organisation, User
from agora.accounts.tests.factories import OrganisationFactory, UserFactory
from agora.ledger import services
from agora.ledger.merkle import (
    CompactRange,
    ProofError,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from agora.ledger.models import Cosignature, LedgerEntry
from agora.ledger.notes import (
    COSIGNATURE,
    ED25519,
    Checkpoint,
    Note,
    Signer,
    VerifierKey,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger"
PROBLEM = "application/problem+json"
WITNESS = "audit.example/witness"


def b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def staff_of(people: dict[str, User | None]) -> User:
    staff = people["staff"]
    assert staff is not None
    return staff


def build(organisation: Organisation, people: dict[str, User | None]) -> Organisation:
    """25 entries about two organisations, checkpoints at 11 and 23; returns the second."""
    staff, admin = staff_of(people), people["admin"]
    assert admin is not None
    city = OrganisationFactory(name="Ville de Test", slug="ville-test")
    for n in range(8):  # 0-7
        services.ledger_record(
            actor=admin,
            organisation=organisation,
            action="ledger.test.decision",
            subject=None,
            summary=f"Décision {n}",
            data={"n": n},
        )
    for n in range(3):  # 8-10
        accounts.membership_add(
            actor=staff,
            organisation=city,
            user=UserFactory(display_name=f"Agent {n}"),
            role=Role.MEMBER,
        )
    services.checkpoint_publish()
    accounts.organisation_update(
        actor=admin, organisation=organisation, website="https://x.example"
    )
    for n in range(11):  # 12-22
        services.ledger_record(
            actor=None,
            organisation=None if n % 2 else city,
            action="ledger.test.notice",
            subject=None,
            summary=f"Avis {n}",
        )
    services.checkpoint_publish()
    for n in range(2):  # 23-24
        services.ledger_record(
            actor=admin,
            organisation=organisation,
            action="ledger.test.decision",
            subject=None,
            summary=f"Décision tardive {n}",
        )
    assert LedgerEntry.objects.count() == 25
    return city


@pytest.fixture
def city(organisation: Organisation, people: dict[str, User | None]) -> Organisation:
    return build(organisation, people)


def items(client: Client, query: str = "") -> list[dict[str, Any]]:
    """Every entry, following the next links."""
    found: list[dict[str, Any]] = []
    url: str | None = f"{API}/entries?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        found += response.json()["items"]
        url = response.json()["next"]
    return found


def roots(client: Client) -> list[bytes]:
    """roots[n]: the Merkle root of the first n entries, recomputed from the leaves served."""
    tree, result = CompactRange(), [CompactRange().root()]
    for item in items(client, "limit=1000"):
        tree.append(b64(item["leaf_hash"]))
        result.append(tree.root())
    return result


def signed_root(client: Client, size: int | None = None) -> bytes:
    response = client.get(f"{API}/checkpoint" + (f"?size={size}" if size else ""))
    assert response.status_code == 200
    return Checkpoint.parse(Note.parse(response.content.decode()).text).root


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


# Entries -----------------------------------------------------------------------------------


def test_entries_page_through_the_whole_log_in_order(client: Client, city: Organisation) -> None:
    first = client.get(f"{API}/entries", {"limit": 10}).json()
    assert [e["index"] for e in first["items"]] == list(range(10))
    assert first["next"].startswith(f"http://testserver{API}/entries?limit=10&cursor=")
    assert first["next"].endswith(first["next_cursor"])
    assert [e["index"] for e in items(client, "limit=10")] == list(range(25))
    assert len(client.get(f"{API}/entries").json()["items"]) == 20  # the default page
    whole = client.get(f"{API}/entries", {"limit": 1000}).json()
    assert [e["index"] for e in whole["items"]] == list(range(25))
    assert whole["next"] is None and whole["next_cursor"] is None
    after = client.get(f"{API}/entries", {"limit": 5, "cursor": first["next_cursor"]}).json()
    assert [e["index"] for e in after["items"]] == list(range(10, 15))


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"limit": 1001}, 422),
        ({"limit": 0}, 422),
        ({"limit": "many"}, 422),
        ({"cursor": "not-a-cursor"}, 400),
        ({"cursor": "W1siYSJdXQ"}, 400),  # [["a"]], well-formed but not ours
        ({"since": "yesterday"}, 422),
        ({"until": "2026-02-31T00:00:00Z"}, 422),
    ],
)
def test_bad_entry_list_parameters_are_problems(
    client: Client, city: Organisation, query: dict[str, Any], status: int
) -> None:
    assert_problem(client.get(f"{API}/entries", query), status)


def test_entries_filter_by_organisation_and_action(
    client: Client, organisation: Organisation, city: Organisation
) -> None:
    def indexes(**query: str) -> list[int]:
        return [e["index"] for e in items(client, "&".join(f"{k}={v}" for k, v in query.items()))]

    assert indexes(organisation="region-test") == [*range(8), 11, 23, 24]
    assert indexes(organisation="ville-test") == [8, 9, 10, 12, 14, 16, 18, 20, 22]
    assert indexes(organisation="nowhere") == []
    assert indexes(action="accounts") == [8, 9, 10, 11]
    assert indexes(action="accounts.membership") == [8, 9, 10]
    assert indexes(action="accounts.membership.") == [8, 9, 10]
    assert indexes(action="accounts.membership.add") == [8, 9, 10]
    assert indexes(action="ledger.test.notice", organisation="ville-test") == [
        12,
        14,
        16,
        18,
        20,
        22,
    ]
    # Filtered pages follow each other too.
    assert indexes(action="ledger.test.notice", limit="4") == list(range(12, 23))


def test_entries_filter_by_time(client: Client, city: Organisation) -> None:
    earlier = LedgerEntry.objects.order_by("-index").first()
    assert earlier is not None
    time.sleep(0.002)  # the entry below is then recorded at a later millisecond
    services.ledger_record(
        actor=None, organisation=None, action="ledger.test.notice", subject=None, summary="Tard"
    )
    latest = client.get(f"{API}/entries/25").json()["time"]
    assert datetime.fromisoformat(latest) > earlier.recorded_at
    first = client.get(f"{API}/entries/0").json()["time"]

    def indexes(**query: str) -> list[int]:
        response = client.get(f"{API}/entries", {"limit": 1000, **query})
        assert response.status_code == 200
        return [e["index"] for e in response.json()["items"]]

    assert indexes(since=latest) == [25]
    assert indexes(until=latest) == list(range(25))
    assert indexes(since=first) == list(range(26))
    assert indexes(until=first) == []
    assert indexes(since=first, until=latest) == list(range(25))
    local = datetime.fromisoformat(latest).astimezone(timezone.get_fixed_timezone(120))
    assert indexes(since=local.isoformat()) == [25]  # any offset, once URL-encoded


def test_each_leaf_is_the_canonical_record_that_was_hashed(
    client: Client, city: Organisation
) -> None:
    services.ledger_correct(actor=None, entry=LedgerEntry.objects.get(index=3), summary="Corrigé")
    for item in items(client, "limit=1000"):
        leaf = b64(item["leaf"])
        record = json.loads(leaf)
        assert rfc8785.dumps(record) == leaf
        assert hashlib.sha256(b"\x00" + leaf).digest() == b64(item["leaf_hash"]) == leaf_hash(leaf)
        assert bytes(LedgerEntry.objects.get(index=item["index"]).leaf_hash) == leaf_hash(leaf)
        assert record["index"] == item["index"]
        for name in ("action", "actor", "organisation", "subject", "summary", "data", "corrects"):
            assert record[name] == item[name], name
        assert datetime.fromisoformat(record["time"]) == datetime.fromisoformat(item["time"])
    correction = client.get(f"{API}/entries/25").json()
    assert correction["corrects"] == 3
    assert correction["action"] == "ledger.test.decision.correct"


def test_one_entry(client: Client, city: Organisation) -> None:
    listed = client.get(f"{API}/entries", {"limit": 1, "cursor": "WzVd"}).json()["items"][0]
    assert client.get(f"{API}/entries/6").json() == listed
    assert_problem(client.get(f"{API}/entries/999"), 404)
    assert_problem(client.get(f"{API}/entries/-1"), 404)
    assert_problem(client.get(f"{API}/entries/six"), 422)


# Checkpoints ------------------------------------------------------------------------------


def test_no_checkpoint_before_the_first_is_signed(client: Client, db: None) -> None:
    assert_problem(client.get(f"{API}/checkpoint"), 404)
    services.ledger_record(
        actor=None, organisation=None, action="ledger.test.notice", subject=None, summary="Avis"
    )
    assert_problem(client.get(f"{API}/checkpoint"), 404)
    assert client.get(f"{API}/checkpoints").json() == {
        "items": [],
        "next": None,
        "next_cursor": None,
    }


def test_the_checkpoint_is_a_signed_note_over_the_tree(client: Client, city: Organisation) -> None:
    key = VerifierKey.parse(client.get(f"{API}/public-key").content.decode())
    recomputed = roots(client)
    for query, size in (("", 23), ("?size=23", 23), ("?size=11", 11)):
        response = client.get(f"{API}/checkpoint{query}")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        note = Note.parse(response.content.decode())
        note.verify(key)
        signed_at = note.cosignature_time(VerifierKey(key.name, COSIGNATURE, key.public_key))
        assert abs(signed_at - time.time()) < 3600
        checkpoint = Checkpoint.parse(note.text)
        assert (checkpoint.origin, checkpoint.size) == (settings.LEDGER_ORIGIN, size)
        assert checkpoint.root == recomputed[size]
    assert_problem(client.get(f"{API}/checkpoint?size=12"), 404)  # never signed
    for size in ("0", "-3", "big"):
        assert_problem(client.get(f"{API}/checkpoint?size={size}"), 422)


def test_checkpoints_are_listed_oldest_first(client: Client, city: Organisation) -> None:
    listed = items_of(client, f"{API}/checkpoints?limit=1")
    assert [c["size"] for c in listed] == [11, 23]
    recomputed = roots(client)
    for checkpoint in listed:
        assert b64(checkpoint["root"]) == recomputed[checkpoint["size"]]
        note = client.get(f"{API}/checkpoint?size={checkpoint['size']}").content.decode()
        assert checkpoint["note"] == note
        assert datetime.fromisoformat(checkpoint["created"]) <= timezone.now()
    assert_problem(client.get(f"{API}/checkpoints?limit=1001"), 422)


def items_of(client: Client, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        page = client.get(next_url).json()
        found += page["items"]
        next_url = page["next"]
    return found


# Proofs ------------------------------------------------------------------------------------


def test_inclusion_proofs_verify_against_the_signed_roots(
    client: Client, city: Organisation
) -> None:
    leaves = [b64(e["leaf_hash"]) for e in items(client, "limit=1000")]
    recomputed = roots(client)
    for size, root in ((11, signed_root(client, 11)), (23, signed_root(client)), (25, None)):
        expected = root if root is not None else recomputed[size]
        for index in sorted({0, 1, size // 2, size - 2, size - 1}):
            response = client.get(f"{API}/proof/inclusion", {"index": index, "tree_size": size})
            assert response.status_code == 200
            proof = response.json()
            assert (proof["index"], proof["tree_size"]) == (index, size)
            assert b64(proof["leaf_hash"]) == leaves[index]
            assert b64(proof["root"]) == expected
            path = [b64(p) for p in proof["proof"]]
            verify_inclusion(index, size, leaves[index], path, expected)
            with pytest.raises(ProofError):  # and it proves nothing about another entry
                verify_inclusion(index, size, leaves[index - 1], path, expected)


def test_consistency_proofs_verify_between_signed_roots(client: Client, city: Organisation) -> None:
    recomputed = roots(client)
    assert recomputed[11] == signed_root(client, 11) and recomputed[23] == signed_root(client)
    for first, second in ((11, 23), (1, 25), (11, 25), (23, 25), (7, 11), (16, 23), (23, 23)):
        response = client.get(f"{API}/proof/consistency", {"first": first, "second": second})
        assert response.status_code == 200
        proof = response.json()
        assert (proof["first"], proof["second"]) == (first, second)
        assert b64(proof["first_root"]) == recomputed[first]
        assert b64(proof["second_root"]) == recomputed[second]
        path = [b64(p) for p in proof["proof"]]
        verify_consistency(first, second, recomputed[first], recomputed[second], path)
        if first < second:  # the proof binds the first tree: another one does not pass
            with pytest.raises(ProofError):
                verify_consistency(first, second, recomputed[first - 1], recomputed[second], path)


@pytest.mark.parametrize(
    "query",
    [
        "inclusion?index=11&tree_size=11",
        "inclusion?index=0&tree_size=26",
        "inclusion?index=-1&tree_size=5",
        "inclusion?index=0&tree_size=0",
        "inclusion?index=0&tree_size=-4",
        "inclusion?index=first&tree_size=5",
        "inclusion?index=1.5&tree_size=5",
        "inclusion?tree_size=5",
        "inclusion?index=0&tree_size=99999999999999999999999",
        "consistency?first=5&second=3",
        "consistency?first=3&second=26",
        "consistency?first=0&second=3",
        "consistency?first=-2&second=3",
        "consistency?first=x&second=3",
        "consistency?first=1",
        "consistency?first=1&second=99999999999999999999999",
    ],
)
def test_bad_proof_parameters_are_problems(client: Client, city: Organisation, query: str) -> None:
    body = assert_problem(client.get(f"{API}/proof/{query}"), 422)
    assert body["errors"], body


def test_no_proof_from_an_empty_log(client: Client, db: None) -> None:
    assert_problem(client.get(f"{API}/proof/inclusion?index=0&tree_size=1"), 422)
    assert_problem(client.get(f"{API}/proof/consistency?first=1&second=1"), 422)


# Keys and witnesses ------------------------------------------------------------------------


def test_the_public_key_is_the_well_known_one(client: Client, db: None) -> None:
    response = client.get(f"{API}/public-key")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert client.get("/.well-known/agora-ledger.vkey").content.decode() == text
    key = VerifierKey.parse(text)
    assert (key.name, key.kind, len(key.public_key)) == (settings.LEDGER_ORIGIN, ED25519, 32)
    assert key.encode() + "\n" == text


@pytest.fixture
def witness(people: dict[str, User | None], organisation: Organisation) -> Signer:
    signer = Signer.generate(WITNESS)
    services.witness_register(
        actor=staff_of(people),
        name=WITNESS,
        vkey=signer.verifier(COSIGNATURE).encode(),
        organisation=organisation,
        description="Cour régionale des comptes",
    )
    return signer


def checkpoint_text(client: Client, size: int | None = None) -> str:
    response = client.get(f"{API}/checkpoint" + (f"?size={size}" if size else ""))
    return Note.parse(response.content.decode()).text


def post(client: Client, payload: dict[str, Any]) -> Any:
    return client.post(f"{API}/cosignatures", payload, content_type="application/json")


def test_a_registered_witness_cosigns(client: Client, city: Organisation, witness: Signer) -> None:
    listed = client.get(f"{API}/witnesses").json()
    assert listed == [
        {
            "name": WITNESS,
            "vkey": witness.verifier(COSIGNATURE).encode(),
            "organisation": {"slug": "region-test", "name": "Région de Test"},
            "latest_size": None,
            "latest_at": None,
        }
    ]
    signed_at = int(time.time()) - 5
    line = witness.cosign(checkpoint_text(client), signed_at)
    response = post(client, {"witness": WITNESS, "tree_size": 23, "cosignature": line})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["witness"], body["tree_size"]) == (WITNESS, 23)
    assert datetime.fromisoformat(body["signed_at"]).timestamp() == signed_at
    note = Note.parse(client.get(f"{API}/checkpoint").content.decode())
    assert note.cosignature_time(witness.verifier(COSIGNATURE)) == signed_at
    assert len(note.signatures) == 3  # the log's signature, its timestamp, the witness
    older = Note.parse(client.get(f"{API}/checkpoint?size=11").content.decode())
    assert len(older.signatures) == 2
    status = client.get(f"{API}/witnesses").json()[0]
    assert status["latest_size"] == 23
    assert datetime.fromisoformat(status["latest_at"]).timestamp() == signed_at
    # Sending it again changes nothing.
    again = post(client, {"witness": WITNESS, "tree_size": 23, "cosignature": line})
    assert again.status_code == 201
    assert Cosignature.objects.count() == 1


def _wrong_key(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": Signer.generate(WITNESS).cosign(text, int(time.time()))}


def _note_signature(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": witness.sign(text)}  # type 0x01, not a timestamped cosignature


def _future(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": witness.cosign(text, int(time.time()) + 86_400)}


def _unknown_witness(witness: Signer, text: str) -> dict[str, Any]:
    stranger = Signer.generate("nobody.example/witness")
    return {"witness": stranger.name, "cosignature": stranger.cosign(text, int(time.time()))}


def _unknown_size(witness: Signer, text: str) -> dict[str, Any]:
    return {"tree_size": 12, "cosignature": witness.cosign(text, int(time.time()))}


def _other_checkpoint(witness: Signer, text: str) -> dict[str, Any]:
    return {"tree_size": 11, "cosignature": witness.cosign(text, int(time.time()))}


def _garbage(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": "hello"}


def _garbage_base64(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": f"— {WITNESS} not+base64!"}


def _zero_size(witness: Signer, text: str) -> dict[str, Any]:
    return {"tree_size": 0, "cosignature": witness.cosign(text, int(time.time()))}


def _no_cosignature(witness: Signer, text: str) -> dict[str, Any]:
    return {"cosignature": None}


@pytest.mark.parametrize(
    "tamper",
    [
        _wrong_key,
        _note_signature,
        _future,
        _unknown_witness,
        _unknown_size,
        _other_checkpoint,
        _garbage,
        _garbage_base64,
        _zero_size,
        _no_cosignature,
    ],
)
def test_a_bad_cosignature_is_refused(
    client: Client,
    city: Organisation,
    witness: Signer,
    tamper: Callable[[Signer, str], dict[str, Any]],
) -> None:
    payload = {"witness": WITNESS, "tree_size": 23, **tamper(witness, checkpoint_text(client))}
    assert_problem(post(client, payload), 422)
    assert not Cosignature.objects.exists()
    assert client.get(f"{API}/witnesses").json()[0]["latest_size"] is None


def test_a_cosignature_that_is_not_json_is_refused(
    client: Client, city: Organisation, witness: Signer
) -> None:
    response = client.post(f"{API}/cosignatures", "witness=x", content_type="application/json")
    assert_problem(response, 400)
    assert not Cosignature.objects.exists()


# The witness's command ---------------------------------------------------------------------


def cosign(url: str, key_file: Path, kept: Path) -> str:
    out = StringIO()
    call_command(
        "ledger",
        "cosign",
        url,
        "--key-file",
        str(key_file),
        "--since",
        str(kept),
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_the_cosign_command_end_to_end(
    live_server: Any,
    client: Client,
    city: Organisation,
    witness: Signer,
    organisation: Organisation,
    people: dict[str, User | None],
    tmp_path: Path,
) -> None:
    key_file, kept = tmp_path / "witness.key", tmp_path / "witness-checkpoint.txt"
    key_file.write_text(witness.encode() + "\n")
    out = cosign(live_server.url, key_file, kept)
    assert f"Cosigned testserver/ledger at 23 entries as {WITNESS}." in out
    assert Checkpoint.parse(Note.parse(kept.read_text()).text).size == 23
    cosignature = Cosignature.objects.get()
    assert cosignature.checkpoint.size == 23
    note = Note.parse(client.get(f"{API}/checkpoint").content.decode())
    note.cosignature_time(witness.verifier(COSIGNATURE))
    assert client.get(f"{API}/witnesses").json()[0]["latest_size"] == 23

    admin = people["admin"]
    assert admin is not None
    accounts.organisation_update(actor=admin, organisation=organisation, email="contact@x.example")
    assert services.checkpoint_publish() is not None  # 26 entries
    out = cosign(live_server.url, key_file, kept)  # checks that 26 extends the 23 it kept
    assert f"at 26 entries as {WITNESS}" in out
    assert Checkpoint.parse(Note.parse(kept.read_text()).text).size == 26
    assert client.get(f"{API}/witnesses").json()[0]["latest_size"] == 26
    verified = StringIO()
    call_command("ledger", "verify", live_server.url, stdout=verified)
    assert f"Cosigned by {WITNESS} (" in verified.getvalue()


def test_the_cosign_command_of_an_unregistered_witness_fails(
    live_server: Any, city: Organisation, tmp_path: Path
) -> None:
    stranger = Signer.generate("nobody.example/witness")
    key_file, kept = tmp_path / "witness.key", tmp_path / "witness-checkpoint.txt"
    key_file.write_text(stranger.encode())
    with pytest.raises(CommandError) as refused:
        call_command(
            "ledger",
            "cosign",
            live_server.url,
            "--key-file",
            str(key_file),
            "--since",
            str(kept),
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert "the platform refused the cosignature" in str(refused.value)
    assert "No witness is registered under this name." in str(refused.value)
    assert not kept.exists()
