"""What goes wrong with a file or a query, said so that the person can fix it."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise

from agora.core.errors import BadParameter


class IngestError(Exception):
    """A file that cannot become a table: `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str | Promise, **details: Any) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)
        self.details = details


class SchemaMismatch(IngestError):
    """A new version that does not fit the schema the publisher confirmed."""

    def __init__(self, message: str | Promise, problems: list[dict[str, Any]], total: int) -> None:
        super().__init__("schema_mismatch", message, problems=problems, total=total)
        self.problems = problems
        self.total = total


class QueryError(BadParameter):
    """A data-API parameter that cannot be used: answered with a 400 naming it."""
