"""The Brittany mobilisation of spring 2020, and a campaign open today.

The mobilisation of spring 2020: face shields, fabric masks and gowns made by
the network demo's makers, seamstresses, fablabs and collectives for about 1,500 needs of
hospitals, nursing homes, pharmacies, home-care services and town halls.

The field reports about 100,000 units produced, deliveries mostly confirmed and a few
discrepancies. None of these figures is typed here: needs are drawn over Brittany's
communes, the producers' capacities are sized to the demand, deliveries come from the
optimal matching (`kenlabour.mobilisation.matching.match`) of the needs with those
capacities, production declarations from what each producer delivered; the dashboard
counts them.

Deterministic (one seeded generator over communes and actors ordered by code and page
address), secrets aside (need tracking tokens are drawn with `secrets`), and idempotent:
the campaign has a fixed address; when it exists with its needs, nothing is added again
(only the coordinator's role is checked). Everything is written in bulk, the acquaintance
graph included (as `network.services.graph.record_cooperation` does, one delivery at a time
would take far longer). Runs after the network demo.

The current campaign (`CURRENT_CAMPAIGN_SLUG`) lives in the present: it started a few
weeks before the day the demo is built and ends a few weeks after it. A matching run
confirmed nine days ago planned deliveries, most confirmed by their recipients, some only
declared, one disputed, a few (two of the LabFab de Rennes among them) still to make;
needs verified since are in a new run proposed today (through the coordination service)
that the coordinator has yet to adjust, confirm or discard; the latest needs are still to
verify. Fablabs and makers and seamstresses of the four départements have confirmed
deliveries (the funding demo opens an envelope on them); the LabFab de Rennes asks for
elastic and gives filament. Built once, on the day of the first run.
"""

import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.mobilisation import matching
from kenlabour.mobilisation.enums import (
    DeliveryStatus,
    ItemKind,
    MaterialDirection,
    MaterialKind,
    NeedStatus,
    RequesterKind,
    RunStatus,
    Urgency,
)
from kenlabour.mobilisation.models import (
    Assignment,
    Campaign,
    Capacity,
    Delivery,
    ItemType,
    MatchingRun,
    MaterialOffer,
    Need,
    Production,
    new_token,
)
from kenlabour.network.demo import BRITTANY, COLLECTIVES, FIRST_NAMES, LAST_NAMES, RELAYS
from kenlabour.network.enums import (
    ActorKind,
    LinkSourceKind,
    ModerationStatus,
    OrganisationKind,
    ProfileKind,
)
from kenlabour.network.models import Actor, Link, LinkSource, Profile
from kenlabour.network.services import actors as actor_services
from kenlabour.territories.models import Commune

SEED = 20200316
SLUG = "covid-19-printemps-2020"
STARTS, ENDS = datetime.date(2020, 3, 16), datetime.date(2020, 6, 30)
CURRENT_CAMPAIGN_SLUG = "renfort-des-soignants"
COORDINATOR_EMAIL = "coordination@kenlabour.example"
PRODUCER_EMAIL = "orga@kenlabour.example"  # administers the LabFab de Rennes (network demo)
PRODUCER_SLUG = "labfab-rennes"

REQUESTERS = 1060  # organisations asking, most for one item, some for two or three
PERSON_SHARE = 0.85  # makers and seamstresses of the network demo who took part
CAPACITY_SHARE = 0.97  # producers' capacities over the period ÷ the units requested
SURPLUS = (0.05, 0.15)  # produced beyond what was delivered (stock, given to relays)

SHIELD, MASK, GOWN = "shield", "mask", "gown"
# (key, name, kind, approved model, version, standard category, unit cost in cents)
ITEMS = (
    (SHIELD, "Visière Prusa RC3", ItemKind.FACE_SHIELD, "Prusa RC3", "RC3", "", 150),
    (
        MASK,
        "Masque en tissu UNS1",
        ItemKind.FABRIC_MASK,
        "",
        "",
        "UNS1, AFNOR SPEC S76-001",
        250,
    ),
    (GOWN, "Surblouse lavable", ItemKind.GOWN, "", "", "", 600),
)

