"""Reads for needs: the public form's campaign, the requester's page, the coordinators'
list of needs to verify, a need's page and the discrepancies to deal with."""

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.models import Campaign, Delivery, Need
from kenlabour.network.enums import ActorKind, ModerationStatus
from kenlabour.network.models import Actor
from kenlabour.territories.models import Departement
from kenlabour.web.search import with_keywords


def campaign_for_form(slug: str) -> Campaign:
    """The campaign whose public form is asked for, its item types read once."""
    return get_object_or_404(
        Campaign.objects.prefetch_related("item_types"),
        slug=slug,
    )


def campaign(slug: str) -> Campaign:
    return get_object_or_404(Campaign, slug=slug)


def _deliveries() -> Prefetch:
    return Prefetch(
        "deliveries",
        queryset=Delivery.objects.select_related("producer").order_by("pk"),
    )


def _need_detail() -> QuerySet[Need]:
    return Need.objects.select_related(
        "campaign", "item_type", "commune", "departement", "requester"
    ).prefetch_related(_deliveries())


def need_by_token(token: str) -> Need:
    """The need behind a secret link, with its deliveries and their producers (and nothing
    of any other need). Raises Need.DoesNotExist."""
    return _need_detail().get(token=token)


def delivery_of_need(token: str, pk: int) -> Delivery | None:
    """One delivery of the need behind a secret link, with its producer; None when the
    delivery is another need's."""
    return Delivery.objects.select_related("producer").filter(pk=pk, need__token=token).first()


def need(pk: int) -> Need:
    """A need for its coordinators' page. Raises Need.DoesNotExist."""
    return _need_detail().get(pk=pk)


def producer_label(actor: Actor) -> str:
    """How a producer is named to a requester: by its name when its page is public, else
    by what it is (a person who did not make their page public stays anonymous)."""
    if actor.is_public:
        return actor.name
    if actor.kind == ActorKind.PERSON:
        return _("Un·e maker bénévole")
    return _("Un producteur du réseau")


@dataclass(frozen=True)
class DeliveryFigures:
    planned: int
    declared: int
    confirmed: int
    # What arrived as best known: the recipient's figure once confirmed, else the producer's.
    brought: int


def delivery_figures(need: Need) -> DeliveryFigures:
    """Units planned, declared delivered and confirmed received, from the prefetched
    deliveries (cancelled ones aside)."""
    live = [d for d in need.deliveries.all() if d.status != DeliveryStatus.CANCELLED]
    return DeliveryFigures(
        planned=sum(d.planned_units for d in live),
        declared=sum(d.declared_units or 0 for d in live),
        confirmed=sum(d.confirmed_units or 0 for d in live),
        brought=sum(
            d.confirmed_units if d.confirmed_units is not None else d.declared_units or 0
            for d in live
        ),
    )


def cancellable(need: Need) -> bool:
    """Whether the need may still be cancelled (by a coordinator) or withdrawn (by its
    requester): not closed, and no delivery declared yet (prefetched deliveries)."""
    return need.status in (
        NeedStatus.SUBMITTED,
        NeedStatus.VALIDATED,
        NeedStatus.MATCHED,
    ) and all(
        d.status in (DeliveryStatus.PLANNED, DeliveryStatus.CANCELLED)
        for d in need.deliveries.all()
    )


# --- coordinators' list ----------------------------------------------------------------


@dataclass(frozen=True)
class NeedFilters:
    status: str = ""
    item_type_id: int | None = None
    departement_code: str = ""
    urgency: int | None = None
    text: str = ""


# What the coordinators' keywords look in: who asks, who to call, where, what, and why.
NEED_SEARCH_FIELDS = (
    "requester_name",
    "contact_name",
    "commune__name",
    "address",
    "item_type__name",
    "note",
)


