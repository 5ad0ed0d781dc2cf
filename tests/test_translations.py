"""French and English ship complete: no untranslated or fuzzy message, compiled catalogues
in step with their sources, and every translatable string of the code in the catalogues."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import agora

PACKAGE = Path(agora.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ("fr", "en")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    po = catalogue(language)
    assert len(po) > 100
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    stale = [
        e.msgid
        for e in po.translated_entries()
        if compiled.get((e.msgctxt, e.msgid)) != (e.msgstr, e.msgstr_plural)
    ]
    assert not stale, f"{language}: run `make messages` to recompile: {stale[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    for entry in catalogue(language).translated_entries():
        sources = [entry.msgid] if not entry.msgid_plural else [entry.msgid_plural]
        targets = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for target in targets:
            expected = set(placeholder.findall(sources[0])) | (
                set(placeholder.findall(entry.msgid)) if entry.msgid_plural else set()
            )
            assert set(placeholder.findall(target)) <= expected, (entry.msgid, target)


def test_every_translatable_string_is_in_the_catalogues(tmp_path: Path) -> None:
    """Re-extracts the messages from a copy of the package (makemessages writes into the
    `locale` folder where it runs) and compares them with the shipped catalogues."""
    copy = tmp_path / "agora"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=list(LANGUAGES),
            no_obsolete=True,
            no_location=True,
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    for language in LANGUAGES:
        extracted = {
            e.msgid
            for e in polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        }
        shipped = {e.msgid for e in catalogue(language)}
        missing = extracted - shipped
        assert not missing, f"{language}: run `make messages` and translate: {sorted(missing)[:10]}"
