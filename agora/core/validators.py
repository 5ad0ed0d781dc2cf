from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_single_line(value: str) -> None:
    """Names and titles are one line of printable text: no line breaks or control
    characters, which would break email headers, logs and layouts."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ValidationError(
            _("Use a single line of text, without line breaks or control characters."),
            code="control_characters",
        )
