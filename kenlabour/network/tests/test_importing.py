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


# --- the words people use, postcodes, phone numbers, rows pasted twice -------------------


def validate_import(rows, header, vocabulary=None):
    """The rows under the given header, read as the import's first step proposes."""
    synonyms = {c: columns.HEADER_SYNONYMS.get(c, ()) for c in columns.IMPORT_COLUMNS}
    table = read_table(
        files.csv_bytes(rows, header=header),
        known_columns=columns.IMPORT_COLUMNS,
        required_columns=columns.REQUIRED,
        synonyms=synonyms,
    )
    return importing.validate_table(table, vocabulary)


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("fablab", OrganisationKind.FABLAB),
        ("Fab-Lab", OrganisationKind.FABLAB),
        ("Tiers-Lieux", OrganisationKind.FABLAB),
        ("entreprise", OrganisationKind.COMPANY),
        ("SARL", OrganisationKind.COMPANY),
        ("sas", OrganisationKind.COMPANY),
        ("Association", OrganisationKind.ASSOCIATION),
        ("COLLECTIVITÉ", OrganisationKind.LOCAL_AUTHORITY),
        ("Mairie", OrganisationKind.LOCAL_AUTHORITY),
        ("Conseil régional", OrganisationKind.REGIONAL_COUNCIL),
        ("EHPAD", OrganisationKind.CARE),
    ],
)
def test_an_organisation_kind_written_in_the_type_column_makes_an_organisation(word, kind):
    header = ["Nom", "Type", "Ville"]
    valid, errors = validate_import([{"Nom": "Un acteur", "Type": word, "Ville": "Brest"}], header)
    assert errors == []
    assert (valid[0].fields["kind"], valid[0].fields["organisation_kind"]) == (
        ActorKind.ORGANISATION,
        kind,
    )


def test_usual_words_are_read_for_kinds_organisation_kinds_and_resources():
    header = ["Nom", "Type", "Forme juridique", "Ville", "Machines"]
    rows = [
        {"Nom": "A", "Type": "Particulier", "Ville": "Brest", "Machines": "Impression 3D:2"},
        {"Nom": "B", "Type": "structure", "Forme juridique": "SCOP", "Ville": "Brest"},
        {"Nom": "C", "Type": "Groupe", "Ville": "Brest", "Machines": "machines à coudre, CNC"},
    ]
    valid, errors = validate_import(rows, header)
    assert errors == []
    assert [(r.fields["kind"], r.fields["organisation_kind"]) for r in valid] == [
        (ActorKind.PERSON, ""),
        (ActorKind.ORGANISATION, OrganisationKind.COMPANY),
        (ActorKind.COLLECTIVE, ""),
    ]
    assert valid[0].resources == [(ResourceKind.PRINTER_3D, 2)]
    assert valid[2].resources == [(ResourceKind.SEWING_MACHINE, 1), (ResourceKind.CNC_MILL, 1)]


def test_unknown_words_are_listed_once_and_read_as_the_person_chose():
    header = ["Nom", "Type", "Ville", "Équipements"]
    rows = [
        {"Nom": "A", "Type": "Boulangerie", "Ville": "Brest", "Équipements": "Four à pain:2"},
        {"Nom": "B", "Type": "boulangerie", "Ville": "Brest", "Équipements": "Four à pain, Laser"},
        {"Nom": "C", "Type": "Fablab", "Ville": "Brest", "Équipements": "Brodeuse numérique"},
    ]
    synonyms = {c: columns.HEADER_SYNONYMS.get(c, ()) for c in columns.IMPORT_COLUMNS}
    table = read_table(
        files.csv_bytes(rows, header=header),
        known_columns=columns.IMPORT_COLUMNS,
        synonyms=synonyms,
    )
    assert importing.unknown_values(table, importing.Vocabulary()) == {
        "type": ["Boulangerie"],
        "ressources": ["Four à pain", "Brodeuse numérique"],
    }
    _valid, errors = importing.validate_table(table)
    assert {(e.line, e.column) for e in errors} == {
        (2, "type"),
        (2, "ressources"),
        (3, "type"),
        (3, "ressources"),
        (4, "ressources"),
    }
    chosen = importing.Vocabulary(
        {
            "type": {"boulangerie": "organisation:company"},
            "ressources": {
                "four a pain": importing.IGNORE,
                "brodeuse numerique": "embroidery_machine",
            },
        }
    )
    assert importing.unknown_values(table, chosen) == {}
    valid, errors = importing.validate_table(table, chosen)
    assert errors == []
    assert valid[0].fields["organisation_kind"] == OrganisationKind.COMPANY
    assert valid[0].resources == []
    assert valid[1].resources == [(ResourceKind.LASER_CUTTER, 1)]
    assert valid[2].resources == [(ResourceKind.EMBROIDERY_MACHINE, 1)]


