"""The labs' demo: three labs, their themes, publics and methods, and the workshops of the
Breton lab's reference year (2019) with the year before and after, built from attendance.

The field reports, for the reference year: more than 160 workshops, about 3,000
participations of professionals and about 800 citizen users. These figures are not
typed anywhere: they come out of the attendance records generated here, which the
dashboard counts. Public agents are network actors (the network demo's, and made-up
agents `agent-0001`… of the administrations' directorates); citizens are attendance rows
without an actor, under a stable pseudonym ("Usager 2019-0412").

Deterministic (one seeded generator, every value drawn even for what already exists) and
idempotent (labs, themes, publics, methods, series, agents and workshops have fixed
slugs: what exists is kept, what is missing is added). Runs after the network demo.

The demo also lives in the present (`_present`): for every lab, workshops of the last
weeks with their attendance and their synthesis as a PDF file, and upcoming ones open for
registration — some in Rennes and around, three of them sessions of this year's
training-action cycle, one under way today (its programme attached) for the facilitator's
sign-in sheet, where a few people are already marked present — dated from the day the
demo is built (their slugs carry that day, so building twice the same day adds nothing).
Registration tokens are random, even here.
"""

import datetime
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kenlabour.accounts.models import User
from kenlabour.lab.enums import (
    ParticipantKind,
    RegistrationMode,
    RegistrationStatus,
    SeriesKind,
)
from kenlabour.lab.models import (
    Attendance,
    Lab,
    Method,
    Public,
    Registration,
    Series,
    Theme,
    Workshop,
    WorkshopFile,
)
from kenlabour.network.demo import FIRST_NAMES, LAST_NAMES
from kenlabour.network.enums import (
    ActorKind,
    LinkSourceKind,
    ModerationStatus,
    OrganisationKind,
    ProfileKind,
)
from kenlabour.network.models import Actor, Directorate, Profile
from kenlabour.network.services import actors as actor_services
from kenlabour.network.services import graph as graph_services
from kenlabour.territories.geo import normalise
from kenlabour.territories.models import Commune

SEED = 2019
REFERENCE_LAB = "labo-bretagne"
REFERENCE_YEAR = 2019

# (slug, name, organisation slug, territory, description)
LABS = (
    (
        REFERENCE_LAB,
        "Laboratoire d'innovation publique de Bretagne",
        "prefecture-region-bretagne",
        "Bretagne",
        "Le laboratoire partagé par la préfecture de région et le Conseil régional : des "
        "ateliers de co-conception qui réunissent agents publics et usagers, des "
        "expérimentations confiées à l'incubateur quand elles font leurs preuves.",
    ),
    (
        "labo-finistere",
        "Labo 29, le laboratoire d'innovation du Finistère",
        "departement-finistere",
        "Finistère",
        "Le laboratoire du Conseil départemental : insertion, solidarités et accès aux "
        "droits au plus près des usagers finistériens.",
    ),
    (
        "labo-pays-de-la-loire",
        "Laboratoire d'innovation publique des Pays de la Loire",
        "region-pays-de-la-loire",
        "Pays de la Loire",
        "Le laboratoire régional voisin, avec qui le laboratoire breton partage ses "
        "expérimentations sur la mobilité et l'emploi.",
    ),
)

THEMES = (
    ("lab-acces", "Lab accès : accès aux droits et dématérialisation"),
    ("formation", "Formation"),
    ("emploi", "Emploi"),
    ("mobilite", "Mobilité"),
    ("egalite-femmes-hommes", "Égalité entre les femmes et les hommes"),
    ("acces-sante", "Accès à la santé"),
    ("transition-ecologique", "Transition écologique"),
    ("jeunesse", "Jeunesse"),
)
# How often each theme is chosen for a workshop of the reference lab.
THEME_WEIGHTS = (30, 12, 14, 12, 6, 10, 10, 6)

PUBLICS = (
    (
        "jeunes-sans-emploi",
        "Jeunes de 16 à 25 ans sans emploi ni formation",
        "Souvent hors des radars des institutions, ils passent d'un guichet à l'autre.",
    ),
    (
        "seniors-eloignes-numerique",
        "Personnes âgées éloignées du numérique",
        "Sans ordinateur ni smartphone, ou sans l'aisance pour faire leurs démarches en ligne.",
    ),
    (
        "demandeurs-emploi-longue-duree",
        "Demandeurs d'emploi de longue durée",
        "Inscrits depuis plus d'un an, souvent en reconversion contrainte.",
    ),
    (
        "familles-monoparentales",
        "Familles monoparentales",
        "Un parent seul qui concilie emploi, garde d'enfants et démarches.",
    ),
    (
        "ruraux-sans-voiture",
        "Habitants des communes rurales sans voiture",
        "Loin des services et des transports réguliers.",
    ),
    (
        "personnes-handicapees",
        "Personnes en situation de handicap",
        "Pour qui un formulaire ou un guichet inaccessible ferme un droit.",
    ),
    (
        "etudiants-precaires",
        "Étudiants en situation de précarité",
        "Bourses, logement, santé : des droits méconnus.",
    ),
    (
        "agents-accueil",
        "Agents d'accueil des services publics",
        "En première ligne face aux usagers et à la dématérialisation.",
    ),
)

