"""The import's steps as a person walks them without JavaScript: a file as labs keep them
(Windows-1252, `;`, French headers and words), its columns, its unknown words, the
preview, the import; the choices remembered for the next file; broken files answered."""

import io
import zipfile

import pytest
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind, ResourceKind
from kenlabour.network.models import Actor, ImportMapping, PendingImport, Resource
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import facilitator
from kenlabour.network.tests.test_views_contributions import (
    COLUMNS,
    IMPORT,
    PREVIEW,
    VALUES,
    error_rows,
    proposed_columns,
    send_file,
    text_of,
)

pytestmark = pytest.mark.django_db

CANCEL = reverse("network:import_cancel")

# A table as a lab keeps it, saved by Excel on a French Windows: "CSV (séparateur :
# point-virgule)", in Windows-1252.
LAB_HEADER = [
    "Raison sociale",
    "Type",
    "Code postal",
    "Ville",
    "Courriel",
    "Téléphone",
    "Équipements",
    "Remarques",
]
LAB_ROWS = [
    {
        "Raison sociale": "Fablab de Plouhinec",
        "Type": "Tiers-lieu",
        "Code postal": "56680",
        "Ville": "Plouhinec",
        "Courriel": "bonjour@fablab-plouhinec.example",
        "Téléphone": "0297123456",
        "Équipements": "Imprimante 3D:3, Brodeuse numérique",
        "Remarques": "à rappeler",
    },
    {
        "Raison sociale": "Couture & Cie",
        "Type": "SARL",
        "Code postal": "29200",
        "Ville": "Brest",
        "Équipements": "Machines à coudre:4",
    },
    {
        "Raison sociale": "Les Petites Mains",
        "Type": "association",
        "Code postal": "",
        "Ville": "Quimperlé",
        "Téléphone": "+33 2 98 00 00 00",
        "Équipements": "Couture, Four à pain",
    },
    {"Raison sociale": "Anne Le Goff", "Type": "Particulier", "Ville": "Rennes"},
]


def lab_file(rows=None, header=None) -> bytes:
    return files.csv_bytes(rows or LAB_ROWS, header=header or LAB_HEADER, encoding="cp1252")


@pytest.fixture
def importer(client):
    client.force_login(facilitator())
    return client


def test_a_lab_file_is_walked_from_upload_to_import(importer):
    response = send_file(importer, lab_file(), name="annuaire.csv")
    assert response.status_code == 302 and response["Location"] == COLUMNS

    # Step 2: one select per header, labelled by it, with the platform's column proposed.
    page = importer.get(COLUMNS)
    content = text_of(page)
    assert "Fichier « annuaire.csv » : CSV, 4 lignes sous les en-têtes." in content
    assert "Encodage détecté : Windows-1252 (Excel sous Windows)" in content
    assert "séparateur détecté : point-virgule (;)" in content
    html = page.content.decode()
    assert '<label for="id_colonne_0">A — « Raison sociale »</label>' in html
    assert '<label for="id_colonne_5">F — « Téléphone »</label>' in html
    assert proposed_columns(importer) == {
        "colonne_0": "nom",
        "colonne_1": "type",
        "colonne_2": "code_postal",
        "colonne_3": "commune",
        "colonne_4": "email",
        "colonne_5": "telephone",
        "colonne_6": "ressources",
        "colonne_7": "",
    }
    # The person keeps "Remarques" as the description.
    chosen = {**proposed_columns(importer), "colonne_7": "description"}
    response = importer.post(COLUMNS, chosen)
    assert response["Location"] == VALUES

    # Step 3: the words unknown, each a select of the known kinds.
    page = importer.get(VALUES)
    form = page.context["form"]
    assert [field.label for field in form] == ["Brodeuse numérique", "Four à pain"]
    assert "Ressources (colonne « ressources »)" in text_of(page)
    response = importer.post(VALUES, {"valeur_ressources_0": "embroidery_machine"})
    assert response.status_code == 200, "each word must be given a meaning"
    assert "Choisissez ce que « Four à pain » veut dire." in text_of(response)
    response = importer.post(
        VALUES, {"valeur_ressources_0": "embroidery_machine", "valeur_ressources_1": "-"}
    )
    assert response["Location"] == PREVIEW

    # Step 4: the first rows as they will be imported, nothing written yet.
    page = text_of(importer.get(PREVIEW))
    assert Actor.objects.count() == 0
    assert "Les 4 premières lignes du fichier, telles qu'elles seront importées" in page
    assert (
        "2 Fablab de Plouhinec Organisation — Fablab Plouhinec (56) "
        "bonjour@fablab-plouhinec.example 02 97 12 34 56 Imprimante 3D × 3, Brodeuse × 1"
    ) in page
    assert "Couture & Cie Organisation — Entreprise Brest (29)" in page
    assert "Anne Le Goff Personne Rennes (35)" in page
    response = importer.post(PREVIEW, {})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert "Import réussi : 4 acteurs créés" in text_of(importer.get(IMPORT))

    fablab = Actor.objects.get(name="Fablab de Plouhinec")
    assert (fablab.kind, fablab.organisation_kind) == (
        ActorKind.ORGANISATION,
        OrganisationKind.FABLAB,
    )
    assert fablab.commune.code == "56169" and fablab.status == ModerationStatus.PUBLISHED
    assert fablab.description == "à rappeler"
    assert fablab.email == "bonjour@fablab-plouhinec.example"
    assert sorted(fablab.resources.values_list("kind", "quantity")) == [
        (ResourceKind.EMBROIDERY_MACHINE, 1),
        (ResourceKind.PRINTER_3D, 3),
    ]
    mains = Actor.objects.get(name="Les Petites Mains")
    assert mains.organisation_kind == OrganisationKind.ASSOCIATION
    assert list(mains.resources.values_list("kind", flat=True)) == [ResourceKind.SEWING]
    assert not PendingImport.objects.exists(), "the file is deleted once imported"


