"""`agora ledger`: verify a ledger from outside, cosign it as a witness, manage keys."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.ledger import auditor
from agora.ledger.verifier import VerificationError


class Command(BaseCommand):
    help = "The public ledger: verify (uses only the public API), cosign as a witness, keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        auditor.add_arguments(sub)
        sub.add_parser("checkpoint", help="sign a checkpoint now if the log has grown")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "checkpoint":
            self._checkpoint()
            return
        try:
            auditor.dispatch(
                argparse.Namespace(action=action, **options), self.stdout.write, self._progress
            )
        except VerificationError as exc:
            self.stderr.write(self.style.ERROR(f"LEDGER VERIFICATION FAILED: {exc}"))
            sys.exit(1)
        except auditor.CommandFailed as exc:
            raise CommandError(str(exc)) from exc

    def _checkpoint(self) -> None:
        from agora.ledger.services import checkpoint_publish

        checkpoint = checkpoint_publish()
        self.stdout.write(
            f"Signed a checkpoint at {checkpoint.size} entries."
            if checkpoint
            else "Nothing new to sign."
        )

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"\r{done}/{total} entries checked", ending="")
