"""The figures of a campaign ("faire remonter les chiffres"), always recomputed from the
records, never kept by hand (definitions in docs/mobilisation.md):

- needs: the needs that count (`NeedStatus.counted()`: verified by a coordinator, not
  cancelled); submitted and cancelled needs are left out of every figure;
- requested: the units of those needs;
- produced: the units of the production declarations;
- delivered: the units producers declared delivered (deliveries not cancelled, to needs
  that count); confirmed: the units recipients confirmed on the same deliveries (a
  discrepancy counts what the recipient says, never what the producer declared);
- coverage: confirmed ÷ requested, as a percentage with one decimal;
- active producers: distinct producers with a production declaration or a declared
  delivery.

Territories: what concerns a need (needs, requested, delivered, confirmed) is placed at
its delivery commune; what concerns a producer (produced, active producers) at the
producer's commune. A collective without a place has no département: it counts in the
totals and in a row of its own ("sans lieu fixe").

Everything comes from five grouped queries (by département, EPCI and item type, or by
commune for the map), rolled up in Python: the number of queries does not grow with the
number of needs, producers or deliveries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from kenlabour.mobilisation.enums import DeliveryStatus, NeedStatus
from kenlabour.mobilisation.models import Campaign, Capacity, Delivery, ItemType, Need, Production
from kenlabour.network.models import Actor
from kenlabour.territories.models import Commune, Departement, Epci

ONE_DECIMAL = Decimal("0.1")
# The rows of what has no département (producers without a place) or no EPCI.
NO_PLACE = _("Producteurs sans lieu fixe")
NO_EPCI = _("Hors intercommunalité ou sans lieu fixe")


def coverage_of(confirmed: int, requested: int) -> Decimal | None:
    """Confirmed ÷ requested units as a percentage rounded to one decimal (half up);
    None when nothing was requested."""
    if not requested:
        return None
    return (Decimal(confirmed) * 100 / Decimal(requested)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


@dataclass(frozen=True)
class FigureFilters:
    """What the dashboard is asked about; every filter is optional."""

    item_type: ItemType | None = None
    departement: Departement | None = None
    epci: Epci | None = None

    def query(self) -> str:
        """The filters as the dashboard's query string (for the exports' links)."""
        query = QueryDict(mutable=True)
        if self.item_type:
            query["article"] = str(self.item_type.pk)
        if self.departement:
            query["departement"] = self.departement.code
        if self.epci:
            query["epci"] = self.epci.code
        return query.urlencode()


@dataclass
class Figures:
    needs: int = 0
    requested: int = 0
    produced: int = 0
    delivered: int = 0
    confirmed: int = 0
    producers: int = 0  # active producers

    @property
    def coverage(self) -> Decimal | None:
        return coverage_of(self.confirmed, self.requested)

    def add(self, other: Figures) -> None:
        """Add the additive figures (not `producers`: a distinct count)."""
        self.needs += other.needs
        self.requested += other.requested
        self.produced += other.produced
        self.delivered += other.delivered
        self.confirmed += other.confirmed


@dataclass(frozen=True)
class FigureRow:
    """One line of a table: a territory or an item type, with its figures."""

    code: str  # INSEE code of a département, SIREN of an EPCI, "" when without one
    name: str
    figures: Figures
    item: ItemType | None = None  # in the exports' rows: département × item type


# A cell of the grouped figures: (département code, EPCI code, item type id).
Key = tuple[str | None, str | None, int]


@dataclass
class Cells:
    """The figures grouped by (département, EPCI, item type), and the active producers as
    (producer id, département, EPCI, commune, item type id), from which every table of
    the dashboard and of the exports is rolled up."""

    figures: dict[Key, Figures] = field(default_factory=lambda: defaultdict(Figures))
    active: set[tuple[int, str | None, str | None, str | None, int]] = field(default_factory=set)

    def rollup(self, key: Callable[[str | None, str | None, int], Hashable]) -> dict:
        """{group: Figures} for the groups `key(département, EPCI, item)` defines (None
        is a group: what has no département, or no EPCI)."""
        groups: dict = defaultdict(Figures)
        for (dep, epci, item), figures in self.figures.items():
            groups[key(dep, epci, item)].add(figures)
        producers: dict = defaultdict(set)
        for producer, dep, epci, _commune, item in self.active:
            producers[key(dep, epci, item)].add(producer)
        for group, ids in producers.items():
            groups[group].producers = len(ids)
        return groups


# --- the records the figures count --------------------------------------------------


def counted_needs(campaign: Campaign, filters: FigureFilters = FigureFilters()):
    """The needs that count, in the filters' item and territory (of the delivery commune)."""
    needs = Need.objects.filter(campaign=campaign, status__in=NeedStatus.counted())
    if filters.item_type:
        needs = needs.filter(item_type=filters.item_type)
    if filters.departement:
        needs = needs.filter(departement=filters.departement)
    if filters.epci:
        needs = needs.filter(epci=filters.epci)
    return needs


