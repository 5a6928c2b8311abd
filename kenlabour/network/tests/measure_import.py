"""How long an import takes, through its pages (file, columns, preview, import), for 200
and 20,000 rows (CSV and XLSX): the file written, then the same file sent again with one
wrong cell (every row is then a duplicate too: the longest error report). Not part of the
suite (not named test_*.py):

    .venv/bin/python -m pytest kenlabour/network/tests/measure_import.py -s -q
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kenlabour \
        .venv/bin/python -m pytest kenlabour/network/tests/measure_import.py -s -q
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenlabour.network.models import Actor
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import facilitator
from kenlabour.territories.models import Commune

pytestmark = pytest.mark.django_db


def make_rows(count):
    communes = list(
        Commune.objects.filter(departement_id__in=["22", "29", "35", "56"]).order_by("code")
    )
    rows = []
    for n in range(count):
        c = communes[n % len(communes)]
        where = f"{c.name} ({c.departement_id})"
        kind = n % 4
        if kind == 0:
            rows.append(
                files.organisation(
                    f"Organisation {n}",
                    commune=where,
                    siret=files.siret(n),
                    ressources="Imprimante 3D:3, Découpeuse laser:1",
                    description="Un fablab associatif ouvert à tous.",
                )
            )
        elif kind == 1:
            rows.append(
                files.collective(f"Collectif {n}", commune=where, ressources="Machine à coudre:4")
            )
        elif kind == 2:
            rows.append(files.place_less(f"Réseau {n}", area=f"Finistère|{where}"))
        else:
            rows.append(files.person(f"Personne {n}", commune=where, consentement_public="oui"))
    return rows


def walk(client, data: bytes):
    """The file, its columns as proposed, then the preview's button: the last response."""
    from kenlabour.network.tests.test_views_contributions import post_file

    return post_file(client, data, name="a")


@pytest.mark.parametrize("count", [200, 20_000])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_measure(client, fmt, count):
    rows = make_rows(count)
    data = files.csv_bytes(rows) if fmt == "csv" else files.xlsx_bytes(rows)
    client.force_login(facilitator())
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as q:
        response = walk(client, data)
    t1 = time.perf_counter()
    assert response.status_code == 302
    assert Actor.objects.count() == count
    rows[-1]["siret"] = files.wrong_siret(1)
    rows[-1]["type"] = "organisation"
    rows[-1]["type_organisation"] = "Fablab"
    rows[-1]["nom"] = "Nouveau"
    data = files.csv_bytes(rows) if fmt == "csv" else files.xlsx_bytes(rows)
    t2 = time.perf_counter()
    with CaptureQueriesContext(connection) as q2:
        response = walk(client, data)
    t3 = time.perf_counter()
    assert response.status_code == 200
    print(
        f"\n{connection.vendor} {fmt} rows={count} size={len(data) / 1e6:.2f}MB "
        f"import={t1 - t0:.2f}s ({len(q)} queries) "
        f"refused-resend={t3 - t2:.2f}s ({len(q2)} queries)"
    )