# Requester kind: (share of requesters, least population of its commune,
# {item: (least, most) units}, names; {commune} is replaced by the commune's name).
KINDS = {
    RequesterKind.PHARMACY: (
        0.28,
        0,
        {SHIELD: (10, 40), MASK: (20, 60)},
        (
            "Pharmacie du Centre, {commune}",
            "Pharmacie de la Mairie, {commune}",
            "Pharmacie de l'Église, {commune}",
            "Pharmacie du Port, {commune}",
            "Pharmacie des Halles, {commune}",
            "Pharmacie de la Gare, {commune}",
        ),
    ),
    RequesterKind.NURSING_HOME: (
        0.22,
        800,
        {SHIELD: (20, 80), MASK: (40, 150), GOWN: (20, 80)},
        (
            "EHPAD Les Tilleuls, {commune}",
            "EHPAD Ker Héol, {commune}",
            "EHPAD Les Jardins d'Arvor, {commune}",
            "EHPAD Les Hortensias, {commune}",
            "EHPAD Ty Glaz, {commune}",
            "Résidence Les Ajoncs, {commune}",
            "EHPAD Les Camélias, {commune}",
        ),
    ),
    RequesterKind.HOME_CARE: (
        0.17,
        500,
        {MASK: (30, 150), SHIELD: (15, 50), GOWN: (10, 40)},
        (
            "SSIAD de {commune}",
            "ADMR, aide à domicile de {commune}",
            "Service de soins infirmiers à domicile de {commune}",
        ),
    ),
    RequesterKind.MEDICAL_PRACTICE: (
        0.15,
        0,
        {SHIELD: (8, 30), MASK: (15, 50)},
        (
            "Maison de santé de {commune}",
            "Cabinet infirmier de {commune}",
            "Cabinet médical de {commune}",
        ),
    ),
    RequesterKind.TOWN_HALL: (
        0.13,
        0,
        {MASK: (80, 500), SHIELD: (10, 40)},
        ("Mairie de {commune}", "CCAS de {commune}"),
    ),
    RequesterKind.HOSPITAL: (
        0.05,
        7000,
        {SHIELD: (150, 600), GOWN: (100, 400), MASK: (100, 300)},
        (
            "Centre hospitalier de {commune}",
            "Clinique Saint-Joseph, {commune}",
            "Hôpital local de {commune}",
        ),
    ),
}
# Statuses of needs that were never verified or were withdrawn.
SUBMITTED_SHARE, CANCELLED_SHARE = 0.02, 0.03
CANCEL_REASONS = (
    "Doublon d'une autre demande de l'établissement.",
    "Besoin couvert par la dotation de l'Agence régionale de santé.",
    "L'établissement a trouvé un fournisseur.",
)
# Deliveries: declared but never confirmed, confirmed with fewer units, declared short.
DECLARED_ONLY, DISCREPANCY, SHORT_DECLARED = 0.04, 0.02, 0.03
DISCREPANCY_NOTES = (
    "Un carton manquait à la livraison.",
    "Une partie des visières était fêlée, nous ne les avons pas comptées.",
    "Les masques reçus ne portaient pas la marque UNS1 : nous en avons écarté une partie.",
    "Nous avons compté moins d'unités que le bon de livraison n'en indique.",
)


@dataclass
class ProducerPlan:
    actor: Actor
    items: dict[str, int]  # item key -> relative units per day
    max_km: int
    available_from: datetime.date
    available_until: datetime.date


@dataclass
class NeedPlan:
    need: Need
    item: str
    served: int = 0
    deliveries: list[Delivery] = field(default_factory=list)


def build(log) -> None:
    coordinator = _coordinator()
    _build_2020(log, coordinator)
    _build_current(log, coordinator)


def _build_2020(log, coordinator) -> None:
    started = time.perf_counter()
    if Campaign.objects.filter(slug=SLUG, needs__isnull=False).exists():
        log("Mobilisation : déjà construite")
        return
    with transaction.atomic():
        rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
        campaign, items = _campaign()
        producers = _producers(rng)
        communes = list(
            Commune.objects.filter(departement_id__in=BRITTANY, population__gt=0).order_by("code")
        )
        plans = _needs(rng, campaign, items, communes, coordinator)
        capacities = _capacities(rng, campaign, items, producers, plans)
        run = _matching(campaign, items, capacities, plans, coordinator)
        deliveries = _deliveries(rng, plans, run)
        _statuses(plans)
        productions = _productions(rng, campaign, items, capacities, deliveries)
        links = _acquaintances(deliveries, items)
    needs = Need.objects.filter(campaign=campaign)
    produced = Production.objects.filter(campaign=campaign).aggregate(units=Sum("units"))["units"]
    log(
        f"Mobilisation : {needs.count()} besoins, {len(capacities)} capacités de "
        f"{len(producers)} producteurs, {len(deliveries)} livraisons, {productions} "
        f"déclarations de production ({produced} unités produites), {links} liens "
        f"d'interconnaissance ({time.perf_counter() - started:.1f} s)"
    )


def _coordinator() -> User | None:
    """The demo's mobilisation coordinator, platform-wide."""
    user = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if user:
        RoleAssignment.objects.get_or_create(
            user=user, role=Role.CAMPAIGN_COORDINATOR, scope_type=None, scope_id=None
        )
    return user


def _campaign() -> tuple[Campaign, dict[str, ItemType]]:
    campaign, _created = Campaign.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "COVID-19, printemps 2020",
            "description": (
                "Au printemps 2020, makers, fablabs, couturières et petites entreprises de "
                "Bretagne ont fabriqué visières, masques en tissu et surblouses pour les "
                "soignants, plus vite qu'aucune chaîne d'approvisionnement. Le laboratoire a "
                "recensé les besoins, les a confiés aux producteurs et a fait remonter les "
                "chiffres aux autorités."
            ),
            "starts_on": STARTS,
            "ends_on": ENDS,
            "accepts_needs": False,
        },
    )
    items = {}
    for position, (key, name, kind, model, version, category, cost) in enumerate(ITEMS, 1):
        items[key], _created = ItemType.objects.get_or_create(
            campaign=campaign,
            name=name,
            defaults={
                "kind": kind,
                "approved_model": model,
                "model_version": version,
                "standard_category": category,
                "unit_cost_cents": cost,
                "position": position,
            },
        )
    return campaign, items


def _window(rng) -> tuple[datetime.date, datetime.date]:
    start = STARTS + datetime.timedelta(days=rng.randint(4, 25))
    return start, ENDS - datetime.timedelta(days=rng.randint(5, 40))


