"""The registration, moderation and import forms: French messages at the field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from kenlabour.network import forms
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind, ResourceKind
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PendingCollectiveFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


def actor_form(**data) -> forms.ActorForm:
    base = {"category": "collective", "name": "Couture Brest", "commune": "Brest"}
    return forms.ActorForm({**base, **data})


def test_an_organisation_needs_its_kind_and_keeps_its_siret():
    form = actor_form(category="organisation")
    assert not form.is_valid()
    assert form.errors["organisation_kind"] == ["Choisissez le type d'organisation."]
    siret = files.siret(1)
    form = actor_form(
        category="organisation",
        organisation_kind=OrganisationKind.COMPANY,
        siret=f"{siret[:3]} {siret[3:9]} {siret[9:]}",
    )
    assert form.is_valid(), form.errors
    fields = form.actor_fields()
    assert (fields["kind"], fields["organisation_kind"], fields["siret"]) == (
        ActorKind.ORGANISATION,
        OrganisationKind.COMPANY,
        siret,
    )


def test_a_collective_has_neither_organisation_kind_nor_siret():
    form = actor_form(organisation_kind=OrganisationKind.FABLAB, siret=files.siret(2))
    assert not form.is_valid()
    assert "laissez ce champ vide" in form.errors["organisation_kind"][0]
    assert "Seule une organisation a un numéro SIRET" in form.errors["siret"][0]


def test_a_siret_is_checked_and_unique_except_for_the_actor_itself():
    assert "14 chiffres" in actor_form(category="organisation", siret="1234").errors["siret"][0]
    taken = files.siret(3)
    holder = OrganisationFactory(name="Déjà là", siret=taken)
    data = {"category": "organisation", "organisation_kind": "company", "siret": taken}
    assert "« Déjà là »" in actor_form(**data).errors["siret"][0]
    posted_back = {**forms.ActorForm.initial_of(holder), "commune": "Quimper", "area": ""}
    edit = forms.ActorForm(posted_back, actor=holder)
    assert edit.is_valid(), edit.errors


def test_a_collective_with_a_place_needs_its_commune():
    form = actor_form(commune="")
    assert form.errors["commune"] == [
        "Indiquez la commune où se trouve l'organisation ou le collectif."
    ]


def test_a_place_less_collective_needs_an_area_and_no_commune():
    form = actor_form(category="place_less", commune="Brest", address="1 rue")
    assert not form.is_valid()
    assert set(form.errors) == {"commune", "address", "area"}
    form = actor_form(category="place_less", commune="", area="29; Rennes Métropole\nQuimper")
    assert form.is_valid(), form.errors
    area = form.area_of_action()
    assert [d.code for d in area.departements] == ["29"]
    assert [e.name for e in area.epcis] == ["Rennes Métropole"]
    assert [c.code for c in area.communes] == ["29232"]
    assert form.actor_fields()["commune"] is None


@pytest.mark.parametrize(
    ("entry", "kind", "code"),
    [
        ("29", "departement", "29"),
        ("2A", "departement", "2A"),
        ("Ille-et-Vilaine", "departement", "35"),
        ("200068120", "epci", "200068120"),
        ("CA Quimper Bretagne Occidentale", "epci", "200068120"),
        ("Quimper Bretagne Occidentale", "epci", "200068120"),
        ("Communauté d'agglomération Quimper Bretagne Occidentale", "epci", "200068120"),
        ("Brest Métropole", "epci", "242900314"),
        ("Brest", "commune", "29019"),
        ("Sainte-Marie (35)", "commune", "35294"),  # not those of 974, 972…
        ("29000", "commune", "29232"),
    ],
)
def test_an_area_entry_is_a_departement_an_epci_or_a_commune(entry, kind, code):
    area = forms.AreaField(required=False).clean(entry)
    found = {"departement": area.departements, "epci": area.epcis, "commune": area.communes}
    assert [t.pk for t in found[kind]] == [code]


def test_an_area_keeps_each_territory_once_and_shows_as_typed_back():
    area = forms.AreaField().clean("Finistère, 29, Brest, 29019")
    assert (len(area.departements), len(area.communes)) == (1, 1)
    assert forms.AreaField().prepare_value(area) == "Finistère\nBrest (29)"


def test_a_person_edits_fewer_fields():
    person = PersonFactory()
    form = forms.ActorForm(actor=person)
    assert "category" not in form.fields and "siret" not in form.fields
    assert "public_consent" in form.fields
    form = forms.ActorForm({"name": "Anne", "commune": ""}, actor=person)
    assert form.errors["commune"] == ["Indiquez votre commune."]


def test_resource_rows_need_a_kind_a_quantity_of_at_least_1_and_no_repeat():
    def formset(*rows):
        data = {"ressources-TOTAL_FORMS": str(len(rows)), "ressources-INITIAL_FORMS": "0"}
        for index, (kind, quantity, details) in enumerate(rows):
            data |= {
                f"ressources-{index}-kind": kind,
                f"ressources-{index}-quantity": quantity,
                f"ressources-{index}-details": details,
            }
        return forms.resource_formset(data)

    good = formset(("printer_3d", "2", "Prusa"), ("", "1", ""), ("fabric", "", ""))
    assert good.is_valid()
    assert good.resources() == [("printer_3d", 2, "Prusa"), ("fabric", 1, "")]
    zero = formset(("printer_3d", "0", ""))
    assert not zero.is_valid()
    assert zero.forms[0].errors["quantity"] == ["Le nombre doit être au moins 1."]
    orphan = formset(("", "3", "sans type"))
    assert not orphan.is_valid()
    assert "Choisissez la ressource" in orphan.forms[0].errors["kind"][0]
    twice = formset(("printer_3d", "1", ""), ("printer_3d", "2", ""))
    assert not twice.is_valid()
    assert "figure deux fois" in twice.non_form_errors()[0]


def test_a_refusal_needs_a_reason_and_only_pending_actors_are_moderated():
    pending = PendingCollectiveFactory()
    form = forms.ModerationForm({"actor": pending.pk, "decision": "reject", "reason": "  "})
    assert "Indiquez le motif du refus" in form.errors["reason"][0]
    assert forms.ModerationForm({"actor": pending.pk, "decision": "publish"}).is_valid()
    published = OrganisationFactory(status=ModerationStatus.PUBLISHED)
    form = forms.ModerationForm({"actor": published.pk, "decision": "publish"})
    assert "n'attend plus de modération" in form.errors["actor"][0]


class UnreadableUpload(UploadedFile):
    """An upload that fails the test if anything reads it."""

    def __init__(self, size):
        super().__init__(file=None, name="enorme.csv", size=size)

    def read(self, *args, **kwargs):
        raise AssertionError("a file too big must be refused without being read")

    def chunks(self, *args, **kwargs):
        raise AssertionError("a file too big must be refused without being read")


def test_a_file_too_big_is_refused_on_its_size_without_being_read():
    form = forms.ImportForm({}, {"file": UnreadableUpload(50 * 1024 * 1024)})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "Le fichier pèse 50,0\xa0Mio ; la limite est de 5,0\xa0Mio. Découpez-le en plusieurs "
        "fichiers."
    ]


def test_a_file_at_the_limit_is_read():
    padding = b"\r\n" * ((forms.MAX_IMPORT_BYTES - 200) // 2)  # blank lines
    data = files.csv_bytes([files.collective("Couture")]) + padding
    assert len(data) <= forms.MAX_IMPORT_BYTES
    form = forms.ImportForm({}, {"file": SimpleUploadedFile("a.csv", data)})
    assert form.is_valid(), form.errors
    _name, _data, sheet = form.cleaned_data["file"]
    assert [record[0] for _line, record in sheet.records] == ["Couture"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "Le fichier est vide."),
        (b"nom;type\n" + bytes(range(0x80, 0x100)) * 2 + b";collectif\n", "ligne 2"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003"),
        (b"nom;type\n", "ne contient aucun acteur"),
    ],
)
def test_unreadable_files_are_refused_at_the_field(data, words):
    form = forms.ImportForm({}, {"file": SimpleUploadedFile("a.csv", data)})
    assert not form.is_valid()
    assert words in form.errors["file"][0]


def test_the_import_help_lists_every_column():
    from kenlabour.network import columns

    assert [name for name, _required, _help in forms.IMPORT_COLUMNS_HELP] == list(
        columns.IMPORT_COLUMNS
    )
    required = [name for name, is_required, _help in forms.IMPORT_COLUMNS_HELP if is_required]
    assert required == list(columns.REQUIRED)


def test_resource_labels_cover_every_kind():
    assert len(forms.ResourceForm().fields["kind"].choices) == len(ResourceKind.choices) + 1
