"""The independent verifier: checks a ledger through its public API only.

It never touches a database and trusts nothing the server says without checking it: every
leaf is recomputed from the bytes served, every checkpoint's signature checked, the tree
rebuilt from the leaves, and the log compared with the checkpoint the user kept from a
previous check. Each failure says which entry or which checkpoint is wrong, and how.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import rfc8785

from agora.ledger.merkle import CompactRange, ProofError, leaf_hash, verify_consistency
from agora.ledger.notes import COSIGNATURE, ED25519, Checkpoint, Note, NoteError, VerifierKey

API = "/api/v1/ledger"
PAGE = 1000
# Entry fields as the API shows them, and where the hashed leaf holds the same value.
SHOWN_AND_HASHED = ("action", "actor", "organisation", "subject", "summary", "data", "corrects")


class VerificationError(Exception):
    """The ledger failed a check; the message says which and why."""


class Fetcher:
    """GETs and POSTs JSON and text over HTTP(S), with clear errors."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        self.base = base_url.rstrip("/")
        self.timeout = timeout

    def _open(self, path: str, data: bytes | None = None) -> bytes:
        url = path if path.startswith("http") else self.base + path
        headers = {"Accept": "application/json, text/plain", "User-Agent": "agora-ledger-verify"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310  the user's URL
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise VerificationError(
                f"{url} answered {exc.code}: {exc.read()[:300].decode(errors='replace')}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise VerificationError(f"cannot reach {url}: {exc}") from exc

    def text(self, path: str) -> str:
        return self._open(path).decode()

    def json(self, path: str) -> Any:
        try:
            return json.loads(self._open(path))
        except ValueError as exc:
            raise VerificationError(f"{path} did not answer JSON") from exc

    def post(self, path: str, payload: dict[str, Any]) -> Any:
        return json.loads(self._open(path, json.dumps(payload).encode()))

    def pages(self, path: str) -> Iterator[dict[str, Any]]:
        url: str | None = path
        while url:
            page = self.json(url)
            yield from page["items"]
            url = page.get("next")


@dataclass
class Report:
    origin: str = ""
    size: int = 0
    root: bytes = b""
    signed_at: datetime | None = None
    checkpoints: int = 0
    unsigned_entries: int = 0
    previous_size: int | None = None
    witnesses: list[str] = field(default_factory=list)
    note: str = ""


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise VerificationError(f"{what} is not valid base64") from exc


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _log_keys(vkey: str) -> tuple[VerifierKey, VerifierKey]:
    key = VerifierKey.parse(vkey)
    if key.kind != ED25519:
        raise VerificationError("the log's key must be an Ed25519 note key (type 0x01)")
    return key, VerifierKey(key.name, COSIGNATURE, key.public_key)


def check_note(note_text: str, vkey: str) -> tuple[Checkpoint, datetime]:
    """A checkpoint signed by the log, and the time it signed it at."""
    key, timestamp_key = _log_keys(vkey)
    try:
        note = Note.parse(note_text)
        note.verify(key)
        signed_at = datetime.fromtimestamp(note.cosignature_time(timestamp_key), tz=UTC)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as exc:
        raise VerificationError(f"checkpoint rejected: {exc}") from exc
    if checkpoint.origin != key.name:
        raise VerificationError(
            f"the checkpoint is for the log {checkpoint.origin!r}, not {key.name!r}"
        )
    return checkpoint, signed_at


def _check_entry(
    entry: dict[str, Any], expected: int, previous_time: datetime | None
) -> tuple[bytes, datetime]:
    index = entry.get("index")
    if index != expected:
        if isinstance(index, int) and index > expected:
            raise VerificationError(
                f"entry {expected} is missing: the log jumps from {expected - 1} to {index}"
            )
        raise VerificationError(
            f"entry {index} appears in position {expected}: entries were inserted, duplicated or reordered"
        )
    leaf = _b64(entry.get("leaf", ""), f"entry {index}'s leaf")
    try:
        hashed = json.loads(leaf)
    except ValueError as exc:
        raise VerificationError(f"entry {index}: the bytes hashed are not JSON") from exc
    if rfc8785.dumps(hashed) != leaf:
        raise VerificationError(
            f"entry {index}: the bytes hashed are not canonical JSON (RFC 8785)"
        )
    if hashed.get("index") != index:
        raise VerificationError(
            f"entry {index}: what was hashed is entry {hashed.get('index')}: entries were reordered or renumbered"
        )
    for name in SHOWN_AND_HASHED:
        if entry.get(name) != hashed.get(name):
            raise VerificationError(
                f"entry {index}: its {name} shown ({json.dumps(entry.get(name), ensure_ascii=False)[:120]}) "
                f"differs from what was recorded ({json.dumps(hashed.get(name), ensure_ascii=False)[:120]}): "
                "it was modified after it was recorded"
            )
    recorded = _time(hashed["time"])
    if _time(entry["time"]) != recorded:
        raise VerificationError(
            f"entry {index}: its date shown differs from the date recorded ({hashed['time']})"
        )
    if previous_time is not None and recorded < previous_time:
        raise VerificationError(
            f"entry {index} is dated {hashed['time']}, before entry {index - 1}: it was backdated or inserted"
        )
    digest = leaf_hash(leaf)
    if _b64(entry.get("leaf_hash", ""), f"entry {index}'s leaf hash") != digest:
        raise VerificationError(
            f"entry {index}: its content does not match the hash stored when it was recorded: it was modified"
        )
    return digest, recorded


def verify(
    base_url: str,
    *,
    since: str | None = None,
    vkey: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Checks the whole log at `base_url`; returns what was checked, raises VerificationError.

    `since` is a checkpoint note saved by an earlier run, `vkey` the log's key if the user
    has it from elsewhere (otherwise the key the server publishes, or the one in `since`).
    """
    http = Fetcher(base_url)
    published = http.text(f"{API}/public-key").strip()
    key = vkey or published
    if vkey and published != vkey:
        raise VerificationError(
            "the server publishes another key than the one you gave: do not trust it"
        )
    report = Report(note=http.text(f"{API}/checkpoint"))
    latest, report.signed_at = check_note(report.note, key)
    report.origin, report.size, report.root = latest.origin, latest.size, latest.root

    saved: Checkpoint | None = None
    if since:
        saved, saved_at = check_note(since, key)
        report.previous_size = saved.size
        if saved.size > latest.size:
            raise VerificationError(
                f"the log shrank: you saw {saved.size} entries on {saved_at:%Y-%m-%d %H:%M} UTC, it now shows {latest.size}"
            )

    signed: dict[int, tuple[bytes, datetime]] = {}
    for item in http.pages(f"{API}/checkpoints?limit={PAGE}"):
        checkpoint, at = check_note(item["note"], key)
        signed[checkpoint.size] = (checkpoint.root, at)
    report.checkpoints = len(signed)
    if latest.size in signed and signed[latest.size][0] != latest.root:
        raise VerificationError("the server shows two different checkpoints for the same size")

    tree = CompactRange()
    previous_time: datetime | None = None
    last_checked = 0
    for entry in http.pages(f"{API}/entries?limit={PAGE}"):
        digest, previous_time = _check_entry(entry, tree.size, previous_time)
        tree.append(digest)
        if tree.size in signed:
            root, at = signed[tree.size]
            if tree.root() != root:
                raise VerificationError(
                    f"the entries {last_checked} to {tree.size - 1} no longer match the checkpoint the log "
                    f"signed on {at:%Y-%m-%d %H:%M} UTC for {tree.size} entries: one of them was changed, "
                    "removed, inserted or reordered since"
                )
            last_checked = tree.size
        if saved is not None and tree.size == saved.size and tree.root() != saved.root:
            raise VerificationError(
                f"forked log: the first {saved.size} entries are not those you saw at your last check — "
                "the server shows a different history than the one it showed you"
            )
        if progress is not None and tree.size % PAGE == 0:
            progress(tree.size, latest.size)
    if tree.size < latest.size:
        raise VerificationError(
            f"the log serves {tree.size} entries but its latest checkpoint covers {latest.size}: entries were removed"
        )
    report.unsigned_entries = tree.size - latest.size

    if saved is not None and saved.size < latest.size:
        proof = http.json(f"{API}/proof/consistency?first={saved.size}&second={latest.size}")
        try:
            verify_consistency(
                saved.size,
                latest.size,
                saved.root,
                latest.root,
                [_b64(p, "a proof hash") for p in proof["proof"]],
            )
        except ProofError as exc:
            raise VerificationError(
                f"forked log: the checkpoint you kept ({saved.size} entries) is not consistent with the "
                f"latest ({latest.size} entries): {exc}"
            ) from exc

    note = Note.parse(report.note)
    for witness in http.json(f"{API}/witnesses"):
        try:
            witness_key = VerifierKey.parse(witness["vkey"])
            cosigned = datetime.fromtimestamp(note.cosignature_time(witness_key), tz=UTC)
        except NoteError:
            continue  # this witness has not cosigned the latest checkpoint (yet)
        report.witnesses.append(f"{witness['name']} ({cosigned:%Y-%m-%d %H:%M} UTC)")
    return report
