from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from agora.core import demo
from agora.core.search import search_rebuild


class Command(BaseCommand):
    help = (
        "Migrates the database and loads a fictional region to explore (idempotent). Its "
        "accounts have published passwords: it runs only with DEBUG on, or with --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="load even though DEBUG is off")

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "The demo creates accounts whose passwords are public. Run it with DEBUG=true, "
                "or add --force if this really is a demonstration server."
            )
        call_command("migrate", interactive=False, verbosity=0)
        report = demo.DemoReport()
        with transaction.atomic():
            for name, loader in demo.loaders():
                self.stdout.write(f"Loading demo data: {name}")
                loader(report)
        search_rebuild()
        self.stdout.write(
            self.style.SUCCESS("\nDemo data loaded. Accounts (email / password / role):")
        )
        for email, password, role, secret in report.accounts:
            line = f"  {email:<34} {password:<20} {role}"
            if secret:
                line += f"\n  {'':<34} two-factor secret (TOTP, add it to an authenticator app): {secret}"
            self.stdout.write(line)
        for line in report.lines:
            self.stdout.write(line)
