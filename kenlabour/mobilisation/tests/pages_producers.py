"""Data for the accessibility audit of the producers' pages (kenlabour/web/audit.py):
each function creates what a page shows and returns the URL's kwargs."""

from kenlabour.mobilisation.enums import MaterialDirection, MaterialKind
from kenlabour.mobilisation.tests.factories import (
    CampaignFactory,
    CapacityFactory,
    ItemTypeFactory,
    MaterialOfferFactory,
)
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
)


def audited_campaign() -> dict:
    """A campaign with two item types."""
    campaign = CampaignFactory(name="COVID-19, printemps 2020")
    ItemTypeFactory(campaign=campaign, name="Visière Prusa RC3")
    ItemTypeFactory(campaign=campaign, name="Masque en tissu AFNOR", kind="fabric_mask")
    return {"slug": campaign.slug}


def audited_capacity() -> dict:
    """The capacity of a place-less collective: its edit page warns that matching cannot
    place it."""
    campaign = CampaignFactory(name="COVID-19, printemps 2020")
    item = ItemTypeFactory(campaign=campaign, name="Visière Prusa RC3")
    capacity = CapacityFactory(
        item_type=item,
        producer=PlaceLessCollectiveFactory(name="Makers du Trégor"),
        stock=120,
        note="Visières livrées le soir.",
    )
    return {"pk": capacity.pk}


def audited_materials() -> dict:
    """Open requests and donations, one of a person without a public page."""
    campaign = CampaignFactory(name="COVID-19, printemps 2020")
    MaterialOfferFactory(
        campaign=campaign,
        actor=FablabFactory(name="Fablab de Morlaix"),
        note="PETG de préférence.",
    )
    MaterialOfferFactory(
        campaign=campaign,
        actor=PersonFactory(public_consent=False),
        direction=MaterialDirection.DONATION,
        material=MaterialKind.ELASTIC,
        quantity=300,
        unit="mètres",
    )
    MaterialOfferFactory(
        campaign=campaign,
        actor=PlaceLessCollectiveFactory(name="Couturières du Léon"),
        material=MaterialKind.FABRIC,
        quantity=20,
        unit="mètres",
    )
    return {"slug": campaign.slug}
