"""Registration, moderation, edition and import pages: who may, what they see, and bad
files refused by line and column with nothing written."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network import forms
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind, ResourceKind
from kenlabour.network.models import Actor, Resource
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PendingCollectiveFactory,
    PersonFactory,
    ResourceFactory,
    facilitator,
    make_admin,
)

pytestmark = pytest.mark.django_db

REGISTER = reverse("network:register")
MODERATION = reverse("network:moderation")
IMPORT = reverse("network:import")


def edit_url(actor) -> str:
    return reverse("network:edit", kwargs={"slug": actor.slug})


def text_of(response) -> str:
    """The page's text, tags removed and blanks collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def registration(**overrides) -> dict:
    data = {
        "category": "organisation",
        "organisation_kind": OrganisationKind.FABLAB,
        "name": "Fablab du Faou",
        "description": "Un fablab associatif.",
        "skills": "impression 3D",
        "siret": "",
        "commune": "Quimper",
        "address": "1 rue de la Mer",
        "area": "",
        "website": "",
        "email": "",
        "ressources-TOTAL_FORMS": "3",
        "ressources-INITIAL_FORMS": "0",
        "ressources-MIN_NUM_FORMS": "0",
        "ressources-MAX_NUM_FORMS": "1000",
        "ressources-0-kind": ResourceKind.PRINTER_3D,
        "ressources-0-quantity": "3",
        "ressources-0-details": "Prusa",
        "ressources-1-kind": "",
        "ressources-1-quantity": "1",
        "ressources-1-details": "",
        "ressources-2-kind": "",
        "ressources-2-quantity": "1",
        "ressources-2-details": "",
    }
    data.update(overrides)
    return data


def edition(actor, **overrides) -> dict:
    """What the edit form posts back unchanged, with overrides."""
    initial = forms.ActorForm.initial_of(actor)
    data = registration(
        category=initial["category"],
        organisation_kind=initial["organisation_kind"],
        name=actor.name,
        description=actor.description,
        skills=actor.skills,
        siret=actor.siret,
        commune=actor.commune.code if actor.commune else "",
        address=actor.address,
        **{"ressources-0-kind": "", "ressources-0-quantity": "1", "ressources-0-details": ""},
    )
    data.update(overrides)
    return data


