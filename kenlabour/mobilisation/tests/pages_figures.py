"""Data for the figures' pages in the accessibility audit (kenlabour/web/audit.py) and in
the figures' tests: a campaign with needs, deliveries and production in several
départements, whose size grows with `scale`."""

import datetime

from kenlabour.mobilisation.enums import DeliveryStatus, ItemKind, NeedStatus, RequesterKind
from kenlabour.mobilisation.models import Campaign
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
    ProductionFactory,
)
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
)

AUDIT_SLUG = "mobilisation-auditee"
# Quimper, Brest (29), Rennes (35), Lorient (56), Saint-Brieuc (22), Ouessant (29, no EPCI).
COMMUNES = ("29232", "29019", "35238", "56121", "22278", "29155")
DAY = datetime.date(2020, 4, 20)


def build_figures(campaign: Campaign, scale: int = 1) -> None:
    """`scale` rounds of needs, producers, deliveries and production over the communes:
    every status of need and of delivery, a discrepancy, a place-less collective."""
    shield = campaign.item_types.filter(kind=ItemKind.FACE_SHIELD).first() or ItemTypeFactory(
        campaign=campaign, name="Visière Prusa RC3", position=1
    )
    mask = campaign.item_types.filter(kind=ItemKind.FABRIC_MASK).first() or ItemTypeFactory(
        campaign=campaign,
        name="Masque en tissu UNS1",
        kind=ItemKind.FABRIC_MASK,
        approved_model="",
        model_version="",
        standard_category="UNS1, AFNOR SPEC S76-001",
        unit_cost_cents=250,
        position=2,
    )
    places = [commune(code) for code in COMMUNES]
    placeless = PlaceLessCollectiveFactory()
    for round_ in range(scale):
        for position, place in enumerate(places):
            item = shield if (round_ + position) % 2 == 0 else mask
            producer = (FablabFactory if position % 2 else PersonFactory)(commune=place)
            needs = [
                NeedFactory(
                    campaign=campaign,
                    item_type=item,
                    commune=place,
                    quantity=100 + 10 * position,
                    status=status,
                    requester_kind=RequesterKind.NURSING_HOME,
                )
                for status in (
                    NeedStatus.DELIVERED,
                    NeedStatus.PARTLY_DELIVERED,
                    NeedStatus.MATCHED,
                    NeedStatus.SUBMITTED,
                    NeedStatus.CANCELLED,
                )
            ]
            delivered, partly, matched, _submitted, cancelled = needs
            DeliveryFactory(
                need=delivered,
                producer=producer,
                planned_units=delivered.quantity,
                declared_units=delivered.quantity,
                declared_on=DAY,
                confirmed_units=delivered.quantity,
                status=DeliveryStatus.CONFIRMED,
            )
            # Declared 60, received 45: a discrepancy, both figures kept.
            DeliveryFactory(
                need=partly,
                producer=placeless if position == 0 else producer,
                planned_units=60,
                declared_units=60,
                declared_on=DAY,
                confirmed_units=45,
                status=DeliveryStatus.DISCREPANCY,
                discrepancy_note="Un carton manquait.",
            )
            DeliveryFactory(
                need=partly,
                producer=producer,
                planned_units=20,
                declared_units=20,
                declared_on=DAY,
                status=DeliveryStatus.DECLARED,
            )
            DeliveryFactory(need=matched, producer=producer, planned_units=30)
            DeliveryFactory(
                need=matched, producer=producer, planned_units=5, status=DeliveryStatus.CANCELLED
            )
            # Delivered before the need was cancelled: not counted, the need does not count.
            DeliveryFactory(
                need=cancelled,
                producer=producer,
                planned_units=10,
                declared_units=10,
                declared_on=DAY,
                status=DeliveryStatus.DECLARED,
            )
            ProductionFactory(
                campaign=campaign, item_type=item, producer=producer, units=150, date=DAY
            )
        ProductionFactory(campaign=campaign, item_type=mask, producer=placeless, units=70, date=DAY)


def audited_campaign() -> dict:
    campaign = Campaign.objects.filter(slug=AUDIT_SLUG).first()
    if campaign is None:
        campaign = CampaignFactory(
            name="Mobilisation auditée", slug=AUDIT_SLUG, starts_on=datetime.date(2020, 3, 16)
        )
        build_figures(campaign)
    return {"slug": campaign.slug}


def audited() -> dict:
    """The campaigns' list, with the audited campaign in it (no URL argument)."""
    audited_campaign()
    return {}
