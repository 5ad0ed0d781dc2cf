"""`agora ledger`: verify a ledger from outside, cosign it as a witness, manage keys."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.ledger.notes import COSIGNATURE, Note, Signer
from agora.ledger.verifier import Fetcher, VerificationError, verify


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.replace(temporary, path)


class Command(BaseCommand):
    help = "The public ledger: verify (uses only the public API), cosign as a witness, keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="verify a ledger through its public API")
        check.add_argument("url", help="the platform's address, e.g. https://agora.example.org")
        check.add_argument(
            "--since", type=Path, help="checkpoint file kept from the previous run; updated"
        )
        check.add_argument("--key", help="the log's verifier key, if you have it from elsewhere")
        cosign = sub.add_parser(
            "cosign", help="verify, then cosign the latest checkpoint as a witness"
        )
        cosign.add_argument("url")
        cosign.add_argument(
            "--key-file", type=Path, required=True, help="the witness's private key"
        )
        cosign.add_argument(
            "--since", type=Path, required=True, help="the witness's checkpoint file"
        )
        keygen = sub.add_parser("keygen", help="print a new Ed25519 key for a log or a witness")
        keygen.add_argument("name", help="the key name, e.g. agora.example.org/ledger")
        sub.add_parser("checkpoint", help="sign a checkpoint now if the log has grown")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except VerificationError as exc:
            self.stderr.write(self.style.ERROR(f"LEDGER VERIFICATION FAILED: {exc}"))
            sys.exit(1)

    def _verify(self, url: str, since: Path | None, key: str | None, **options: Any) -> None:
        previous = since.read_text() if since and since.exists() else None
        report = verify(url, since=previous, vkey=key, progress=self._progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {report.origin} — {report.size} entries match the checkpoint signed "
                f"{report.signed_at:%Y-%m-%d %H:%M} UTC"
                + (
                    f", and so do all {report.checkpoints} signed checkpoints."
                    if report.checkpoints > 1
                    else "."
                )
            )
        )
        if report.previous_size is not None:
            self.stdout.write(
                f"The log only grew since your last check ({report.previous_size} entries)."
            )
        if report.unsigned_entries:
            self.stdout.write(
                f"{report.unsigned_entries} newer entries are not yet covered by a checkpoint."
            )
        for witness in report.witnesses:
            self.stdout.write(f"Cosigned by {witness}.")
        if since:
            _write_atomically(since, report.note)
            self.stdout.write(f"Checkpoint saved to {since}: keep it for the next check.")

    def _cosign(self, url: str, key_file: Path, since: Path, **options: Any) -> None:
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
            raise CommandError(f"the platform refused the cosignature: {exc}") from exc
        _write_atomically(since, report.note)
        self.stdout.write(
            self.style.SUCCESS(
                f"Cosigned {report.origin} at {report.size} entries as {signer.name}."
            )
        )

    def _keygen(self, name: str, **options: Any) -> None:
        signer = Signer.generate(name)
        self.stdout.write(f"private key (keep secret):     {signer.encode()}")
        self.stdout.write(f"log verifier key:              {signer.verifier().encode()}")
        self.stdout.write(f"witness verifier key (cosign): {signer.verifier(COSIGNATURE).encode()}")

    def _checkpoint(self, **options: Any) -> None:
        from agora.ledger.services import checkpoint_publish

        checkpoint = checkpoint_publish()
        self.stdout.write(
            f"Signed a checkpoint at {checkpoint.size} entries."
            if checkpoint
            else "Nothing new to sign."
        )

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"\r{done}/{total} entries checked", ending="")
