"""Personal data masked in everything a request makes public; the original is kept apart."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.translation import gettext as _

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# International or national numbers of 8 to 15 digits, with the usual separators.
PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[ .\-()]{0,2}\d){7,14}(?![\w/])")
DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
# The body's secret answer link travels in every request email and comes back quoted in replies.
ANSWER_LINK = re.compile(r"\S*/foi/answer/[^\s/>]+/?")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    # Dates, amounts and reference numbers with one separator are not telephone numbers.
    if DATE_LIKE.match(text.strip()) or re.fullmatch(r"[\d ]+[.,]\d{1,2}", text):
        return text
    return "[" + _("phone number") + "]"


def redact(
    text: str, *, names: Iterable[str] = (), rules: Iterable[str] = (), keep: Iterable[str] = ()
) -> str:
    """`text` with answer links, email addresses (except those in `keep`), phone numbers, the
    given names and each manual rule's text replaced by a marker."""
    kept = {address.lower() for address in keep}
    masked = ANSWER_LINK.sub("[" + _("private link") + "]", text)
    masked = EMAIL.sub(
        lambda m: m.group(0) if m.group(0).lower() in kept else "[" + _("email address") + "]",
        masked,
    )
    masked = PHONE.sub(_phone, masked)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) > 2}, key=len, reverse=True
    ):
        masked = re.sub(re.escape(name), "[" + _("name") + "]", masked, flags=re.IGNORECASE)
    for rule in rules:
        if rule.strip():
            masked = re.sub(
                re.escape(rule.strip()), "[" + _("masked") + "]", masked, flags=re.IGNORECASE
            )
    return masked
