import datetime

import factory

from kenlabour.network.enums import (
    ActorKind,
    LinkSourceKind,
    ModerationStatus,
    OrganisationKind,
    ResourceKind,
)
from kenlabour.network.models import Actor, Directorate, Membership, Profile, Resource
from kenlabour.network.services import actors as actor_services
from kenlabour.network.services import graph as graph_services
from kenlabour.territories.models import Commune


def commune(code: str) -> Commune:
    return Commune.objects.get(code=code)


class ActorFactory(factory.django.DjangoModelFactory):
    """A published actor placed in a commune (Quimper unless told otherwise)."""

    class Meta:
        model = Actor
        skip_postgeneration_save = True

    kind = ActorKind.COLLECTIVE
    name = factory.Sequence(lambda n: f"Collectif {n}")
    slug = factory.Sequence(lambda n: f"acteur-{n}")
    status = ModerationStatus.PUBLISHED
    commune = factory.LazyFunction(lambda: commune("29232"))

    @factory.post_generation
    def placed(obj, create, extracted, **kwargs):
        actor_services.place_actor(obj)
        obj.search_text = actor_services.search_text_of(obj)
        if create:
            obj.save()


class OrganisationFactory(ActorFactory):
    kind = ActorKind.ORGANISATION
    organisation_kind = OrganisationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Organisation {n}")


class FablabFactory(OrganisationFactory):
    organisation_kind = OrganisationKind.FABLAB
    name = factory.Sequence(lambda n: f"Fablab {n}")


class PersonFactory(ActorFactory):
    kind = ActorKind.PERSON
    name = factory.Faker("name", locale="fr_FR")
    public_consent = True


