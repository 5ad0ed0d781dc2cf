"""Official actions: what someone does on behalf of an organisation is put on the record.

The ledger app registers the recorder; apps below it in the dependency order (accounts)
report their actions here instead of importing the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Recorder = Callable[..., Any]
_recorder: Recorder | None = None


def register_recorder(recorder: Recorder) -> None:
    global _recorder
    _recorder = recorder


def record(
    *,
    actor: Any,
    organisation: Any,
    action: str,
    subject: Any,
    summary: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Records the action, in the caller's transaction."""
    if _recorder is None:
        raise RuntimeError(
            "no recorder of official actions is registered (is the ledger installed?)"
        )
    _recorder(
        actor=actor,
        organisation=organisation,
        action=action,
        subject=subject,
        summary=summary,
        data=data,
    )


def public_text(template: StrOrPromise, **values: Any) -> str:
    """Ledger summaries are written once, for everyone: in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(template) % values
