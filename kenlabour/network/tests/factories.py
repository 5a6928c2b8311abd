import factory

from kenlabour.network import services
from kenlabour.network.enums import (
    ActorKind,
    ModerationStatus,
    OrganisationKind,
    ResourceKind,
)
from kenlabour.network.models import Actor, Directorate, Membership, Profile, Resource
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
        services.place_actor(obj)
        obj.search_text = services.search_text_of(obj)
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
