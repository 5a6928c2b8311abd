"""Data for the public room's tests and for its pages in the accessibility audit
(kenlabour/web/audit.py): an envelope shared among two relays, with claims in every state,
people who consented to be named and one who did not, payouts and funder transfers."""

import datetime
from dataclasses import dataclass, field

from kenlabour.funding.enums import ClaimStatus, TransferKind
from kenlabour.funding.models import Claim, ClaimLine, Envelope, Transfer
from kenlabour.funding.tests.factories import (
    ClaimFactory,
    CoverageFactory,
    EnvelopeFactory,
    RateFactory,
    RelayFactory,
    confirmed_delivery,
)
from kenlabour.mobilisation.tests.factories import ItemTypeFactory
from kenlabour.network.models import Actor
from kenlabour.network.tests.factories import (
    FablabFactory,
    PersonFactory,
    PlaceLessCollectiveFactory,
    commune,
)
from kenlabour.territories.models import Departement


@dataclass
class Granted:
    envelope: Envelope
    relays: list[Actor]
    claims: dict[str, Claim] = field(default_factory=dict)


def _claim(envelope, claimant, relay, status, items, *, allocated=None, expenses=0, day=1):
    """A claim on fresh confirmed deliveries of `claimant` (units per item type)."""
    claim = ClaimFactory(
        envelope=envelope,
        claimant=claimant,
        relay=relay,
        status=status,
        submitted_on=None
        if status == ClaimStatus.DRAFT
        else envelope.opens_on + datetime.timedelta(days=day),
        expenses_cents=expenses,
        allocated_cents=allocated,
    )
    units_cents = 0
    for item, rate, units in items:
        delivery = confirmed_delivery(claimant, item, units)
        ClaimLine.objects.create(
            claim=claim,
            delivery=delivery,
            units=units,
            cents_per_unit=rate,
            live=status not in (ClaimStatus.REJECTED, ClaimStatus.CANCELLED),
        )
        units_cents += units * rate
    claim.units_cents = units_cents
    claim.save(update_fields=["units_cents"])
    return claim


def _payout(claim, amount, date, reference):
    return Transfer.objects.create(
        kind=TransferKind.RELAY_TO_CLAIMANT,
        envelope=claim.envelope,
        relay=claim.relay,
        claim=claim,
        amount_cents=amount,
        date=date,
        bank_reference=reference,
        key=f"claim:{claim.pk}:payout",
    )


def granted_envelope() -> Granted:
    envelope = EnvelopeFactory(total_cents=200_000, cap_cents=90_000)
    shield = RateFactory(envelope=envelope, cents_per_unit=150).item_type
    mask = ItemTypeFactory(campaign=envelope.campaign, name="Masque en tissu", unit_cost_cents=80)
    finistere = RelayFactory(name="Relais du Finistère")
    ille = RelayFactory(name="Relais d'Ille-et-Vilaine")
    for relay in (finistere, ille):  # unique, 14 digits, as the SCDL export needs
        relay.siret = f"77{relay.pk:012d}"
        relay.save(update_fields=["siret"])
    CoverageFactory(relay=finistere, departement=Departement.objects.get(code="29"))
    CoverageFactory(relay=ille, departement=Departement.objects.get(code="35"))

    consenting = PersonFactory(name="Maëlle Consentante", public_consent=True)
    private = PersonFactory(
        name="Loïc Discret", public_consent=False, commune=commune("35238")
    )  # Rennes
    fablab = FablabFactory(name="Fablab de Quimper")
    collective = PlaceLessCollectiveFactory(name="Réseau des couturières")
    late = PersonFactory(name="Gaïd Enretard", public_consent=True)
    refused = FablabFactory(name="Fablab refusé")
    drafter = PersonFactory(name="Brouillon Perso", public_consent=True)

    granted = Granted(envelope=envelope, relays=[finistere, ille])
    c = granted.claims
    c["consenting"] = _claim(
        envelope, consenting, finistere, ClaimStatus.PAID, [(shield, 150, 200)], allocated=27_000
    )
    c["private"] = _claim(
        envelope,
        private,
        ille,
        ClaimStatus.PAID,
        [(shield, 150, 100), (mask, 80, 50)],
        allocated=17_321,
        expenses=2_500,
        day=2,
    )
    c["fablab"] = _claim(
        envelope,
        fablab,
        finistere,
        ClaimStatus.SCHEDULED,
        [(shield, 150, 400)],
        allocated=54_012,
        day=3,
    )
    c["collective"] = _claim(
        envelope, collective, finistere, ClaimStatus.PAID, [(mask, 80, 300)], allocated=20_001
    )
    c["late"] = _claim(envelope, late, finistere, ClaimStatus.SUBMITTED, [(shield, 150, 10)])
    c["refused"] = _claim(envelope, refused, finistere, ClaimStatus.REJECTED, [(shield, 150, 5)])
    c["draft"] = _claim(envelope, drafter, None, ClaimStatus.DRAFT, [(mask, 80, 7)])

    paid_on = envelope.closes_on
    _payout(c["consenting"], 27_000, paid_on, "VIR-0001")
    _payout(c["private"], 17_321, paid_on, "VIR-0002")
    _payout(c["collective"], 20_001, paid_on + datetime.timedelta(days=1), "VIR-0003")
    for relay, amount, day, ref in (
        (finistere, 60_000, 0, "REG-1"),
        (finistere, 41_013, 10, "REG-2"),
        (ille, 17_321, 0, "REG-3"),
    ):
        Transfer.objects.create(
            kind=TransferKind.FUNDER_TO_RELAY,
            envelope=envelope,
            relay=relay,
            amount_cents=amount,
            date=envelope.convention_date + datetime.timedelta(days=day),
            bank_reference=ref,
            key=f"envelope:{envelope.pk}:relay:{relay.pk}:{ref}",
        )
    return granted


def audited_envelope() -> dict:
    return {"slug": granted_envelope().envelope.slug}


def audited_empty_envelope() -> dict:
    return {"slug": EnvelopeFactory().slug}


def audited_envelopes() -> dict:
    granted_envelope()
    EnvelopeFactory()
    return {}
