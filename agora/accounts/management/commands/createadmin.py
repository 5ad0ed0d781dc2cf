from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from agora.accounts.services import user_create
from agora.core.errors import Conflict


class Command(BaseCommand):
    help = (
        "Creates a staff administrator with a verified email. Two-factor authentication is "
        "set up at the first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email")
        parser.add_argument("--name", default="Administrator", help="public display name")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(
        self, *args: Any, email: str | None, name: str, password_stdin: bool, **options: Any
    ) -> None:
        email = email or input("Email: ").strip()
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password)
            user_create(
                email=email,
                password=password,
                display_name=name,
                is_superuser=True,
                email_verified=True,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except Conflict as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrator {email} created. Sign in to set up two-factor authentication."
            )
        )
