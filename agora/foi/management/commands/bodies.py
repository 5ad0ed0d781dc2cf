"""`agora bodies import FILE` and `agora bodies export`: the directory of public bodies as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.core.errors import ValidationError, error_message


class Command(BaseCommand):
    help = "Import or export the directory of public bodies (CSV; WhatDoTheyKnow's is understood)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="add or update bodies from a CSV file; all or nothing")
        load.add_argument("file", type=Path)
        load.add_argument(
            "--law", action="append", default=[], help="a law for rows that name none (repeatable)"
        )
        load.add_argument("--dry-run", action="store_true", help="only check the file")
        sub.add_parser("export", help="write the directory as CSV on standard output")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        from agora.foi import directory

        if action == "export":
            self.stdout.write(directory.bodies_csv(), ending="")
            return
        try:
            text = directory.decode_csv(options["file"].read_bytes())
            report = directory.bodies_import(
                actor=None, text=text, default_laws=options["law"], dry_run=options["dry_run"]
            )
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}") from error
        except ValidationError as error:
            raise CommandError(error_message(error)) from error
        for problem in report.problems[:200]:
            self.stderr.write(
                f"line {problem['line']}, {problem['column']} “{problem['value']}”: "
                f"{problem['message']}"
            )
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s); nothing was changed.")
        if options["dry_run"]:
            self.stdout.write("The file is valid; nothing was changed.")
            return
        self.stdout.write(
            f"Imported: {report.created} added, {report.updated} updated, "
            f"{report.unchanged} unchanged."
        )
