"""Keyword search over a few text columns, accents, case and punctuation ignored, the
same on SQLite and PostgreSQL.

The directory keeps a normalised `search_text` column for its national volume; lists
that stay small (a lab's workshops, its experiments, a campaign's needs) read their
candidates' texts in one query and compare the normalised words here, without a stored
column to keep up to date."""

from django.db.models import QuerySet

from kenlabour.territories.geo import normalise

MAX_KEYWORD_LENGTH = 200


def keywords(text: str) -> list[str]:
    """The words a search looks for: "Énergie  solidaire" → ["energie", "solidaire"]."""
    return normalise(text or "").split()


def matches(words: list[str], *texts) -> bool:
    """Every word appears somewhere in the texts (as a part of a word: "velo" finds
    "vélos")."""
    haystack = normalise(" ".join(text for text in texts if text))
    return all(word in haystack for word in words)


def with_keywords(queryset: QuerySet, fields: tuple[str, ...], text: str) -> QuerySet:
    """The rows of `queryset` whose `fields` (paths such as "lab__name") hold every word of
    `text`; the queryset itself when there is none. One query reads the candidates."""
    words = keywords(text)
    if not words:
        return queryset
    rows = queryset.order_by().values_list("pk", *fields)
    found = {pk for pk, *texts in rows if matches(words, *texts)}
    return queryset.filter(pk__in=sorted(found))
