"""What an outside auditor or witness runs: `agora ledger verify | cosign | keygen`.

These commands only speak HTTP to a platform's public API and handle keys; they need no
installation of their own (no settings, no database, no secret key), so `agora` runs them
without starting Django. `agora ledger checkpoint`, which signs for the platform, is a
management command.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agora.ledger.notes import COSIGNATURE, Note, Signer
from agora.ledger.verifier import Fetcher, VerificationError, verify

COMMANDS = ("verify", "cosign", "keygen")
Write = Callable[[str], object]


class CommandFailed(Exception):
    """The command could not do its job (other than a failed verification)."""


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def run_verify(
    url: str,
    *,
    since: Path | None,
    key: str | None,
    out: Write,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    previous = since.read_text() if since and since.exists() else None
    report = verify(url, since=previous, vkey=key, progress=progress)
    out(
        f"OK: {report.origin} — {report.size} entries match the checkpoint signed "
        f"{report.signed_at:%Y-%m-%d %H:%M} UTC"
        + (
            f", and so do all {report.checkpoints} signed checkpoints."
            if report.checkpoints > 1
            else "."
        )
    )
    if report.previous_size is not None:
        out(f"The log only grew since your last check ({report.previous_size} entries).")
    if report.unsigned_entries:
        out(f"{report.unsigned_entries} newer entries are not yet covered by a checkpoint.")
    for witness in report.witnesses:
        out(f"Cosigned by {witness}.")
    if since:
        _write_atomically(since, report.note)
        out(f"Checkpoint saved to {since}: keep it for the next check.")


def run_cosign(url: str, *, key_file: Path, since: Path, out: Write) -> None:
    signer = Signer.parse(key_file.read_text())
    previous = since.read_text() if since.exists() else None
    report = verify(url, since=previous)
    line = signer.cosign(Note.parse(report.note).text, int(time.time()))
    try:
        Fetcher(url).post(
            "/api/v1/ledger/cosignatures",
            {"witness": signer.name, "tree_size": report.size, "cosignature": line},
        )
    except VerificationError as exc:  # the log verified; the platform refused the cosignature
        raise CommandFailed(f"the platform refused the cosignature: {exc}") from exc
    _write_atomically(since, report.note)
    out(f"Cosigned {report.origin} at {report.size} entries as {signer.name}.")


def run_keygen(name: str, *, out: Write) -> None:
    signer = Signer.generate(name)
    out(f"private key (keep secret):     {signer.encode()}")
    out(f"log verifier key:              {signer.verifier().encode()}")
    out(f"witness verifier key (cosign): {signer.verifier(COSIGNATURE).encode()}")


def add_arguments(sub: argparse._SubParsersAction[Any]) -> None:
    """The auditor's subcommands, shared with the management command."""
    check = sub.add_parser("verify", help="verify a ledger through its public API")
    check.add_argument("url", help="the platform's address, e.g. https://agora.example.org")
    check.add_argument(
        "--since", type=Path, help="checkpoint file kept from the previous run; updated"
    )
    check.add_argument("--key", help="the log's verifier key, if you have it from elsewhere")
    cosign = sub.add_parser("cosign", help="verify, then cosign the latest checkpoint as a witness")
    cosign.add_argument("url")
    cosign.add_argument("--key-file", type=Path, required=True, help="the witness's private key")
    cosign.add_argument("--since", type=Path, required=True, help="the witness's checkpoint file")
    keygen = sub.add_parser("keygen", help="print a new Ed25519 key for a log or a witness")
    keygen.add_argument("name", help="the key name, e.g. agora.example.org/ledger")


def dispatch(options: argparse.Namespace, out: Write, progress: Callable[[int, int], None]) -> None:
    if options.action == "verify":
        run_verify(options.url, since=options.since, key=options.key, out=out, progress=progress)
    elif options.action == "cosign":
        run_cosign(options.url, key_file=options.key_file, since=options.since, out=out)
    else:
        run_keygen(options.name, out=out)


def _progress(done: int, total: int) -> None:
    print(f"\r{done}/{total} entries checked", end="", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    """`agora ledger <verify|cosign|keygen> …`; 1 when the ledger fails verification."""
    parser = argparse.ArgumentParser(prog="agora ledger", description=__doc__.split("\n\n")[0])
    add_arguments(parser.add_subparsers(dest="action", required=True))
    try:
        dispatch(parser.parse_args(argv), print, _progress)
    except VerificationError as exc:
        print(f"\nLEDGER VERIFICATION FAILED: {exc}", file=sys.stderr)
        return 1
    except (CommandFailed, OSError, ValueError) as exc:
        print(f"\nagora ledger: {exc}", file=sys.stderr)
        return 2
    return 0