def test_the_columns_and_words_chosen_are_proposed_again_for_the_same_headers(importer):
    send_file(importer, lab_file())
    importer.post(COLUMNS, {**proposed_columns(importer), "colonne_7": "description"})
    importer.post(VALUES, {"valeur_ressources_0": "embroidery_machine", "valeur_ressources_1": "-"})
    assert ImportMapping.objects.count() == 1

    # Next month's file: the same headers, written otherwise, other rows.
    header = [h.upper() for h in LAB_HEADER]
    rows = [
        {h.upper(): v for h, v in row.items()}
        | {"RAISON SOCIALE": f"Nouveau {n}", "ÉQUIPEMENTS": "Four à pain, Brodeuse numérique"}
        for n, row in enumerate(LAB_ROWS)
    ]
    send_file(importer, lab_file(rows, header))
    assert proposed_columns(importer)["colonne_7"] == "description"
    response = importer.post(COLUMNS, proposed_columns(importer))
    assert response["Location"] == PREVIEW, "the words are known from last time"
    assert importer.post(PREVIEW, {}).status_code == 302
    assert Actor.objects.filter(name__startswith="Nouveau").count() == 4

    # Another facilitator's file with the same headers gets the usual proposal.
    importer.force_login(facilitator())
    send_file(importer, lab_file())
    assert proposed_columns(importer)["colonne_7"] == ""


def test_a_column_chosen_twice_or_a_required_one_missing_is_refused_at_the_columns_step(
    importer,
):
    send_file(importer, lab_file())
    chosen = {**proposed_columns(importer), "colonne_7": "nom"}
    response = importer.post(COLUMNS, chosen)
    assert response.status_code == 200
    page = text_of(response)
    assert "La colonne « nom » est déjà choisie pour A — « Raison sociale »." in page
    assert "Erreur —" in page
    response = importer.post(COLUMNS, {**proposed_columns(importer), "colonne_1": ""})
    assert "il y manque : « type »" in text_of(response)
    assert PendingImport.objects.get().columns[1] == "type", "nothing chosen is kept"


def test_a_file_with_errors_shows_them_on_the_preview_and_cannot_be_imported(importer):
    rows = [*LAB_ROWS, {**LAB_ROWS[3], "Téléphone": "12"}, {**LAB_ROWS[3], "Téléphone": "12"}]
    send_file(importer, lab_file(rows))
    importer.post(COLUMNS, proposed_columns(importer))
    response = importer.get(PREVIEW)
    page = text_of(response)
    assert "Aucun acteur n'a été importé" in page
    assert "Importer les" not in page, "no import button while the file has errors"
    errors = error_rows(response)
    assert [(line, where) for line, where, _value, _message in errors] == [
        ("2", "G — ressources"),
        ("4", "G — ressources"),
        ("6", "F — telephone"),
        ("7", "A — nom"),
        ("7", "F — telephone"),
    ]
    assert "identique à la ligne 6" in errors[3][3]
    # Confirming anyway writes nothing.
    response = importer.post(PREVIEW, {})
    assert response.status_code == 200
    assert Actor.objects.count() == Resource.objects.count() == 0
    assert PendingImport.objects.exists(), "the file is kept for another try"


def test_an_import_is_resumed_or_abandoned_from_the_first_step(importer):
    send_file(importer, lab_file(), name="annuaire.csv")
    page = text_of(importer.get(IMPORT))
    assert "Un import est en cours" in page and "« annuaire.csv »" in page
    assert "Reprendre cet import" in page
    response = importer.post(CANCEL)
    assert response["Location"] == IMPORT
    assert "L'import est abandonné ; son fichier est supprimé." in text_of(importer.get(IMPORT))
    assert not PendingImport.objects.exists()
    for step in (COLUMNS, VALUES, PREVIEW):
        response = importer.get(step)
        assert response.status_code == 302 and response["Location"] == IMPORT


