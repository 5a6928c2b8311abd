"""Keep the English catalogue complete: merge translations from other .po files, and check it.

French is the source language; `locale/en/LC_MESSAGES/django.po` holds the English. When a
helper translates the strings of one app in a separate catalogue, `merge` copies those
translations into the project's catalogue after `make messages`, and `check` lists what is
still missing or suspicious.

Usage
-----
    .venv/bin/python scripts/translations.py merge OTHER.po [MORE.po …] [--overwrite]
    .venv/bin/python scripts/translations.py check
    make messages        # then recompile (merge and check don't compile)

`merge` fills the empty and fuzzy entries of the catalogue whose msgctxt, msgid (and
msgid_plural) match a translated entry of a source file; it never copies a translation
whose placeholders (`%(name)s`, `%s`, `%%`…) or HTML tags differ from the source string's.
With several sources, the first one that has a string wins; with `--overwrite` the
sources also replace translations already in the catalogue.

`check` exits with status 1 when an entry is untranslated or fuzzy, when placeholders or
HTML tags of a translation differ from its msgid, or when a translation keeps French
typography (a space before `:`, `;`, `?`, `!`, guillemets, non-breaking spaces).
"""

import argparse
import re
import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
WRAP = 79  # the width gettext uses (`make messages` may still re-break a few lines)

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
TAG = re.compile(r"<[^>]+>")
FRENCH_TYPOGRAPHY = (" :", " ;", " ?", " !", "«", "»", "\u00a0", "\u202f")


def problems(source: str, translation: str) -> list[str]:
    """What is wrong with one translation of `source` (an empty list when it's fine)."""
    found = []
    if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
        found.append(
            f"placeholders {PLACEHOLDER.findall(source)} != {PLACEHOLDER.findall(translation)}"
        )
    if TAG.findall(source) != TAG.findall(translation):
        found.append("HTML tags differ")
    found += [f"French typography {mark!r}" for mark in FRENCH_TYPOGRAPHY if mark in translation]
    return found


def entry_problems(entry: polib.POEntry) -> list[str]:
    if not entry.msgid_plural:
        return problems(entry.msgid, entry.msgstr)
    found = problems(entry.msgid_plural, entry.msgstr_plural.get(1, ""))
    singular = entry.msgstr_plural.get(0, "")
    # The singular may leave out the count ("an error" for "%(counter)s errors").
    if PLACEHOLDER.findall(entry.msgid):
        found += problems(entry.msgid, singular)
    else:
        found += [p for p in problems(entry.msgid, singular) if not p.startswith("placeholders")]
    return found


def key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def is_done(entry: polib.POEntry) -> bool:
    return entry.translated() and "fuzzy" not in entry.flags


def merge(sources: list[Path], overwrite: bool) -> int:
    known: dict[tuple, polib.POEntry] = {}
    for source in sources:
        for entry in polib.pofile(str(source)).translated_entries():
            if "fuzzy" not in entry.flags and not entry_problems(entry):
                known.setdefault(key(entry), entry)
    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=WRAP)
    merged = 0
    for entry in catalogue:
        if entry.obsolete or (is_done(entry) and not overwrite):
            continue
        other = known.get(key(entry))
        if other is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = dict(other.msgstr_plural)
        else:
            entry.msgstr = other.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        merged += 1
    catalogue.save()
    left = len([e for e in catalogue if not e.obsolete and not is_done(e)])
    print(f"{merged} translations merged into {CATALOGUE.name}; {left} still to translate.")
    return 0


def check() -> int:
    catalogue = polib.pofile(str(CATALOGUE))
    failures = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if not entry.translated():
            failures.append((entry, "untranslated"))
        elif "fuzzy" in entry.flags:
            failures.append((entry, "fuzzy"))
        else:
            failures += [(entry, problem) for problem in entry_problems(entry)]
    for entry, problem in failures:
        where = entry.occurrences[0][0] if entry.occurrences else "?"
        print(f"{where}: {problem}: {entry.msgid[:70]!r}")
    total = len([e for e in catalogue if not e.obsolete])
    print(f"{total} strings, {len(failures)} problems.")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    merging = commands.add_parser("merge", help="fill the catalogue from other .po files")
    merging.add_argument("sources", nargs="+", type=Path)
    merging.add_argument(
        "--overwrite", action="store_true", help="also replace existing translations"
    )
    commands.add_parser("check", help="list untranslated, fuzzy or suspicious entries")
    args = parser.parse_args(argv)
    if args.command == "merge":
        return merge(args.sources, args.overwrite)
    return check()


if __name__ == "__main__":
    sys.exit(main())