def needs_of_campaign(campaign: Campaign, filters: NeedFilters) -> QuerySet[Need]:
    """The campaign's needs, those waiting for verification first (oldest first, so that
    none waits forever), then by urgency and deadline; `filters.text` keeps those whose
    establishment, contact, commune, address, article or note hold every word (accents
    and case ignored)."""
    needs = Need.objects.filter(campaign=campaign)
    if filters.status:
        needs = needs.filter(status=filters.status)
    if filters.item_type_id:
        needs = needs.filter(item_type_id=filters.item_type_id)
    if filters.departement_code:
        needs = needs.filter(departement_id=filters.departement_code)
    if filters.urgency:
        needs = needs.filter(urgency=filters.urgency)
    needs = with_keywords(needs, NEED_SEARCH_FIELDS, filters.text)
    return (
        needs.select_related("item_type", "commune")
        .annotate(
            to_verify=Case(
                When(status=NeedStatus.SUBMITTED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("to_verify", "-urgency", "deadline", "submitted_at", "pk")
    )


def submitted_count(campaign: Campaign) -> int:
    return Need.objects.filter(campaign=campaign, status=NeedStatus.SUBMITTED).count()


def departements_of_campaign(campaign: Campaign) -> QuerySet[Departement]:
    """The départements where the campaign has needs: what the list filters by."""
    return Departement.objects.filter(
        code__in=Need.objects.filter(campaign=campaign).values("departement_id")
    ).order_by("code")


# --- linking a need to the directory ----------------------------------------------------


class OrganisationNotFound(LookupError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _published_organisations() -> QuerySet[Actor]:
    return Actor.objects.filter(kind=ActorKind.ORGANISATION, status=ModerationStatus.PUBLISHED)


def _name_and_commune(text: str) -> tuple[str, str] | None:
    """Split « Centre hospitalier (Quimper) » into the name and the commune."""
    name, opening, rest = text.rpartition("(")
    if not opening or not rest.endswith(")") or not name.strip() or not rest[:-1].strip():
        return None
    return name.strip(), rest[:-1].strip()


def resolve_organisation(text: str) -> Actor:
    """The published organisation of this name (case ignored); "Name (Commune)" tells
    apart organisations of the same name. Raises OrganisationNotFound with the message."""
    text = text.strip()
    found = list(_published_organisations().filter(name__iexact=text)[:2])
    if len(found) != 1:
        split = _name_and_commune(text)
        if split is not None:
            found = list(
                _published_organisations().filter(
                    name__iexact=split[0], commune__name__iexact=split[1]
                )[:2]
            )
    if len(found) == 1:
        return found[0]
    if found:
        raise OrganisationNotFound(
            _(
                "Plusieurs organisations de l'annuaire s'appellent « %(text)s » : choisissez "
                "dans la liste proposée celle qui porte sa commune entre parenthèses."
            )
            % {"text": text}
        )
    raise OrganisationNotFound(
        _(
            "« %(text)s » n'est pas une organisation publiée de l'annuaire : choisissez-la "
            "dans la liste proposée, ou créez l'établissement dans l'annuaire."
        )
        % {"text": text}
    )


def organisation_suggestions(need: Need, limit: int = 500) -> list[str]:
    """The published organisations of the need's département, as the decision form's list
    suggests them: the name, with the commune in parentheses (resolve_organisation reads
    both). Bounded: past a département, the coordinator types the name."""
    rows = (
        _published_organisations()
        .filter(departement_id=need.departement_id)
        .order_by("name", "pk")
        .values_list("name", "commune__name")[:limit]
    )
    return [f"{name} ({commune})" if commune else name for name, commune in rows]


def matching_organisation(need: Need) -> Actor | None:
    """The published organisation that looks like the need's establishment (same name,
    same commune), to suggest linking rather than creating."""
    return (
        _published_organisations()
        .filter(name__iexact=need.requester_name.strip(), commune_id=need.commune_id)
        .first()
    )


# --- discrepancies ---------------------------------------------------------------------


def discrepancies(campaign: Campaign, *, resolved: bool = False) -> QuerySet[Delivery]:
    """The campaign's deliveries whose recipient received fewer units than declared: those
    still to deal with (oldest first), or those dealt with (latest first)."""
    deliveries = Delivery.objects.filter(
        need__campaign=campaign,
        status=DeliveryStatus.DISCREPANCY,
        resolved_at__isnull=not resolved,
    ).select_related("need__item_type", "need__commune", "producer")
    deliveries = deliveries.annotate(gap=F("declared_units") - F("confirmed_units"))
    if resolved:
        return deliveries.order_by("-resolved_at", "-pk")
    return deliveries.order_by("confirmed_at", "pk")