def _producers(rng) -> list[ProducerPlan]:
    """The network demo's fablabs, relays, collectives and most of its makers and
    seamstresses, with what they made and how far they delivered."""
    slugs = [org.slug for org in RELAYS] + [slug for slug, *_rest in COLLECTIVES]
    actors = {
        a.slug: a
        for a in Actor.objects.filter(
            status=ModerationStatus.PUBLISHED,
            kind__in=[ActorKind.ORGANISATION, ActorKind.COLLECTIVE],
        ).filter(
            slug__in=[*slugs, "tissage-solidaire"],
        )
    }
    fablabs = Actor.objects.filter(
        status=ModerationStatus.PUBLISHED, organisation_kind=OrganisationKind.FABLAB
    ).order_by("slug")
    for fablab in fablabs:
        actors.setdefault(fablab.slug, fablab)
    plans = []
    for slug in sorted(actors):
        actor = actors[slug]
        start, end = _window(rng)
        sewing = any(word in actor.name for word in ("outure", "asque", "Fil", "issage"))
        if actor.kind == ActorKind.COLLECTIVE or slug == "tissage-solidaire":
            items = (
                {MASK: rng.randint(60, 160), GOWN: rng.randint(10, 30)}
                if sewing
                else {SHIELD: rng.randint(60, 160)}
            )
            max_km = rng.randint(60, 100)
        else:
            items = {SHIELD: rng.randint(30, 120)}
            if rng.random() < 0.3:
                items[GOWN] = rng.randint(5, 20)
            max_km = rng.randint(40, 80)
        plans.append(ProducerPlan(actor, items, max_km, start, end))
    people = (
        Profile.objects.filter(
            kind__in=[ProfileKind.MAKER, ProfileKind.SEAMSTRESS],
            person__slug__startswith="personne-",
            person__status=ModerationStatus.PUBLISHED,
        )
        .select_related("person")
        .order_by("person__slug")
    )
    for profile in people:
        taking_part = rng.random() < PERSON_SHARE
        start, end = _window(rng)
        if profile.kind == ProfileKind.MAKER:
            items = {SHIELD: rng.randint(4, 15)}
        else:
            items = {MASK: rng.randint(4, 15)}
            if rng.random() < 0.25:
                items[GOWN] = rng.randint(1, 4)
        max_km = rng.randint(15, 40)
        if taking_part and profile.person.commune_id:
            plans.append(ProducerPlan(profile.person, items, max_km, start, end))
    return plans


def _requester_names(rng, communes, weights, count=REQUESTERS):
    """(kind, commune, name) of the organisations asking, each name once."""
    kinds = list(KINDS)
    shares = [KINDS[kind][0] for kind in kinds]
    taken: set[str] = set()
    requesters = []
    while len(requesters) < count:
        kind = rng.choices(kinds, weights=shares)[0]
        _share, least, _items, names = KINDS[kind]
        commune = rng.choices(communes, weights=weights)[0]
        name = rng.choice(names).format(commune=commune.name)
        if commune.population < least or name in taken:
            continue
        taken.add(name)
        requesters.append((kind, commune, name))
    return requesters


def _requester_actors(requesters, when="au printemps 2020") -> dict[str, Actor]:
    """A published organisation of the network for each requester (what a coordinator
    links a need to when validating it); existing ones are kept."""
    slugs = {name: slugify(name)[:200] for _kind, _commune, name in requesters}
    existing = {a.slug: a for a in Actor.objects.filter(slug__in=slugs.values())}
    new = []
    for kind, commune, name in requesters:
        if slugs[name] in existing:
            continue
        actor = Actor(
            slug=slugs[name],
            kind=ActorKind.ORGANISATION,
            organisation_kind=OrganisationKind.LOCAL_AUTHORITY
            if kind == RequesterKind.TOWN_HALL
            else OrganisationKind.CARE,
            name=name,
            description=f"{RequesterKind(kind).label} : a demandé du matériel {when}.",
            commune=commune,
            status=ModerationStatus.PUBLISHED,
        )
        actor_services.place_actor(actor)
        actor.search_text = actor_services.search_text_of(actor)
        new.append(actor)
    Actor.objects.bulk_create(new, batch_size=500)
    actors = {a.slug: a for a in Actor.objects.filter(slug__in=slugs.values())}
    return {name: actors[slug] for name, slug in slugs.items()}


def _token(rng) -> str:
    """A need's tracking token, which opens its contact details and deliveries: drawn with
    `secrets`, never from the seeded generator, so that it differs on every install. The
    generator still makes the draw it once made for tokens: the rest of the 2020 data stays
    as it was."""
    rng.getrandbits(96)
    return new_token()


def _needs(rng, campaign, items, communes, coordinator) -> list[NeedPlan]:
    weights = [commune.population**0.8 for commune in communes]
    requesters = _requester_names(rng, communes, weights)
    actors = _requester_actors(requesters)
    plans = []
    submitted_at = []
    for number, (kind, commune, name) in enumerate(requesters, start=1):
        _share, _least, wanted, _names = KINDS[kind]
        count = 1 + (rng.random() < 0.35) + (len(wanted) > 2 and rng.random() < 0.25)
        first = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        for key in sorted(rng.sample(list(wanted), count), key=list(wanted).index):
            least, most = wanted[key]
            day = STARTS + datetime.timedelta(days=int(rng.triangular(2, 60, 14)))
            urgency = rng.choices(list(Urgency), weights=(60, 30, 10))[0]
            status = NeedStatus.VALIDATED
            draw = rng.random()
            if draw < SUBMITTED_SHARE:
                status = NeedStatus.SUBMITTED
            elif draw < SUBMITTED_SHARE + CANCELLED_SHARE:
                status = NeedStatus.CANCELLED
            quantity = rng.randint(least, most)
            if quantity > 100:
                quantity = round(quantity, -1)
            validated = status != NeedStatus.SUBMITTED
            moment = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(8 + rng.randint(0, 10), 0))
            )
            need = Need(
                campaign=campaign,
                item_type=items[key],
                quantity=quantity,
                requester_name=name,
                requester_kind=kind,
                requester=actors[name] if validated else None,
                contact_name=first,
                contact_email=f"contact{number:04d}@{kind.replace('_', '-')}.example",
                contact_phone=f"02 9{rng.randint(0, 9)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                commune=commune,
                departement_id=commune.departement_id,
                epci_id=commune.epci_id,
                deadline=day + datetime.timedelta(days=rng.randint(3, 21)),
                urgency=urgency,
                status=status,
                status_note=rng.choice(CANCEL_REASONS) if status == NeedStatus.CANCELLED else "",
                token=_token(rng),
                validated_at=moment + datetime.timedelta(hours=rng.randint(2, 30))
                if validated
                else None,
                validated_by=coordinator if validated else None,
            )
            plans.append(NeedPlan(need, key))
            submitted_at.append(moment)
    Need.objects.bulk_create([plan.need for plan in plans], batch_size=500)
    # `submitted_at` is set to now on creation: give the needs their 2020 dates.
    for plan, moment in zip(plans, submitted_at, strict=True):
        plan.need.submitted_at = moment
    Need.objects.bulk_update([plan.need for plan in plans], ["submitted_at"], batch_size=500)
    return plans


