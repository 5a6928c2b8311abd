"""Who moderates and edits which actors: a facilitator scoped to one lab, the actors of the
lab's territory only; no facilitator, a relay or a funder; and a published actor renamed by
its administrators keeps its name until a facilitator accepts the new one."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import can
from kenlabour.accounts.tests.factories import UserFactory, user_with_role
from kenlabour.lab.tests.factories import LabFactory
from kenlabour.network.enums import ModerationStatus
from kenlabour.network.models import Actor
from kenlabour.network.selectors.actors import moderated_by, pending_actors
from kenlabour.network.services import contributions as contribution_services
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PlaceLessCollectiveFactory,
    commune,
    facilitator,
    make_admin,
)
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db


def lab_facilitator(territory: str):
    """A facilitator of one lab whose territory is `territory` (a région or a département)."""
    lab = LabFactory(region_name=territory)
    user = UserFactory()
    RoleAssignment.objects.create(
        user=user,
        role=Role.LAB_FACILITATOR,
        scope_type=ContentType.objects.get_for_model(lab),
        scope_id=lab.pk,
    )
    return user


def pending_in(code: str, **kwargs) -> Actor:
    place = commune(code)
    return OrganisationFactory(
        commune=place,
        departement_id=place.departement_id,
        status=ModerationStatus.PENDING,
        **kwargs,
    )


def test_a_lab_facilitator_moderates_and_edits_the_actors_of_its_territory_only():
    quimper, rennes = pending_in("29232"), pending_in("35238")
    roaming = PlaceLessCollectiveFactory(status=ModerationStatus.PENDING)
    roaming.area_departements.set([Departement.objects.get(code="29")])
    finistere = lab_facilitator("Finistère")
    bretagne = lab_facilitator("Bretagne")
    loire = lab_facilitator("Pays de la Loire")
    everywhere = facilitator()
    expected = {
        finistere: {quimper, roaming},
        bretagne: {quimper, rennes, roaming},
        loire: set(),
        everywhere: {quimper, rennes, roaming},
        UserFactory(): set(),
    }
    for user, allowed in expected.items():
        for actor in (quimper, rennes, roaming):
            assert can(user, "network.moderate_actor", actor) is (actor in allowed)
            assert can(user, "network.edit_actor", actor) is (actor in allowed)
        assert set(moderated_by(user, pending_actors())) == allowed, "the queue says the same"
    with pytest.raises(PermissionDenied):
        contribution_services.publish_actor(finistere, rennes)
    assert Actor.objects.get(pk=rennes.pk).status == ModerationStatus.PENDING
    contribution_services.publish_actor(finistere, quimper)
    assert Actor.objects.get(pk=quimper.pk).status == ModerationStatus.PUBLISHED


def test_no_facilitator_edits_or_moderates_a_relay_or_a_funder():
    from kenlabour.funding.tests.factories import CoverageFactory, EnvelopeFactory

    relay_by_role = pending_in("29232")
    RoleAssignment.objects.create(
        user=UserFactory(),
        role=Role.RELAY_TREASURER,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=relay_by_role.pk,
    )
    relay_by_coverage = CoverageFactory().relay
    funder = EnvelopeFactory().funder
    its_admin = make_admin(UserFactory(), funder)
    platform_admin = user_with_role("platform_admin")
    for actor in (relay_by_role, relay_by_coverage, funder):
        for user in (facilitator(), lab_facilitator("Bretagne"), lab_facilitator("Finistère")):
            assert not can(user, "network.edit_actor", actor)
            assert not can(user, "network.moderate_actor", actor)
            assert actor not in set(moderated_by(user, Actor.objects.all()))
        assert can(platform_admin, "network.moderate_actor", actor)
    assert can(its_admin, "network.edit_actor", funder)


def published(**kwargs) -> Actor:
    place = commune("29232")
    return OrganisationFactory(
        name="Fablab de Quimper",
        commune=place,
        departement_id=place.departement_id,
        status=ModerationStatus.PUBLISHED,
        **kwargs,
    )


def test_renaming_a_published_actor_waits_for_a_facilitator_who_accepts_it():
    actor = published()
    admin = make_admin(UserFactory(), actor)
    contribution_services.update_actor(
        admin, actor, fields={"name": "Région Bretagne", "skills": "Impression"}
    )
    actor = Actor.objects.get(pk=actor.pk)
    assert (actor.name, actor.proposed_name) == ("Fablab de Quimper", "Région Bretagne")
    assert actor.skills == "Impression", "the other corrections apply at once"
    assert actor.status == ModerationStatus.PUBLISHED
    moderator = lab_facilitator("Finistère")
    assert actor in set(moderated_by(moderator, pending_actors()))
    contribution_services.publish_actor(moderator, actor)
    actor = Actor.objects.get(pk=actor.pk)
    assert (actor.name, actor.proposed_name) == ("Région Bretagne", "")
    assert "region bretagne" in actor.search_text


def test_a_refused_name_leaves_the_actor_published_under_its_own():
    actor = published()
    admin = make_admin(UserFactory(), actor)
    contribution_services.update_actor(admin, actor, fields={"name": "Préfecture de région"})
    contribution_services.reject_actor(
        facilitator(), actor, "Ce nom est celui d'une administration."
    )
    actor = Actor.objects.get(pk=actor.pk)
    assert (actor.name, actor.proposed_name, actor.status) == (
        "Fablab de Quimper",
        "",
        ModerationStatus.PUBLISHED,
    )
    assert actor.moderation_note == "Ce nom est celui d'une administration."
    assert actor not in set(pending_actors())


def test_a_facilitator_who_moderates_the_actor_renames_it_at_once():
    actor = published()
    contribution_services.update_actor(
        lab_facilitator("Bretagne"), actor, fields={"name": "Fablab du Steir"}
    )
    actor = Actor.objects.get(pk=actor.pk)
    assert (actor.name, actor.proposed_name) == ("Fablab du Steir", "")


def test_the_moderation_page_shows_the_proposed_name_and_accepts_it(client):
    actor = published()
    admin = make_admin(UserFactory(), actor)
    contribution_services.update_actor(admin, actor, fields={"name": "Fablab du Steir"})
    outsider = lab_facilitator("Pays de la Loire")
    client.force_login(outsider)
    page = client.get(reverse("network:moderation")).content.decode()
    assert "Fablab du Steir" not in page
    response = client.post(
        reverse("network:moderation"), {"actor": actor.pk, "decision": "publish"}
    )
    assert response.status_code == 403
    client.force_login(lab_facilitator("Finistère"))
    page = client.get(reverse("network:moderation")).content.decode()
    assert "Nouveau nom proposé" in page and "Fablab du Steir" in page
    client.post(reverse("network:moderation"), {"actor": actor.pk, "decision": "publish"})
    assert Actor.objects.get(pk=actor.pk).name == "Fablab du Steir"
