import pytest
from django import forms

from kenlabour.territories.forms import CommuneField, CommuneSearchForm, DistanceForm

pytestmark = pytest.mark.django_db


class PlaceForm(forms.Form):
    commune = CommuneField(label="Commune")
    other = CommuneField(label="Autre commune", required=False)


class TestCommuneField:
    @pytest.mark.parametrize(
        "text", ["Quimper", "quimper", "Quimper (29)", "29000", "29232", "  QUIMPER  "]
    )
    def test_cleans_to_the_commune(self, text):
        form = PlaceForm({"commune": text})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["commune"].code == "29232"
        assert form.cleaned_data["other"] is None

    def test_unknown_commune_message_is_at_the_field(self):
        form = PlaceForm({"commune": "Quimperlé-sur-Mer"})
        assert not form.is_valid()
        [message] = form.errors["commune"]
        assert message.startswith("Aucune commune ne correspond à « Quimperlé-sur-Mer ».")
        assert form.has_error("commune", code="not_found")

    def test_ambiguous_commune(self):
        form = PlaceForm({"commune": "Le Faouët"})
        assert not form.is_valid()
        assert form.has_error("commune", code="ambiguous")
        assert "Le Faouët (Morbihan, 56)" in form.errors["commune"][0]

    def test_required_message_is_french(self):
        form = PlaceForm({"commune": " "})
        assert not form.is_valid()
        assert form.errors["commune"] == [
            "Saisissez le nom, le code postal ou le code INSEE d'une commune."
        ]

    def test_too_long_text_is_refused_before_any_lookup(self, django_assert_num_queries):
        form = PlaceForm({"commune": "x" * 500})
        with django_assert_num_queries(0):
            assert not form.is_valid()
        assert form.has_error("commune", code="max_length")

    def test_initial_commune_is_shown_with_its_departement(self, quimper):
        form = PlaceForm(initial={"commune": quimper})
        assert 'value="Quimper (29)"' in str(form["commune"])

    def test_widget_helps_browsers_and_assistive_technologies(self):
        html = str(PlaceForm()["commune"])
        assert 'autocomplete="address-level2"' in html


def test_search_form_requires_a_letter_or_digit():
    assert CommuneSearchForm({"q": "brest"}).is_valid()
    form = CommuneSearchForm({"q": " -- "})
    assert not form.is_valid()
    assert form.errors["q"] == ["Saisissez au moins une lettre ou un chiffre."]
    assert CommuneSearchForm({"q": ""}).errors["q"] == [
        "Saisissez un nom de commune ou un code postal."
    ]


def test_distance_form_knows_when_it_was_submitted():
    assert DistanceForm.submitted({"b": "Brest"})
    assert not DistanceForm.submitted({"q": "Brest"})
