"""C2SP signed notes (c2sp.org/signed-note), tlog checkpoints (c2sp.org/tlog-checkpoint) and
Ed25519 cosignatures (c2sp.org/tlog-cosignature), with PyNaCl.

Pure functions over text and bytes: used by the log to sign, by witnesses to cosign and by
the independent verifier to check, so that all three read the formats the same way.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

ED25519 = 0x01  # a note signature
COSIGNATURE = 0x04  # a timestamped Ed25519 checkpoint cosignature
DASH = "\u2014"


class NoteError(ValueError):
    pass


def key_id(name: str, kind: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    kind: int
    public_key: bytes

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.kind, self.public_key)

    def encode(self) -> str:
        """The vkey text: name+hex(key ID)+base64(type || public key)."""
        material = base64.b64encode(bytes([self.kind]) + self.public_key).decode()
        return f"{self.name}+{self.id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        try:
            name, hex_id, material = text.strip().split("+", 2)
            raw = base64.b64decode(material, validate=True)
        except ValueError as exc:
            raise NoteError("a verifier key reads name+keyid+base64") from exc
        key = cls(name=name, kind=raw[0], public_key=raw[1:]) if raw else None
        if key is None or key.kind not in (ED25519, COSIGNATURE) or len(key.public_key) != 32:
            raise NoteError("only Ed25519 verifier keys are supported")
        if key.id.hex() != hex_id.lower():
            raise NoteError("the verifier key's ID does not match its name and key")
        return key


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes  # the 32-byte Ed25519 private seed

    @property
    def signing_key(self) -> SigningKey:
        return SigningKey(self.seed)

    def verifier(self, kind: int = ED25519) -> VerifierKey:
        return VerifierKey(self.name, kind, bytes(self.signing_key.verify_key))

    def encode(self) -> str:
        """The private key text, as Go's golang.org/x/mod/sumdb/note writes it."""
        verifier = self.verifier()
        material = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{verifier.id.hex()}+{material}"

    @classmethod
    def parse(cls, text: str) -> Signer:
        try:
            private, key, name, _hex_id, material = text.strip().split("+", 4)
            raw = base64.b64decode(material, validate=True)
        except ValueError as exc:
            raise NoteError("a signing key reads PRIVATE+KEY+name+keyid+base64") from exc
        if (private, key) != ("PRIVATE", "KEY") or len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("only Ed25519 signing keys are supported")
        return cls(name=name, seed=raw[1:])

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name=name, seed=bytes(SigningKey.generate()))

    def sign(self, text: str) -> str:
        """One signature line over `text` (which ends with a newline)."""
        signature = self.signing_key.sign(text.encode()).signature
        return _line(self.name, self.verifier().id + signature)

    def cosign(self, text: str, timestamp: int) -> str:
        """A timestamped cosignature line (type 0x04) over a checkpoint's text."""
        message = f"cosignature/v1\ntime {timestamp}\n{text}".encode()
        signature = self.signing_key.sign(message).signature
        return _line(
            self.name, self.verifier(COSIGNATURE).id + struct.pack(">Q", timestamp) + signature
        )


def _line(name: str, payload: bytes) -> str:
    return f"{DASH} {name} {base64.b64encode(payload).decode()}\n"


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes
    payload: bytes  # what follows the key ID


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[SignatureLine, ...]

    @classmethod
    def parse(cls, note: str) -> Note:
        if any(ord(c) < 0x20 and c != "\n" for c in note):
            raise NoteError("a note must not contain control characters")
        text, separator, block = note.rpartition("\n\n")
        if not separator or not block.endswith("\n"):
            raise NoteError("a note is its text, a blank line, then signature lines")
        signatures = []
        for line in block[:-1].split("\n"):
            dash, _, rest = line.partition(" ")
            name, _, encoded = rest.partition(" ")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise NoteError(f"unreadable signature line: {line!r}") from exc
            if dash != DASH or not name or len(raw) < 5:
                raise NoteError(f"unreadable signature line: {line!r}")
            signatures.append(SignatureLine(name, raw[:4], raw[4:]))
        return cls(text=text + "\n", signatures=tuple(signatures))

    def verify(self, key: VerifierKey) -> None:
        """Raises NoteError unless `key` signed this note's text."""
        found = [s for s in self.signatures if (s.name, s.key_id) == (key.name, key.id)]
        if not found:
            raise NoteError(f"the note carries no signature by {key.name}")
        for signature in found:
            try:
                VerifyKey(key.public_key).verify(self.text.encode(), signature.payload)
            except BadSignatureError as exc:
                raise NoteError(f"the signature by {key.name} does not match the note") from exc

    def cosignature_time(self, key: VerifierKey) -> int:
        """Checks a type 0x04 cosignature by `key`; returns its POSIX timestamp."""
        found = [s for s in self.signatures if (s.name, s.key_id) == (key.name, key.id)]
        if not found:
            raise NoteError(f"the note carries no cosignature by {key.name}")
        payload = found[0].payload
        if len(payload) != 8 + 64:
            raise NoteError(f"the cosignature by {key.name} is malformed")
        (timestamp,) = struct.unpack(">Q", payload[:8])
        message = f"cosignature/v1\ntime {timestamp}\n{self.text}".encode()
        try:
            VerifyKey(key.public_key).verify(message, payload[8:])
        except BadSignatureError as exc:
            raise NoteError(f"the cosignature by {key.name} does not match the note") from exc
        return int(timestamp)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not lines[0]:
            raise NoteError("a checkpoint is an origin, a size and a root hash, one per line")
        origin, size, root = lines[0], lines[1], lines[2]
        if not size.isdigit() or (size.startswith("0") and size != "0"):
            raise NoteError(f"the checkpoint's tree size {size!r} is not a decimal number")
        try:
            raw = base64.b64decode(root, validate=True)
        except ValueError as exc:
            raise NoteError("the checkpoint's root hash is not base64") from exc
        if len(raw) != 32:
            raise NoteError("the checkpoint's root hash is not 32 bytes")
        return cls(origin=origin, size=int(size), root=raw)
