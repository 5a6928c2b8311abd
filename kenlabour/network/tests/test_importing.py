"""Checking an imported table row by row: French messages tied to a line and a column,
duplicates within the file and against the directory."""

import pytest

from kenlabour.network import columns, importing
from kenlabour.network.enums import ActorKind, OrganisationKind, ResourceKind
from kenlabour.network.spreadsheet import read_table
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import OrganisationFactory, PlaceLessCollectiveFactory

pytestmark = pytest.mark.django_db


def validate(rows, **kwargs):
    table = read_table(
        files.csv_bytes(rows, **kwargs),
        known_columns=columns.COLUMNS,
        required_columns=columns.REQUIRED,
    )
    return importing.validate_table(table)


def only_error(rows) -> importing.CellError:
    _valid, errors = validate(rows)
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_rows_give_actor_fields():
    good = files.siret(1)
    valid, errors = validate(
        [
            files.organisation(
                "Fablab de Quimper",
                siret=f"{good[:3]} {good[3:]}",
                ressources="imprimante 3D:4, Découpeuse laser:1, tissu",
                site_web="fablab.example.org",
                email="contact@fablab.example.org",
            ),
            files.collective("Couture Brest", type="Collectif"),
            files.place_less(
                "Makers du Finistère", area="Finistère | Quimper Bretagne Occidentale"
            ),
            files.person("Anne Le Goff", consentement_public="oui"),
        ]
    )
    assert errors == []
    fablab, couture, makers, anne = valid
    assert fablab.line == 2
    assert fablab.fields["kind"] == ActorKind.ORGANISATION
    assert fablab.fields["organisation_kind"] == OrganisationKind.FABLAB
    assert fablab.fields["siret"] == good
    assert fablab.fields["commune"].code == "29232"
    assert fablab.fields["website"] == "https://fablab.example.org"
    assert fablab.resources == [
        (ResourceKind.PRINTER_3D, 4),
        (ResourceKind.LASER_CUTTER, 1),
        (ResourceKind.FABRIC, 1),
    ]
    assert couture.fields["kind"] == ActorKind.COLLECTIVE
    assert couture.fields["place_less"] is False
    assert makers.fields["place_less"] is True
    assert makers.fields["commune"] is None
    assert [d.code for d in makers.area.departements] == ["29"]
    assert [e.code for e in makers.area.epcis] == ["200068120"]
    assert anne.fields["public_consent"] is True
    assert couture.fields["public_consent"] is False, "consent only means something for people"


def test_enum_values_are_accepted_as_well_as_labels():
    valid, errors = validate(
        [files.organisation("Asso", type="organisation", type_organisation="association")]
    )
    assert errors == []
    assert valid[0].fields["organisation_kind"] == OrganisationKind.ASSOCIATION


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"nom": ""}, "nom", "Le nom est vide"),
        ({"type": "boulangerie"}, "type", "Type « boulangerie » inconnu"),
        ({"type": ""}, "type", "Le type est vide"),
        ({"type_organisation": ""}, "type_organisation", "Indiquez le type d'organisation"),
        ({"type_organisation": "club"}, "type_organisation", "« club » inconnu"),
        ({"siret": "123"}, "siret", "14 chiffres"),
        ({"siret": files.wrong_siret(7)}, "siret", "clé de contrôle est fausse"),
        ({"commune": "Quimperlé-sur-Mer"}, "commune", "Aucune commune ne correspond"),
        ({"commune": "Sainte-Marie"}, "commune", "Plusieurs communes s'appellent"),
        ({"commune": ""}, "commune", "La commune est vide"),
        ({"sans_lieu": "peut-être"}, "sans_lieu", "« oui » ou « non »"),
        ({"sans_lieu": "oui"}, "sans_lieu", "Seul un collectif peut être sans lieu"),
        ({"site_web": "pas une adresse"}, "site_web", "URL"),
        ({"email": "contact@"}, "email", "adresse de courriel"),
        ({"ressources": "imprimante 4D:2"}, "ressources", "Ressource « imprimante 4D » inconnue"),
        ({"ressources": "Imprimante 3D:0"}, "ressources", "doit être un entier d'au moins 1"),
        ({"ressources": "Imprimante 3D:deux"}, "ressources", "doit être un entier d'au moins 1"),
        ({"ressources": "Tissu:1, tissu:2"}, "ressources", "figure deux fois"),
    ],
)
def test_each_wrong_cell_is_named_by_line_and_column(cells, column, words):
    error = only_error([files.organisation("Fablab"), files.organisation("Autre", **cells)])
    assert (error.line, error.column) == (3, column)
    assert error.letter == chr(ord("A") + columns.COLUMNS.index(column))
    assert words in error.message
    assert error.value == cells[column]


def test_a_siret_is_only_for_organisations():
    error = only_error([files.collective("Couture", siret=files.siret(3))])
    assert (error.line, error.column) == (2, "siret")
    assert "Seule une organisation a un numéro SIRET" in error.message


def test_a_place_less_collective_has_an_area_and_no_commune():
    _valid, errors = validate(
        [
            files.place_less("Sans zone", area=""),
            files.place_less("Avec commune", commune="Brest"),
        ]
    )
    assert [(e.line, e.column) for e in errors] == [(2, "zone_action"), (3, "commune")]


def test_every_wrong_entry_of_an_area_is_named():
    _valid, errors = validate([files.place_less("Réseau", area="Finistère|Atlantide|99|Brest")])
    assert [(e.line, e.column) for e in errors] == [(2, "zone_action"), (2, "zone_action")]
    assert errors[0].message.startswith("« Atlantide » n'est ni une commune")
    assert errors[1].message == "« 99 » : aucun département n'a ce code."


def test_duplicates_within_the_file_name_the_first_line():
    same = files.siret(11)
    _valid, errors = validate(
        [
            files.organisation("Fablab", siret=same),
            files.organisation("Autre fablab", siret=same),
            files.collective("Couture Brest"),
            files.collective("COUTURE  brest"),
            files.collective("Couture Brest", commune="Quimper"),
        ]
    )
    assert [(e.line, e.column) for e in errors] == [(3, "siret"), (5, "nom")]
    assert "figure déjà ligne 2 du fichier" in errors[0].message
    assert "figure déjà ligne 4 du fichier" in errors[1].message


def test_duplicates_against_the_directory_are_refused():
    taken = files.siret(12)
    OrganisationFactory(name="Fablab existant", siret=taken)
    OrganisationFactory(name="Tiers-lieu de Quimper")
    PlaceLessCollectiveFactory(name="Réseau sans lieu")
    _valid, errors = validate(
        [
            files.organisation("Nouveau", siret=taken),
            files.organisation("Tiers-Lieu de QUIMPER"),
            files.place_less("Réseau sans lieu"),
            files.organisation("Tiers-lieu de Quimper", commune="Brest"),
        ]
    )
    assert [(e.line, e.column) for e in errors] == [(2, "siret"), (3, "nom"), (4, "nom")]
    assert "déjà celui de « Fablab existant »" in errors[0].message
    assert "existe déjà dans l'annuaire" in errors[1].message


def test_each_distinct_commune_is_looked_up_once(django_assert_max_num_queries):
    rows = [files.collective(f"Collectif {n}", commune="Quimper") for n in range(50)]
    table = read_table(files.csv_bytes(rows), known_columns=columns.COLUMNS)
    with django_assert_max_num_queries(10):
        valid, errors = importing.validate_table(table)
    assert len(valid) == 50 and errors == []


def test_the_row_form_has_one_field_per_column():
    assert set(importing.RowForm.base_fields) == set(columns.IMPORT_COLUMNS)