def declared_deliveries(campaign: Campaign, item_type: ItemType | None = None):
    """Deliveries declared by their producer (not cancelled) to needs that count."""
    deliveries = Delivery.objects.filter(
        need__campaign=campaign,
        need__status__in=NeedStatus.counted(),
        declared_units__isnull=False,
    ).exclude(status=DeliveryStatus.CANCELLED)
    if item_type:
        deliveries = deliveries.filter(need__item_type=item_type)
    return deliveries


def _at_need(deliveries, filters: FigureFilters):
    if filters.departement:
        deliveries = deliveries.filter(need__departement=filters.departement)
    if filters.epci:
        deliveries = deliveries.filter(need__epci=filters.epci)
    return deliveries


def _at_producer(records, filters: FigureFilters):
    if filters.departement:
        records = records.filter(producer__departement=filters.departement)
    if filters.epci:
        records = records.filter(producer__epci=filters.epci)
    return records


def productions(campaign: Campaign, filters: FigureFilters = FigureFilters()):
    records = Production.objects.filter(campaign=campaign)
    if filters.item_type:
        records = records.filter(item_type=filters.item_type)
    return _at_producer(records, filters)


def _active_producers(campaign: Campaign, filters: FigureFilters) -> set:
    """(producer, département, EPCI, commune, item) of every producer with a production
    or a declared delivery: two queries, one row per producer and item."""
    fields = ("producer_id", "producer__departement_id", "producer__epci_id")
    from_production = (
        productions(campaign, filters)
        .values_list(*fields, "producer__commune_id", "item_type_id")
        .distinct()
        .order_by()
    )
    from_deliveries = (
        _at_producer(declared_deliveries(campaign, filters.item_type), filters)
        .values_list(*fields, "producer__commune_id", "need__item_type_id")
        .distinct()
        .order_by()
    )
    return set(from_production) | set(from_deliveries)


def cells(campaign: Campaign, filters: FigureFilters = FigureFilters()) -> Cells:
    """The campaign's figures by (département, EPCI, item type): five queries."""
    result = Cells()
    for row in (
        counted_needs(campaign, filters)
        .values("departement_id", "epci_id", "item_type_id")
        .annotate(count=Count("pk"), units=Sum("quantity"))
        .order_by()
    ):
        figures = result.figures[(row["departement_id"], row["epci_id"], row["item_type_id"])]
        figures.needs, figures.requested = row["count"], row["units"]
    for row in (
        _at_need(declared_deliveries(campaign, filters.item_type), filters)
        .values("need__departement_id", "need__epci_id", "need__item_type_id")
        .annotate(
            delivered=Sum("declared_units"),
            confirmed=Coalesce(Sum("confirmed_units"), Value(0), output_field=IntegerField()),
        )
        .order_by()
    ):
        key = (row["need__departement_id"], row["need__epci_id"], row["need__item_type_id"])
        result.figures[key].delivered = row["delivered"]
        result.figures[key].confirmed = row["confirmed"]
    for row in (
        productions(campaign, filters)
        .values("producer__departement_id", "producer__epci_id", "item_type_id")
        .annotate(units=Sum("units"))
        .order_by()
    ):
        key = (row["producer__departement_id"], row["producer__epci_id"], row["item_type_id"])
        result.figures[key].produced = row["units"]
    result.active = _active_producers(campaign, filters)
    return result