def _capacities(rng, campaign, items, producers, plans) -> list[Capacity]:
    """One capacity per producer and item, its units per day sized so that, item by item,
    the capacities over the period are CAPACITY_SHARE of the units requested."""
    requested = defaultdict(int)
    for plan in plans:
        if plan.need.status == NeedStatus.VALIDATED:
            requested[plan.item] += plan.need.quantity
    raw = defaultdict(float)
    for producer in producers:
        days = (producer.available_until - producer.available_from).days + 1
        for key, rate in producer.items.items():
            raw[key] += rate * days
    capacities = []
    for producer in producers:
        for key, rate in producer.items.items():
            scale = CAPACITY_SHARE * requested[key] / raw[key] if raw[key] else 0
            capacities.append(
                Capacity(
                    campaign=campaign,
                    item_type=items[key],
                    producer=producer.actor,
                    units_per_day=max(1, round(rate * scale)),
                    stock=rng.choice((0, 0, 0, 10, 20, 50)),
                    available_from=producer.available_from,
                    available_until=producer.available_until,
                    max_km=producer.max_km,
                    note="",
                )
            )
    Capacity.objects.bulk_create(capacities, batch_size=500)
    return capacities


def _matching(campaign, items, capacities, plans, coordinator) -> MatchingRun:
    """The optimal matching of the validated needs with the capacities over the whole
    period, item by item, recorded as one confirmed run."""
    started = time.perf_counter()
    run = MatchingRun.objects.create(
        campaign=campaign,
        status=RunStatus.CONFIRMED,
        created_by=coordinator,
        decided_by=coordinator,
    )
    by_id = {plan.need.pk: plan for plan in plans}
    lines = []
    greedy_units, greedy_km, units_requested, considered = 0, 0.0, 0, 0
    for key, item in items.items():
        needs = [
            matching.NeedIn(
                id=plan.need.pk,
                quantity=plan.need.quantity,
                weight=matching.priority_weight(
                    plan.need.urgency, plan.need.deadline, plan.need.validated_at.date()
                ),
                latitude=plan.need.commune.latitude,
                longitude=plan.need.commune.longitude,
            )
            for plan in plans
            if plan.item == key and plan.need.status == NeedStatus.VALIDATED
        ]
        producers = [
            matching.ProducerIn(
                id=capacity.producer.pk,
                capacity=capacity.stock
                + capacity.units_per_day
                * ((capacity.available_until - capacity.available_from).days + 1),
                max_km=float(capacity.max_km),
                latitude=capacity.producer.latitude,
                longitude=capacity.producer.longitude,
            )
            for capacity in capacities
            if capacity.item_type_id == item.pk
        ]
        result = matching.match(needs, producers)
        baseline = matching.greedy(needs, producers)
        greedy_units += baseline.units
        greedy_km += baseline.unit_km
        units_requested += sum(need.quantity for need in needs)
        considered += len(needs)
        for line in result.assignments:
            lines.append(
                Assignment(
                    run=run,
                    need_id=line.need_id,
                    producer_id=line.producer_id,
                    units=line.units,
                    km=round(line.km, 1),
                )
            )
            by_id[line.need_id].served += line.units
    Assignment.objects.bulk_create(lines, batch_size=1000)
    MatchingRun.objects.filter(pk=run.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2020, 4, 6, 9, 0)),
        decided_at=timezone.make_aware(datetime.datetime(2020, 4, 6, 10, 30)),
        needs_considered=considered,
        producers_considered=len({c.producer_id for c in capacities}),
        units_requested=units_requested,
        greedy_units=greedy_units,
        greedy_unit_km=round(greedy_km, 1),
        seconds=time.perf_counter() - started,
    )
    run.lines = lines
    return run


