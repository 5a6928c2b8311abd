"""Factories of the mobilisation, shared by every room's tests."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment
from kenlabour.accounts.tests.factories import UserFactory
from kenlabour.mobilisation.enums import DeliveryStatus, ItemKind, NeedStatus, RequesterKind
from kenlabour.mobilisation.models import Campaign, Capacity, Delivery, ItemType, Need, Production
from kenlabour.mobilisation.services.lifecycle import place_need
from kenlabour.network.tests.factories import FablabFactory, commune


def today() -> datetime.date:
    return timezone.localdate()


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Mobilisation {n}")
    slug = factory.Sequence(lambda n: f"mobilisation-{n}")
    starts_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=30))


class ItemTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemType

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Visière modèle {n}")
    kind = ItemKind.FACE_SHIELD
    approved_model = "Prusa RC3"
    model_version = "3"
    unit_cost_cents = 150


class NeedFactory(factory.django.DjangoModelFactory):
    """A validated need delivered in Quimper unless told otherwise."""

    class Meta:
        model = Need

    item_type = factory.SubFactory(ItemTypeFactory)
    campaign = factory.LazyAttribute(lambda need: need.item_type.campaign)
    quantity = 100
    requester_name = factory.Sequence(lambda n: f"EHPAD n° {n}")
    requester_kind = RequesterKind.NURSING_HOME
    contact_name = "Annaïg Le Floc'h"
    contact_email = factory.Sequence(lambda n: f"contact{n}@ehpad.example")
    commune = factory.LazyFunction(lambda: commune("29232"))
    deadline = factory.LazyFunction(lambda: today() + datetime.timedelta(days=7))
    status = NeedStatus.VALIDATED

    @factory.lazy_attribute
    def departement(self):
        return self.commune.departement

    @factory.lazy_attribute
    def epci(self):
        return self.commune.epci

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        need = model_class(*args, **kwargs)
        place_need(need)
        need.save()
        return need


class CapacityFactory(factory.django.DjangoModelFactory):
    """A fablab in Quimper making 50 a day, delivering within 30 km."""

    class Meta:
        model = Capacity

    item_type = factory.SubFactory(ItemTypeFactory)
    campaign = factory.LazyAttribute(lambda capacity: capacity.item_type.campaign)
    producer = factory.SubFactory(FablabFactory)
    units_per_day = 50
    stock = 0
    available_from = factory.LazyFunction(today)
    available_until = factory.LazyFunction(lambda: today() + datetime.timedelta(days=9))
    max_km = 30


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    need = factory.SubFactory(NeedFactory)
    producer = factory.SubFactory(FablabFactory)
    planned_units = 50
    status = DeliveryStatus.PLANNED


class ProductionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Production

    item_type = factory.SubFactory(ItemTypeFactory)
    campaign = factory.LazyAttribute(lambda production: production.item_type.campaign)
    producer = factory.SubFactory(FablabFactory)
    date = factory.LazyFunction(today)
    units = 40


def coordinator(campaign=None, **kwargs):
    """A mobilisation coordinator, platform-wide or of one campaign."""
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(
        user=user,
        role=Role.CAMPAIGN_COORDINATOR,
        scope_type=ContentType.objects.get_for_model(Campaign) if campaign else None,
        scope_id=campaign.pk if campaign else None,
    )
    return user


def producer_user(actor, **kwargs):
    """A person who administers the producer `actor` (a fablab, a collective)."""
    from kenlabour.network.tests.factories import make_admin

    user = UserFactory(**kwargs)
    make_admin(user, actor)
    return user


# --- producers' room (producers helper) ---------------------------------------------------


class MaterialOfferFactory(factory.django.DjangoModelFactory):
    """An open request for filament from a fablab in Quimper."""

    class Meta:
        model = "mobilisation.MaterialOffer"

    campaign = factory.SubFactory(CampaignFactory)
    actor = factory.SubFactory(FablabFactory)
    direction = "request"
    material = "filament"
    quantity = 10
    unit = "bobines"
