import pytest

from kenlabour.territories import selectors
from kenlabour.territories.geo import haversine_km, normalise
from kenlabour.territories.models import Commune
from kenlabour.territories.tests import factories

pytestmark = pytest.mark.django_db


class TestSearch:
    @pytest.mark.parametrize("query", ["quimper", "QUIMPER", " Quimper "])
    def test_exact_name_comes_first(self, query):
        results = selectors.search_communes(query)
        assert results[0].code == "29232"
        # Quimperlé starts with the query: listed after the exact match.
        assert "29233" in [c.code for c in results]

    @pytest.mark.parametrize("query", ["Saint-Brieuc", "st brieuc", "SAINT BRIEUC", "St-Brieuc"])
    def test_saint_variants(self, query):
        assert selectors.search_communes(query)[0].code == "22278"

    def test_exact_then_prefix_then_contains_then_population(self):
        results = selectors.search_communes("brieuc", limit=100)
        keys = [c.search_name for c in results]
        assert all("brieuc" in key for key in keys)
        ranks = [0 if k == "brieuc" else 1 if k.startswith("brieuc") else 2 for k in keys]
        assert ranks == sorted(ranks)
        for rank in set(ranks):
            populations = [c.population for c, r in zip(results, ranks, strict=True) if r == rank]
            assert populations == sorted(populations, reverse=True)
        # "Saint-Brieuc" only contains "brieuc": the biggest of the containing names.
        assert results[0].code == "22278"

    def test_postcode(self):
        results = selectors.search_communes("29000")
        assert [c.code for c in results] == ["29232"]

    def test_postcode_of_several_communes_lists_them_by_population(self):
        results = selectors.search_communes("29270")
        with_postcode = [c for c in results if "29270" in [p.postcode for p in c.postcodes.all()]]
        assert len(with_postcode) > 1
        populations = [c.population for c in with_postcode]
        assert populations == sorted(populations, reverse=True)

    def test_postcodes_come_before_the_insee_code_they_equal(self):
        # 01400 is the postcode of Châtillon-sur-Chalaronne and others, and the INSEE
        # code of Seillonnaz.
        results = selectors.search_communes("01400", limit=100)
        assert results[-1].code == "01400"
        assert all("01400" in [p.postcode for p in c.postcodes.all()] for c in results[:-1])

    def test_insee_code(self):
        assert [c.code for c in selectors.search_communes("2a004")] == ["2A004"]

    def test_limit_and_nothing(self):
        assert len(selectors.search_communes("plou", limit=7)) == 7
        assert selectors.search_communes("zzzzqqq") == []
        assert selectors.search_communes(" - ") == []

    def test_results_carry_their_departement_and_postcodes(self, django_assert_num_queries):
        with django_assert_num_queries(2):
            results = selectors.search_communes("plou", limit=20)
            for commune in results:
                assert commune.departement.name
                assert list(commune.postcodes.all())


class TestGetAndDistance:
    def test_get_commune(self):
        assert selectors.get_commune("29232").name == "Quimper"
        assert selectors.get_commune(" 2a004 ").name == "Ajaccio"

    def test_unknown_code(self):
        with pytest.raises(selectors.CommuneNotFound, match="99999"):
            selectors.get_commune("99999")

    def test_quimper_brest_and_rennes_brest(self, quimper, brest, rennes):
        # As the crow flies: about 52 km and 211 km between town centres.
        assert 45 < selectors.distance_km(quimper, brest) < 60
        assert 200 < selectors.distance_km(rennes, brest) < 250
        assert selectors.distance_km(quimper, quimper) == 0
        assert selectors.distance_km(quimper, brest) == selectors.distance_km(brest, quimper)


class TestWithin:
    def test_matches_a_brute_force_scan(self, quimper):
        radius = 15
        found = selectors.communes_within(quimper, radius)
        expected = {
            c.code
            for c in Commune.objects.exclude(code=quimper.code).only("latitude", "longitude")
            if haversine_km(quimper.latitude, quimper.longitude, c.latitude, c.longitude) <= radius
        }
        assert {c.code for c in found} == expected
        assert len(found) > 5
        distances = [c.distance_km for c in found]
        assert distances == sorted(distances)
        assert max(distances) <= radius

    def test_include_self_and_zero_radius(self, quimper):
        # Only communes located at Quimper's very position (a fallback) are at 0 km.
        assert all(c.distance_km == 0 for c in selectors.communes_within(quimper, 0))
        with_self = selectors.communes_within(quimper, 5, include_self=True)
        assert with_self[0].code == quimper.code and with_self[0].distance_km == 0
        assert quimper.code not in [c.code for c in selectors.communes_within(quimper, 5)]

    def test_across_the_antimeridian(self):
        departement = factories.departement()
        west = factories.commune(departement=departement, latitude=-13.3, longitude=179.95)
        east = factories.commune(departement=departement, latitude=-13.3, longitude=-179.95)
        found = selectors.communes_within(west, 50)
        assert east.code in [c.code for c in found]