METHODS = (
    (
        "world-cafe",
        "World café",
        "1. Installez des tables de quatre ou cinq personnes, une question par table.\n"
        "2. Chaque tour dure vingt minutes ; un hôte reste, les autres changent de table.\n"
        "3. L'hôte résume aux nouveaux venus ce qui s'est dit avant eux.\n"
        "4. Terminez par une restitution collective des idées qui reviennent.",
    ),
    (
        "personas",
        "Personas",
        "1. Partez d'entretiens ou d'observations d'usagers réels.\n"
        "2. Dessinez trois ou quatre personnages types : situation, besoins, freins.\n"
        "3. Faites vivre à chacun la démarche étudiée, étape par étape.\n"
        "4. Notez où chacun décroche : ce sont vos pistes de travail.",
    ),
    (
        "parcours-usager",
        "Parcours usager",
        "1. Choisissez une démarche réelle, de l'élément déclencheur au résultat.\n"
        "2. Affichez-en chaque étape sur une longue frise, avec les guichets rencontrés.\n"
        "3. Marquez les moments de doute, d'attente et de rupture.\n"
        "4. Votez pour les deux ou trois points de rupture à traiter d'abord.",
    ),
    (
        "design-sprint",
        "Design sprint",
        "1. Cinq jours, une équipe de six à huit personnes, un décideur présent.\n"
        "2. Lundi comprendre, mardi esquisser, mercredi choisir.\n"
        "3. Jeudi fabriquer un prototype réaliste.\n"
        "4. Vendredi le tester avec cinq usagers et en tirer les leçons.",
    ),
    (
        "forum-ouvert",
        "Forum ouvert",
        "1. Une question large, aucun ordre du jour fixé à l'avance.\n"
        "2. Chacun peut proposer un atelier et l'afficher sur la place du marché.\n"
        "3. Les participants circulent librement (loi des deux pieds).\n"
        "4. Chaque atelier laisse un compte rendu, rassemblé en fin de journée.",
    ),
    (
        "prototypage",
        "Prototypage rapide",
        "1. Partez d'une idée retenue et d'un usager précis.\n"
        "2. Fabriquez en une heure une maquette en papier, un faux formulaire, une affiche.\n"
        "3. Faites-la essayer par des usagers, sans l'expliquer.\n"
        "4. Corrigez et recommencez : trois tours valent mieux qu'un long plan.",
    ),
    (
        "carte-empathie",
        "Carte d'empathie",
        "1. Placez l'usager au centre d'une grande feuille.\n"
        "2. Remplissez : ce qu'il voit, entend, pense, dit et fait.\n"
        "3. Ajoutez ses peines et ses attentes.\n"
        "4. Comparez les cartes des groupes et gardez les surprises.",
    ),
)

# Administrations the lab's workshops draw agents from, added to the network demo's
# when missing: (slug, name, kind, commune, directorates).
EXTRA_ADMINISTRATIONS = (
    (
        "departement-ille-et-vilaine",
        "Conseil départemental d'Ille-et-Vilaine",
        OrganisationKind.LOCAL_AUTHORITY,
        "35238",
        ("Direction de l'action sociale", "Direction de l'autonomie", "Direction des routes"),
    ),
    (
        "departement-morbihan",
        "Conseil départemental du Morbihan",
        OrganisationKind.LOCAL_AUTHORITY,
        "56260",
        ("Direction de l'insertion et de l'emploi", "Direction de l'enfance et des familles"),
    ),
    (
        "departement-cotes-darmor",
        "Conseil départemental des Côtes-d'Armor",
        OrganisationKind.LOCAL_AUTHORITY,
        "22278",
        ("Direction de l'action sociale", "Direction de l'éducation"),
    ),
    (
        "ville-de-rennes",
        "Ville de Rennes",
        OrganisationKind.LOCAL_AUTHORITY,
        "35238",
        ("Direction des relations aux usagers", "Centre communal d'action sociale"),
    ),
    (
        "cpam-finistere",
        "Caisse primaire d'assurance maladie du Finistère",
        OrganisationKind.PUBLIC_OPERATOR,
        "29232",
        ("Direction de l'accès aux soins", "Direction de la relation client"),
    ),
    (
        "msa-armorique",
        "MSA d'Armorique",
        OrganisationKind.PUBLIC_OPERATOR,
        "22278",
        ("Direction de l'action sanitaire et sociale",),
    ),
    (
        "region-pays-de-la-loire",
        "Conseil régional des Pays de la Loire",
        OrganisationKind.REGIONAL_COUNCIL,
        "44109",
        ("Direction de l'emploi et de la formation", "Direction des transports et mobilités"),
    ),
    (
        "prefecture-pays-de-la-loire",
        "Préfecture de la région Pays de la Loire",
        OrganisationKind.STATE,
        "44109",
        ("Secrétariat général pour les affaires régionales",),
    ),
)
# Directorates the network demo's administrations also have, for the lab's workshops.
EXTRA_DIRECTORATES = {
    "prefecture-region-bretagne": (
        ("Direction départementale des territoires et de la mer du Finistère", "DDTM 29"),
        ("Direction départementale de l'emploi, du travail et des solidarités", "DDETS 35"),
        ("Délégation régionale académique à la jeunesse", "DRAJES"),
    ),
    "region-bretagne": (("Direction du tourisme et du patrimoine", "DTP"),),
}
AGENTS_PER_DIRECTORATE = 20
ELECTED = 24
PAYS_DE_LA_LOIRE = {"region-pays-de-la-loire", "prefecture-pays-de-la-loire"}