def test_a_new_file_replaces_the_import_under_way(importer):
    send_file(importer, lab_file(), name="premier.csv")
    send_file(importer, files.csv_bytes([files.collective("Seul")]), name="second.csv")
    assert list(PendingImport.objects.values_list("filename", flat=True)) == ["second.csv"]
    response = importer.post(COLUMNS, proposed_columns(importer))
    assert response["Location"] == PREVIEW
    assert importer.get(VALUES)["Location"] == PREVIEW


def test_files_left_unimported_for_a_week_are_deleted_when_another_is_sent(importer):
    import datetime

    from django.utils import timezone

    other = facilitator()
    importer.force_login(other)
    send_file(importer, lab_file())
    PendingImport.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    importer.force_login(facilitator())
    send_file(importer, lab_file())
    assert not PendingImport.objects.filter(user=other).exists()
    assert PendingImport.objects.count() == 1


def truncated_xlsx() -> bytes:
    data = files.xlsx_bytes([files.collective("A")])
    return data[: len(data) * 2 // 3]


def xlsx_without_its_sheet() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(files.xlsx_bytes([files.collective("A")])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            if not item.filename.startswith("xl/worksheets/"):
                archive.writestr(item, source.read(item))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (truncated_xlsx(), "Ce classeur XLSX est endommagé"),
        (xlsx_without_its_sheet(), "Le fichier est vide."),
        (bytes(range(256)) * 20, "n'est ni un tableau CSV ni un classeur XLSX"),
        (bytes(range(0x80, 0x100)) * 20, "ne se lit dans aucun des encodages reconnus"),
        (b"", "Le fichier est vide."),
        (b" \r\n\r\n", "Le fichier est vide."),
        (";".join(LAB_HEADER).encode("cp1252") + b"\r\n", "ne contient aucun acteur"),
        (files.xlsx_bytes([], header=LAB_HEADER), "ne contient aucun acteur"),
    ],
    ids=[
        "truncated xlsx",
        "xlsx without sheet",
        "binary",
        "no encoding",
        "empty",
        "blank",
        "headers only",
        "xlsx headers only",
    ],
)
def test_a_broken_file_is_refused_at_the_first_step_without_a_crash(importer, data, words):
    response = send_file(importer, data, name="annuaire.xlsx")
    assert response.status_code == 200
    page = text_of(response)
    assert words in page, page
    assert "Erreur —" in page
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize("step", [COLUMNS, VALUES, PREVIEW])
def test_members_cannot_walk_the_import_steps(client, step):
    client.force_login(UserFactory())
    assert client.get(step).status_code == 403
    assert client.post(step, {}).status_code == 403
    assert client.post(CANCEL).status_code == 403


def test_the_personal_data_download_lists_the_import_under_way_without_its_content(importer):
    import json

    send_file(importer, lab_file(), name="annuaire.csv")
    response = importer.post(reverse("privacy:export"), {"export_format": "json"})
    data = json.loads(importer.get(response["Location"]).content)
    records = [
        record
        for section in data["sections"]
        if section["key"].startswith("network.pendingimport")
        for record in section["records"]
    ]
    assert [record["text"] for record in records] == ["annuaire.csv"]
    assert "data" not in {field["name"] for field in records[0]["fields"]}


def test_a_header_named_twice_is_proposed_once_and_the_other_ignored(importer):
    send_file(importer, b"nom;type;commune;nom\nA;collectif;Brest;B\n")
    assert proposed_columns(importer) == {
        "colonne_0": "nom",
        "colonne_1": "type",
        "colonne_2": "commune",
        "colonne_3": "",
    }


def test_an_unknown_type_is_given_a_kind_of_actor_or_of_organisation(importer):
    header = ["Nom", "Type", "Ville", "Statut"]
    rows = [
        {"Nom": "Boulangerie Le Du", "Type": "Boulangerie", "Ville": "Brest"},
        {"Nom": "Amicale", "Type": "organisation", "Ville": "Brest", "Statut": "Amicale laïque"},
    ]
    send_file(importer, files.csv_bytes(rows, header=header, encoding="cp1252"))
    importer.post(COLUMNS, proposed_columns(importer))
    page = importer.get(VALUES)
    assert [(name, field.label) for name, field in page.context["form"].fields.items()] == [
        ("valeur_type_0", "Boulangerie"),
        ("valeur_type_organisation_0", "Amicale laïque"),
    ]
    html = page.content.decode()
    assert '<optgroup label="Organisation, de type">' in html
    response = importer.post(
        VALUES,
        {"valeur_type_0": "organisation:company", "valeur_type_organisation_0": "association"},
    )
    assert response["Location"] == PREVIEW
    assert importer.post(PREVIEW, {}).status_code == 302
    assert dict(Actor.objects.values_list("name", "organisation_kind")) == {
        "Boulangerie Le Du": OrganisationKind.COMPANY,
        "Amicale": OrganisationKind.ASSOCIATION,
    }