def test_the_postcode_tells_apart_communes_of_the_same_name():
    header = ["Nom", "Type", "Commune", "CP"]
    rows = [
        {"Nom": "A", "Type": "collectif", "Commune": "Plouhinec", "CP": "56680"},
        {"Nom": "B", "Type": "collectif", "Commune": "Plouhinec", "CP": "29780"},
        {"Nom": "C", "Type": "collectif", "Commune": "", "CP": "29780"},
        {"Nom": "D", "Type": "collectif", "Commune": "Plouhinec", "CP": ""},
    ]
    valid, errors = validate_import(rows, header)
    assert [r.fields["commune"].code for r in valid] == ["56169", "29197", "29197"]
    assert [(e.line, e.column) for e in errors] == [(5, "commune")]


def test_a_postcode_that_lost_its_leading_zero_gets_it_back():
    assert importing.normalise_postcode("1000") == "01000"
    assert importing.normalise_postcode("1000.0") == "01000"
    assert importing.normalise_postcode(" 29 000 ") == "29000"
    header = ["Nom", "Type", "Ville", "Code postal"]
    rows = [
        {"Nom": "A", "Type": "collectif", "Ville": "Bourg-en-Bresse", "Code postal": "1000"},
        {"Nom": "B", "Type": "collectif", "Ville": "Brest", "Code postal": "290"},
    ]
    valid, errors = validate_import(rows, header)
    assert [r.fields["commune"].code for r in valid] == ["01053"]
    assert [(e.line, e.column, e.message) for e in errors] == [
        (3, "code_postal", "Un code postal a 5 chiffres, par exemple « 29000 »."),
    ]


def test_phone_numbers_are_normalised_and_wrong_ones_reported():
    header = ["Nom", "Type", "Ville", "Tél."]
    rows = [
        {"Nom": "A", "Type": "collectif", "Ville": "Brest", "Tél.": "0298123456"},
        {"Nom": "B", "Type": "collectif", "Ville": "Brest", "Tél.": "+33 6 12 34 56 78"},
        {"Nom": "C", "Type": "collectif", "Ville": "Brest", "Tél.": "+32 2 555 12 12"},
        {"Nom": "D", "Type": "collectif", "Ville": "Brest", "Tél.": "12 34"},
        {"Nom": "E", "Type": "collectif", "Ville": "Brest", "Tél.": ""},
        # A spreadsheet that took the number for a number lost its leading zero.
        {"Nom": "F", "Type": "collectif", "Ville": "Brest", "Tél.": "298123456"},
    ]
    valid, errors = validate_import(rows, header)
    assert [r.phone for r in valid] == [
        "02 98 12 34 56",
        "06 12 34 56 78",
        "+32 2 555 12 12",
        "",
        "02 98 12 34 56",
    ]
    assert [(e.line, e.column, e.letter) for e in errors] == [(5, "telephone", "D")]
    assert "Numéro de téléphone invalide" in errors[0].message


def test_an_email_is_checked_under_its_usual_header():
    header = ["Nom", "Type", "Ville", "Courriel"]
    rows = [{"Nom": "A", "Type": "collectif", "Ville": "Brest", "Courriel": "contact@"}]
    _valid, errors = validate_import(rows, header)
    assert [(e.line, e.column) for e in errors] == [(2, "email")]


def test_a_row_repeated_exactly_is_reported_even_with_another_error_on_it():
    bad = files.organisation("Fablab répété", siret=files.wrong_siret(7))
    rows = [files.collective("Autre"), bad, dict(bad)]
    _valid, errors = validate(rows)
    assert [(e.line, e.column) for e in errors] == [(3, "siret"), (4, "nom"), (4, "siret")]
    assert errors[1].message == "Cette ligne est identique à la ligne 3 : supprimez l'une des deux."
    good = files.collective("Répété")
    _valid, errors = validate([good, dict(good)])
    # Said once, as a repeated row (not also as the same name in the same commune).
    assert [(e.line, e.column, e.message[:26]) for e in errors] == [
        (3, "nom", "Cette ligne est identique ")
    ]


def test_communes_with_their_postcodes_are_looked_up_in_bulk(django_assert_max_num_queries):
    from kenlabour.territories.models import CommunePostcode

    places = [
        (p.commune.name, p.postcode, p.commune_id)
        for p in CommunePostcode.objects.filter(commune__departement_id="29")
        .select_related("commune")
        .order_by("commune_id", "postcode")[:60]
    ]
    places.append(("Bourg-en-Bresse", "1000", "01053"))
    header = ["Nom", "Type", "Ville", "CP"]
    rows = [
        {"Nom": f"Collectif {n}", "Type": "collectif", "Ville": name, "CP": postcode}
        for n, (name, postcode, _code) in enumerate(places * 3)
    ]
    synonyms = {c: columns.HEADER_SYNONYMS.get(c, ()) for c in columns.IMPORT_COLUMNS}
    table = read_table(
        files.csv_bytes(rows, header=header),
        known_columns=columns.IMPORT_COLUMNS,
        synonyms=synonyms,
    )
    with django_assert_max_num_queries(10):
        valid, errors = importing.validate_table(table)
    assert errors == []
    assert [r.fields["commune"].code for r in valid] == [code for *_n, code in places * 3]
