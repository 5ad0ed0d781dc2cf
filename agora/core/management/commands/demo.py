from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agora.core import demo
from agora.core.search import search_rebuild


class Command(BaseCommand):
    help = "Migrates the database and loads a fictional region to explore (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
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
