"""Log records carry the id of the request they belong to; JSON output on demand."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line, with stable key names for log shippers."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # keyword pass-through
