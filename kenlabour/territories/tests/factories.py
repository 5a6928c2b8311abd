"""Synthetic territories for tests that need controlled places.

The real gazetteer is in every test database (loaded by migration); use it through
`selectors.get_commune("29232")` when a real place is wanted. The objects made here live in
a test-only namespace (codes starting with "Z"), which no INSEE code uses.
"""

import itertools

from kenlabour.territories.enums import CommuneKind, CoordinatesSource
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune, CommunePostcode, Departement, Epci, Region

_sequence = itertools.count(1)


def region(**fields) -> Region:
    number = next(_sequence)
    fields.setdefault("code", f"Z{number % 100:02d}")
    fields.setdefault("name", f"Région d'essai {number}")
    fields.setdefault("chef_lieu", "")
    return Region.objects.create(**fields)


def departement(**fields) -> Departement:
    number = next(_sequence)
    fields.setdefault("code", f"Z{number % 100:02d}")
    fields.setdefault("name", f"Département d'essai {number}")
    if "region" not in fields:
        fields["region"] = region()
    fields.setdefault("chef_lieu", "")
    return Departement.objects.create(**fields)


def epci(**fields) -> Epci:
    number = next(_sequence)
    fields.setdefault("code", f"Z{number:08d}")
    fields.setdefault("name", f"Communauté d'essai {number}")
    fields.setdefault("kind", "CC")
    return Epci.objects.create(**fields)


def commune(*, postcodes: tuple[str, ...] = (), **fields) -> Commune:
    number = next(_sequence)
    fields.setdefault("code", f"Z{number:04d}")
    fields.setdefault("name", f"Commune d'essai {number}")
    fields.setdefault("search_name", normalise(fields["name"]))
    if "departement" not in fields:
        fields["departement"] = departement()
    fields.setdefault("region", fields["departement"].region)
    fields.setdefault("kind", CommuneKind.COMMUNE)
    fields.setdefault("population", 100)
    fields.setdefault("latitude", 48.0)
    fields.setdefault("longitude", -3.0)
    fields.setdefault("coordinates_source", CoordinatesSource.GEONAMES)
    created = Commune.objects.create(**fields)
    CommunePostcode.objects.bulk_create(
        CommunePostcode(commune=created, postcode=postcode) for postcode in postcodes
    )
    return created
