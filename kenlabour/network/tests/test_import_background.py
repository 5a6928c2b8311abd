"""Big files are checked and imported by a task, with a progress page: every row checked
first (how many so far is on the page), then all of them written in one transaction, or
nothing and the errors by line and column. The same steps as a small file before that."""

import re

import pytest
from django.urls import reverse

from kenlabour.network import importing
from kenlabour.network.enums import ImportState
from kenlabour.network.models import Actor, PendingImport
from kenlabour.network.services import imports as import_services
from kenlabour.network.tests.factories import facilitator

pytestmark = pytest.mark.django_db
HEADERS = "Nom;Type;Code postal;Commune;Équipements"


def csv_file(rows: list[str], name="fablabs.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = ("\r\n".join([HEADERS, *rows]) + "\r\n").encode("cp1252")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def fablab_rows(count: int) -> list[str]:
    return [
        f"Fablab numéro {n};fablab;29000;Quimper;Imprimante 3D:{1 + n % 3}" for n in range(count)
    ]


def send(client, rows):
    """Through the steps, as a facilitator does: the file, its columns, the preview."""
    client.post(reverse("network:import"), {"file": csv_file(rows)})
    client.post(
        reverse("network:import_columns"),
        {f"colonne_{i}": c for i, c in enumerate(PendingImport.objects.get().columns)},
    )
    return client.get(reverse("network:import_preview"))


@pytest.fixture
def importer(client, monkeypatch):
    monkeypatch.setattr(import_services, "BACKGROUND_ROWS", 10)
    user = facilitator()
    client.force_login(user)
    return user


def test_a_big_file_is_previewed_then_checked_and_imported_by_the_task(client, importer):
    preview = send(client, fablab_rows(25))
    page = preview.content.decode()
    assert "Vérifier et importer les 25 lignes" in page
    assert page.count("Fablab numéro") == 5  # only its first rows are read in the request
    assert not Actor.objects.exists()
    response = client.post(reverse("network:import_preview"), {"confirm": "1"})
    assert response["Location"] == reverse("network:import_progress")
    # The task ran (immediately in tests): all rows checked, all written.
    pending = PendingImport.objects.get()
    assert (pending.state, pending.checked_rows, pending.total_rows) == (ImportState.DONE, 25, 25)
    assert bytes(pending.data) == b""  # the file is not kept once imported
    assert Actor.objects.filter(name__startswith="Fablab numéro").count() == 25
    page = client.get(reverse("network:import_progress")).content.decode()
    assert "Import réussi : 25 acteurs créés" in page
    # The upload page no longer speaks of an import under way.
    assert "Un import est en cours" not in client.get(reverse("network:import")).content.decode()


def test_a_refused_big_file_writes_nothing_and_lists_its_errors_by_line(client, importer):
    rows = fablab_rows(20)
    rows[6] = "Atelier fantôme;fablab;29000;Quimperr;Imprimante 3D:1"
    rows[12] = rows[11]
    send(client, rows)
    client.post(reverse("network:import_preview"), {"confirm": "1"})
    assert PendingImport.objects.get().state == ImportState.FAILED
    assert not Actor.objects.filter(name__startswith="Fablab numéro").exists()
    page = client.get(reverse("network:import_progress")).content.decode()
    assert "Aucun acteur n'a été importé" in page
    assert '<th scope="row">8</th>' in page  # the unknown commune, line 8 of the file
    assert "identique à la ligne 13" in page  # the repeated row (line 14)
    # The person may change the columns and try again: the steps open again.
    assert client.get(reverse("network:import_columns")).status_code == 200


def test_while_the_check_runs_the_page_tells_how_far_and_the_steps_are_closed(client, importer):
    send(client, fablab_rows(25))
    PendingImport.objects.update(state=ImportState.RUNNING, checked_rows=12, total_rows=25)
    page = client.get(reverse("network:import_progress")).content.decode()
    assert re.search(r'<progress id="progression"\s+max="25"\s+value="12">48 %</progress>', page)
    assert "12 lignes vérifiées sur 25" in page
    assert 'hx-trigger="every 2s"' in page  # with JavaScript, the section comes again
    assert reverse("network:import_progress") in page  # without, a link reloads it
    for step in ("network:import_columns", "network:import_values", "network:import_preview"):
        assert client.get(reverse(step))["Location"] == reverse("network:import_progress")
    # A second confirmation does not queue the file twice.
    client.post(reverse("network:import_preview"), {"confirm": "1"})
    assert PendingImport.objects.get().state == ImportState.RUNNING


def test_the_check_tells_how_many_rows_it_went_through():
    from kenlabour.network import spreadsheet

    data = ("\r\n".join([HEADERS, *fablab_rows(1_200)]) + "\r\n").encode("cp1252")
    sheet = spreadsheet.read_sheet(data)
    table = sheet.table(["nom", "type", "code_postal", "commune", "ressources"])
    seen = []
    importing.validate_table(table, progress=seen.append)
    assert seen == [500, 1_000]


def test_a_small_file_is_still_imported_in_the_request(client, importer):
    send(client, fablab_rows(4))
    client.post(reverse("network:import_preview"), {"confirm": "1"})
    assert Actor.objects.filter(name__startswith="Fablab numéro").count() == 4
    assert not PendingImport.objects.exists()


def test_twenty_thousand_rows_are_checked_and_imported_in_the_background(
    client, importer, monkeypatch
):
    monkeypatch.setattr(import_services, "BACKGROUND_ROWS", 2_000)
    seen = []
    original = importing.validate_table

    def watched(table, vocabulary=None, progress=None):
        def record(checked):
            seen.append(checked)
            progress(checked)

        return original(table, vocabulary, progress=record if progress else None)

    monkeypatch.setattr(importing, "validate_table", watched)
    send(client, fablab_rows(20_000))
    client.post(reverse("network:import_preview"), {"confirm": "1"})
    assert seen[:2] == [500, 1_000] and seen[-1] == 19_500
    pending = PendingImport.objects.get()
    assert (pending.state, pending.checked_rows) == (ImportState.DONE, 20_000)
    assert Actor.objects.filter(name__startswith="Fablab numéro").count() == 20_000