# Workshops per month (January to December) of each lab and year.
CALENDAR = {
    (REFERENCE_LAB, 2018): (0, 0, 0, 0, 0, 0, 0, 0, 9, 12, 11, 8),
    (REFERENCE_LAB, 2019): (14, 15, 17, 16, 14, 15, 8, 3, 16, 18, 17, 15),
    (REFERENCE_LAB, 2020): (13, 14, 6, 5, 8, 10, 6, 2, 12, 13, 11, 9),
    ("labo-finistere", 2019): (2, 2, 2, 2, 2, 1, 0, 0, 2, 2, 2, 1),
    ("labo-finistere", 2020): (2, 2, 1, 0, 1, 1, 0, 0, 2, 2, 2, 1),
    ("labo-pays-de-la-loire", 2019): (1, 2, 2, 2, 1, 2, 0, 0, 2, 2, 2, 1),
    ("labo-pays-de-la-loire", 2020): (2, 2, 1, 0, 1, 2, 1, 0, 2, 2, 2, 1),
}
# Where each lab's workshops take place (commune INSEE codes, the first the most often).
PLACES = {
    REFERENCE_LAB: ("35238", "35238", "35238", "29019", "29232", "56121", "56260", "22278"),
    "labo-finistere": ("29232", "29232", "29019", "29151", "29039"),
    "labo-pays-de-la-loire": ("44109", "44109", "49007"),
}
ONLINE_SHARE = {2018: 0.05, 2019: 0.08, 2020: 0.45}
# Professionals per workshop (uniform between the two), and citizens when there are some.
PROFESSIONALS = (9, 27)
CITIZEN_SHARE = 0.75  # of workshops with citizen users
CITIZENS = (3, 12)
CITIZEN_RETURN = 0.15  # chance that a citizen seat goes to someone already met
TRAINING_COHORT = 16
MARATHON_CITIZENS = 30

TITLES = {
    "lab-acces": ("Simplifier la demande de {x}", ("prime d'activité", "RSA", "carte grise")),
    "formation": ("Mieux orienter vers {x}", ("la formation continue", "l'apprentissage")),
    "emploi": ("Accompagner {x}", ("le retour à l'emploi", "les créateurs d'entreprise")),
    "mobilite": ("Se déplacer sans voiture {x}", ("en Centre-Bretagne", "pour aller au travail")),
    "egalite-femmes-hommes": ("L'égalité dans {x}", ("l'orientation", "l'accès aux métiers")),
    "acces-sante": ("Trouver {x}", ("un médecin traitant", "une aide pour se soigner")),
    "transition-ecologique": ("Accompagner {x}", ("la rénovation énergétique", "le tri")),
    "jeunesse": ("Informer les jeunes sur {x}", ("leurs droits", "le logement")),
}


@dataclass
class Participant:
    """Someone who may attend: an actor (agent, maker, elected) or a pseudonymous citizen."""

    name: str
    kind: str
    person_id: int | None = None
    organisation_id: int | None = None
    directorate_id: int | None = None


def build(log) -> None:
    started = timezone.now()
    with transaction.atomic():
        rng = random.Random(SEED)  # noqa: S311 - seeded on purpose: the demo is reproducible
        pools = _participants(rng)
        labs = _labs()
        themes = _by_slug(Theme, THEMES, lambda slug, name: {"name": name})
        _by_slug(Public, PUBLICS, lambda slug, name, text: {"name": name, "description": text})
        methods = _by_slug(Method, METHODS, lambda slug, name, text: {"name": name, "how_to": text})
        series = _series(labs)
        added = _workshops(rng, labs, themes, methods, pools, series)
        added += _present(labs, themes, methods, pools)
    held = Workshop.objects.filter(lab__slug=REFERENCE_LAB, starts_at__year=REFERENCE_YEAR).count()
    seconds = (timezone.now() - started).total_seconds()
    log(
        f"Laboratoires : {len(labs)} laboratoires, {added} ateliers ajoutés, "
        f"{held} ateliers du laboratoire breton en {REFERENCE_YEAR} ({seconds:.1f} s)"
    )


def _by_slug(model, specs, fields_of) -> dict:
    existing = set(model.objects.values_list("slug", flat=True))
    model.objects.bulk_create(
        [model(slug=spec[0], **fields_of(*spec)) for spec in specs if spec[0] not in existing]
    )
    return {obj.slug: obj for obj in model.objects.filter(slug__in=[spec[0] for spec in specs])}


