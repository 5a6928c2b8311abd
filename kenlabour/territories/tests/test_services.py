import pytest
from django.db import connection

from kenlabour.territories import gazetteer, services
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci, Region
from kenlabour.territories.tests import factories

pytestmark = pytest.mark.django_db


def write_files(data_dir, *, name="Ker-Essai", postcodes="99001 99002", population=120):
    gazetteer.write_table(
        data_dir / gazetteer.REGIONS_FILE,
        gazetteer.REGION_FIELDS,
        [{"code": "Z01", "name": "Région d'essai", "chef_lieu": "Z0001"}],
    )
    gazetteer.write_table(
        data_dir / gazetteer.DEPARTEMENTS_FILE,
        gazetteer.DEPARTEMENT_FIELDS,
        [{"code": "Z1", "name": "Département d'essai", "region": "Z01", "chef_lieu": "Z0001"}],
    )
    gazetteer.write_table(
        data_dir / gazetteer.EPCIS_FILE,
        gazetteer.EPCI_FIELDS,
        [{"code": "Z00000001", "name": "CC d'essai", "kind": "CC"}],
    )
    common = {
        "kind": "commune-actuelle",
        "departement": "Z1",
        "epci": "Z00000001",
        "parent": "",
        "latitude": "48.1",
        "longitude": "-3.2",
        "coordinates_source": "geonames",
    }
    gazetteer.write_table(
        data_dir / gazetteer.COMMUNES_FILE,
        gazetteer.COMMUNE_FIELDS,
        [
            {
                **common,
                "code": "Z0001",
                "name": name,
                "population": population,
                "postcodes": postcodes,
            },
            {
                **common,
                "code": "Z0002",
                "name": "Plou-Essai",
                "population": 40,
                "postcodes": "99001",
            },
        ],
    )


def test_loads_new_files_then_updates_them(tmp_path):
    write_files(tmp_path)
    report = services.load_gazetteer(tmp_path)
    assert report.created == {"region": 1, "departement": 1, "epci": 1, "commune": 2}
    commune = Commune.objects.get(code="Z0001")
    assert (commune.name, commune.search_name, commune.region_id) == (
        "Ker-Essai",
        "ker essai",
        "Z01",
    )
    assert commune.epci_id == "Z00000001"
    assert sorted(commune.postcodes.values_list("postcode", flat=True)) == ["99001", "99002"]
    # The real gazetteer is not in these files: reported, not deleted.
    assert "29232" in report.obsolete["commune"]
    assert Commune.objects.filter(code="29232").exists()

    write_files(tmp_path, name="Ker-Nevez", postcodes="99003", population=150)
    report = services.load_gazetteer(tmp_path)
    assert report.created["commune"] == 0 and report.updated["commune"] == 2
    commune.refresh_from_db()
    assert (commune.name, commune.search_name, commune.population) == (
        "Ker-Nevez",
        "ker nevez",
        150,
    )
    assert list(commune.postcodes.values_list("postcode", flat=True)) == ["99003"]


def test_reloading_the_shipped_files_changes_nothing_but_reports_extras():
    extra = factories.commune()
    before = {
        model: model.objects.count() for model in (Region, Departement, Epci, CommunePostcode)
    }
    quimper = Commune.objects.values().get(code="29232")

    report = services.load_gazetteer()

    assert set(report.created.values()) == {0}
    assert report.updated["commune"] == len(gazetteer.read_communes())
    assert report.obsolete["commune"] == [extra.code]
    assert Commune.objects.values().get(code="29232") == quimper
    assert Commune.objects.filter(code=extra.code).exists()
    assert {model: model.objects.count() for model in before} == before


def test_an_emptied_database_is_filled_again():
    # What a flushed test database looks like (see the `gazetteer` fixture).
    with connection.cursor() as cursor:
        for model in (CommunePostcode, Commune, Epci, Departement, Region):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    assert not Commune.objects.exists()

    report = services.load_gazetteer()

    communes = gazetteer.read_communes()
    assert report.created["commune"] == Commune.objects.count() == len(communes)
    assert report.created["region"] == Region.objects.count() == len(gazetteer.read_regions())
    assert CommunePostcode.objects.count() == sum(len(c["postcodes"]) for c in communes)
    paris = Commune.objects.get(code="75056")
    assert paris.arrondissements.count() == 20 and paris.region.name == "Île-de-France"


def test_prune_deletes_what_the_files_no_longer_have():
    extra = factories.commune(postcodes=("99999",))
    report = services.LoadReport(obsolete={"commune": [extra.code]}, pruned=True)
    services._prune(report)
    assert not Commune.objects.filter(code=extra.code).exists()
    assert not CommunePostcode.objects.filter(postcode="99999").exists()


def test_prune_refuses_to_delete_what_is_still_used():
    report = services.LoadReport(obsolete={"departement": ["29"]}, pruned=True)
    with pytest.raises(services.GazetteerLoadError, match="font encore référence"):
        services._prune(report)
    assert Departement.objects.filter(code="29").exists()


def test_unreadable_files_are_refused_in_french(tmp_path):
    with pytest.raises(services.GazetteerLoadError, match="illisibles"):
        services.load_gazetteer(tmp_path)
    assert Commune.objects.filter(code="29232").exists()
