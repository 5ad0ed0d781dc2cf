"""The independent verifier: checks a ledger through its public API only.

It never touches a database and trusts nothing the server says without checking it: every
leaf is recomputed from the bytes served, every checkpoint's signature checked, the tree
rebuilt from the leaves, and the log compared with the checkpoint the user kept from a
previous check. Each failure says which entry or which checkpoint is wrong, and how.
"""

from __future__ import annotations

import base64
import binascii
import http.client
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


class HttpStatusError(VerificationError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


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
        try:
            request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310  the user's URL
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            raise HttpStatusError(
                f"{url} answered {exc.code}: {_problem(exc.read())}", exc.code
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            raise VerificationError(f"cannot reach {url}: {exc}") from exc
        except ValueError as exc:  # urllib's word for an address it cannot use
            raise VerificationError(f"{url} is not a web address: {exc}") from exc

    def text(self, path: str) -> str:
        try:
            return self._open(path).decode()
        except UnicodeDecodeError as exc:
            raise VerificationError(f"{path} did not answer UTF-8 text") from exc

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
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise VerificationError(f"{url} did not answer a list of items")
            yield from items
            url = page.get("next")


def _problem(body: bytes) -> str:
    """The detail of an RFC 9457 problem, or the start of whatever else was answered."""
    try:
        problem = json.loads(body)
        return str(problem["detail"])
    except (ValueError, KeyError, TypeError):
        text = body[:300].decode(errors="replace").strip()
    if text.startswith("<"):
        return "a web page, not the ledger's API: is this the address of an Agora platform?"
    return text


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


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise VerificationError(f"{what} is not valid base64") from exc


def _time(value: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError as exc:
        raise VerificationError(f"{what} is not a date and time: {value!r}") from exc


def _minute(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _log_keys(vkey: str) -> tuple[VerifierKey, VerifierKey]:
    try:
        key = VerifierKey.parse(vkey)
    except NoteError as exc:
        raise VerificationError(
            f"the log's verifier key {vkey[:100]!r} is unusable: {exc}"
        ) from exc
    if key.kind != ED25519:
        raise VerificationError("the log's key must be an Ed25519 note key (type 0x01)")
    return key, VerifierKey(key.name, COSIGNATURE, key.public_key)


def check_note(
    note_text: str, vkey: str, what: str = "the checkpoint"
) -> tuple[Checkpoint, datetime]:
    """A checkpoint signed by the log, and the time it signed it at."""
    key, timestamp_key = _log_keys(vkey)
    try:
        note = Note.parse(note_text)
        note.verify(key)
        signed_at = datetime.fromtimestamp(note.cosignature_time(timestamp_key), tz=UTC)
        checkpoint = Checkpoint.parse(note.text)
    except NoteError as exc:
        raise VerificationError(f"{what} is rejected: {exc}") from exc
    if checkpoint.origin != key.name:
        raise VerificationError(f"{what} is for the log {checkpoint.origin!r}, not {key.name!r}")
    return checkpoint, signed_at


def _document(entry: dict[str, Any], index: Any) -> tuple[bytes, dict[str, Any]]:
    """The bytes hashed as an entry's leaf, and the record they hold."""
    leaf = _b64(entry.get("leaf"), f"entry {index}'s leaf")
    try:
        hashed = json.loads(leaf)
        canonical = rfc8785.dumps(hashed)
    except ValueError as exc:
        raise VerificationError(f"entry {index}: the bytes hashed are not JSON") from exc
    except rfc8785.CanonicalizationError as exc:
        raise VerificationError(f"entry {index}: the bytes hashed are not canonical JSON") from exc
    if canonical != leaf:
        raise VerificationError(
            f"entry {index}: the bytes hashed are not canonical JSON (RFC 8785)"
        )
    if not isinstance(hashed, dict):
        raise VerificationError(f"entry {index}: the bytes hashed are not an entry's record")
    return leaf, hashed


def _recorded_index(entry: dict[str, Any] | None) -> Any:
    """The number an entry was recorded under, or None if its leaf cannot say."""
    if entry is None:
        return None
    try:
        return _document(entry, entry.get("index"))[1].get("index")
    except VerificationError:
        return None


def _renumbered(index: int, recorded: Any, following: dict[str, Any] | None) -> str:
    """Why entry `index` holds what was recorded under another number. The next entry tells
    a shift of the numbering (an insertion or a removal hidden by renumbering) from a move."""
    said = f"entry {index} was recorded as entry {recorded}"
    if not isinstance(recorded, int) or isinstance(recorded, bool):
        return f"entry {index}: what was hashed carries no entry number ({recorded!r})"
    shifted = _recorded_index(following) == recorded + 1
    if shifted and recorded < index:
        count = index - recorded
        where = f"entry {recorded}" if count == 1 else f"entries {recorded} to {index - 1}"
        what = "1 entry was" if count == 1 else f"{count} entries were"
        return f"{said}: {what} inserted before it (at {where}) and the later entries renumbered"
    if shifted and recorded > index:
        gone = (
            f"the entry recorded as {index} was"
            if recorded == index + 1
            else f"the entries recorded as {index} to {recorded - 1} were"
        )
        return f"{said}: {gone} removed and the later entries renumbered to close the gap"
    return f"{said}: entries were reordered"


def _check_entry(
    entry: dict[str, Any],
    expected: int,
    previous_time: datetime | None,
    following: dict[str, Any] | None = None,
) -> tuple[bytes, datetime]:
    index = entry.get("index")
    if index != expected:
        if isinstance(index, int) and not isinstance(index, bool) and index > expected:
            missing = (
                f"entry {expected} is"
                if index == expected + 1
                else f"entries {expected} to {index - 1} are"
            )
            jump = (
                f"jumps from entry {expected - 1} to entry {index}"
                if expected
                else f"starts at entry {index}"
            )
            raise VerificationError(f"{missing} missing: the log {jump}")
        raise VerificationError(
            f"entry {index!r} appears in position {expected}: the log serves entries twice or out of order"
        )
    leaf, hashed = _document(entry, index)
    if hashed.get("index") != index:
        raise VerificationError(_renumbered(index, hashed.get("index"), following))
    for name in SHOWN_AND_HASHED:
        if entry.get(name) != hashed.get(name):
            raise VerificationError(
                f"entry {index}: its {name} shown ({json.dumps(entry.get(name), ensure_ascii=False)[:120]}) "
                f"differs from what was recorded ({json.dumps(hashed.get(name), ensure_ascii=False)[:120]}): "
                "it was modified after it was recorded"
            )
    recorded = _time(hashed.get("time"), f"entry {index}'s recorded time")
    if _time(entry.get("time"), f"entry {index}'s time") != recorded:
        raise VerificationError(
            f"entry {index}: its date shown ({entry.get('time')}) differs from the date recorded "
            f"({hashed.get('time')}): it was modified after it was recorded"
        )
    if previous_time is not None and recorded < previous_time:
        raise VerificationError(
            f"entry {index} is dated {hashed.get('time')}, earlier than entry {index - 1} "
            f"({previous_time.isoformat().replace('+00:00', 'Z')}): it was backdated, or inserted "
            "or moved out of order"
        )
    digest = leaf_hash(leaf)
    if _b64(entry.get("leaf_hash"), f"entry {index}'s leaf hash") != digest:
        raise VerificationError(
            f"entry {index}: its content does not match the hash stored when it was recorded: it was modified"
        )
    return digest, recorded


def _latest_note(http: Fetcher, saved: str | None) -> str:
    try:
        return http.text(f"{API}/checkpoint")
    except HttpStatusError as exc:
        if exc.status != 404:
            raise
        if saved is not None:
            raise VerificationError(
                "the log shows no signed checkpoint, although you kept one from your last check: "
                "its checkpoints were removed"
            ) from exc
        raise VerificationError(
            "the log has not signed a checkpoint yet: there is nothing to verify its entries against"
        ) from exc


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
    key = vkey.strip() if vkey else published
    if vkey and published != key:
        raise VerificationError(
            "the server publishes another key than the one you gave: do not trust it"
        )
    _log_keys(key)
    report = Report(note=_latest_note(http, since))
    latest, report.signed_at = check_note(report.note, key, "the latest checkpoint")
    report.origin, report.size, report.root = latest.origin, latest.size, latest.root

    saved: Checkpoint | None = None
    saved_at = report.signed_at
    if since:
        saved, saved_at = check_note(since, key, "the checkpoint you kept from your last check")
        report.previous_size = saved.size
        if saved.size > latest.size:
            raise VerificationError(
                f"the log shrank: at your last check its checkpoint of {_minute(saved_at)} covered "
                f"{saved.size} entries, and its latest checkpoint now covers only {latest.size}: "
                "entries were removed or the log was rewritten"
            )

    signed: dict[int, tuple[bytes, datetime]] = {}
    for item in http.pages(f"{API}/checkpoints?limit={PAGE}"):
        checkpoint, at = check_note(
            str(item.get("note", "")), key, f"the checkpoint of {item.get('size')} entries"
        )
        if checkpoint.size in signed and signed[checkpoint.size][0] != checkpoint.root:
            raise VerificationError(
                f"the log signed two different checkpoints of {checkpoint.size} entries"
            )
        signed[checkpoint.size] = (checkpoint.root, at)
    report.checkpoints = len(signed)
    if latest.size in signed and signed[latest.size][0] != latest.root:
        raise VerificationError(
            f"the log signed two different checkpoints of {latest.size} entries: the latest "
            "one it shows and the one in its list of checkpoints"
        )
    if signed and max(signed) > latest.size:
        raise VerificationError(
            f"the log presents its checkpoint of {latest.size} entries as the latest, but it has "
            f"signed one of {max(signed)} entries: it hides its newer history"
        )
    signed.setdefault(latest.size, (latest.root, report.signed_at))
    if saved is not None and saved.size in signed and signed[saved.size][0] != saved.root:
        raise VerificationError(
            f"forked log: the log signed two different trees of {saved.size} entries, the one you "
            f"kept ({_minute(saved_at)}) and the one it shows now ({_minute(signed[saved.size][1])}): "
            "it rewrote its history, or shows different histories to different people"
        )

    tree = CompactRange()
    previous_time: datetime | None = None
    last_checked = 0
    entries = http.pages(f"{API}/entries?limit={PAGE}")
    following = next(entries, None)
    while following is not None:
        entry, following = following, next(entries, None)
        digest, previous_time = _check_entry(entry, tree.size, previous_time, following)
        tree.append(digest)
        if tree.size in signed:
            root, at = signed[tree.size]
            if tree.root() != root:
                raise VerificationError(
                    f"entries {last_checked} to {tree.size - 1} no longer match the checkpoint the log "
                    f"signed on {_minute(at)} for {tree.size} entries: one of them was modified, "
                    "removed, inserted or reordered after it was signed"
                )
            last_checked = tree.size
        if saved is not None and tree.size == saved.size and tree.root() != saved.root:
            raise VerificationError(
                f"forked log: its first {saved.size} entries are not those you checked against its "
                f"checkpoint of {_minute(saved_at)} (the one you kept): the log rewrote its history, "
                "or shows different histories to different people"
            )
        if progress is not None and tree.size % PAGE == 0:
            progress(tree.size, latest.size)
    covered = max(signed)
    if tree.size < covered:
        missing = (
            f"entry {tree.size} is"
            if covered == tree.size + 1
            else f"entries {tree.size} to {covered - 1} are"
        )
        raise VerificationError(
            f"{missing} missing: the log serves {tree.size} entries, but it signed a checkpoint of "
            f"{covered} entries on {_minute(signed[covered][1])}: they were removed"
        )
    report.unsigned_entries = tree.size - latest.size

    if saved is not None and saved.size < latest.size:
        # The entries already prove it; the proof is what light clients and witnesses rely on.
        proof = http.json(f"{API}/proof/consistency?first={saved.size}&second={latest.size}")
        try:
            hashes = proof["proof"] if isinstance(proof, dict) else None
            if not isinstance(hashes, list):
                raise ProofError("the answer holds no proof")
            verify_consistency(
                saved.size,
                latest.size,
                saved.root,
                latest.root,
                [_b64(p, "a proof hash") for p in hashes],
            )
        except ProofError as exc:
            raise VerificationError(
                f"the log's consistency proof from {saved.size} to {latest.size} entries is wrong "
                f"({exc}) although its entries are consistent: its stored tree nodes were altered, "
                "so the proofs it gives others cannot be trusted"
            ) from exc

    note = Note.parse(report.note)
    for witness in http.json(f"{API}/witnesses"):
        try:
            witness_key = VerifierKey.parse(witness["vkey"])
            cosigned = datetime.fromtimestamp(note.cosignature_time(witness_key), tz=UTC)
        except (NoteError, KeyError, TypeError):
            continue  # this witness has not cosigned the latest checkpoint (yet)
        report.witnesses.append(f"{witness['name']} ({_minute(cosigned)})")
    return report