def _administrations() -> dict[str, Actor]:
    """The network demo's administrations, with the lab's extra ones and directorates."""
    existing = set(Actor.objects.values_list("slug", flat=True))
    for slug, name, kind, code, directorates in EXTRA_ADMINISTRATIONS:
        if slug in existing:
            continue
        actor = Actor(
            kind=ActorKind.ORGANISATION,
            organisation_kind=kind,
            slug=slug,
            name=name,
            description=f"{name} : partenaire des ateliers des laboratoires d'innovation.",
            commune=Commune.objects.get(code=code),
            status=ModerationStatus.PUBLISHED,
        )
        actor_services.place_actor(actor)
        actor.search_text = actor_services.search_text_of(actor)
        actor.save()
        Directorate.objects.bulk_create(
            [Directorate(organisation=actor, name=name) for name in directorates]
        )
    administrations = {
        actor.slug: actor
        for actor in Actor.objects.filter(
            kind=ActorKind.ORGANISATION,
            organisation_kind__in=OrganisationKind.administrations(),
            status=ModerationStatus.PUBLISHED,
        ).order_by("slug")
    }
    known = set(Directorate.objects.values_list("organisation__slug", "name"))
    Directorate.objects.bulk_create(
        [
            Directorate(organisation=administrations[slug], name=name, acronym=acronym)
            for slug, extra in EXTRA_DIRECTORATES.items()
            if slug in administrations
            for name, acronym in extra
            if (slug, name) not in known
        ]
    )
    return administrations


def _new_people(specs: list[tuple[str, str, Actor, ProfileKind, Directorate | None]]) -> None:
    """Create people (slug, name, organisation, profile kind, directorate) in bulk."""
    existing = set(
        Actor.objects.filter(slug__in=[s[0] for s in specs]).values_list("slug", flat=True)
    )
    missing = [spec for spec in specs if spec[0] not in existing]
    codes = {organisation.commune_id for _slug, _name, organisation, *_rest in missing}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
    people = []
    for slug, name, organisation, _kind, _directorate in missing:
        person = Actor(
            kind=ActorKind.PERSON,
            slug=slug,
            name=name,
            commune=communes.get(organisation.commune_id),
            status=ModerationStatus.PUBLISHED,
            public_consent=False,
        )
        actor_services.place_actor(person)
        person.search_text = normalise(name)
        people.append(person)
    Actor.objects.bulk_create(people)
    ids = dict(Actor.objects.filter(slug__in=[s[0] for s in missing]).values_list("slug", "pk"))
    Profile.objects.bulk_create(
        [
            Profile(
                person_id=ids[slug],
                kind=kind,
                organisation=organisation,
                directorate=directorate,
            )
            for slug, _name, organisation, kind, directorate in missing
        ]
    )


