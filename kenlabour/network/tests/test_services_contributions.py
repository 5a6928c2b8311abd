"""Registration, edition, moderation and import services: permissions checked here, not
only in views; an import writes all of its rows or none."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network import columns
from kenlabour.network.enums import ActorKind, ModerationStatus, OrganisationKind, ResourceKind
from kenlabour.network.models import Actor, Resource
from kenlabour.network.selectors.areas import AreaOfAction
from kenlabour.network.services import actors as actor_services
from kenlabour.network.services import contributions as contribution_services
from kenlabour.network.services import imports as import_services
from kenlabour.network.spreadsheet import read_table
from kenlabour.network.tests import files
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PendingCollectiveFactory,
    commune,
    facilitator,
    make_admin,
)
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db


def organisation_fields(**overrides) -> dict:
    return {
        "kind": ActorKind.ORGANISATION,
        "organisation_kind": OrganisationKind.ASSOCIATION,
        "name": "Tissage solidaire",
        "commune": commune("56121"),
        **overrides,
    }


def test_registration_makes_a_pending_actor_administered_by_its_registrant():
    user = UserFactory()
    actor = contribution_services.register_actor(
        user,
        fields=organisation_fields(),
        resources=[(ResourceKind.SEWING_MACHINE, 10, "Singer")],
    )
    assert actor.status == ModerationStatus.PENDING
    assert actor.slug == "tissage-solidaire"
    assert (actor.departement_id, actor.epci_id) == ("56", commune("56121").epci_id)
    assert "machine a coudre singer" in Actor.objects.get(pk=actor.pk).search_text
    assert RoleAssignment.objects.filter(
        user=user, role=Role.ORGANISATION_ADMIN, scope_id=actor.pk
    ).exists()
    assert can(user, "network.edit_actor", actor)
    second = contribution_services.register_actor(user, fields=organisation_fields())
    assert second.slug == "tissage-solidaire-2"


def test_registration_needs_a_logged_in_person_and_is_not_for_people():
    with pytest.raises(PermissionDenied):
        contribution_services.register_actor(AnonymousUser(), fields=organisation_fields())
    with pytest.raises(ValueError):
        contribution_services.register_actor(
            UserFactory(), fields={"kind": ActorKind.PERSON, "name": "Anne", "commune": None}
        )
    assert not Actor.objects.exists()


def test_a_place_less_collective_is_registered_with_its_area():
    finistere = Departement.objects.get(code="29")
    actor = contribution_services.register_actor(
        UserFactory(),
        fields={"kind": ActorKind.COLLECTIVE, "name": "Réseau", "place_less": True},
        area=AreaOfAction(departements=[finistere], communes=[commune("29019")]),
    )
    assert actor.latitude is None
    assert list(actor.area_departements.all()) == [finistere]
    assert list(actor.area_communes.values_list("code", flat=True)) == ["29019"]


def test_only_admins_and_facilitators_update_an_actor():
    actor = OrganisationFactory(name="A")
    stranger, admin = UserFactory(), make_admin(UserFactory(), actor)
    with pytest.raises(PermissionDenied):
        contribution_services.update_actor(stranger, actor, fields={"name": "Piraté"})
    contribution_services.update_actor(admin, actor, fields={"name": "A bis"})
    contribution_services.update_actor(facilitator(), actor, fields={"name": "A ter"})
    assert Actor.objects.get(pk=actor.pk).name == "A ter"


def test_an_update_keeps_the_resource_rows_it_does_not_change():
    actor = OrganisationFactory()
    admin = make_admin(UserFactory(), actor)
    contribution_services.update_actor(
        admin, actor, fields={}, resources=[("printer_3d", 2, ""), ("fabric", 5, "")]
    )
    printer = Resource.objects.get(actor=actor, kind="printer_3d")
    contribution_services.update_actor(
        admin, actor, fields={}, resources=[("printer_3d", 3, "Prusa"), ("elastic", 1, "")]
    )
    assert Resource.objects.get(actor=actor, kind="printer_3d").pk == printer.pk
    assert sorted(actor.resources.values_list("kind", "quantity", "details")) == [
        ("elastic", 1, ""),
        ("printer_3d", 3, "Prusa"),
    ]


def test_an_update_keeps_a_published_actor_published_and_sends_a_refused_one_back():
    published = OrganisationFactory()
    refused = OrganisationFactory(status=ModerationStatus.REJECTED, moderation_note="Non")
    admin = make_admin(make_admin(UserFactory(), published), refused)
    assert contribution_services.update_actor(admin, published, fields={}).status == "published"
    assert contribution_services.update_actor(admin, refused, fields={}).status == "pending"


def test_a_person_never_becomes_an_organisation():
    from kenlabour.network.tests.factories import PersonFactory

    person = PersonFactory()
    with pytest.raises(ValueError):
        contribution_services.update_actor(
            facilitator(), person, fields={"kind": ActorKind.ORGANISATION}
        )


def test_only_facilitators_publish_or_refuse():
    actor = PendingCollectiveFactory()
    admin = make_admin(UserFactory(), actor)
    with pytest.raises(PermissionDenied):
        contribution_services.publish_actor(admin, actor)
    with pytest.raises(PermissionDenied):
        contribution_services.reject_actor(admin, actor, "Non")
    moderator = facilitator()
    with pytest.raises(ValueError):
        contribution_services.reject_actor(moderator, actor, "   ")
    refused = contribution_services.reject_actor(moderator, actor, " Doublon de « Fablab » ")
    assert (refused.status, refused.moderation_note) == ("rejected", "Doublon de « Fablab »")
    published = contribution_services.publish_actor(moderator, actor)
    assert (published.status, published.moderation_note) == ("published", "")


def table_of(rows):
    return read_table(files.csv_bytes(rows), known_columns=columns.COLUMNS)


def test_an_import_writes_every_row_published_and_counts_them_by_kind():
    rows = [
        files.organisation("Fablab", ressources="Imprimante 3D:3, Découpeuse laser:1"),
        files.organisation("Fablab", commune="Brest"),
        files.collective("Couture"),
        files.place_less("Réseau", area="Finistère|CA Quimper Bretagne Occidentale|Morlaix"),
        files.person("Anne"),
    ]
    user = facilitator()
    result = import_services.import_actors(user, table_of(rows))
    actors = Actor.objects.all()
    assert result.created == {
        kind: actors.filter(kind=kind).count() for kind in ("organisation", "collective", "person")
    }
    assert result.total == actors.count() == len(rows)
    assert set(actors.values_list("status", flat=True)) == {"published"}
    assert set(actors.values_list("created_by", flat=True)) == {user.pk}
    assert sorted(actors.values_list("slug", flat=True)) == [
        "anne",
        "couture",
        "fablab",
        "fablab-2",
        "reseau",
    ]
    fablab = actors.get(slug="fablab")
    assert sorted(fablab.resources.values_list("kind", "quantity")) == [
        ("laser_cutter", 1),
        ("printer_3d", 3),
    ]
    assert fablab.search_text == actor_services.search_text_of(
        fablab, ["Imprimante 3D", "Découpeuse laser"]
    )
    reseau = actors.get(slug="reseau")
    assert (reseau.area_departements.count(), reseau.area_epcis.count()) == (1, 1)
    assert reseau.area_communes.get().code == "29151"


def test_an_import_slug_never_takes_an_address_already_used():
    OrganisationFactory(name="Fablab", slug="fablab")
    OrganisationFactory(name="Fablab 2", slug="fablab-2")
    import_services.import_actors(
        facilitator(), table_of([files.organisation("Fablab", commune="Brest")])
    )
    assert Actor.objects.get(commune_id="29019", name="Fablab").slug == "fablab-3"


def test_a_wrong_row_rejects_the_whole_import():
    rows = [files.collective("Bon"), files.collective("Mauvais", commune="Atlantide")]
    with pytest.raises(import_services.ImportRejected) as rejected:
        import_services.import_actors(facilitator(), table_of(rows))
    assert [(e.line, e.column) for e in rejected.value.errors] == [(3, "commune")]
    assert not Actor.objects.exists()


def test_only_facilitators_import():
    with pytest.raises(PermissionDenied):
        import_services.import_actors(UserFactory(), table_of([files.collective("Couture")]))
    assert not Actor.objects.exists()


def test_an_import_that_meets_a_concurrent_change_writes_nothing(monkeypatch):
    from django.db import IntegrityError

    def clash(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr(Resource.objects, "bulk_create", clash)
    rows = [files.organisation("Fablab", ressources="Tissu:3")]
    with pytest.raises(import_services.ImportRejected) as rejected:
        import_services.import_actors(facilitator(), table_of(rows))
    assert "l'annuaire a changé pendant l'import" in rejected.value.message
    assert not Actor.objects.exists()


def test_import_slugs_are_unique_even_when_a_name_looks_numbered():
    OrganisationFactory(name="Fablab 3", slug="fablab-3")
    slugs = import_services._unique_slugs(["Fablab", "Fablab", "Fablab 2", "Fablab", "", "!!"])
    assert len(set(slugs)) == len(slugs)
    assert "fablab-3" not in slugs
    assert slugs[:2] == ["fablab", "fablab-2"]
    assert slugs[4:] == ["acteur", "acteur-2"]


def test_only_facilitators_start_choose_confirm_or_abandon_an_import():
    from kenlabour.network import spreadsheet
    from kenlabour.network.models import PendingImport

    data = files.csv_bytes([files.collective("Couture")])
    sheet = spreadsheet.read_sheet(data)
    member = UserFactory()
    with pytest.raises(PermissionDenied):
        import_services.start_import(member, "a.csv", data, sheet)
    pending = import_services.start_import(facilitator(), "a.csv", data, sheet)
    for change in (
        lambda: import_services.choose_import_columns(member, pending, sheet.headers, []),
        lambda: import_services.choose_import_values(member, pending, sheet.headers, {}),
        lambda: import_services.confirm_import(member, pending, table_of([])),
        lambda: import_services.cancel_import(member),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert PendingImport.objects.count() == 1 and Actor.objects.count() == 0


def test_a_confirmed_import_deletes_its_file_and_a_refused_one_keeps_it():
    from kenlabour.network import spreadsheet
    from kenlabour.network.models import PendingImport

    user = facilitator()
    bad = files.csv_bytes([files.collective("Perdu", commune="Quimperlé-sur-Mer")])
    pending = import_services.start_import(user, "a.csv", bad, spreadsheet.read_sheet(bad))
    with pytest.raises(import_services.ImportRejected):
        import_services.confirm_import(
            user, pending, table_of([files.collective("Perdu", commune="X")])
        )
    assert PendingImport.objects.filter(pk=pending.pk).exists()
    result = import_services.confirm_import(user, pending, table_of([files.collective("Couture")]))
    assert result.total == 1
    assert not PendingImport.objects.exists()