class TestResolve:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("quimper", "29232"),
            ("Quimper", "29232"),
            ("Saint-Brieuc", "22278"),
            ("st brieuc", "22278"),
            ("SAINT BRIEUC", "22278"),
            ("29000", "29232"),
            ("29232", "29232"),
            ("INSEE 01400", "01400"),
            ("code INSEE : 29019", "29019"),
            ("2A004", "2A004"),
            ("Quimper (29)", "29232"),
            ("Quimper (Finistère)", "29232"),
            ("quimper (finistere)", "29232"),
            ("Quimper 29000", "29232"),
            ("29000 Quimper", "29232"),
            ("Sainte-Marie (35)", "35294"),
            ("Le Faouët (56)", "56057"),
            ("Le Faouët (22)", "22057"),
            ("Paris", "75056"),
        ],
    )
    def test_one_commune(self, text, code):
        assert selectors.resolve_commune(text).code == code

    def test_unknown_name_gives_the_french_message(self):
        with pytest.raises(selectors.CommuneNotFound) as caught:
            selectors.resolve_commune("Quimperlé-sur-Mer")
        message = caught.value.message
        assert message.startswith(
            "Aucune commune ne correspond à « Quimperlé-sur-Mer ». "
            "Vérifiez l'orthographe ou saisissez le code postal."
        )
        # and suggests the commune whose name starts the same way
        assert "Quimperlé (Finistère, 29)" in message

    def test_ambiguous_name_lists_candidates_with_their_departement(self):
        with pytest.raises(selectors.CommuneAmbiguous) as caught:
            selectors.resolve_commune("Le Faouët")
        error = caught.value
        assert {c.code for c in error.candidates} == {"22057", "56057"}
        assert "Le Faouët (Morbihan, 56)" in error.message
        assert "Le Faouët (Côtes-d'Armor, 22)" in error.message
        assert "Précisez le département" in error.message

    def test_many_namesakes_are_listed_up_to_a_limit(self):
        with pytest.raises(selectors.CommuneAmbiguous) as caught:
            selectors.resolve_commune("Sainte-Marie")
        error = caught.value
        expected = Commune.objects.filter(search_name=normalise("Sainte-Marie")).count()
        assert len(error.candidates) == expected > selectors.MAX_LISTED_CANDIDATES
        assert "et 1 autre" in error.message or "autres" in error.message

    def test_postcode_of_several_communes_is_ambiguous(self):
        with pytest.raises(selectors.CommuneAmbiguous, match="29270") as caught:
            selectors.resolve_commune("29270")
        assert len(caught.value.candidates) > 1

    def test_unknown_code(self):
        with pytest.raises(selectors.CommuneNotFound, match="« 99999 »"):
            selectors.resolve_commune("99999")
        with pytest.raises(selectors.CommuneNotFound, match="code INSEE « 29000 »"):
            selectors.resolve_commune("insee 29000")

    def test_five_digits_are_a_postcode_before_an_insee_code(self):
        # 01400 is a postcode of several communes, and Seillonnaz's INSEE code.
        with pytest.raises(selectors.CommuneAmbiguous) as caught:
            selectors.resolve_commune("01400")
        assert "01400" not in {c.code for c in caught.value.candidates}

    def test_wrong_departement(self):
        with pytest.raises(selectors.CommuneNotFound) as caught:
            selectors.resolve_commune("Quimper (22)")
        assert "Quimper (Finistère, 29)" in caught.value.message

    def test_unknown_qualifier(self):
        with pytest.raises(selectors.CommuneNotFound, match="ni un département"):
            selectors.resolve_commune("Quimper (Atlantide)")

    @pytest.mark.parametrize("text", ["", "   ", None, "'-"])
    def test_empty(self, text):
        with pytest.raises(selectors.CommuneNotFound):
            selectors.resolve_commune(text)

    def test_resolve_many_resolves_each_text_once(self, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            results = selectors.resolve_communes(["Brest", "Brest", "Brest"])
        assert results["Brest"].code == "29019"
        results = selectors.resolve_communes(["Quimper", "Nulle-Part-sur-Mer"])
        assert isinstance(results["Nulle-Part-sur-Mer"], selectors.CommuneNotFound)
