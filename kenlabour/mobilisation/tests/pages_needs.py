"""Data for the needs' pages in the accessibility audit (kenlabour/web/audit.py) and in the
needs' tests: each function builds what one page shows and returns the URL's kwargs."""

import datetime
import itertools

from django.utils import timezone

from kenlabour.mobilisation.enums import DeliveryStatus, ItemKind, NeedStatus, Urgency
from kenlabour.mobilisation.models import Campaign, Need
from kenlabour.mobilisation.services.lifecycle import refresh_need_status
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    ItemTypeFactory,
    NeedFactory,
)
from kenlabour.network.enums import ModerationStatus, OrganisationKind
from kenlabour.network.tests.factories import (
    FablabFactory,
    OrganisationFactory,
    PersonFactory,
    commune,
)

_numbers = itertools.count(1)


def campaign_with_items(**kwargs) -> Campaign:
    """An open campaign with a face shield and a fabric mask to ask for."""
    campaign = CampaignFactory(**kwargs)
    ItemTypeFactory(campaign=campaign, name="Visière", position=1)
    ItemTypeFactory(
        campaign=campaign,
        name="Masque en tissu",
        kind=ItemKind.FABRIC_MASK,
        approved_model="",
        model_version="",
        standard_category="UNS1, AFNOR SPEC S76-001",
        unit_cost_cents=250,
        position=2,
    )
    return campaign


def declared(need: Need, producer, units: int, **kwargs):
    """A delivery the producer declared (yesterday)."""
    kwargs.setdefault("planned_units", units)
    kwargs.setdefault("status", DeliveryStatus.DECLARED)
    return DeliveryFactory(
        need=need,
        producer=producer,
        declared_units=units,
        declared_on=timezone.localdate() - datetime.timedelta(days=1),
        **kwargs,
    )


def received(need: Need, producer, declared_units: int, confirmed_units: int, note: str = ""):
    """A delivery the recipient confirmed (a discrepancy when fewer than declared)."""
    return declared(
        need,
        producer,
        declared_units,
        confirmed_units=confirmed_units,
        confirmed_at=timezone.now(),
        confirmed_by_name="Annaïg Le Floc'h",
        discrepancy_note=note,
        status=DeliveryStatus.CONFIRMED
        if confirmed_units == declared_units
        else DeliveryStatus.DISCREPANCY,
    )


def audited_campaign() -> dict:
    """The public form of an open campaign."""
    return {"slug": campaign_with_items().slug}


def audited_closed_campaign() -> dict:
    """The public form of a campaign that ended: a message instead of the form."""
    today = timezone.localdate()
    campaign = campaign_with_items(
        starts_on=today - datetime.timedelta(days=60), ends_on=today - datetime.timedelta(days=5)
    )
    return {"slug": campaign.slug}


def audited_need_follow() -> dict:
    """A need partly delivered: a confirmed delivery, a discrepancy, one declared (its form
    shown), one planned by a person whose page is not public."""
    need = NeedFactory(item_type=campaign_with_items().item_types.first(), quantity=300)
    fablab = FablabFactory(name="Fablab de Cornouaille")
    received(need, fablab, 50, 50)
    received(need, fablab, 40, 30, note="Dix visières fendues.")
    declared(need, PersonFactory(public_consent=False), 60)
    DeliveryFactory(need=need, producer=PersonFactory(), planned_units=80)
    refresh_need_status(need)
    return {"token": need.token}


def audited_campaign_needs() -> dict:
    """A campaign's list with needs of every status and urgency in three départements."""
    campaign = campaign_with_items()
    items = list(campaign.item_types.all())
    places = [commune(code) for code in ("29232", "35238", "56121")]
    statuses = list(NeedStatus)
    for position in range(12):
        NeedFactory(
            campaign=campaign,
            item_type=items[position % 2],
            commune=places[position % 3],
            status=statuses[position % len(statuses)],
            urgency=list(Urgency)[position % 3],
            quantity=100 + position,
        )
    return {"slug": campaign.slug}


def audited_submitted_need() -> dict:
    """A need to verify, in a département with organisations to link it to."""
    need = NeedFactory(
        item_type=campaign_with_items().item_types.first(),
        status=NeedStatus.SUBMITTED,
        requester_name=f"EHPAD Les Glycines {next(_numbers)}",
        note="Entrée par l'accueil, de 9 h à 17 h.",
    )
    OrganisationFactory(
        name="Centre hospitalier de Cornouaille", organisation_kind=OrganisationKind.CARE
    )
    OrganisationFactory(name="Mairie de Quimper", status=ModerationStatus.PUBLISHED)
    return {"pk": need.pk}


def audited_discrepancies() -> dict:
    """A campaign with two discrepancies to deal with."""
    campaign = campaign_with_items()
    fablab = FablabFactory()
    for units in (40, 25):
        need = NeedFactory(campaign=campaign, item_type=campaign.item_types.first())
        received(need, fablab, 50, units, note="Colis incomplet.")
        refresh_need_status(need)
    return {"slug": campaign.slug}
