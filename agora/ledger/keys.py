"""The log's signing key."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.conf import settings

from agora.ledger.notes import Signer


@cache
def log_signer() -> Signer:
    """From LEDGER_SIGNING_KEY, or a key kept under VAR_DIR (created on first use)."""
    if settings.LEDGER_SIGNING_KEY:
        return Signer.parse(settings.LEDGER_SIGNING_KEY)
    path = Path(settings.VAR_DIR) / "ledger_signing_key"
    if not path.exists():
        signer = Signer.generate(settings.LEDGER_ORIGIN)
        try:  # readable by the owner only, and never overwritten (another process may win)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(signer.encode() + "\n")
    return Signer.parse(path.read_text())