# --- the dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: the campaign's item types, and the départements and EPCIs
    where it has needs or producers (three queries). Their names also label the tables."""

    item_types: list[ItemType]
    departements: list[Departement]
    epcis: list[Epci]

    @cached_property
    def _departement_names(self) -> dict[str, str]:
        return {d.code: d.name for d in self.departements}

    @cached_property
    def _epci_names(self) -> dict[str, str]:
        return {e.code: e.name for e in self.epcis}

    def departement_name(self, code: str | None) -> str:
        if code is None:
            return str(NO_PLACE)
        return self._departement_names.get(code, code)

    def epci_name(self, code: str | None) -> str:
        if code is None:
            return str(NO_EPCI)
        return self._epci_names.get(code, code)


def _producer_ids(campaign: Campaign):
    """Subqueries of the producers of the campaign (a capacity, a production, a delivery)."""
    return (
        Q(pk__in=Capacity.objects.filter(campaign=campaign).values("producer_id"))
        | Q(pk__in=Production.objects.filter(campaign=campaign).values("producer_id"))
        | Q(pk__in=Delivery.objects.filter(need__campaign=campaign).values("producer_id"))
    )


def filter_choices(campaign: Campaign) -> FilterChoices:
    needs = Need.objects.filter(campaign=campaign)
    producers = Actor.objects.filter(_producer_ids(campaign))
    departements = Departement.objects.filter(
        Q(code__in=needs.values("departement_id")) | Q(code__in=producers.values("departement_id"))
    ).order_by("code")
    epcis = Epci.objects.filter(
        Q(code__in=needs.values("epci_id")) | Q(code__in=producers.values("epci_id"))
    ).order_by("name")
    return FilterChoices(
        item_types=list(campaign.item_types.all()),
        departements=list(departements),
        epcis=list(epcis),
    )


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    filters: FigureFilters
    totals: Figures
    by_departement: list[FigureRow]
    by_epci: list[FigureRow]  # only when a département is chosen
    by_item: list[FigureRow]
    placeless_producers: int  # active producers without a commune (in the totals)


def _sorted_rows(groups: dict, name_of: Callable[[str | None], str]) -> list[FigureRow]:
    """Rows by code; the group without a code (no place, no EPCI) last."""
    rows = [FigureRow(code or "", name_of(code), figures) for code, figures in groups.items()]
    return sorted(rows, key=lambda row: (row.code == "", row.code))


def _item_rows(groups: dict, item_types: Iterable[ItemType]) -> list[FigureRow]:
    return [
        FigureRow(str(item.pk), item.name, groups[item.pk], item=item)
        for item in item_types
        if item.pk in groups
    ]


def dashboard(
    campaign: Campaign,
    filters: FigureFilters = FigureFilters(),
    choices: FilterChoices | None = None,
) -> Dashboard:
    """The campaign's live figures: totals, by département, by EPCI (within the chosen
    département) and by item type. `choices` (from `filter_choices`) names the
    territories; pass the form's to save its queries."""
    choices = choices or filter_choices(campaign)
    grouped = cells(campaign, filters)
    totals = grouped.rollup(lambda dep, epci, item: "all").get("all", Figures())
    by_departement = _sorted_rows(
        grouped.rollup(lambda dep, epci, item: dep), choices.departement_name
    )
    by_epci = []
    if filters.departement:
        by_epci = sorted(
            _sorted_rows(grouped.rollup(lambda dep, epci, item: epci), choices.epci_name),
            key=lambda row: (row.code == "", row.name),
        )
    by_item = _item_rows(grouped.rollup(lambda dep, epci, item: item), choices.item_types)
    placeless = len({producer for producer, dep, *_rest in grouped.active if dep is None})
    return Dashboard(
        campaign=campaign,
        filters=filters,
        totals=totals,
        by_departement=by_departement,
        by_epci=by_epci,
        by_item=by_item,
        placeless_producers=placeless,
    )


# --- the campaigns' list ------------------------------------------------------------


