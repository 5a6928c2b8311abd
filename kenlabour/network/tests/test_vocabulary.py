"""The usual words of the import: compared without case, accents, punctuation or plural,
each word meaning one thing, every kind reachable by a word."""

import pytest

from kenlabour.network import vocabulary
from kenlabour.network.enums import ActorKind, OrganisationKind, ResourceKind


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tiers-Lieux", "tiers lieu"),
        ("FAB LABS", "fab lab"),
        ("Collectivité", "collectivite"),
        ("Œuvre", "oeuvre"),
        ("machines à coudre", "Machine a coudre"),
        ("S.A.S.", "s a s"),
    ],
)
def test_words_are_compared_without_case_accents_punctuation_or_plural(a, b):
    assert vocabulary.key(a) == vocabulary.key(b)


def test_short_words_and_words_ending_in_us_or_ss_keep_their_last_letter():
    assert vocabulary.key("SAS") == "sas"
    assert vocabulary.key("Campus") == "campus"
    assert vocabulary.key("Express") == "express"


@pytest.mark.parametrize(
    ("words", "choices"),
    [
        (vocabulary.ACTOR_KIND_WORDS, ActorKind),
        (vocabulary.ORGANISATION_KIND_WORDS, OrganisationKind),
        (vocabulary.RESOURCE_KIND_WORDS, ResourceKind),
    ],
    ids=["actor kinds", "organisation kinds", "resources"],
)
def test_each_word_means_one_kind_and_names_a_kind_that_exists(words, choices):
    assert set(words) <= set(choices.values)
    seen: dict[str, str] = {}
    for value, synonyms in words.items():
        for word in synonyms:
            key = vocabulary.key(word)
            assert seen.setdefault(key, value) == value, f"« {word} » means two kinds"


def test_every_organisation_and_resource_kind_has_usual_words():
    assert set(vocabulary.ORGANISATION_KIND_WORDS) == set(OrganisationKind.values)
    assert set(vocabulary.RESOURCE_KIND_WORDS) == set(ResourceKind.values)
