"""scripts/build_gazetteer.py on a tiny made-up extract of the sources (no network, no
GeoNames download: its places are given by the test)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from kenlabour.territories import gazetteer
from kenlabour.territories.geo import haversine_km

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "build_gazetteer.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def commune(code, name, departement, postcodes, population, **extra):
    return {
        "code": code,
        "nom": name,
        "departement": departement,
        "region": "53" if departement != "984" else "984",
        "type": "commune-actuelle",
        "codesPostaux": postcodes,
        "population": population,
        **extra,
    }


QUIMPER = (47.99597, -4.09795)
BREST = (48.39029, -4.48628)
PLOGONNEC = (48.0833, -4.1667)
RENNES = (48.11109, -1.67431)


@pytest.fixture
def sources(tmp_path):
    data = {
        "regions.json": [
            {"code": "53", "chefLieu": "35238", "nom": "Bretagne"},
            {"code": "984", "chefLieu": "97502", "nom": "TAAF"},
        ],
        "departements.json": [
            {"code": "29", "region": "53", "chefLieu": "29232", "nom": "Finistère"},
            {"code": "35", "region": "53", "chefLieu": "35238", "nom": "Ille-et-Vilaine"},
            {"code": "984", "region": "984", "chefLieu": "97502", "nom": "TAAF"},
        ],
        "epci.json": [
            {
                "code": "200068120",
                "nom": "Quimper Bretagne Occidentale",
                "type": "CA",
                "membres": [{"code": "29232"}, {"code": "29051"}],
            },
        ],
        "communes.json": [
            commune("29232", "Quimper", "29", ["29000"], 64000),
            commune("29019", "Brest", "29", ["29200"], 140000),
            commune("29174", "Plogonnec", "29", ["29180"], 3200),
            commune("29067", "Guengat", "29", ["29180"], 1900),  # no place: postcode
            commune("29051", "Ergué-Gabéric", "29", ["29500"], 8000),  # no place: EPCI
            commune("29083", "Île-de-Sein", "29", ["29990"], 250),  # no place: département
            commune("29900", "Ker", "29", ["29200"], 500),  # two namesake places
            commune("29300", "Ker-Nevez", "29", ["29300"], 2000),  # a commune nouvelle
            {
                "code": "29300",
                "nom": "Kozh",
                "type": "commune-deleguee",
                "chefLieu": "29300",
                "departement": "29",
                "region": "53",
            },
            commune("35238", "Rennes", "35", ["35000"], 220000),
            commune("98412", "Archipel des Kerguelen", "984", [], 0),
        ],
    }
    for name, rows in data.items():
        (tmp_path / name).write_text(json.dumps(rows), encoding="utf-8")
    return tmp_path


@pytest.fixture
def places(build, monkeypatch):
    def place(geonameid, name, point, population):
        return build.Place(geonameid, name, point[0], point[1], population, "53")

    found = [
        place(1, "Quimper", QUIMPER, 63000),
        place(2, "Brest", BREST, 139000),
        place(3, "Plogonnec", PLOGONNEC, 3100),
        place(4, "Rennes", RENNES, 215000),
        # Two places called Ker: the one near Brest, whose postcode Ker shares, is right,
        # although the other's population is closer.
        place(5, "Ker", (48.42, -4.45), 200),
        place(6, "Ker", (48.15, -1.70), 510),
        place(7, "Kozh", (48.30, -4.30), 1500),
    ]
    monkeypatch.setattr(build, "load_places", lambda: found)
    return found


@pytest.fixture
def built(build, sources, places, tmp_path):
    output = tmp_path / "out"
    build.build(sources, output)
    return {c["code"]: c for c in gazetteer.read_communes(output)}, output


def test_arrondissement_keys(build):
    assert build.arrondissement_key("paris 1er arrondissement") == "paris 01"
    assert build.arrondissement_key("marseille 13e arrondissement") == "marseille 13"
    assert build.arrondissement_key("paris") is None
    place = build.Place(1, "Paris 01 Louvre", 48.86, 2.34, 15000, "11")
    assert "paris 01" in build.place_keys(place, {"paris"})


def test_matches_by_name_and_falls_back_in_order(built):
    communes, _ = built
    assert (communes["29232"]["latitude"], communes["29232"]["longitude"]) == QUIMPER
    assert communes["29232"]["coordinates_source"] == "geonames"
    # Guengat shares 29180 with Plogonnec: Plogonnec's position.
    assert communes["29067"]["coordinates_source"] == "postcode"
    assert (communes["29067"]["latitude"], communes["29067"]["longitude"]) == PLOGONNEC
    # Ergué-Gabéric shares no postcode, but its EPCI has Quimper.
    assert communes["29051"]["coordinates_source"] == "epci"
    assert (communes["29051"]["latitude"], communes["29051"]["longitude"]) == QUIMPER
    # Île-de-Sein has neither: its département's chef-lieu, Quimper.
    assert communes["29083"]["coordinates_source"] == "departement"
    assert (communes["29083"]["latitude"], communes["29083"]["longitude"]) == QUIMPER


def test_a_far_namesake_is_rejected(built):
    communes, _ = built
    ker = communes["29900"]
    assert ker["coordinates_source"] == "geonames"
    assert haversine_km(ker["latitude"], ker["longitude"], *BREST) < 10


def test_a_commune_nouvelle_is_found_under_its_former_name(built):
    communes, _ = built
    assert communes["29300"]["coordinates_source"] == "geonames"
    assert (communes["29300"]["latitude"], communes["29300"]["longitude"]) == (48.30, -4.30)


def test_uninhabited_territories_are_left_out(built):
    communes, output = built
    assert "98412" not in communes
    assert "984" not in {d["code"] for d in gazetteer.read_departements(output)}
    assert "984" not in {r["code"] for r in gazetteer.read_regions(output)}
    assert {e["code"] for e in gazetteer.read_epcis(output)} == {"200068120"}
    assert communes["29051"]["epci"] == "200068120" and communes["29019"]["epci"] is None


def test_prints_the_counts_per_source(capsys, built):
    out = capsys.readouterr().out
    assert "geonames" in out and "postcode" in out and "departement" in out
    assert "communes.csv.gz" in out


def test_output_is_reproducible(build, sources, places, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build.build(sources, first)
    build.build(sources, second)
    for name in (gazetteer.COMMUNES_FILE, gazetteer.REGIONS_FILE):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_a_commune_that_cannot_be_located_stops_the_build(build, sources, monkeypatch, tmp_path):
    monkeypatch.setattr(build, "load_places", list)  # no place at all
    with pytest.raises(SystemExit, match="No coordinates"):
        build.build(sources, tmp_path / "out")


def test_missing_sources_are_explained(build, tmp_path):
    with pytest.raises(SystemExit, match="decoupage-administratif"):
        build.build(tmp_path / "nowhere", tmp_path / "out")
