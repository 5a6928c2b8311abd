"""The gazetteer in the database: loaded by migration, guarded by constraints."""

from collections import Counter

import pytest
from django.db import IntegrityError, transaction

from kenlabour.territories import gazetteer
from kenlabour.territories.enums import CommuneKind, CoordinatesSource
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci, Region
from kenlabour.territories.tests import factories

BRITTANY = {"22", "29", "35", "56"}

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_every_file_row():
    communes = gazetteer.read_communes()
    assert Region.objects.count() == len(gazetteer.read_regions())
    assert Departement.objects.count() == len(gazetteer.read_departements())
    assert Epci.objects.count() == len(gazetteer.read_epcis())
    assert Commune.objects.count() == len(communes)
    assert CommunePostcode.objects.count() == sum(len(c["postcodes"]) for c in communes)


def test_brittany_has_its_four_departements_and_their_communes():
    brittany = Region.objects.get(code="53")
    assert brittany.name == "Bretagne"
    assert set(brittany.departements.values_list("code", flat=True)) == BRITTANY
    expected = Counter(c["departement"] for c in gazetteer.read_communes())
    counts = Counter(
        Commune.objects.filter(region=brittany).values_list("departement_id", flat=True)
    )
    assert counts == {code: expected[code] for code in BRITTANY}
    # Sanity, whatever the vintage: each Breton département has 200 to 400 communes.
    assert all(200 <= count <= 400 for count in counts.values())


@pytest.mark.parametrize(
    ("code", "name", "departement"),
    [
        ("29232", "Quimper", "29"),
        ("29019", "Brest", "29"),
        ("22278", "Saint-Brieuc", "22"),
        ("35238", "Rennes", "35"),
        ("56121", "Lorient", "56"),
    ],
)
def test_breton_towns_are_where_brittany_is(code, name, departement):
    commune = Commune.objects.get(code=code)
    assert (commune.name, commune.departement_id, commune.region_id) == (name, departement, "53")
    assert commune.search_name == normalise(name)
    assert 47.2 < commune.latitude < 48.9 and -5.2 < commune.longitude < -1.0
    assert commune.coordinates_source == CoordinatesSource.GEONAMES
    assert commune.population > 20_000
    assert commune.postcodes.exists()
    assert commune.epci is not None


def test_no_commune_sits_at_zero_zero_and_all_have_a_source():
    assert not Commune.objects.filter(latitude=0, longitude=0).exists()
    assert not Commune.objects.exclude(coordinates_source__in=CoordinatesSource.values).exists()


def test_search_names_are_the_normalised_names():
    for commune in Commune.objects.filter(departement_id="22").only("name", "search_name"):
        assert commune.search_name == normalise(commune.name)


def test_arrondissements_belong_to_their_city():
    paris = Commune.objects.get(code="75056")
    assert paris.arrondissements.count() == 20
    assert all(a.is_arrondissement for a in paris.arrondissements.all())
    assert not paris.is_arrondissement
    assert str(paris) == "Paris (75)"


@pytest.mark.parametrize(
    "fields",
    [
        {"latitude": 0, "longitude": 0},
        {"latitude": 91},
        {"longitude": -180.5},
        {"population": -1},
        {"coordinates_source": "guess"},
        {"kind": CommuneKind.MUNICIPAL_ARRONDISSEMENT},  # without a city
    ],
)
def test_constraints_refuse_impossible_communes(fields):
    departement = factories.departement()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.commune(departement=departement, **fields)


def test_a_postcode_is_listed_once_per_commune():
    commune = factories.commune(postcodes=("29000",))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommunePostcode.objects.create(commune=commune, postcode="29000")
