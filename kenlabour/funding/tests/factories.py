"""Factories of the funding app, shared by every room's tests."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.perms import forget_roles
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.funding import ledger_records
from kenlabour.funding.enums import LedgerKind
from kenlabour.funding.models import Claim, Coverage, Envelope, Rate
from kenlabour.funding.services import ledger
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
    """An open envelope of 10,000 € for a campaign, with no cap, and its opening entry in
    the ledger (as the service writes it: an envelope without one is reported by the
    verification); a rate added by RateFactory is written as a correction of it."""

    class Meta:
        model = Envelope
        skip_postgeneration_save = True

    funder = factory.SubFactory(FunderFactory)
    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Enveloppe {n}")
    slug = factory.Sequence(lambda n: f"enveloppe-{n}")
    total_cents = 1_000_000
    opens_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=20))
    closes_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=20))
    decision_reference = factory.Sequence(lambda n: f"CP-2020-{n:04d}")
    convention_date = factory.LazyFunction(lambda: today() - datetime.timedelta(days=20))

    @factory.post_generation
    def opening(envelope, create, extracted, **kwargs):
        if create:
            record = ledger_records.envelope_record(envelope, ())
            ledger.append(LedgerKind.ENVELOPE_OPENED, {**record, "by": envelope.created_by_id})


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate
        skip_postgeneration_save = True

    envelope = factory.SubFactory(EnvelopeFactory)
    item_type = factory.SubFactory(
        ItemTypeFactory, campaign=factory.SelfAttribute("..envelope.campaign")
    )
    cents_per_unit = 150

    @factory.post_generation
    def correction(rate, create, extracted, **kwargs):
        if create:
            envelope = rate.envelope
            record = ledger_records.envelope_record(
                envelope, envelope.rates.values_list("item_type", "cents_per_unit")
            )
            ledger.append(
                LedgerKind.CORRECTION,
                {"corrects": "envelope", **record, "by": envelope.created_by_id},
            )


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