def _subquery_sum(queryset, outer: str, expression) -> Subquery:
    return Coalesce(
        Subquery(
            queryset.filter(**{outer: OuterRef("pk")})
            .order_by()
            .values(outer)
            .annotate(total=expression)
            .values("total")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
        output_field=IntegerField(),
    )


def campaign_list() -> list[Campaign]:
    """Every campaign, the latest first, with its headline figures (one query):
    `needs_count`, `requested`, `confirmed` and `coverage`."""
    counted = Need.objects.filter(status__in=NeedStatus.counted())
    deliveries = Delivery.objects.filter(
        need__status__in=NeedStatus.counted(), declared_units__isnull=False
    ).exclude(status=DeliveryStatus.CANCELLED)
    campaigns = list(
        Campaign.objects.annotate(
            needs_count=_subquery_sum(counted, "campaign", Count("pk")),
            requested=_subquery_sum(counted, "campaign", Sum("quantity")),
            confirmed=_subquery_sum(deliveries, "need__campaign", Sum("confirmed_units")),
        ).order_by("-starts_on", "pk")
    )
    for campaign in campaigns:
        campaign.coverage = coverage_of(campaign.confirmed, campaign.requested)
    return campaigns


# --- the map ------------------------------------------------------------------------


@dataclass
class CommuneFigures:
    """What the map shows of one commune: its needs, and the producers placed there."""

    code: str
    name: str
    departement: str
    latitude: float
    longitude: float
    needs: int = 0
    requested: int = 0
    confirmed: int = 0
    producers: int = 0
    produced: int = 0


@dataclass(frozen=True)
class CampaignMap:
    communes: list[CommuneFigures]
    placeless_producers: int  # not on the map: they have no commune
    max_requested: int
    max_produced: int


def campaign_map(campaign: Campaign, filters: FigureFilters = FigureFilters()) -> CampaignMap:
    """Needs and producers by commune (five queries), by département then commune name."""
    by_commune: dict[str, CommuneFigures] = {}
    needs = {
        row["commune_id"]: row
        for row in counted_needs(campaign, filters)
        .values("commune_id")
        .annotate(count=Count("pk"), units=Sum("quantity"))
        .order_by()
    }
    confirmed = dict(
        _at_need(declared_deliveries(campaign, filters.item_type), filters)
        .values("need__commune_id")
        .annotate(units=Coalesce(Sum("confirmed_units"), Value(0), output_field=IntegerField()))
        .values_list("need__commune_id", "units")
        .order_by()
    )
    produced = dict(
        productions(campaign, filters)
        .exclude(producer__commune=None)
        .values("producer__commune_id")
        .annotate(units=Sum("units"))
        .values_list("producer__commune_id", "units")
        .order_by()
    )
    active = _active_producers(campaign, filters)
    producers: dict[str, set[int]] = defaultdict(set)
    for producer, _dep, _epci, commune, _item in active:
        if commune is not None:
            producers[commune].add(producer)
    codes = set(needs) | set(confirmed) | set(produced) | set(producers)
    for commune in Commune.objects.filter(code__in=codes).only(
        "code", "name", "departement_id", "latitude", "longitude"
    ):
        by_commune[commune.code] = CommuneFigures(
            code=commune.code,
            name=commune.name,
            departement=commune.departement_id,
            latitude=commune.latitude,
            longitude=commune.longitude,
            needs=needs.get(commune.code, {}).get("count", 0),
            requested=needs.get(commune.code, {}).get("units", 0),
            confirmed=confirmed.get(commune.code, 0),
            producers=len(producers.get(commune.code, ())),
            produced=produced.get(commune.code, 0),
        )
    rows = sorted(by_commune.values(), key=lambda c: (c.departement, c.name, c.code))
    return CampaignMap(
        communes=rows,
        placeless_producers=len({p for p, _d, _e, commune, _i in active if commune is None}),
        max_requested=max((c.requested for c in rows), default=0),
        max_produced=max((c.produced for c in rows), default=0),
    )


# --- the exports --------------------------------------------------------------------


@dataclass(frozen=True)
class ExportTables:
    """The shape authorities ask for: one row per territory and item type."""

    departements: list[FigureRow]  # département × item type
    epcis: list[FigureRow]  # EPCI × item type (the whole EPCI, within the filters)
    totals: list[FigureRow]  # item type, over the selection


def export_tables(
    campaign: Campaign,
    filters: FigureFilters = FigureFilters(),
    choices: FilterChoices | None = None,
) -> ExportTables:
    choices = choices or filter_choices(campaign)
    grouped = cells(campaign, filters)
    order = {item.pk: position for position, item in enumerate(choices.item_types)}
    items = {item.pk: item for item in choices.item_types}

    def rows(groups: dict, name_of) -> list[FigureRow]:
        result = [
            FigureRow(code or "", name_of(code), figures, item=items[item])
            for (code, item), figures in groups.items()
        ]
        return sorted(result, key=lambda row: (row.code == "", row.code, order[row.item.pk]))

    return ExportTables(
        departements=rows(
            grouped.rollup(lambda dep, epci, item: (dep, item)), choices.departement_name
        ),
        epcis=rows(grouped.rollup(lambda dep, epci, item: (epci, item)), choices.epci_name),
        totals=_item_rows(grouped.rollup(lambda dep, epci, item: item), choices.item_types),
    )
