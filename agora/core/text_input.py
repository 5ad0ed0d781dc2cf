"""Free text typed by people: trimmed, bounded, and free of what databases refuse."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value: str, field: str, *, required: bool = False, limit: int = 5000) -> str:
    text = value.strip()
    if "\x00" in text:
        raise ValidationError({field: _("Remove the NUL character: text cannot contain it.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(limit)d characters.") % {"limit": limit}})
    return text
