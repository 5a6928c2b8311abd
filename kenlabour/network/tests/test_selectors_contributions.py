"""Reads behind registration and moderation: pending actors, the actors a person
administers, who may open a page that is not public yet, areas of action."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template

from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.network.enums import ModerationStatus
from kenlabour.network.selectors import actors as selectors
from kenlabour.network.selectors.areas import AreaResolver
from kenlabour.network.tests.factories import (
    OrganisationFactory,
    PendingCollectiveFactory,
    PersonFactory,
    ResourceFactory,
    facilitator,
    make_admin,
)

pytestmark = pytest.mark.django_db


def test_pending_actors_are_listed_oldest_first_with_what_the_page_shows(
    django_assert_num_queries,
):
    first, second = PendingCollectiveFactory(), PendingCollectiveFactory()
    OrganisationFactory()
    OrganisationFactory(status=ModerationStatus.REJECTED)
    ResourceFactory(actor=second)
    # Actors, resources and the three kinds of territory of an area: 5 queries.
    with django_assert_num_queries(5):
        pending = list(selectors.pending_actors())
        for actor in pending:
            _ = actor.commune.departement.name, actor.created_by
            _ = list(actor.resources.all()), list(actor.area_communes.all())
            _ = list(actor.area_epcis.all()), list(actor.area_departements.all())
    assert pending == [first, second]


def test_administered_actors_are_those_of_the_admin_role_and_the_own_page():
    user = UserFactory()
    organisation = OrganisationFactory(name="B")
    make_admin(user, organisation)
    own = PersonFactory(user=user, name="A")
    OrganisationFactory(name="C")
    assert selectors.administered_actors(user) == [own, organisation]
    assert selectors.administered_actors(AnonymousUser()) == []


def test_a_pending_page_opens_for_its_admins_and_facilitators_only():
    pending = PendingCollectiveFactory()
    admin = make_admin(UserFactory(), pending)

    def opens(user) -> bool:
        return selectors.actors_on_their_page(user).filter(pk=pending.pk).exists()

    assert opens(admin)
    assert opens(facilitator())
    assert not opens(UserFactory())
    assert not opens(AnonymousUser())
    published = OrganisationFactory()
    assert selectors.actors_on_their_page(UserFactory()).filter(pk=published.pk).exists()


def test_an_area_resolver_looks_each_entry_up_once(django_assert_max_num_queries):
    resolver = AreaResolver()
    resolver.resolve_all(["Finistère", "Brest", "29"])
    with django_assert_max_num_queries(0):
        area, errors = resolver.resolve_all(["Finistère", "Brest", "29", "Brest"])
    assert errors == []
    assert (len(area.departements), len(area.communes)) == (1, 1)


def test_the_account_panel_lists_the_actors_a_person_administers(django_assert_max_num_queries):
    user = UserFactory()
    actor = PendingCollectiveFactory(name="Collectif de Anne")
    make_admin(user, actor)
    for _ in range(5):
        make_admin(user, OrganisationFactory())
    template = Template("{% load network_contributions %}{% my_actors %}")
    with django_assert_max_num_queries(2):
        html = template.render(Context({"user": user}))
    assert "Collectif de Anne" in html
    assert "en attente de modération" in html
    assert f"/reseau/acteurs/{actor.slug}/modifier/" in html
    assert "/reseau/inscrire/" in html
