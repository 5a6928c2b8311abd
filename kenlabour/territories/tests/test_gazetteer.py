"""The shipped files: readable, consistent, and what the brief promises."""

import re
from collections import Counter

import pytest

from kenlabour.territories import gazetteer
from kenlabour.territories.enums import CommuneKind, CoordinatesSource, EpciKind


@pytest.fixture(scope="module")
def files():
    return {
        "regions": gazetteer.read_regions(),
        "departements": gazetteer.read_departements(),
        "epcis": gazetteer.read_epcis(),
        "communes": gazetteer.read_communes(),
    }


def test_files_stay_small():
    total = sum(path.stat().st_size for path in gazetteer.DATA_DIR.glob("*.csv.gz"))
    assert total < 3 * 1024 * 1024


def test_codes_are_unique(files):
    for rows in files.values():
        codes = [row["code"] for row in rows]
        assert len(codes) == len(set(codes))


def test_references_resolve(files):
    regions = {r["code"] for r in files["regions"]}
    departements = {d["code"] for d in files["departements"]}
    epcis = {e["code"] for e in files["epcis"]}
    communes = {c["code"] for c in files["communes"]}
    assert {d["region"] for d in files["departements"]} <= regions
    assert {c["departement"] for c in files["communes"]} <= departements
    assert {c["epci"] for c in files["communes"] if c["epci"]} <= epcis
    assert {c["parent"] for c in files["communes"] if c["parent"]} <= communes
    # Every département has communes, and its chef-lieu is one of them.
    assert {c["departement"] for c in files["communes"]} == departements
    chef_lieux = {d["chef_lieu"] for d in files["departements"]}
    assert chef_lieux <= communes


def test_every_commune_is_located_with_a_known_source(files):
    for commune in files["communes"]:
        assert commune["coordinates_source"] in CoordinatesSource.values, commune
        assert -90 <= commune["latitude"] <= 90 and -180 <= commune["longitude"] <= 180
        assert (commune["latitude"], commune["longitude"]) != (0.0, 0.0), commune


def test_coordinates_are_rounded_to_five_decimals():
    with gazetteer.DATA_DIR.joinpath(gazetteer.COMMUNES_FILE).open("rb") as raw:
        import gzip

        text = gzip.decompress(raw.read()).decode()
    assert not re.search(r",-?\d+\.\d{6,},", text)


def test_kinds_postcodes_and_populations(files):
    kinds = Counter(c["kind"] for c in files["communes"])
    assert set(kinds) == set(CommuneKind.values)
    # Paris 20, Marseille 16, Lyon 9.
    assert kinds[CommuneKind.MUNICIPAL_ARRONDISSEMENT] == 45
    assert all(e["kind"] in EpciKind.values for e in files["epcis"])
    for commune in files["communes"]:
        assert commune["postcodes"], commune
        assert all(re.fullmatch(r"\d{5}", p) for p in commune["postcodes"])
        assert commune["population"] >= 0
        assert (commune["parent"] is None) == (commune["kind"] == CommuneKind.COMMUNE)


def test_geonames_locates_most_communes_and_fallbacks_are_rare(files):
    sources = Counter(c["coordinates_source"] for c in files["communes"])
    total = sum(sources.values())
    # GeoNames lists places of 500 inhabitants or more: about two communes in five.
    assert sources[CoordinatesSource.GEONAMES] / total > 0.3
    assert sources[CoordinatesSource.DEPARTEMENT] / total < 0.01
    # Every commune of 5,000 inhabitants or more, in metropolitan France, by GeoNames.
    big = [
        c
        for c in files["communes"]
        if c["population"] >= 5000 and len(c["departement"]) == 2 and c["parent"] is None
    ]
    unlocated = [c["name"] for c in big if c["coordinates_source"] != CoordinatesSource.GEONAMES]
    assert len(unlocated) / len(big) < 0.05, unlocated


def test_write_then_read_round_trips(tmp_path):
    row = {
        "code": "Z0001",
        "name": "Plœmeur-d'Essai, « test »",
        "kind": CommuneKind.COMMUNE.value,
        "departement": "56",
        "epci": "",
        "parent": "",
        "population": 12,
        "latitude": "47.1",
        "longitude": "-3.4",
        "coordinates_source": "geonames",
        "postcodes": "56270 56275",
    }
    gazetteer.write_table(tmp_path / gazetteer.COMMUNES_FILE, gazetteer.COMMUNE_FIELDS, [row])
    first = (tmp_path / gazetteer.COMMUNES_FILE).read_bytes()
    gazetteer.write_table(tmp_path / gazetteer.COMMUNES_FILE, gazetteer.COMMUNE_FIELDS, [row])
    assert (tmp_path / gazetteer.COMMUNES_FILE).read_bytes() == first  # reproducible
    [read] = gazetteer.read_communes(tmp_path)
    assert read["name"] == row["name"]
    assert read["postcodes"] == ["56270", "56275"]
    assert read["epci"] is None and read["parent"] is None
    assert read["population"] == 12 and read["latitude"] == 47.1


def test_a_file_missing_a_column_is_refused(tmp_path):
    gazetteer.write_table(
        tmp_path / gazetteer.REGIONS_FILE, ("code", "name"), [{"code": "53", "name": "Bretagne"}]
    )
    with pytest.raises(ValueError, match="chef_lieu"):
        gazetteer.read_regions(tmp_path)
