from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Writes the API's OpenAPI document (keys sorted, no server), as committed in "
        "docs/api/openapi.json. Without --output it is printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="file to write, e.g. docs/api/openapi.json")

    def handle(self, *args: Any, output: str | None, **options: Any) -> None:
        # Imported here: the API imports every app's routers, which needs the app registry.
        from agora.api import openapi_document

        document = openapi_document()
        if output is None:
            self.stdout.write(document, ending="")
            return
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
