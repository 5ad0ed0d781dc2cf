"""Signed notes, checkpoints and cosignatures, against the C2SP specifications' examples."""

from __future__ import annotations

import pytest

from agora.ledger.notes import COSIGNATURE, Checkpoint, Note, NoteError, Signer, VerifierKey

# c2sp.org/signed-note, "Verifier keys → Example".
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_the_specification_example_verifies() -> None:
    key = VerifierKey.parse(SPEC_VKEY)
    assert key.encode() == SPEC_VKEY
    Note.parse(SPEC_NOTE).verify(key)
    with pytest.raises(NoteError):
        Note.parse(SPEC_NOTE.replace("example message", "example massage")).verify(key)


def test_sign_and_verify_a_checkpoint() -> None:
    signer = Signer.generate("agora.example/ledger")
    assert Signer.parse(signer.encode()) == signer
    checkpoint = Checkpoint("agora.example/ledger", 12, bytes(range(32)))
    note = checkpoint.text() + "\n" + signer.sign(checkpoint.text())
    parsed = Note.parse(note)
    parsed.verify(VerifierKey.parse(signer.verifier().encode()))
    assert Checkpoint.parse(parsed.text) == checkpoint
    other = Signer.generate("agora.example/ledger")
    with pytest.raises(NoteError, match="no signature"):
        parsed.verify(other.verifier())


def test_cosignatures_carry_a_signed_time() -> None:
    log, witness = Signer.generate("log.example"), Signer.generate("witness.example/w1")
    text = Checkpoint("log.example", 3, bytes(32)).text()
    note = Note.parse(text + "\n" + log.sign(text) + witness.cosign(text, 1_790_000_000))
    assert note.cosignature_time(witness.verifier(COSIGNATURE)) == 1_790_000_000
    forged = note.signatures[1].payload[:7] + b"\x01" + note.signatures[1].payload[8:]
    tampered = Note(
        note.text,
        (
            note.signatures[0],
            type(note.signatures[1])(note.signatures[1].name, note.signatures[1].key_id, forged),
        ),
    )
    with pytest.raises(NoteError):
        tampered.cosignature_time(witness.verifier(COSIGNATURE))


@pytest.mark.parametrize(
    "text",
    ["", "origin\n", "origin\n012\nAAAA\n", "origin\n1\nnot base64!\n", "origin\n1\nAAAA\n"],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


@pytest.mark.parametrize(
    "note",
    [
        "no blank line\n\u2014 a b\n",
        "text\n\n\u2014 name !!!\n",
        "text\n\n- name AAAAAAAA\n",
        "te\x00xt\n\n\u2014 a AAAAAAAA\n",
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        Note.parse(note)