# --- who may -----------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["register", "moderation", "import", "edit"])
def test_anonymous_people_are_sent_to_log_in(client, url_name):
    kwargs = {"slug": OrganisationFactory().slug} if url_name == "edit" else {}
    url = reverse(f"network:{url_name}", kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.post(url, {}).status_code == 302


@pytest.mark.parametrize("url", [MODERATION, IMPORT])
def test_members_cannot_moderate_or_import(client, url):
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_facilitators_can_moderate_and_import(client):
    client.force_login(facilitator())
    assert client.get(MODERATION).status_code == 200
    assert client.get(IMPORT).status_code == 200


def test_a_member_cannot_edit_an_actor_and_its_admin_cannot_edit_another(client):
    a, b = OrganisationFactory(name="A"), OrganisationFactory(name="B")
    member = UserFactory()
    client.force_login(member)
    assert client.get(edit_url(a)).status_code == 403
    make_admin(member, a)
    assert client.get(edit_url(a)).status_code == 200
    assert client.get(edit_url(b)).status_code == 403
    response = client.post(edit_url(b), edition(b, name="Piraté"))
    assert response.status_code == 403
    b.refresh_from_db()
    assert b.name == "B"


def test_a_facilitator_can_edit_any_actor_and_a_person_their_own_page(client):
    actor = OrganisationFactory()
    client.force_login(facilitator())
    assert client.get(edit_url(actor)).status_code == 200
    user = UserFactory()
    person = PersonFactory(user=user)
    client.force_login(user)
    assert client.get(edit_url(person)).status_code == 200


def test_editing_an_unknown_actor_is_a_404(client):
    client.force_login(facilitator())
    assert client.get(reverse("network:edit", kwargs={"slug": "inconnu"})).status_code == 404


# --- registration ------------------------------------------------------------------


def test_a_person_registers_an_organisation_that_waits_for_moderation(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(REGISTER).status_code == 200
    response = client.post(REGISTER, registration())
    actor = Actor.objects.get(name="Fablab du Faou")
    assert response.status_code == 302
    assert response["Location"] == actor.get_absolute_url()
    assert actor.status == ModerationStatus.PENDING
    assert actor.created_by == user
    assert (actor.kind, actor.organisation_kind) == (ActorKind.ORGANISATION, "fablab")
    assert actor.slug == "fablab-du-faou"
    assert actor.departement_id == "29" and actor.latitude == actor.commune.latitude
    assert "imprimante 3d" in actor.search_text
    assert [(r.kind, r.quantity, r.details) for r in actor.resources.all()] == [
        (ResourceKind.PRINTER_3D, 3, "Prusa")
    ]
    # The registrant administers it: they may edit it, and their account lists it.
    assert client.get(edit_url(actor)).status_code == 200


def test_a_place_less_collective_registers_with_its_area_of_action(client):
    client.force_login(UserFactory())
    client.post(
        REGISTER,
        registration(
            category="place_less",
            organisation_kind="",
            name="Visières du Trégor",
            commune="",
            address="",
            area="Côtes-d'Armor, Lannion-Trégor Communauté\nMorlaix",
        ),
    )
    actor = Actor.objects.get(name="Visières du Trégor")
    assert (actor.kind, actor.place_less, actor.commune) == (ActorKind.COLLECTIVE, True, None)
    assert [d.code for d in actor.area_departements.all()] == ["22"]
    assert [e.code for e in actor.area_epcis.all()] == ["200065928"]
    assert [c.code for c in actor.area_communes.all()] == ["29151"]


def test_registration_errors_are_shown_at_their_fields_and_nothing_is_saved(client):
    client.force_login(UserFactory())
    response = client.post(
        REGISTER,
        registration(
            name="",
            siret=files.wrong_siret(5),
            commune="Quimperlé-sur-Mer",
            **{"ressources-1-kind": ResourceKind.PRINTER_3D, "ressources-1-quantity": "0"},
        ),
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "Erreur —" in page
    assert "Indiquez le nom." in page
    assert "clé de contrôle est fausse" in page
    assert "Aucune commune ne correspond à « Quimperlé-sur-Mer »" in page
    assert "Le nombre doit être au moins 1." in page
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Actor.objects.exists()


def test_a_place_less_collective_names_each_unknown_entry_of_its_area(client):
    client.force_login(UserFactory())
    response = client.post(
        REGISTER,
        registration(
            category="place_less",
            organisation_kind="",
            commune="",
            address="",
            area="Finistère, Atlantide, 99",
        ),
    )
    page = text_of(response)
    assert "« Atlantide » n'est ni une commune" in page
    assert "« 99 » : aucun département n'a ce code." in page
    assert not Actor.objects.exists()


def test_a_siret_already_in_the_directory_is_refused(client):
    taken = files.siret(21)
    OrganisationFactory(name="Plasturgie d'Armor", siret=taken)
    client.force_login(UserFactory())
    response = client.post(
        REGISTER,
        registration(organisation_kind=OrganisationKind.COMPANY, siret=taken),
    )
    assert "déjà celui de « Plasturgie d'Armor »" in text_of(response)
    assert Actor.objects.count() == 1


def test_the_same_resource_twice_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(
        REGISTER,
        registration(**{"ressources-1-kind": ResourceKind.PRINTER_3D}),
    )
    assert "« Imprimante 3D » figure deux fois" in text_of(response)
    assert not Actor.objects.exists()


# --- moderation --------------------------------------------------------------------


def test_the_moderation_page_lists_pending_actors_only(client):
    pending = PendingCollectiveFactory(name="Collectif à vérifier")
    OrganisationFactory(name="Déjà publié")
    client.force_login(facilitator())
    page = text_of(client.get(MODERATION))
    assert "Collectif à vérifier" in page
    assert "Déjà publié" not in page
    assert "1 acteur en attente" in page
    assert pending.get_absolute_url() in client.get(MODERATION).content.decode()


def test_a_facilitator_publishes_a_pending_actor(client):
    pending = PendingCollectiveFactory()
    client.force_login(facilitator())
    response = client.post(MODERATION, {"actor": pending.pk, "decision": "publish", "reason": ""})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ModerationStatus.PUBLISHED
    assert "est publié" in text_of(client.get(MODERATION))


def test_a_refusal_needs_a_reason_that_the_registrant_reads(client):
    registrant = UserFactory()
    pending = make_admin(registrant, PendingCollectiveFactory(name="Collectif douteux")) and (
        Actor.objects.get(name="Collectif douteux")
    )
    client.force_login(facilitator())
    response = client.post(MODERATION, {"actor": pending.pk, "decision": "reject", "reason": " "})
    assert response.status_code == 200
    assert "Indiquez le motif du refus" in text_of(response)
    assert 'aria-invalid="true"' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ModerationStatus.PENDING

    client.post(
        MODERATION,
        {"actor": pending.pk, "decision": "reject", "reason": "Aucune activité connue."},
    )
    pending.refresh_from_db()
    assert (pending.status, pending.moderation_note) == (
        ModerationStatus.REJECTED,
        "Aucune activité connue.",
    )
    client.force_login(registrant)
    page = text_of(client.get(edit_url(pending)))
    assert "Refusé par la modération" in page
    assert "Aucune activité connue." in page


def test_moderating_an_actor_already_moderated_says_so(client):
    actor = OrganisationFactory()
    client.force_login(facilitator())
    response = client.post(MODERATION, {"actor": actor.pk, "decision": "publish"})
    assert "Cet acteur n'attend plus de modération" in text_of(response)


def test_the_moderation_page_costs_the_same_queries_for_2_or_20_pending_actors(client):
    client.force_login(facilitator())

    def queries_with(count):
        Actor.objects.filter(status=ModerationStatus.PENDING).delete()
        for _ in range(count):
            actor = PendingCollectiveFactory()
            ResourceFactory(actor=actor)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(MODERATION)
        assert text_of(response).count("Publier") == count
        return len(captured)

    assert queries_with(2) == queries_with(20)


# --- edition -----------------------------------------------------------------------


def test_editing_a_published_actor_keeps_it_published(client):
    actor = OrganisationFactory(name="Fablab", commune=files_commune("29019"))
    ResourceFactory(actor=actor, kind=ResourceKind.PRINTER_3D, quantity=2)
    admin = make_admin(UserFactory(), actor)
    client.force_login(admin)
    form_page = client.get(edit_url(actor)).content.decode()
    assert 'value="Fablab"' in form_page
    response = client.post(
        edit_url(actor),
        edition(
            actor,
            name="Fablab de Brest",
            commune="Quimper",
            **{"ressources-0-kind": ResourceKind.LASER_CUTTER, "ressources-0-quantity": "1"},
        ),
    )
    assert response.status_code == 302
    actor.refresh_from_db()
    # The new name waits for a facilitator; every other correction applies at once.
    assert (actor.name, actor.proposed_name) == ("Fablab", "Fablab de Brest")
    told = [str(m) for m in client.get(actor.get_absolute_url()).context["messages"]]
    assert any("Fablab de Brest" in text and "accepté" in text for text in told)
    assert actor.status == ModerationStatus.PUBLISHED
    assert actor.commune_id == "29232" and actor.latitude == actor.commune.latitude
    assert list(actor.resources.values_list("kind", "quantity")) == [("laser_cutter", 1)]
    assert "decoupeuse laser" in actor.search_text
    assert "imprimante" not in actor.search_text


def test_the_edit_form_shows_existing_resources_and_area(client):
    from kenlabour.network.tests.factories import PlaceLessCollectiveFactory
    from kenlabour.territories.models import Departement

    actor = PlaceLessCollectiveFactory(name="Réseau")
    actor.area_departements.set([Departement.objects.get(code="29")])
    ResourceFactory(actor=actor, kind=ResourceKind.SEWING_MACHINE, quantity=4)
    client.force_login(facilitator())
    page = client.get(edit_url(actor)).content.decode()
    assert "Finistère" in page
    assert 'value="sewing_machine" selected' in page
    assert 'value="4"' in page


def test_a_refused_actor_edited_by_its_admin_goes_back_to_moderation(client):
    actor = OrganisationFactory(status=ModerationStatus.REJECTED, moderation_note="Incomplet")
    client.force_login(make_admin(UserFactory(), actor))
    client.post(edit_url(actor), edition(actor, description="Complété."))
    actor.refresh_from_db()
    assert actor.status == ModerationStatus.PENDING


def test_a_person_edits_their_own_page_and_consent(client):
    user = UserFactory()
    person = PersonFactory(user=user, public_consent=False)
    client.force_login(user)
    response = client.post(
        edit_url(person),
        {
            "name": "Anne Le Goff",
            "description": "",
            "skills": "couture",
            "commune": "Brest",
            "website": "",
            "email": "",
            "public_consent": "on",
            "ressources-TOTAL_FORMS": "1",
            "ressources-INITIAL_FORMS": "0",
            "ressources-0-kind": ResourceKind.SEWING_MACHINE,
            "ressources-0-quantity": "2",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.kind, person.public_consent) == ("person", True)
    assert person.proposed_name == "Anne Le Goff", "a published name changes after moderation"
    assert person.commune_id == "29019"


def files_commune(code):
    from kenlabour.territories.models import Commune

    return Commune.objects.get(code=code)


# --- import ------------------------------------------------------------------------


COLUMNS = reverse("network:import_columns")
VALUES = reverse("network:import_values")
PREVIEW = reverse("network:import_preview")


def send_file(client, data: bytes, name="acteurs.csv"):
    """Step 1 alone: the file sent."""
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def proposed_columns(client) -> dict:
    """The columns step's form as the page fills it: {field name: selected value}."""
    page = client.get(COLUMNS)
    assert page.status_code == 200, page
    form = page.context["form"]
    return {name: form[name].value() for name in form.fields}


def post_file(client, data: bytes, name="acteurs.csv", columns=None, values=None):
    """The whole import as a person walks it: the file, its columns as proposed (or as
    `columns` changes them), the unknown words (`values`: {field name: choice}), then the
    preview's button. Returns the last response: a redirection to the import page once
    imported, else the page that refused."""
    response = send_file(client, data, name)
    if response.status_code != 302:
        return response
    assert response["Location"] == COLUMNS
    chosen = {**proposed_columns(client), **(columns or {})}
    response = client.post(COLUMNS, chosen)
    if response.status_code != 302:
        return response
    if response["Location"] == VALUES:
        response = client.post(VALUES, values or {})
        if response.status_code != 302:
            return response
    assert response["Location"] == PREVIEW
    return client.post(PREVIEW, {})


@pytest.fixture
def importer(client):
    client.force_login(facilitator())
    return client


VALID_ROWS = [
    files.organisation("Fablab de Quimper", siret=files.siret(31), ressources="Imprimante 3D:4"),
    files.organisation("Tissage solidaire", type_organisation="Association", commune="56121"),
    files.collective("Couture solidaire Brest", ressources="machine à coudre:6, couture"),
    files.place_less("Visières solidaires 29", area="Finistère|Morlaix"),
    files.person("Anne Le Goff", consentement_public="oui"),
]


def assert_created(client, response, rows):
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    page = text_of(client.get(IMPORT))
    created = Actor.objects.filter(name__in=[r["nom"] for r in rows])
    assert created.count() == len(rows)
    assert set(created.values_list("status", flat=True)) == {ModerationStatus.PUBLISHED}
    for kind, label in ActorKind.choices:
        count = created.filter(kind=kind).count()
        assert re.search(rf"{label} {count}\b", page), (label, count, page)
    assert f"Import réussi : {len(rows)} acteurs créés" in page
    # The summary is shown once.
    assert "Import réussi" not in text_of(client.get(IMPORT))


def test_a_valid_csv_is_imported_and_published(importer):
    response = post_file(importer, files.csv_bytes(VALID_ROWS))
    assert_created(importer, response, VALID_ROWS)
    fablab = Actor.objects.get(name="Fablab de Quimper")
    assert fablab.siret == files.siret(31)
    assert fablab.departement_id == "29" and fablab.latitude is not None
    assert list(fablab.resources.values_list("kind", "quantity")) == [("printer_3d", 4)]
    assert "imprimante 3d" in fablab.search_text
    visieres = Actor.objects.get(name="Visières solidaires 29")
    assert [d.code for d in visieres.area_departements.all()] == ["29"]
    assert [c.code for c in visieres.area_communes.all()] == ["29151"]
    assert Actor.objects.get(name="Anne Le Goff").public_consent is True


def test_a_valid_xlsx_is_imported_whatever_its_name(importer):
    response = post_file(importer, files.xlsx_bytes(VALID_ROWS), name="acteurs.csv")
    assert_created(importer, response, VALID_ROWS)


def test_a_comma_csv_with_a_byte_order_mark_is_imported(importer):
    data = b"\xef\xbb\xbf" + files.csv_bytes(VALID_ROWS, delimiter=",")
    assert_created(importer, post_file(importer, data), VALID_ROWS)


def test_unknown_columns_are_ignored_and_said(importer):
    header = ["nom", "type", "commune", "remarque"]
    data = files.csv_bytes([files.collective("Couture", remarque="rien")], header=header)
    post_file(importer, data)
    assert "Colonnes du fichier ignorées : « remarque »" in text_of(importer.get(IMPORT))


def error_rows(response) -> list[list[str]]:
    """The error table's rows: line, column, value, message."""
    content = response.content.decode()
    table = re.search(r'<table class="import-errors">(.*?)</table>', content, re.S)
    assert table, "no error table"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)[1:]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def refused(importer, data: bytes, name="acteurs.csv"):
    before = (Actor.objects.count(), Resource.objects.count())
    response = post_file(importer, data, name=name)
    assert response.status_code == 200
    assert (Actor.objects.count(), Resource.objects.count()) == before, "nothing is written"
    assert "Erreur —" in text_of(response)
    return response


@pytest.mark.parametrize(
    ("bad_row", "column", "words"),
    [
        (
            files.organisation("Mauvais SIRET", siret=files.wrong_siret(41)),
            "D — siret",
            "clé de contrôle",
        ),
        (
            files.collective("Perdu", commune="Quimperlé-sur-Mer"),
            "E — commune",
            "Aucune commune ne correspond",
        ),
        (files.collective(""), "A — nom", "Le nom est vide."),
        (
            files.organisation("Autre fablab", siret=files.siret(31)),
            "D — siret",
            "figure déjà ligne 2 du fichier",
        ),
        (files.collective("COUTURE solidaire brest"), "A — nom", "figure déjà ligne 4 du fichier"),
    ],
    ids=["wrong siret", "unknown commune", "empty name", "same siret", "same name and commune"],
)
def test_a_wrong_row_is_refused_by_line_and_column_and_nothing_is_written(
    importer, bad_row, column, words
):
    rows = [*VALID_ROWS, bad_row]
    for data in (files.csv_bytes(rows), files.xlsx_bytes(rows)):
        response = refused(importer, data)
        errors = error_rows(response)
        assert len(errors) == 1, errors
        line, where, _value, message = errors[0]
        assert (line, where) == (str(len(rows) + 1), column)
        assert words in message
        assert "Aucun acteur n'a été importé" in text_of(response)


def test_actors_already_in_the_directory_are_refused(importer):
    OrganisationFactory(name="Fablab de Quimper", siret=files.siret(31))
    response = refused(importer, files.csv_bytes(VALID_ROWS))
    assert error_rows(response) == [
        [
            "2",
            "A — nom",
            "Fablab de Quimper",
            "« Fablab de Quimper » (Quimper (29)) existe déjà dans l'annuaire.",
        ],
        [
            "2",
            "D — siret",
            files.siret(31),
            "Ce numéro SIRET est déjà celui de « Fablab de Quimper » dans l'annuaire.",
        ],
    ]


def test_a_windows_1252_file_is_imported_and_its_encoding_said(importer):
    send_file(importer, files.csv_bytes(VALID_ROWS, encoding="cp1252"))
    page = text_of(importer.get(COLUMNS))
    assert (
        "Encodage détecté : Windows-1252 (Excel sous Windows) ; séparateur détecté : "
        "point-virgule (;)."
    ) in page
    Actor.objects.all().delete()
    assert_created(
        importer,
        post_file(importer, files.csv_bytes(VALID_ROWS, delimiter="\t", encoding="cp1252")),
        VALID_ROWS,
    )


def test_a_file_in_no_known_encoding_is_refused_naming_its_first_wrong_line(importer):
    data = files.csv_bytes(VALID_ROWS).replace(b"Couture", bytes(range(0x80, 0x100)) * 2)
    response = refused(importer, data)
    page = text_of(response)
    assert "ne se lit dans aucun des encodages reconnus" in page
    assert "Premier caractère illisible : ligne 4." in page


def test_a_50_mb_file_is_refused_before_it_is_read(importer, settings):
    """Refused on its declared size, unread (kenlabour.web.limits; see web/tests/test_limits)."""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440, "big uploads go to disk"
    data = files.csv_bytes(VALID_ROWS) + b"x" * (50 * 1024 * 1024)
    before = Actor.objects.count()
    response = post_file(importer, data)
    assert response.status_code == 413
    assert "votre envoi pèse 50,0 Mio ; la limite est de 5,0 Mio" in text_of(response)
    assert Actor.objects.count() == before


def test_a_file_just_over_the_limit_is_refused_at_its_field(importer):
    """Within the request limit (the file's and its form's), the form says it at the field."""
    data = files.csv_bytes(VALID_ROWS) + b"x" * (forms.MAX_IMPORT_BYTES + 1)
    response = refused(importer, data)
    assert "la limite est de 5,0 Mio." in text_of(response)


def test_a_file_that_is_no_table_is_refused_by_its_content(importer):
    response = refused(importer, b"%PDF-1.4 \x00\x01", name="acteurs.xlsx")
    assert "n'est ni un tableau CSV ni un classeur XLSX" in text_of(response)


def test_a_file_without_the_required_columns_is_refused_at_the_columns_step(importer):
    response = refused(importer, b"Nom;Ville\nA;Brest\n")
    assert "il y manque : « type »" in text_of(response)


def test_too_many_rows_are_refused(importer, monkeypatch):
    monkeypatch.setattr(forms, "MAX_IMPORT_ROWS", 3)
    response = refused(importer, files.csv_bytes(VALID_ROWS))
    assert "Le fichier compte plus de 3 lignes" in text_of(response)


def test_a_file_with_a_header_only_imports_nothing(importer):
    response = refused(importer, files.csv_bytes([]))
    assert "ne contient aucun acteur" in text_of(response)


def test_only_the_first_errors_are_listed_with_the_count_of_the_others(importer, monkeypatch):
    from kenlabour.network import views

    monkeypatch.setattr(views, "MAX_LISTED_IMPORT_ERRORS", 2)
    rows = [files.collective("", description=f"Sans nom {n}") for n in range(5)]
    response = refused(importer, files.csv_bytes(rows))
    assert len(error_rows(response)) == 2
    assert "Le fichier contient 5 erreurs" in text_of(response)
    assert "et 3 autres erreurs" in text_of(response)


def test_the_fixed_file_is_then_imported(importer):
    rows = [*VALID_ROWS, files.collective("Perdu", commune="Quimperlé-sur-Mer")]
    refused(importer, files.csv_bytes(rows))
    rows[-1] = files.collective("Perdu", commune="Quimperlé")
    assert_created(importer, post_file(importer, files.csv_bytes(rows)), rows)


# --- the actor page, while moderation has not published it -------------------------


def test_the_registrant_sees_the_pending_page_with_its_banner_and_others_do_not(client):
    client.force_login(UserFactory())
    response = client.post(REGISTER, registration(), follow=True)
    assert response.status_code == 200
    page = text_of(response)
    assert "Fablab du Faou" in page
    assert "En attente de modération." in page
    actor = Actor.objects.get(name="Fablab du Faou")
    client.force_login(UserFactory())
    assert client.get(actor.get_absolute_url()).status_code == 404
    client.force_login(facilitator())
    assert "En attente de modération." in text_of(client.get(actor.get_absolute_url()))


def test_the_registrant_reads_the_reason_of_a_refusal_on_the_actor_page(client):
    registrant = UserFactory()
    actor = PendingCollectiveFactory(name="Collectif douteux")
    make_admin(registrant, actor)
    client.force_login(facilitator())
    client.post(
        MODERATION, {"actor": actor.pk, "decision": "reject", "reason": "Aucune activité connue."}
    )
    client.force_login(registrant)
    page = text_of(client.get(actor.get_absolute_url()))
    assert "Refusé par la modération." in page
    assert "Motif : Aucune activité connue." in page
    assert "Modifier la page" in page


@pytest.mark.parametrize("export", ["network:export_csv", "network:export_xlsx"])
def test_a_file_exported_from_the_directory_imports_again(importer, export):
    from kenlabour.network.tests.factories import PlaceLessCollectiveFactory
    from kenlabour.territories.models import Departement, Epci

    fablab = OrganisationFactory(name="Fablab d'Armor", siret=files.siret(51))
    ResourceFactory(actor=fablab, kind=ResourceKind.PRINTER_3D, quantity=4)
    ResourceFactory(actor=fablab, kind=ResourceKind.LASER_CUTTER, quantity=1)
    network = PlaceLessCollectiveFactory(name="Réseau")
    network.area_departements.set([Departement.objects.get(code="29")])
    network.area_epcis.set([Epci.objects.get(code="200065928")])
    PersonFactory(name="Anne Le Goff", public_consent=True)
    before = sorted(
        (a.kind, a.name, a.organisation_kind, a.siret, a.commune_id, a.place_less)
        for a in Actor.objects.all()
    )
    exported = importer.get(reverse(export))
    assert exported.status_code == 200
    data = b"".join(exported.streaming_content) if exported.streaming else exported.content
    Actor.objects.all().delete()
    response = post_file(importer, data, name="export")
    assert response.status_code == 302, text_of(response)
    after = sorted(
        (a.kind, a.name, a.organisation_kind, a.siret, a.commune_id, a.place_less)
        for a in Actor.objects.all()
    )
    assert after == before
    fablab = Actor.objects.get(name="Fablab d'Armor")
    assert sorted(fablab.resources.values_list("kind", "quantity")) == [
        ("laser_cutter", 1),
        ("printer_3d", 4),
    ]
    network = Actor.objects.get(name="Réseau")
    assert list(network.area_epcis.values_list("code", flat=True)) == ["200065928"]