def _deliveries(rng, plans, run) -> list[Delivery]:
    """A delivery per line of the run: most declared and confirmed, a few declared short,
    only declared, or with a discrepancy; two of the LabFab de Rennes' still to declare,
    for the producer's demo account."""
    by_id = {plan.need.pk: plan for plan in plans}
    producer_user = User.objects.filter(email=PRODUCER_EMAIL).first()
    labfab = Actor.objects.filter(slug=PRODUCER_SLUG).values_list("pk", flat=True).first()
    left_planned = 0
    deliveries = []
    for line in run.lines:
        plan = by_id[line.need_id]
        need = plan.need
        delivery = Delivery(
            need=need,
            producer_id=line.producer_id,
            assignment=line,
            planned_units=line.units,
            km=line.km,
            status=DeliveryStatus.PLANNED,
        )
        plan.deliveries.append(delivery)
        deliveries.append(delivery)
        if line.producer_id == labfab and left_planned < 2 and rng.random() < 0.5:
            left_planned += 1
            continue
        draw = rng.random()
        declared = line.units
        if draw < SHORT_DECLARED:
            declared = max(1, round(line.units * rng.uniform(0.5, 0.9)))
        earliest = max(need.validated_at.date() + datetime.timedelta(days=2), STARTS)
        latest = min(need.deadline + datetime.timedelta(days=5), ENDS)
        day = earliest + datetime.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
        delivery.declared_units = declared
        delivery.declared_on = day
        delivery.declared_by = producer_user if line.producer_id == labfab else None
        draw = rng.random()
        if draw < DECLARED_ONLY:
            delivery.status = DeliveryStatus.DECLARED
            continue
        confirmed_at = timezone.make_aware(
            datetime.datetime.combine(
                day + datetime.timedelta(days=rng.randint(0, 3)), datetime.time(17, 0)
            )
        )
        delivery.confirmed_at = confirmed_at
        delivery.confirmed_by_name = need.contact_name
        if draw < DECLARED_ONLY + DISCREPANCY and declared > 1:
            delivery.status = DeliveryStatus.DISCREPANCY
            delivery.confirmed_units = max(0, round(declared * rng.uniform(0.5, 0.95)))
            delivery.discrepancy_note = rng.choice(DISCREPANCY_NOTES)
            if rng.random() < 0.5:
                delivery.resolved_at = confirmed_at + datetime.timedelta(days=2)
                delivery.resolution_note = "Le producteur a complété la livraison suivante."
        else:
            delivery.status = DeliveryStatus.CONFIRMED
            delivery.confirmed_units = declared
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    return deliveries


def _statuses(plans) -> None:
    """A need's status follows from its deliveries (as `lifecycle.refresh_need_status`
    concludes): what was brought, confirmed or else declared, against the quantity."""
    changed = []
    for plan in plans:
        need = plan.need
        if need.status != NeedStatus.VALIDATED or not plan.deliveries:
            continue
        brought = sum(
            d.confirmed_units if d.confirmed_units is not None else (d.declared_units or 0)
            for d in plan.deliveries
        )
        if brought >= need.quantity:
            need.status = NeedStatus.DELIVERED
        elif brought > 0:
            need.status = NeedStatus.PARTLY_DELIVERED
        else:
            need.status = NeedStatus.MATCHED
        changed.append(need)
    Need.objects.bulk_update(changed, ["status"], batch_size=500)


