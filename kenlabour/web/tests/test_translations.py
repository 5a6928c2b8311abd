"""The English translation is complete and compiled (French is the source language)."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2].parent / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(LOCALE / "django.po"))


def test_every_string_has_an_english_translation(catalogue):
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{len(missing)} strings without English: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy translations to review: {fuzzy[:10]}"


def test_the_compiled_catalogue_matches_the_sources(catalogue):
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(LOCALE / "django.mo"))
    }
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in catalogue.translated_entries()
    }
    stale = sorted(str(key[1]) for key in source if compiled.get(key) != source[key])
    assert stale == [], f"run `make messages`: {len(stale)} strings not compiled, e.g. {stale[:5]}"
