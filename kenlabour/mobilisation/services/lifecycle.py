"""What every room shares: a need's status follows from its deliveries."""

from django.db.models import Case, F, IntegerField, Q, Sum, When
from django.db.models.functions import Coalesce

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.models import Delivery, Need

# The units a delivery brought, as best known: what the recipient confirmed, else what the
# producer declared. Planned deliveries bring nothing yet.
BROUGHT = Case(
    When(confirmed_units__isnull=False, then=F("confirmed_units")),
    When(declared_units__isnull=False, then=F("declared_units")),
    default=0,
    output_field=IntegerField(),
)

LIVE = ~Q(status=DeliveryStatus.CANCELLED)


def place_need(need: Need) -> None:
    """Copy the territory of the delivery commune (never typed)."""
    need.departement_id = need.commune.departement_id
    need.epci_id = need.commune.epci_id


def units_promised(need: Need) -> int:
    """Units already planned, declared or confirmed for this need (cancelled ones aside):
    what matching must not assign again."""
    total = Delivery.objects.filter(LIVE, need=need).aggregate(
        total=Coalesce(
            Sum(Case(When(declared_units__isnull=False, then=BROUGHT), default=F("planned_units"))),
            0,
        )
    )["total"]
    return int(total)


def refresh_need_status(need: Need) -> Need:
    """Set a validated need's status from its deliveries: matched while deliveries are only
    planned, partly delivered, then delivered when what was brought covers the quantity.
    Submitted and cancelled needs are left as they are."""
    if need.status not in NeedStatus.open_for_matching() | {NeedStatus.DELIVERED}:
        return need
    figures = Delivery.objects.filter(LIVE, need=need).aggregate(
        live=Coalesce(Sum("planned_units"), 0), brought=Coalesce(Sum(BROUGHT), 0)
    )
    if figures["brought"] >= need.quantity:
        status = NeedStatus.DELIVERED
    elif figures["brought"] > 0:
        status = NeedStatus.PARTLY_DELIVERED
    elif figures["live"] > 0:
        status = NeedStatus.MATCHED
    else:
        status = NeedStatus.VALIDATED
    if status != need.status:
        need.status = status
        need.save(update_fields=["status"])
    return need
