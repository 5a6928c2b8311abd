"""Factories of the funding app, shared by every room's tests."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import forget_roles
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding.models import Claim, Coverage, Envelope, Rate
from kenlabour.mobilisation.enums import DeliveryStatus
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
)
from kenlabour.network.enums import OrganisationKind
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import OrganisationFactory
from kenlabour.territories.models import Departement


def today() -> datetime.date:
    return timezone.localdate()


class FunderFactory(OrganisationFactory):
    organisation_kind = OrganisationKind.REGIONAL_COUNCIL
    name = factory.Sequence(lambda n: f"Conseil régional {n}")
    siret = factory.Sequence(lambda n: f"2335000{n:07d}")


class RelayFactory(OrganisationFactory):
    organisation_kind = OrganisationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Relais {n}")


class EnvelopeFactory(factory.django.DjangoModelFactory):
    """An open envelope of 10,000 € for a campaign, with no cap."""

    class Meta:
        model = Envelope

    funder = factory.SubFactory(FunderFactory)
    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Enveloppe {n}")
    slug = factory.Sequence(lambda n: f"enveloppe-{n}")
    total_cents = 1_000_000
    opens_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=20))
    closes_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=20))
    decision_reference = factory.Sequence(lambda n: f"CP-2020-{n:04d}")
    convention_date = factory.LazyFunction(lambda: today() - datetime.timedelta(days=20))


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate

    envelope = factory.SubFactory(EnvelopeFactory)
    item_type = factory.SubFactory(
        ItemTypeFactory, campaign=factory.SelfAttribute("..envelope.campaign")
    )
    cents_per_unit = 150


class CoverageFactory(factory.django.DjangoModelFactory):
    """A relay covering Finistère since long ago."""

    class Meta:
        model = Coverage

    relay = factory.SubFactory(RelayFactory)
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="29"))
    valid_from = datetime.date(2020, 1, 1)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    envelope = factory.SubFactory(EnvelopeFactory)
    claimant = factory.SubFactory(OrganisationFactory, organisation_kind=OrganisationKind.FABLAB)


def confirmed_delivery(producer: Actor, item_type, units: int = 100, **kwargs):
    """A delivery of `producer` confirmed by its recipient, in full."""
    need = NeedFactory(item_type=item_type, quantity=units)
    return DeliveryFactory(
        need=need,
        producer=producer,
        planned_units=units,
        declared_units=units,
        declared_on=today() - datetime.timedelta(days=2),
        confirmed_units=units,
        confirmed_at=timezone.now(),
        status=DeliveryStatus.CONFIRMED,
        **kwargs,
    )


def _grant(user, role: Role, actor: Actor):
    RoleAssignment.objects.create(
        user=user,
        role=role,
        scope_type=ContentType.objects.get_for_model(Actor),
        scope_id=actor.pk,
    )
    forget_roles(user)
    return user


def treasurer(relay: Actor, **kwargs):
    """The treasurer of one relay."""
    return _grant(UserFactory(**kwargs), Role.RELAY_TREASURER, relay)


def funder_user(funder: Actor, **kwargs):
    """A person of the funder, who creates envelopes."""
    return _grant(UserFactory(**kwargs), Role.FUNDER, funder)
