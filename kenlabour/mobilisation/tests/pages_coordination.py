"""Data for the matching pages in the accessibility audit (kenlabour/web/audit.py): each
function builds what one page shows and returns the URL's kwargs."""

from kenlabour.mobilisation.enums import Urgency
from kenlabour.mobilisation.services import coordination
from kenlabour.mobilisation.tests.factories import (
    CapacityFactory,
    ItemTypeFactory,
    NeedFactory,
    coordinator,
)
from kenlabour.network.tests.factories import FablabFactory, commune


def _campaign_to_match():
    """Three needs, two producers: one need served in full, one in part, one out of reach."""
    item = ItemTypeFactory()
    CapacityFactory(item_type=item, units_per_day=20)
    CapacityFactory(item_type=item, units_per_day=10, producer=FablabFactory(), max_km=60)
    NeedFactory(item_type=item, quantity=150, urgency=Urgency.CRITICAL)
    NeedFactory(item_type=item, quantity=200, commune=commune("29019"))  # Brest
    NeedFactory(item_type=item, quantity=30, commune=commune("67482"))  # Strasbourg
    return item.campaign


def audited_run_form() -> dict:
    campaign = _campaign_to_match()
    coordination.run_matching(coordinator(), campaign)
    return {"slug": campaign.slug}


def audited_run() -> dict:
    campaign = _campaign_to_match()
    run = coordination.run_matching(coordinator(), campaign)
    return {"pk": run.pk}
