"""The experiments' index: lemmas and word vectors are computed once, then read back."""

import pytest
from django.contrib.auth.models import AnonymousUser

from kenlabour.lab import similarity
from kenlabour.lab.models import Experiment
from kenlabour.lab.selectors.interconnections import experiment_index, suggestions_for
from kenlabour.lab.tests.factories import related_experiments

pytestmark = pytest.mark.django_db


def test_a_rebuilt_index_reads_lemmas_and_vectors_back_instead_of_running_spacy(monkeypatch):
    permis, rural, _unrelated = related_experiments()
    first = experiment_index()
    assert rural.pk in {s.experiment.pk for s in suggestions_for(AnonymousUser(), permis)}

    def no_spacy():
        raise AssertionError("spaCy ran again for texts already analysed")

    # A new save of the same texts makes the index stale: it is rebuilt from the cache
    # (the process' own lemma cache emptied too), without spaCy.
    monkeypatch.setattr(similarity, "_nlp", no_spacy)
    monkeypatch.setattr(similarity, "_LEMMA_CACHE", {})
    Experiment.objects.filter(pk=permis.pk).update(updated_at=permis.updated_at.replace(year=2030))
    rebuilt = experiment_index()
    assert rebuilt is not first
    assert rural.pk in {s.experiment.pk for s in suggestions_for(AnonymousUser(), permis)}
