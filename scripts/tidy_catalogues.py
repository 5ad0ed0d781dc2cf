"""Sets the headers of the translation catalogues after `makemessages` (run by `make messages`)."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "agora" / "locale"
PLURALS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}


def main() -> None:
    for language, plural_forms in PLURALS.items():
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path), wrapwidth=100)
        po.header = "Agora — user interface messages.\nLicensed under the GNU AGPL, version 3 or later."
        po.metadata.update(
            {
                "Project-Id-Version": "Agora",
                "Language": language,
                "Language-Team": language,
                "Plural-Forms": plural_forms,
                "Content-Type": "text/plain; charset=UTF-8",
            }
        )
        for key in ("Last-Translator", "PO-Revision-Date", "Report-Msgid-Bugs-To"):
            po.metadata.pop(key, None)
        po.metadata_is_fuzzy = False
        po.save(str(path))


if __name__ == "__main__":
    main()
