"""The `agora` command: serve, worker, demo, createadmin; anything else goes to manage.py."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv[1:]
    if args[:1] == ["ledger"] and len(args) > 1:
        from agora.ledger import auditor

        if args[1] in auditor.COMMANDS:  # no settings needed: run without starting Django
            return auditor.main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["agora", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
