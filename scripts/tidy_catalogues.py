"""Tidies the catalogues after `makemessages` (run by `make messages`): sets their headers, and
makes English, the source language, translate every message to itself."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "agora" / "locale"
PLURALS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}


def main() -> None:
    for language, plural_forms in PLURALS.items():
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path), wrapwidth=100)
        po.header = (
            "Agora — user interface messages.\nLicensed under the GNU AGPL, version 3 or later."
        )
        po.metadata.update(
            {
                "Project-Id-Version": "Agora",
                "Language": language,
                "Language-Team": language,
                "Plural-Forms": plural_forms,
                "Content-Type": "text/plain; charset=UTF-8",
            }
        )
        po.metadata.pop("Report-Msgid-Bugs-To", None)
        po.metadata["Last-Translator"] = "Agora contributors"
        if po.metadata.get("PO-Revision-Date", "YEAR").startswith("YEAR"):
            po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
        po.metadata_is_fuzzy = False
        if language == "en":
            for entry in po:
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgid_plural = None
        po.save(str(path))


if __name__ == "__main__":
    main()