def _mondays(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    day = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
    days = []
    while day <= end:
        days.append(day)
        day += datetime.timedelta(days=7)
    return days or [start]


def _productions(rng, campaign, items, capacities, deliveries) -> int:
    """Weekly production declarations: what each producer delivered of an item, and a
    little more (stock, units given to the relays); collectives without a place, which
    matching cannot place, gave all theirs to the relays."""
    declared = defaultdict(int)
    for delivery in deliveries:
        if delivery.declared_units:
            declared[(delivery.producer_id, delivery.need.item_type_id)] += delivery.declared_units
    rows = []
    for capacity in capacities:
        key = (capacity.producer_id, capacity.item_type_id)
        if capacity.producer.place_less:
            total = capacity.units_per_day * rng.randint(8, 15)
        elif declared[key]:
            total = round(declared[key] * (1 + rng.uniform(*SURPLUS)))
        else:
            continue
        weeks = _mondays(capacity.available_from, capacity.available_until)
        shares = [rng.random() + 0.2 for _week in weeks]
        left = total
        for position, (week, share) in enumerate(zip(weeks, shares, strict=True)):
            units = (
                left
                if position == len(weeks) - 1
                else min(left, round(total * share / sum(shares)))
            )
            left -= units
            if units > 0:
                rows.append(
                    Production(
                        campaign=campaign,
                        item_type_id=capacity.item_type_id,
                        producer_id=capacity.producer_id,
                        date=week,
                        units=units,
                    )
                )
    Production.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _acquaintances(deliveries, items) -> int:
    """Every declared delivery makes its producer and its recipient know each other: the
    links and their sources in bulk, as `network.services.graph.record_cooperation` writes them
    one delivery at a time. Returns the number of sources recorded."""
    names = {item.pk: item.name for item in items.values()}
    sources = []
    for delivery in deliveries:
        requester = delivery.need.requester_id
        if delivery.declared_units is None or requester is None:
            continue
        if requester == delivery.producer_id:
            continue
        pair = tuple(sorted((delivery.producer_id, requester)))
        sources.append((pair, delivery))
    pairs = sorted({pair for pair, _delivery in sources})
    Link.objects.bulk_create(
        [Link(actor_a_id=a, actor_b_id=b) for a, b in pairs],
        ignore_conflicts=True,
        batch_size=1000,
    )
    link_ids = {}
    firsts = sorted({a for a, _b in pairs})
    wanted = set(pairs)
    for start in range(0, len(firsts), 500):
        chunk = firsts[start : start + 500]
        for pk, a, b in Link.objects.filter(actor_a__in=chunk).values_list(
            "pk", "actor_a", "actor_b"
        ):
            if (a, b) in wanted:
                link_ids[(a, b)] = pk
    LinkSource.objects.bulk_create(
        [
            LinkSource(
                link_id=link_ids[pair],
                kind=LinkSourceKind.DELIVERY,
                reference=f"delivery:{delivery.pk}",
                label=f"Livraison : {delivery.declared_units} × "
                f"{names[delivery.need.item_type_id]}"[:250],
                date=delivery.declared_on,
            )
            for pair, delivery in sources
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(sources)


# --- the campaign open today ----------------------------------------------------------------

CURRENT_SEED = SEED + 1
CURRENT_REQUESTERS = 110
# Days relative to the day the demo is built.
CURRENT_STARTED, CURRENT_ENDS, CURRENT_RUN = 24, 30, 9
CURRENT_RENNES = "35238"  # only the LabFab de Rennes produces there: the journey's producer
CURRENT_PEOPLE = 12  # makers and seamstresses per département
# Deliveries of the confirmed run (each producer's first one is always confirmed).
CURRENT_PLANNED, CURRENT_DECLARED = 0.12, 0.15


def _build_current(log, coordinator) -> None:
    started = time.perf_counter()
    if Campaign.objects.filter(slug=CURRENT_CAMPAIGN_SLUG, needs__isnull=False).exists():
        log("Mobilisation en cours : déjà construite")
        return
    today = timezone.localdate()
    with transaction.atomic():
        rng = random.Random(CURRENT_SEED)  # noqa: S311 - demo data, not a secret
        campaign, items = _current_campaign(today)
        producers = _current_producers(rng, campaign, today)
        communes = list(
            Commune.objects.filter(departement_id__in=BRITTANY, population__gt=0).order_by("code")
        )
        plans = _current_needs(rng, campaign, items, communes, coordinator, today)
        capacities = _current_capacities(rng, campaign, items, producers)
        run_day = today - datetime.timedelta(days=CURRENT_RUN)
        run = _current_matching(campaign, items, capacities, plans, coordinator, run_day)
        deliveries = _current_deliveries(rng, plans, run, today)
        _statuses(plans)
        productions = _current_productions(rng, campaign, capacities, deliveries, today)
        links = _acquaintances(deliveries, items)
        materials = _current_materials(campaign)
        proposal = _current_proposal(campaign, coordinator)
    log(
        f"Mobilisation en cours : {len(plans)} besoins, {len(capacities)} capacités, "
        f"{len(deliveries)} livraisons, {productions} déclarations de production, {links} "
        f"liens d'interconnaissance, {materials} demandes et dons de matière, "
        f"{proposal} lignes d'appariement proposées ({time.perf_counter() - started:.1f} s)"
    )


def _current_campaign(today) -> tuple[Campaign, dict[str, ItemType]]:
    campaign, _created = Campaign.objects.get_or_create(
        slug=CURRENT_CAMPAIGN_SLUG,
        defaults={
            "name": "Renfort des soignants, vague épidémique",
            "description": (
                "Une vague épidémique met à nouveau les soignants de Bretagne en tension : "
                "EHPAD, services de soins à domicile, pharmacies et cabinets manquent de "
                "masques en tissu, de visières et de surblouses. Les fablabs, makers et "
                "couturières du réseau reprennent la production ; le laboratoire vérifie les "
                "besoins, les confie aux producteurs les plus proches et suit les livraisons."
            ),
            "starts_on": today - datetime.timedelta(days=CURRENT_STARTED),
            "ends_on": today + datetime.timedelta(days=CURRENT_ENDS),
            "accepts_needs": True,
        },
    )
    items = {}
    for position, (key, name, kind, model, version, category, cost) in enumerate(ITEMS, 1):
        items[key], _created = ItemType.objects.get_or_create(
            campaign=campaign,
            name=name,
            defaults={
                "kind": kind,
                "approved_model": model,
                "model_version": version,
                "standard_category": category,
                "unit_cost_cents": cost,
                "position": position,
            },
        )
    return campaign, items


def _current_producers(rng, campaign, today) -> list[ProducerPlan]:
    """The fablabs of the four départements, the LabFab de Rennes (which makes masks too)
    and a dozen makers and seamstresses per département, none in Rennes itself."""
    start = campaign.starts_on + datetime.timedelta(days=3)
    plans = []
    fablabs = Actor.objects.filter(
        status=ModerationStatus.PUBLISHED,
        organisation_kind=OrganisationKind.FABLAB,
        commune__isnull=False,
    ).order_by("slug")
    for fablab in fablabs:
        items = {SHIELD: rng.randint(15, 40)}
        if fablab.slug == PRODUCER_SLUG:
            items = {SHIELD: 40, MASK: 60}
        elif rng.random() < 0.3:
            items[GOWN] = rng.randint(3, 10)
        plans.append(ProducerPlan(fablab, items, rng.randint(40, 70), start, campaign.ends_on))
    people = (
        Profile.objects.filter(
            kind__in=[ProfileKind.MAKER, ProfileKind.SEAMSTRESS],
            person__slug__startswith="personne-",
            person__status=ModerationStatus.PUBLISHED,
            person__commune__isnull=False,
        )
        .exclude(person__commune_id=CURRENT_RENNES)
        .select_related("person")
        .order_by("person__slug")
    )
    by_departement = defaultdict(list)
    for profile in people:
        by_departement[profile.person.departement_id].append(profile)
    for code in sorted(by_departement):
        for profile in rng.sample(
            by_departement[code], min(CURRENT_PEOPLE, len(by_departement[code]))
        ):
            if profile.kind == ProfileKind.MAKER:
                items = {SHIELD: rng.randint(3, 10)}
            else:
                items = {MASK: rng.randint(5, 15)}
                if rng.random() < 0.3:
                    items[GOWN] = rng.randint(1, 4)
            from_day = start + datetime.timedelta(days=rng.randint(0, 6))
            plans.append(
                ProducerPlan(profile.person, items, rng.randint(20, 45), from_day, campaign.ends_on)
            )
    return plans


def _current_needs(rng, campaign, items, communes, coordinator, today) -> list[NeedPlan]:
    """Needs submitted since the campaign started: those before the run verified (a few
    withdrawn), those since verified but not yet matched, the last days' still to verify."""
    weights = [commune.population**0.8 for commune in communes]
    requesters = _requester_names(rng, communes, weights, CURRENT_REQUESTERS)
    actors = _requester_actors(requesters, when="pendant la vague épidémique")
    days = CURRENT_STARTED - 1
    plans, submitted_at = [], []
    for number, (kind, commune, name) in enumerate(requesters, start=1):
        _share, _least, wanted, _names = KINDS[kind]
        count = 1 + (rng.random() < 0.3)
        contact = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        # Spread over the campaign so far, the first requesters the earliest.
        ago = days - round(days * (number - 1) / (len(requesters) - 1))
        for key in sorted(rng.sample(list(wanted), count), key=list(wanted).index):
            least, most = wanted[key]
            day = today - datetime.timedelta(days=ago)
            moment = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(8 + rng.randint(0, 9), 0))
            )
            status = NeedStatus.VALIDATED
            if ago <= 2:
                status = NeedStatus.SUBMITTED
            elif ago > CURRENT_RUN and rng.random() < 0.04:
                status = NeedStatus.CANCELLED
            validated = status != NeedStatus.SUBMITTED
            quantity = rng.randint(least, most)
            if quantity > 100:
                quantity = round(quantity, -1)
            need = Need(
                campaign=campaign,
                item_type=items[key],
                quantity=quantity,
                requester_name=name,
                requester_kind=kind,
                requester=actors[name] if validated else None,
                contact_name=contact,
                contact_email=f"contact-en-cours{number:03d}@{kind.replace('_', '-')}.example",
                contact_phone=f"02 9{rng.randint(0, 9)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                commune=commune,
                departement_id=commune.departement_id,
                epci_id=commune.epci_id,
                deadline=max(
                    day + datetime.timedelta(days=rng.randint(10, 30)),
                    today + datetime.timedelta(days=2),
                ),
                urgency=rng.choices(list(Urgency), weights=(55, 35, 10))[0],
                status=status,
                status_note=rng.choice(CANCEL_REASONS) if status == NeedStatus.CANCELLED else "",
                token=new_token(),
                validated_at=moment + datetime.timedelta(hours=rng.randint(2, 20))
                if validated
                else None,
                validated_by=coordinator if validated else None,
            )
            plans.append(NeedPlan(need, key))
            submitted_at.append(moment)
    Need.objects.bulk_create([plan.need for plan in plans], batch_size=500)
    for plan, moment in zip(plans, submitted_at, strict=True):
        plan.need.submitted_at = moment
    Need.objects.bulk_update([plan.need for plan in plans], ["submitted_at"], batch_size=500)
    return plans


def _current_capacities(rng, campaign, items, producers) -> list[Capacity]:
    capacities = [
        Capacity(
            campaign=campaign,
            item_type=items[key],
            producer=producer.actor,
            units_per_day=rate,
            stock=rng.choice((0, 0, 10, 20)),
            available_from=producer.available_from,
            available_until=producer.available_until,
            max_km=producer.max_km,
            note="",
        )
        for producer in producers
        for key, rate in producer.items.items()
    ]
    Capacity.objects.bulk_create(capacities, batch_size=500)
    return capacities


def _current_matching(campaign, items, capacities, plans, coordinator, run_day) -> MatchingRun:
    """The optimal matching of the needs verified before `run_day` with what the
    capacities could make from that day on, confirmed the same morning."""
    started = time.perf_counter()
    run = MatchingRun.objects.create(
        campaign=campaign,
        status=RunStatus.CONFIRMED,
        created_by=coordinator,
        decided_by=coordinator,
    )
    run_start = timezone.make_aware(datetime.datetime.combine(run_day, datetime.time(9, 0)))
    by_id = {plan.need.pk: plan for plan in plans}
    lines = []
    greedy_units, greedy_km, units_requested, considered = 0, 0.0, 0, 0
    for key, item in items.items():
        needs = [
            matching.NeedIn(
                id=plan.need.pk,
                quantity=plan.need.quantity,
                weight=matching.priority_weight(plan.need.urgency, plan.need.deadline, run_day),
                latitude=plan.need.commune.latitude,
                longitude=plan.need.commune.longitude,
            )
            for plan in plans
            if plan.item == key
            and plan.need.status == NeedStatus.VALIDATED
            and plan.need.validated_at < run_start
        ]
        producers = [
            matching.ProducerIn(
                id=capacity.producer.pk,
                capacity=capacity.stock
                + capacity.units_per_day
                * max(0, (capacity.available_until - max(run_day, capacity.available_from)).days),
                max_km=float(capacity.max_km),
                latitude=capacity.producer.latitude,
                longitude=capacity.producer.longitude,
            )
            for capacity in capacities
            if capacity.item_type_id == item.pk
        ]
        result = matching.match(needs, producers)
        baseline = matching.greedy(needs, producers)
        greedy_units += baseline.units
        greedy_km += baseline.unit_km
        units_requested += sum(need.quantity for need in needs)
        considered += len(needs)
        for line in result.assignments:
            lines.append(
                Assignment(
                    run=run,
                    need_id=line.need_id,
                    producer_id=line.producer_id,
                    units=line.units,
                    km=round(line.km, 1),
                )
            )
            by_id[line.need_id].served += line.units
    Assignment.objects.bulk_create(lines, batch_size=1000)
    MatchingRun.objects.filter(pk=run.pk).update(
        created_at=run_start,
        decided_at=run_start + datetime.timedelta(minutes=40),
        needs_considered=considered,
        producers_considered=len({c.producer_id for c in capacities}),
        units_requested=units_requested,
        greedy_units=greedy_units,
        greedy_unit_km=round(greedy_km, 1),
        seconds=time.perf_counter() - started,
    )
    run.lines = lines
    return run


def _current_deliveries(rng, plans, run, today) -> list[Delivery]:
    """A delivery per line of the run. Each producer's first is declared and confirmed (every
    producer of the run has received units to claim for); the others mostly confirmed, some
    only declared, a few still to make (two of the LabFab de Rennes' at least, for the
    producer's demo account) and one disputed."""
    by_id = {plan.need.pk: plan for plan in plans}
    producer_user = User.objects.filter(email=PRODUCER_EMAIL).first()
    labfab = Actor.objects.filter(slug=PRODUCER_SLUG).values_list("pk", flat=True).first()
    seen: set[int] = set()
    labfab_planned = 0
    disputed = False
    yesterday = today - datetime.timedelta(days=1)
    deliveries = []
    for line in sorted(run.lines, key=lambda line: (line.producer_id, line.need_id)):
        plan = by_id[line.need_id]
        delivery = Delivery(
            need=plan.need,
            producer_id=line.producer_id,
            assignment=line,
            planned_units=line.units,
            km=line.km,
            status=DeliveryStatus.PLANNED,
        )
        plan.deliveries.append(delivery)
        deliveries.append(delivery)
        first = line.producer_id not in seen
        seen.add(line.producer_id)
        draw = rng.random()
        if not first and line.producer_id == labfab and labfab_planned < 2:
            labfab_planned += 1
            continue
        if not first and draw < CURRENT_PLANNED:
            continue
        day = today - datetime.timedelta(days=rng.randint(2, CURRENT_RUN - 1))
        delivery.declared_units = line.units
        delivery.declared_on = day
        delivery.declared_by = producer_user if line.producer_id == labfab else None
        if not first and draw < CURRENT_PLANNED + CURRENT_DECLARED:
            delivery.status = DeliveryStatus.DECLARED
            continue
        delivery.confirmed_at = timezone.make_aware(
            datetime.datetime.combine(
                min(day + datetime.timedelta(days=rng.randint(0, 2)), yesterday),
                datetime.time(17, 0),
            )
        )
        delivery.confirmed_by_name = plan.need.contact_name
        if not first and not disputed and line.units > 5:
            disputed = True
            delivery.status = DeliveryStatus.DISCREPANCY
            delivery.confirmed_units = line.units - max(1, line.units // 5)
            delivery.discrepancy_note = DISCREPANCY_NOTES[0]
        else:
            delivery.status = DeliveryStatus.CONFIRMED
            delivery.confirmed_units = line.units
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    return deliveries


def _current_productions(rng, campaign, capacities, deliveries, today) -> int:
    """Weekly production declarations up to today: what each producer delivered of an
    item, and a little more."""
    declared = defaultdict(int)
    for delivery in deliveries:
        if delivery.declared_units:
            declared[(delivery.producer_id, delivery.need.item_type_id)] += delivery.declared_units
    rows = []
    for capacity in capacities:
        total = declared[(capacity.producer_id, capacity.item_type_id)]
        if not total:
            continue
        total = round(total * (1 + rng.uniform(*SURPLUS)))
        weeks = _mondays(capacity.available_from, today)
        share, left = total // len(weeks), total
        for position, week in enumerate(weeks):
            units = left if position == len(weeks) - 1 else share
            left -= units
            if units > 0:
                rows.append(
                    Production(
                        campaign=campaign,
                        item_type_id=capacity.item_type_id,
                        producer_id=capacity.producer_id,
                        date=week,
                        units=units,
                    )
                )
    Production.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# The LabFab de Rennes' material, open: (direction, material, quantity, unit, note).
CURRENT_MATERIALS = (
    (
        MaterialDirection.REQUEST,
        MaterialKind.ELASTIC,
        200,
        "mètres",
        "Élastique plat de 5 mm pour les masques en tissu.",
    ),
    (
        MaterialDirection.DONATION,
        MaterialKind.FILAMENT,
        6,
        "bobines",
        "PETG transparent, bobines d'un kilo : à retirer au LabFab.",
    ),
)


def _current_materials(campaign) -> int:
    labfab = Actor.objects.filter(slug=PRODUCER_SLUG).first()
    if labfab is None:
        return 0
    producer_user = User.objects.filter(email=PRODUCER_EMAIL).first()
    MaterialOffer.objects.bulk_create(
        MaterialOffer(
            campaign=campaign,
            actor=labfab,
            direction=direction,
            material=material,
            quantity=quantity,
            unit=unit,
            note=note,
            created_by=producer_user,
        )
        for direction, material, quantity, unit, note in CURRENT_MATERIALS
    )
    return len(CURRENT_MATERIALS)


def _current_proposal(campaign, coordinator) -> int:
    """The run of today over the needs verified since the confirmed one, through the real
    service, left for the coordinator to decide."""
    from kenlabour.mobilisation.services.coordination import run_matching

    if coordinator is None:
        return 0
    run = run_matching(coordinator, campaign)
    return run.assignments.count()