def _participants(rng) -> dict[str, list[Participant]]:
    """Who may come, by pool: the agents of each administration ("agents:<slug>"), makers,
    elected officials and other professionals."""
    administrations = _administrations()
    directorates = list(
        Directorate.objects.filter(organisation__in=administrations.values()).order_by(
            "organisation__slug", "name"
        )
    )
    by_pk = {a.pk: a for a in administrations.values()}
    specs, number = [], 0
    for directorate in directorates:
        for _ in range(AGENTS_PER_DIRECTORATE):
            number += 1
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            organisation = by_pk[directorate.organisation_id]
            specs.append(
                (f"agent-{number:04d}", name, organisation, ProfileKind.PUBLIC_AGENT, directorate)
            )
    local = [a for a in administrations.values() if a.organisation_kind != OrganisationKind.STATE]
    for n in range(1, ELECTED + 1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        specs.append((f"elu-{n:02d}", name, local[n % len(local)], ProfileKind.ELECTED, None))
    _new_people(specs)

    pools: dict[str, list[Participant]] = {}
    profiles = Profile.objects.filter(
        kind__in=[ProfileKind.PUBLIC_AGENT, ProfileKind.ELECTED, ProfileKind.MAKER],
        person__status=ModerationStatus.PUBLISHED,
    ).values_list(
        "person_id",
        "person__name",
        "kind",
        "organisation_id",
        "organisation__slug",
        "directorate_id",
    )
    for person_id, name, kind, organisation_id, slug, directorate_id in profiles.order_by(
        "person__slug"
    ):
        if kind == ProfileKind.PUBLIC_AGENT:
            if organisation_id not in by_pk or directorate_id is None:
                continue
            region = "loire" if slug in PAYS_DE_LA_LOIRE else "bretagne"
            pool = f"agents:{region}:{directorate_id}"
            participant = Participant(
                name, ParticipantKind.PUBLIC_AGENT, person_id, organisation_id, directorate_id
            )
        elif kind == ProfileKind.ELECTED:
            pool = "elected"
            participant = Participant(name, ParticipantKind.ELECTED, person_id, organisation_id)
        else:
            pool = "makers"
            participant = Participant(name, ParticipantKind.MAKER, person_id)
        pools.setdefault(pool, []).append(participant)
    associations = list(
        Actor.objects.filter(
            kind=ActorKind.ORGANISATION,
            organisation_kind__in=[OrganisationKind.ASSOCIATION, OrganisationKind.COMPANY],
        ).order_by("slug")
    )
    pools["other"] = [
        Participant(
            f"Partenaire {n:03d}",
            ParticipantKind.OTHER,
            organisation_id=associations[n % len(associations)].pk if associations else None,
        )
        for n in range(1, 61)
    ]
    return pools


def _labs() -> dict[str, Lab]:
    organisations = dict(
        Actor.objects.filter(slug__in=[spec[2] for spec in LABS]).values_list("slug", "pk")
    )
    existing = set(Lab.objects.values_list("slug", flat=True))
    Lab.objects.bulk_create(
        [
            Lab(
                slug=slug,
                name=name,
                organisation_id=organisations.get(organisation),
                region_name=territory,
                description=description,
            )
            for slug, name, organisation, territory, description in LABS
            if slug not in existing
        ]
    )
    return {lab.slug: lab for lab in Lab.objects.filter(slug__in=[spec[0] for spec in LABS])}


SERIES = (
    (
        "cycle-design-politiques-publiques-2019",
        "Cycle de formation-action « Design des politiques publiques » 2019",
        SeriesKind.TRAINING_CYCLE,
        "Six demi-journées pour qu'une promotion de seize agents de l'État et de la Région "
        "apprenne en menant un vrai projet : de l'enquête usager au prototype testé.",
    ),
    (
        "marathon-biblioremix-2019",
        "Marathon Biblioremix : réinventer l'accès aux droits à la bibliothèque",
        SeriesKind.MARATHON,
        "Deux jours de co-construction avec des usagers, des bibliothécaires, des agents et "
        "des makers, au format Biblioremix : des prototypes installés le dimanche soir.",
    ),
)
TRAINING_DAYS = tuple(datetime.date(2019, month, 14) for month in (1, 3, 5, 6, 10, 12))
MARATHON_DAYS = (datetime.date(2019, 10, 5), datetime.date(2019, 10, 6))


def _series(labs) -> dict[str, Series]:
    existing = set(Series.objects.values_list("slug", flat=True))
    Series.objects.bulk_create(
        [
            Series(slug=slug, lab=labs[REFERENCE_LAB], title=title, kind=kind, description=text)
            for slug, title, kind, text in SERIES
            if slug not in existing
        ]
    )
    return {s.slug: s for s in Series.objects.filter(slug__in=[spec[0] for spec in SERIES])}


def _days(rng, year: int, month: int, count: int) -> list[datetime.date]:
    """`count` working days of a month, drawn with repetition (two workshops a day happen)."""
    days = [
        datetime.date(year, month, d)
        for d in range(1, 32)
        if _valid(year, month, d) and datetime.date(year, month, d).weekday() < 5
    ]
    return sorted(rng.choice(days) for _ in range(count))


def _valid(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class Plan:
    workshop: Workshop
    theme_slugs: list[str]
    people: list[Participant]


def _workshops(rng, labs, themes, methods, pools, series) -> int:
    communes = {
        c.code: c for c in Commune.objects.filter(code__in={c for p in PLACES.values() for c in p})
    }
    theme_slugs = [slug for slug, _name in THEMES]
    method_list = [methods[slug] for slug, *_rest in METHODS]
    # Directorates come more or less often: weights decreasing with a shuffled rank, so
    # that a few are regulars and some come once a year or not at all.
    directorate_pools = {}
    for region in ("bretagne", "loire"):
        names = sorted(p for p in pools if p.startswith(f"agents:{region}:"))
        rng.shuffle(names)
        directorate_pools[region] = (names, [1 / rank**1.4 for rank in range(1, len(names) + 1)])
    citizen_count = 0
    citizens_met: list[Participant] = []

    def citizens(count: int, year: int) -> list[Participant]:
        nonlocal citizen_count
        chosen: list[Participant] = []
        for _ in range(count):
            if citizens_met and rng.random() < CITIZEN_RETURN:
                candidate = rng.choice(citizens_met)
                if candidate not in chosen:
                    chosen.append(candidate)
                continue
            citizen_count += 1
            fresh = Participant(f"Usager {year}-{citizen_count:04d}", ParticipantKind.CITIZEN)
            citizens_met.append(fresh)
            chosen.append(fresh)
        return chosen

    def weighted_sample(candidates: list[Participant], count: int) -> list[Participant]:
        """`count` distinct people, the first of each pool (the regulars) more likely
        (weighted sampling without replacement: the largest u ** (1 / weight) win)."""
        keyed = [(rng.random() ** (1 + position), p) for position, p in candidates]
        keyed.sort(key=lambda pair: pair[0], reverse=True)
        return [p for _key, p in keyed[:count]]

    def professionals(lab_slug: str, count: int) -> list[Participant]:
        """Agents of one to four directorates (more when a large workshop needs them),
        and now and then elected officials, makers and other professionals."""
        names, weights = directorate_pools[
            "loire" if lab_slug == "labo-pays-de-la-loire" else "bretagne"
        ]
        chosen: list[Participant] = []
        for pool, share, most in (("elected", 0.2, 2), ("makers", 0.15, 3), ("other", 0.4, 3)):
            if pools.get(pool) and rng.random() < share:
                chosen += rng.sample(pools[pool], rng.randint(1, most))
        wanted = rng.choice((1, 1, 1, 2, 2, 3, 4))
        directorates: list[str] = []
        candidates: list[tuple[int, Participant]] = []
        while len(directorates) < len(names) and (
            len(directorates) < wanted or len(candidates) < count - len(chosen)
        ):
            name = rng.choices(names, weights=weights)[0]
            if name not in directorates:
                directorates.append(name)
                candidates += [(position / 4, p) for position, p in enumerate(pools[name])]
        return chosen + weighted_sample(candidates, max(0, count - len(chosen)))

    plans: list[Plan] = []
    existing = set(Workshop.objects.values_list("slug", flat=True))
    training_cohort = professionals(REFERENCE_LAB, TRAINING_COHORT * 2)[:TRAINING_COHORT]
    marathon_citizens = citizens(MARATHON_CITIZENS, REFERENCE_YEAR)
    for (lab_slug, year), per_month in CALENDAR.items():
        lab = labs[lab_slug]
        number = 0
        days = [
            (day, "")
            for month, count in enumerate(per_month, 1)
            for day in _days(rng, year, month, count)
        ]
        if lab_slug == REFERENCE_LAB and year == REFERENCE_YEAR:
            # The series' days replace ordinary workshops of their month: same counts.
            special = [(day, "training") for day in TRAINING_DAYS]
            special += [(day, "marathon") for day in MARATHON_DAYS]
            for day, kind in special:
                ordinary = [d for d in days if d[0].month == day.month and not d[1]]
                days.remove(ordinary[-1])
                days.append((day, kind))
        for day, kind in sorted(days):
            number += 1
            slug = f"{lab_slug}-{year}-{number:03d}"
            theme = rng.choices(theme_slugs, weights=THEME_WEIGHTS)[0]
            second = rng.choice(theme_slugs) if rng.random() < 0.3 else theme
            template, subjects = TITLES[theme]
            title = template.format(x=rng.choice(subjects))
            method = rng.choice(method_list)
            place = rng.choice(PLACES[lab_slug])
            online = rng.random() < ONLINE_SHARE[year]
            afternoon = rng.random() < 0.4
            count = rng.randint(*PROFESSIONALS)
            people = professionals(lab_slug, count)
            if rng.random() < CITIZEN_SHARE:
                people += citizens(rng.randint(*CITIZENS), year)
            workshop_series = None
            if kind == "training":
                workshop_series = series["cycle-design-politiques-publiques-2019"]
                title = f"Formation-action, séance {TRAINING_DAYS.index(day) + 1} : {title.lower()}"
                people = list(training_cohort)
                online = False
            elif kind == "marathon":
                workshop_series = series["marathon-biblioremix-2019"]
                title = f"Marathon Biblioremix, jour {MARATHON_DAYS.index(day) + 1}"
                people = professionals(lab_slug, count) + list(marathon_citizens)
                theme, online, place = "lab-acces", False, "35238"
            if slug in existing:
                continue
            start = _moment(day, 14 if afternoon else 9, 0 if afternoon else 30)
            workshop = Workshop(
                lab=lab,
                slug=slug,
                title=title,
                purpose=f"{title} : partir de l'expérience des usagers et des agents pour "
                "imaginer ensemble des solutions, puis choisir celles à tester.",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=8 if kind == "marathon" else 3),
                commune=None if online else communes[place],
                address="" if online else "Salle du laboratoire",
                online_url=f"https://visio.kenlabour.example/{slug}" if online else "",
                method=method,
                capacity=len(people) + rng.randint(0, 8),
                registration_mode=RegistrationMode.INVITATION
                if kind == "training"
                else RegistrationMode.PUBLIC,
                registration_closed=True,
                series=workshop_series,
                synthesis="Trois pistes retenues, à prototyper avec les usagers rencontrés.",
            )
            plans.append(Plan(workshop, sorted({theme, second}), people))
    if not plans:
        return 0
    Workshop.objects.bulk_create([plan.workshop for plan in plans])
    ids = dict(
        Workshop.objects.filter(slug__in=[p.workshop.slug for p in plans]).values_list("slug", "pk")
    )
    Workshop.themes.through.objects.bulk_create(
        [
            Workshop.themes.through(workshop_id=ids[plan.workshop.slug], theme_id=themes[slug].pk)
            for plan in plans
            for slug in plan.theme_slugs
        ]
    )
    facilitator = User.objects.filter(email="animatrice@kenlabour.example").first()
    if facilitator:
        Workshop.facilitators.through.objects.bulk_create(
            [
                Workshop.facilitators.through(workshop_id=ids[plan.workshop.slug], user=facilitator)
                for plan in plans
                if plan.workshop.lab.slug == REFERENCE_LAB
            ]
        )
    Attendance.objects.bulk_create(
        [
            Attendance(
                workshop_id=ids[plan.workshop.slug],
                person_id=person.person_id,
                name=person.name,
                kind=person.kind,
                organisation_id=person.organisation_id,
                directorate_id=person.directorate_id,
                walk_in=person.kind == ParticipantKind.CITIZEN,
            )
            for plan in plans
            for person in plan.people
        ],
        batch_size=2000,
    )
    # The series' cohorts got to know each other: the acquaintance graph records it.
    # (Every demo workshop through this one door would take some twenty seconds.)
    for plan in plans:
        if plan.workshop.series_id is None:
            continue
        graph_services.record_cooperation(
            [p.person_id for p in plan.people if p.person_id is not None],
            kind=LinkSourceKind.WORKSHOP,
            reference=f"atelier-{plan.workshop.slug}",
            date=timezone.localtime(plan.workshop.starts_at).date(),
            label=plan.workshop.title,
        )
    return len(plans)


# The present, relative to the day the demo is built: (lab, days from today, hour,
# commune, theme, registrations, capacity). Day 0 is the workshop under way today.
# Some are sessions of this year's cycle (PRESENT_SERIES_SESSIONS, positions in PRESENT).
PRESENT = (
    (REFERENCE_LAB, -40, 9, "35238", "lab-acces", 0, 24),
    (REFERENCE_LAB, -19, 14, "35047", "mobilite", 0, 20),
    (REFERENCE_LAB, -6, 9, "29019", "emploi", 0, 20),
    (REFERENCE_LAB, 0, None, "35238", "lab-acces", 9, 20),
    (REFERENCE_LAB, 6, 9, "35238", "acces-sante", 7, 20),
    (REFERENCE_LAB, 13, 14, "35051", "jeunesse", 4, 16),
    (REFERENCE_LAB, 20, 9, "35238", "lab-acces", 18, 18),
    (REFERENCE_LAB, 34, 9, "56260", "transition-ecologique", 3, 25),
    (REFERENCE_LAB, 55, 14, "22278", "formation", 0, 20),
    ("labo-finistere", -25, 9, "29232", "lab-acces", 0, 20),
    ("labo-finistere", 9, 9, "29232", "acces-sante", 5, 20),
    ("labo-finistere", 27, 14, "29019", "emploi", 2, 15),
    ("labo-pays-de-la-loire", -14, 9, "44109", "mobilite", 0, 20),
    ("labo-pays-de-la-loire", 16, 9, "44109", "emploi", 6, 20),
    ("labo-pays-de-la-loire", 41, 14, "49007", "formation", 1, 20),
)


# This year's training-action cycle of the reference lab: (slug and title with the year,
# description). Its sessions are workshops of PRESENT.
PRESENT_SERIES = (
    "cycle-accueil-usagers-{year}",
    "Cycle de formation-action « Accueillir les usagers à l'ère numérique » {year}",
    "Trois séances pour une promotion d'agents d'accueil de l'État, de la Région et des "
    "départements : observer un accueil, imaginer le parcours d'un usager sans numérique, "
    "tester un prototype de guichet partagé.",
)
PRESENT_SERIES_SESSIONS = (1, 5, 8)
# People of the registered list of today's workshop already marked present: as what, for
# which organisation and directorate (as typed on the sheet).
PRESENT_MARKED = (
    (
        ParticipantKind.PUBLIC_AGENT,
        "Caisse d'allocations familiales d'Ille-et-Vilaine",
        "Direction de l'accueil",
    ),
    (ParticipantKind.CITIZEN, "", ""),
    (ParticipantKind.CITIZEN, "", ""),
)


def _present_series(labs, today) -> Series:
    slug, title, description = PRESENT_SERIES
    series, _created = Series.objects.get_or_create(
        slug=slug.format(year=today.year),
        defaults={
            "lab": labs[REFERENCE_LAB],
            "title": title.format(year=today.year),
            "kind": SeriesKind.TRAINING_CYCLE,
            "description": description,
        },
    )
    return series


def _pdf(title: str, workshop: Workshop, text: str) -> bytes:
    """A one-page PDF about a workshop, as its facilitator would publish it."""
    from weasyprint import HTML  # imported here: heavy, and only the demo writes PDFs

    day = timezone.localtime(workshop.starts_at)
    return HTML(
        string=(
            f"<h1>{title}</h1><h2>{workshop.title}</h2>"
            f"<p>{day:%d/%m/%Y}, {workshop.address}</p><p>{workshop.purpose}</p><p>{text}</p>"
        )
    ).write_pdf()


def _attach_pdf(workshop: Workshop, title: str, stem: str, text: str) -> None:
    stored = WorkshopFile(workshop=workshop, title=f"{title} (PDF)")
    name = stored.file.field.generate_filename(stored, f"{stem}-{slugify(workshop.slug)}.pdf")
    if default_storage.exists(name):  # a demo built before on an emptied database
        default_storage.delete(name)
    stored.file.save(name.rpartition("/")[2], ContentFile(_pdf(title, workshop, text)), save=False)
    stored.save()


def _attach_files(workshops, now) -> None:
    """Held workshops publish their synthesis; the one under way, its programme."""
    for workshop in workshops:
        if workshop.ends_at < now:
            _attach_pdf(workshop, "Synthèse de l'atelier", "synthese", workshop.synthesis)
        elif workshop.starts_at <= now:
            _attach_pdf(
                workshop,
                "Programme et consignes de la séance",
                "programme",
                "Accueil et tour de table ; travail en petits groupes ; restitution et "
                "choix des pistes à prototyper.",
            )


def _present(labs, themes, methods, pools) -> int:
    """Workshops of the last weeks (held, with attendance and their synthesis) and of the
    coming weeks (open for registration), for every lab, dated from today."""
    today = timezone.localdate()
    series = _present_series(labs, today)
    rng = random.Random(SEED + today.toordinal())  # noqa: S311 - reproducible names only
    codes = {spec[3] for spec in PRESENT}
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
    existing = set(Workshop.objects.values_list("slug", flat=True))
    method_list = [methods[slug] for slug, *_rest in METHODS]
    agents = sorted(
        (p for name, people in pools.items() if name.startswith("agents:") for p in people),
        key=lambda p: p.person_id or 0,
    )
    now = timezone.localtime()
    plans: list[tuple[Workshop, str, int, list[Participant]]] = []
    for number, (lab_slug, days, hour, code, theme, registered, capacity) in enumerate(PRESENT):
        day = today + datetime.timedelta(days=days)
        slug = f"{lab_slug}-{day.isoformat()}-{number:02d}"
        template, subjects = TITLES[theme]
        title = template.format(x=rng.choice(subjects))
        if slug in existing or code not in communes:
            continue
        if hour is None:  # under way: started an hour ago, for four hours
            start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
        else:
            start = _moment(day, hour, 30 if hour == 9 else 0)
        people: list[Participant] = []
        if days < 0 and agents:
            people = rng.sample(agents, min(len(agents), rng.randint(8, 16)))
            people += [
                Participant(f"Usager {day.year}-R{number:02d}{n:02d}", ParticipantKind.CITIZEN)
                for n in range(rng.randint(2, 6))
            ]
        workshop = Workshop(
            lab=labs[lab_slug],
            slug=slug,
            title=title,
            purpose=f"{title} : partir de l'expérience des usagers et des agents pour "
            "imaginer ensemble des solutions, puis choisir celles à tester.",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=4 if hour is None else 3),
            commune=communes[code],
            address="Salle du laboratoire" if code == "35238" else "Maison des services publics",
            method=rng.choice(method_list),
            capacity=max(capacity, len(people)),
            registration_mode=RegistrationMode.PUBLIC,
            registration_closed=days < 0,
            attendance_code="".join(
                secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _i in range(6)
            ),
            synthesis="Deux pistes retenues, à prototyper." if days < 0 else "",
        )
        if number in PRESENT_SERIES_SESSIONS:
            workshop.series = series
            session = PRESENT_SERIES_SESSIONS.index(number) + 1
            workshop.title = f"Formation-action, séance {session} : {title[0].lower()}{title[1:]}"
        plans.append((workshop, theme, registered, people))
    if not plans:
        return 0
    Workshop.objects.bulk_create([plan[0] for plan in plans])
    saved = {w.slug: w for w in Workshop.objects.filter(slug__in=[plan[0].slug for plan in plans])}
    Workshop.themes.through.objects.bulk_create(
        [
            Workshop.themes.through(workshop_id=saved[w.slug].pk, theme_id=themes[theme].pk)
            for w, theme, _registered, _people in plans
        ]
    )
    facilitator = User.objects.filter(email="animatrice@kenlabour.example").first()
    if facilitator:
        Workshop.facilitators.through.objects.bulk_create(
            [
                Workshop.facilitators.through(workshop_id=saved[w.slug].pk, user=facilitator)
                for w, *_rest in plans
            ]
        )
    registrations = []
    for workshop, _theme, registered, _people in plans:
        for n in range(registered):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            registrations.append(
                Registration(
                    workshop=saved[workshop.slug],
                    name=f"{first} {last}",
                    email=f"{normalise(first)}.{normalise(last)}.{n}@exemple.bzh".replace(" ", "-"),
                    token=secrets.token_urlsafe(24),
                    status=RegistrationStatus.CONFIRMED
                    if n < workshop.capacity
                    else RegistrationStatus.WAITING,
                )
            )
    Registration.objects.bulk_create(registrations)
    Attendance.objects.bulk_create(
        [
            Attendance(
                workshop=saved[workshop.slug],
                person_id=person.person_id,
                name=person.name,
                kind=person.kind,
                organisation_id=person.organisation_id,
                directorate_id=person.directorate_id,
                walk_in=True,
            )
            for workshop, _theme, _registered, people in plans
            for person in people
        ]
    )
    _marked_present(saved.values(), now)
    _attach_files(saved.values(), now)
    return len(plans)


def _marked_present(workshops, now) -> None:
    """At the workshop under way, the first people of the list are already ticked."""
    under_way = [w for w in workshops if w.starts_at <= now <= w.ends_at]
    registrations = Registration.objects.filter(
        workshop__in=under_way, status=RegistrationStatus.CONFIRMED
    ).order_by("workshop_id", "pk")
    marked = defaultdict(int)
    attendances = []
    for registration in registrations:
        position = marked[registration.workshop_id]
        if position >= len(PRESENT_MARKED):
            continue
        marked[registration.workshop_id] += 1
        kind, organisation, directorate = PRESENT_MARKED[position]
        attendances.append(
            Attendance(
                workshop_id=registration.workshop_id,
                registration=registration,
                name=registration.name,
                kind=kind,
                organisation_name=organisation,
                directorate_name=directorate,
            )
        )
    Attendance.objects.bulk_create(attendances)