class PlaceLessCollectiveFactory(ActorFactory):
    place_less = True
    commune = None
    name = factory.Sequence(lambda n: f"Réseau sans lieu {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    actor = factory.SubFactory(FablabFactory)
    kind = ResourceKind.PRINTER_3D
    quantity = 1


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate

    organisation = factory.SubFactory(OrganisationFactory, organisation_kind=OrganisationKind.STATE)
    name = factory.Sequence(lambda n: f"Direction {n}")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    person = factory.SubFactory(PersonFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    group = factory.SubFactory(OrganisationFactory)


# --- registration, moderation, edition, import (contributions helper) -----------------


def facilitator(**kwargs):
    """A lab facilitator: moderates and imports."""
    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment
    from kenlabour.accounts.tests.factories import UserFactory

    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=Role.LAB_FACILITATOR)
    return user


def make_admin(user, actor: Actor):
    """Give `user` the organisation admin role on `actor`, as registration does."""
    from django.contrib.contenttypes.models import ContentType

    from kenlabour.accounts.enums import Role
    from kenlabour.accounts.models import RoleAssignment
    from kenlabour.accounts.perms import forget_roles

    RoleAssignment.objects.get_or_create(
        user=user,
        role=Role.ORGANISATION_ADMIN,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    )
    forget_roles(user)
    return user


class PendingCollectiveFactory(ActorFactory):
    status = ModerationStatus.PENDING
    name = factory.Sequence(lambda n: f"Collectif en attente {n}")


# --- directory, actor pages, map, exports (directory helper) ---------------------------


def equip(actor: Actor, *kinds: ResourceKind, quantity: int = 1) -> Actor:
    """Give an actor resources and refresh what the directory's search looks in."""
    for kind in kinds:
        Resource.objects.create(actor=actor, kind=kind, quantity=quantity)
    actor_services.refresh_search_text(actor)
    return actor


def audited_actor() -> dict:
    """A place-less collective with its area and resources, for the audit of its edit
    page (seen by a facilitator)."""
    from kenlabour.territories.models import Departement, Epci

    actor = PlaceLessCollectiveFactory(
        name="Makers du Trégor", description="Des makers et des couturières."
    )
    actor.area_departements.set(Departement.objects.filter(code="22"))
    actor.area_epcis.set(Epci.objects.filter(code="200065928"))
    ResourceFactory(actor=actor, kind=ResourceKind.PRINTER_3D, quantity=6)
    ResourceFactory(actor=actor, kind=ResourceKind.SEWING_MACHINE, quantity=2)
    return {"slug": actor.slug}


# --- introductions (mises en relation): pages seen by a party to them --------------------


def _introduction(requester_actor: Actor, target: Actor, **fields):
    from django.utils import timezone

    from kenlabour.network.models import Introduction

    now = timezone.now()
    values = {
        "message": "Pourrions-nous découper des écrans de visières chez vous jeudi ?",
        "requester_contact": "06 12 34 56 78",
        "resource_kind": ResourceKind.LASER_CUTTER,
        "expires_at": now + datetime.timedelta(days=30),
        **fields,
    }
    return Introduction.objects.create(
        requester=requester_actor.user, requester_actor=requester_actor, target=target, **values
    )


def _person_with_account(name: str) -> Actor:
    from kenlabour.accounts.tests.factories import UserFactory

    return PersonFactory(name=name, user=UserFactory())


def audited_introductions(user) -> dict:
    """`user` runs a fablab that received requests (one waiting, one accepted), is asked to
    present someone, has sent one, and blocked a person."""
    from kenlabour.network.enums import IntroductionStatus
    from kenlabour.network.models import IntroductionBlock

    fablab = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    make_admin(user, fablab)
    anne, yann = _person_with_account("Anne Le Goff"), _person_with_account("Yann Morvan")
    _introduction(anne, fablab)
    _introduction(yann, fablab, status=IntroductionStatus.ACCEPTED, answer_contact="02 98 00")
    other = equip(FablabFactory(name="Fablab de Brest"), ResourceKind.PRINTER_3D)
    _introduction(anne, other, via=fablab, status=IntroductionStatus.AWAITING_INTERMEDIARY)
    mine = PersonFactory(name="Gaël Le Bras", user=user)
    _introduction(mine, other, status=IntroductionStatus.DECLINED, answer_message="Pas ce mois-ci.")
    IntroductionBlock.objects.create(actor=fablab, user=yann.user, blocked_by=user)
    return {}


def audited_introduction_request(user) -> dict:
    """The form to write to a fablab that has someone to answer, from `user`'s own page,
    with a person who knows both to present them."""
    from kenlabour.accounts.tests.factories import UserFactory

    mine = PersonFactory(name="Gaël Le Bras", user=user)
    fablab = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    make_admin(UserFactory(), fablab)
    middle = _person_with_account("Yann Morvan")
    for pair, reference in (((mine, middle), "a"), ((middle, fablab), "b")):
        graph_services.record_cooperation(
            [a.pk for a in pair],
            kind=LinkSourceKind.WORKSHOP,
            reference=f"audit-{reference}",
            date=datetime.date(2025, 3, 1),
        )
    return {"slug": fablab.slug}


def audited_introduction(user) -> dict:
    """A request waiting for `user`'s answer, for the fablab they run."""
    fablab = equip(FablabFactory(name="Fablab de Quimper"), ResourceKind.LASER_CUTTER)
    make_admin(user, fablab)
    introduction = _introduction(_person_with_account("Anne Le Goff"), fablab)
    return {"pk": introduction.pk}


def audited_import(user) -> dict:
    """A lab's file under way (the demo's: Windows-1252, `;`, French headers, one unknown
    word), for the audit of the import's steps, sent by the person who sees the page."""
    from kenlabour.network import demo

    demo._pending_import(user)
    return {}


def audited_refused_import(user) -> dict:
    """A file the background check refused (the demo's: an unknown commune, a repeated
    row), with its errors by line and column."""
    from kenlabour.network import demo

    demo._refused_import(user)
    return {}


def audited_running_import(user) -> dict:
    """A big file being checked: 12,000 of its 20,000 rows so far."""
    from kenlabour.network.enums import ImportState
    from kenlabour.network.models import PendingImport

    audited_import(user)
    PendingImport.objects.filter(user=user).update(
        state=ImportState.RUNNING, checked_rows=12_000, total_rows=20_000
    )
    return {}
