"""The Brittany network of 2020: made-up people, real territories.

Deterministic (a seeded generator over communes ordered by INSEE code) and idempotent
(every actor has a fixed page address; what exists is kept, what is missing is added).
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.db import transaction

from kenlabour.accounts.enums import Role
from kenlabour.accounts.models import RoleAssignment, User
from kenlabour.network.enums import (
    ActorKind,
    LinkSourceKind,
    MembershipRole,
    ModerationStatus,
    OrganisationKind,
    ProfileKind,
    ResourceKind,
)
from kenlabour.network.models import Actor, Directorate, Membership, Profile, Resource
from kenlabour.network.services import actors as actor_services
from kenlabour.network.services import graph as graph_services
from kenlabour.network.services import imports as import_services
from kenlabour.network.validators import luhn_valid
from kenlabour.territories.models import Commune, Departement, Epci

SEED = 2020
BRITTANY = ("22", "29", "35", "56")
MAKERS = 300
START = datetime.date(2020, 3, 20)

FIRST_NAMES = [
    "Anne",
    "Yann",
    "Nolwenn",
    "Erwan",
    "Maïwenn",
    "Gwenaëlle",
    "Loïc",
    "Soizic",
    "Tanguy",
    "Katell",
    "Ronan",
    "Enora",
    "Gaël",
    "Morgane",
    "Goulven",
    "Rozenn",
    "Brieuc",
    "Elouan",
    "Armelle",
    "Corentin",
    "Solenn",
    "Tugdual",
    "Klervi",
    "Alan",
    "Marie",
    "Pierre",
    "Jeanne",
    "Louis",
    "Claire",
    "Hervé",
    "Yvonne",
    "Jakez",
    "Maëlys",
    "Mathilde",
    "Paul",
    "Lucie",
    "Thomas",
    "Camille",
    "Julien",
    "Sophie",
    "Nathalie",
    "Franck",
    "Isabelle",
    "Gildas",
    "Annaïg",
    "Riwal",
    "Bleuenn",
    "Malo",
    "Aziliz",
    "Joseph",
]
LAST_NAMES = [
    "Le Goff",
    "Le Gall",
    "Kerguelen",
    "Tanguy",
    "Riou",
    "Le Bihan",
    "Morvan",
    "Le Roux",
    "Guillou",
    "Le Floch",
    "Cadiou",
    "Jaouen",
    "Quéré",
    "Le Corre",
    "Pichon",
    "Hamon",
    "Le Meur",
    "Prigent",
    "Le Bras",
    "Nicolas",
    "Bernard",
    "Daniel",
    "Guégan",
    "Le Moal",
    "Raoul",
    "Salaün",
    "Ollivier",
    "Le Du",
    "Kervella",
    "Abgrall",
    "Boucher",
    "Colin",
    "Diraison",
    "Even",
    "Fily",
]


@dataclass(frozen=True)
class Org:
    slug: str
    name: str
    kind: OrganisationKind
    commune: str
    description: str
    resources: tuple[tuple[ResourceKind, int], ...] = ()
    directorates: tuple[tuple[str, str], ...] = ()


RELAYS = (
    Org(
        "labfab-rennes",
        "LabFab de Rennes",
        OrganisationKind.FABLAB,
        "35238",
        "Fablab rennais, relais de la mobilisation pour l'Ille-et-Vilaine et les Côtes-d'Armor.",
        ((ResourceKind.PRINTER_3D, 12), (ResourceKind.LASER_CUTTER, 2), (ResourceKind.STORAGE, 1)),
    ),
    Org(
        "fabrique-du-loch",
        "La Fabrique du Loch",
        OrganisationKind.FABLAB,
        "56007",
        "Tiers-lieu de fabrication du pays d'Auray, relais de la mobilisation pour le Morbihan.",
        (
            (ResourceKind.PRINTER_3D, 8),
            (ResourceKind.LASER_CUTTER, 1),
            (ResourceKind.SEWING_MACHINE, 4),
        ),
    ),
    Org(
        "ensta-bretagne",
        "ENSTA Bretagne",
        OrganisationKind.SCHOOL_RESEARCH,
        "29019",
        "École d'ingénieurs brestoise, relais de la mobilisation pour le Finistère.",
        ((ResourceKind.PRINTER_3D, 15), (ResourceKind.LASER_CUTTER, 2), (ResourceKind.CNC_MILL, 1)),
    ),
)

# (commune INSEE code, laser cutters, 3D printers)
FABLABS = (
    ("29232", 1, 6),  # Quimper
    ("56121", 1, 5),  # Lorient
    ("56260", 0, 4),  # Vannes
    ("22278", 1, 5),  # Saint-Brieuc
    ("22113", 1, 4),  # Lannion
    ("29151", 0, 3),  # Morlaix
    ("29039", 1, 3),  # Concarneau
    ("29046", 1, 2),  # Douarnenez
    ("29233", 0, 3),  # Quimperlé
    ("56178", 0, 2),  # Pontivy
    ("56165", 0, 2),  # Ploërmel
    ("35288", 1, 4),  # Saint-Malo
    ("35360", 0, 3),  # Vitré
    ("35115", 0, 2),  # Fougères
    ("35236", 0, 2),  # Redon
    ("22050", 1, 3),  # Dinan
    ("22070", 0, 2),  # Guingamp
    ("22136", 0, 1),  # Loudéac
    ("29103", 0, 2),  # Landerneau
    ("29024", 0, 2),  # Carhaix-Plouguer
)

PUBLIC_BODIES = (
    Org(
        "prefecture-region-bretagne",
        "Préfecture de la région Bretagne",
        OrganisationKind.STATE,
        "35238",
        "Services de l'État en région.",
        directorates=(
            ("Secrétariat général pour les affaires régionales", "SGAR"),
            (
                "Direction régionale de l'économie, de l'emploi, du travail et des solidarités",
                "DREETS",
            ),
            ("Direction régionale des finances publiques", "DRFiP"),
            ("Direction régionale de l'environnement, de l'aménagement et du logement", "DREAL"),
        ),
    ),
    Org(
        "region-bretagne",
        "Conseil régional de Bretagne",
        OrganisationKind.REGIONAL_COUNCIL,
        "35238",
        "Région Bretagne.",
        directorates=(
            ("Direction du développement économique", "DIRECO"),
            ("Direction de la transformation et de l'innovation publique", "DTIP"),
            ("Direction de l'éducation et des lycées", "DEL"),
            ("Direction des mobilités", "DMOB"),
        ),
    ),
    Org(
        "ars-bretagne",
        "Agence régionale de santé Bretagne",
        OrganisationKind.PUBLIC_OPERATOR,
        "35238",
        "Santé publique et offre de soins.",
        directorates=(("Direction de l'offre de soins", "DOS"),),
    ),
    Org(
        "france-travail-bretagne",
        "France Travail Bretagne",
        OrganisationKind.PUBLIC_OPERATOR,
        "35238",
        "Service public de l'emploi.",
        directorates=(("Direction des services aux demandeurs d'emploi", "DSDE"),),
    ),
    Org(
        "caf-ille-et-vilaine",
        "Caisse d'allocations familiales d'Ille-et-Vilaine",
        OrganisationKind.PUBLIC_OPERATOR,
        "35238",
        "Prestations familiales et sociales.",
        directorates=(("Direction de l'accès aux droits", "DAD"),),
    ),
    Org(
        "departement-finistere",
        "Conseil départemental du Finistère",
        OrganisationKind.LOCAL_AUTHORITY,
        "29232",
        "Département du Finistère.",
        directorates=(("Direction de l'insertion", "DI"), ("Direction des solidarités", "DS")),
    ),
    Org(
        "rennes-metropole",
        "Rennes Métropole",
        OrganisationKind.LOCAL_AUTHORITY,
        "35238",
        "Intercommunalité rennaise.",
        directorates=(("Direction des mobilités", "DM"),),
    ),
    Org(
        "brest-metropole",
        "Brest métropole",
        OrganisationKind.LOCAL_AUTHORITY,
        "29019",
        "Intercommunalité brestoise.",
        directorates=(("Direction de l'action sociale", "DAS"),),
    ),
    Org(
        "tissage-solidaire",
        "Tissage solidaire",
        OrganisationKind.ASSOCIATION,
        "56121",
        "Association d'insertion par la couture.",
        ((ResourceKind.SEWING_MACHINE, 10), (ResourceKind.FABRIC, 200)),
    ),
    Org(
        "plasturgie-armor",
        "Plasturgie d'Armor",
        OrganisationKind.COMPANY,
        "22093",
        "PME de plasturgie qui a fourni des feuilles de PET aux makers.",
        ((ResourceKind.SHEET_PLASTIC, 5000),),
    ),
)

# (slug, name, commune or None when place-less, area: ("departement"|"epci"|"commune", codes))
COLLECTIVES = (
    ("visieres-solidaires-29", "Visières solidaires 29", None, ("departement", ("29",))),
    (
        "makers-bretagne-covid",
        "Makers de Bretagne contre le Covid",
        None,
        ("departement", BRITTANY),
    ),
    ("couturieres-tregor", "Couturières du Trégor", None, ("epci", ("200065928",))),
    ("masques-pays-de-lorient", "Masques solidaires du pays de Lorient", "56121", None),
    ("couture-solidaire-rennes", "Couture solidaire Rennes", "35238", None),
    ("atelier-partage-vannes", "L'Atelier partagé de Vannes", "56260", None),
    (
        "reseau-makers-cornouaille",
        "Réseau des makers de Cornouaille",
        None,
        ("epci", ("200068120",)),
    ),
    ("fil-rouge-saint-brieuc", "Fil rouge Saint-Brieuc", "22278", None),
    (
        "imprimeurs-3d-pays-de-morlaix",
        "Imprimeurs 3D du pays de Morlaix",
        None,
        ("commune", ("29151", "29103")),
    ),
    ("entraide-couture-redon", "Entraide couture Redon", "35236", None),
    ("collectif-maker-malouin", "Collectif maker malouin", "35288", None),
    ("solidarite-ouessant-sein", "Solidarité des îles", None, ("commune", ("29155", "29083"))),
)


def build(log) -> None:
    with transaction.atomic():
        rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
        communes = _brittany_communes()
        existing = set(Actor.objects.values_list("slug", flat=True))
        organisations = _organisations(existing)
        collectives = _collectives(existing)
        people = _people(existing, rng, communes, organisations, collectives)
        _memberships_and_links(rng, people, organisations, collectives)
        _demo_accounts(organisations, people)
    counts = Actor.objects.filter(slug__in=_all_slugs()).values_list("kind")
    by_kind = dict.fromkeys(ActorKind.values, 0)
    for (kind,) in counts:
        by_kind[kind] += 1
    log(
        f"Réseau breton : {by_kind['organisation']} organisations, "
        f"{by_kind['collective']} collectifs, {by_kind['person']} personnes"
    )


def _all_slugs() -> list[str]:
    slugs = [org.slug for org in (*RELAYS, *PUBLIC_BODIES)]
    slugs += [f"fablab-{code}" for code, _laser, _printers in FABLABS]
    slugs += [slug for slug, *_rest in COLLECTIVES]
    slugs += [f"personne-{n:03d}" for n in range(1, MAKERS + 1)]
    return slugs


def _brittany_communes() -> list[Commune]:
    return list(
        Commune.objects.filter(departement_id__in=BRITTANY, population__gt=0).order_by("code")
    )


def _new_actor(**fields) -> Actor:
    actor = Actor(status=ModerationStatus.PUBLISHED, **fields)
    if actor.commune_id:
        actor.commune = Commune.objects.get(code=actor.commune_id)
    actor_services.place_actor(actor)
    return actor


def _save_with_resources(actor: Actor, resources) -> Actor:
    actor.search_text = actor_services.search_text_of(
        actor, [str(ResourceKind(kind).label) for kind, _n in resources]
    )
    actor.save()
    Resource.objects.bulk_create(
        [Resource(actor=actor, kind=kind, quantity=n) for kind, n in resources]
    )
    return actor


def _organisations(existing: set[str]) -> dict[str, Actor]:
    specs = list(RELAYS) + list(PUBLIC_BODIES)
    for code, lasers, printers in FABLABS:
        resources = [(ResourceKind.PRINTER_3D, printers), (ResourceKind.WORKSHOP_SPACE, 1)]
        if lasers:
            resources.append((ResourceKind.LASER_CUTTER, lasers))
        commune = Commune.objects.get(code=code)
        specs.append(
            Org(
                f"fablab-{code}",
                f"Fablab de {commune.name}",
                OrganisationKind.FABLAB,
                code,
                f"Fablab associatif de {commune.name}, ouvert aux makers du territoire.",
                tuple(resources),
            )
        )
    for spec in specs:
        if spec.slug in existing:
            continue
        actor = _save_with_resources(
            _new_actor(
                slug=spec.slug,
                kind=ActorKind.ORGANISATION,
                organisation_kind=spec.kind,
                name=spec.name,
                description=spec.description,
                commune_id=spec.commune,
                siret=_siret(spec.slug) if spec.kind == OrganisationKind.COMPANY else "",
            ),
            spec.resources,
        )
        Directorate.objects.bulk_create(
            [
                Directorate(organisation=actor, name=name, acronym=acr)
                for name, acr in spec.directorates
            ]
        )
    return {a.slug: a for a in Actor.objects.filter(slug__in=[s.slug for s in specs])}


def _siret(seed: str) -> str:
    """A made-up SIRET with a valid Luhn key, the same for the same seed."""
    base = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:13]
    return next(base + str(key) for key in range(10) if luhn_valid(base + str(key)))


def _collectives(existing: set[str]) -> dict[str, Actor]:
    for slug, name, commune, area in COLLECTIVES:
        if slug in existing:
            continue
        resources = (
            [(ResourceKind.SEWING_MACHINE, 6), (ResourceKind.SEWING, 1)]
            if "outure" in name or "asque" in name or "Fil" in name
            else [(ResourceKind.PRINTER_3D, 10), (ResourceKind.DESIGN, 1)]
        )
        actor = _save_with_resources(
            _new_actor(
                slug=slug,
                kind=ActorKind.COLLECTIVE,
                name=name,
                description=f"{name} : un collectif né de la mobilisation du printemps 2020.",
                commune_id=commune,
                place_less=commune is None,
            ),
            resources,
        )
        if area:
            level, codes = area
            if level == "departement":
                actor.area_departements.set(Departement.objects.filter(code__in=codes))
            elif level == "epci":
                actor.area_epcis.set(Epci.objects.filter(code__in=codes))
            else:
                actor.area_communes.set(Commune.objects.filter(code__in=codes))
    return {a.slug: a for a in Actor.objects.filter(slug__in=[c[0] for c in COLLECTIVES])}


def _people(existing, rng, communes, organisations, collectives) -> list[Actor]:
    weights = [c.population for c in communes]
    agents_of = [
        o
        for o in organisations.values()
        if o.organisation_kind in OrganisationKind.administrations()
    ]
    directorates = {}
    for directorate in Directorate.objects.filter(organisation__in=agents_of).order_by("pk"):
        directorates.setdefault(directorate.organisation_id, []).append(directorate)
    for n in range(1, MAKERS + 1):
        slug = f"personne-{n:03d}"
        # Draw every value even for existing people, so the sequence stays the same.
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        commune = rng.choices(communes, weights=weights)[0]
        profile = (
            ProfileKind.PUBLIC_AGENT
            if n % 10 == 0
            else ProfileKind.SEAMSTRESS
            if n % 3 == 0
            else ProfileKind.MAKER
        )
        consent = rng.random() < 0.6
        quantity = rng.randint(1, 4)
        if slug in existing:
            continue
        resources = {
            ProfileKind.MAKER: [(ResourceKind.PRINTER_3D, quantity)],
            ProfileKind.SEAMSTRESS: [(ResourceKind.SEWING_MACHINE, quantity)],
            ProfileKind.PUBLIC_AGENT: [],
        }[profile]
        person = _new_actor(
            slug=slug,
            kind=ActorKind.PERSON,
            name=name,
            commune_id=commune.code,
            public_consent=consent,
            skills="impression 3D"
            if profile == ProfileKind.MAKER
            else ("couture" if profile == ProfileKind.SEAMSTRESS else ""),
        )
        _save_with_resources(person, resources)
        if profile == ProfileKind.PUBLIC_AGENT:
            organisation = agents_of[n // 10 % len(agents_of)]
            choices = directorates.get(organisation.pk, [None])
            Profile.objects.create(
                person=person,
                kind=profile,
                organisation=organisation,
                directorate=choices[n % len(choices)],
            )
        else:
            Profile.objects.create(person=person, kind=profile)
    return list(Actor.objects.filter(slug__startswith="personne-").order_by("slug"))


def _nearest(actor: Actor, groups: list[Actor]) -> Actor:
    from kenlabour.territories.geo import haversine_km

    return min(
        groups,
        key=lambda g: (
            haversine_km(actor.latitude, actor.longitude, g.latitude, g.longitude),
            g.pk,
        ),
    )


def _memberships_and_links(rng, people, organisations, collectives) -> None:
    fablabs = [
        o
        for o in organisations.values()
        if o.organisation_kind in (OrganisationKind.FABLAB, OrganisationKind.SCHOOL_RESEARCH)
    ]
    placed_collectives = [c for c in collectives.values() if not c.place_less]
    place_less = [c for c in collectives.values() if c.place_less]
    existing = set(Membership.objects.values_list("person_id", "group_id"))
    memberships = []
    for index, person in enumerate(people):
        agent = person.profiles.filter(kind=ProfileKind.PUBLIC_AGENT).first()
        if agent:
            groups = [agent.organisation]
        else:
            groups = [_nearest(person, fablabs)]
            if index % 4 == 0:
                groups.append(_nearest(person, placed_collectives))
            if index % 5 == 0:
                groups.append(place_less[index % len(place_less)])
        for group in groups:
            if (person.pk, group.pk) not in existing:
                memberships.append(Membership(person=person, group=group, since=START))
    Membership.objects.bulk_create(memberships)
    # One admin per fablab: its first member.
    for fablab in fablabs:
        first = Membership.objects.filter(group=fablab).order_by("person__slug").first()
        if first and first.role != MembershipRole.ADMIN:
            first.role = MembershipRole.ADMIN
            first.save(update_fields=["role"])
    # Members of a group know each other through it; relays partner with their fablabs.
    for group in [*fablabs, *collectives.values(), *organisations.values()]:
        member_ids = list(
            Membership.objects.filter(group=group).values_list("person_id", flat=True)
        )
        if member_ids:
            graph_services.record_cooperation(
                [group.pk, *member_ids],
                kind=LinkSourceKind.MEMBERSHIP,
                reference=f"membres-{group.slug}",
                date=START,
                label=group.name,
            )
    relays = [organisations[r.slug] for r in RELAYS]
    for fablab in fablabs:
        relay = _nearest(fablab, relays)
        if relay.pk != fablab.pk:
            graph_services.record_cooperation(
                [relay.pk, fablab.pk],
                kind=LinkSourceKind.PARTNERSHIP,
                reference=f"relais-{relay.slug}-{fablab.slug}",
                date=datetime.date(2020, 4, 15),
                label=f"Relais de la mobilisation : {relay.name}",
            )
    # Regional institutions worked with the three relays.
    for institution in ("prefecture-region-bretagne", "region-bretagne"):
        for relay in relays:
            graph_services.record_cooperation(
                [organisations[institution].pk, relay.pk],
                kind=LinkSourceKind.PARTNERSHIP,
                reference=f"convention-{institution}-{relay.slug}",
                date=datetime.date(2020, 5, 4),
                label="Convention de redistribution de la subvention régionale",
            )


def _demo_accounts(organisations, people) -> None:
    """Tie the demo accounts to the network: the organisation admin runs the LabFab, the
    member is a maker with a public page, the facilitator moderates."""
    users = {u.email: u for u in User.objects.filter(email__endswith="@kenlabour.example")}
    facilitator = users.get("animatrice@kenlabour.example")
    if facilitator:
        RoleAssignment.objects.get_or_create(
            user=facilitator, role=Role.LAB_FACILITATOR, scope_type=None, scope_id=None
        )
        _pending_import(facilitator)
    admin = users.get("admin@kenlabour.example")
    if admin:
        _refused_import(admin)
    org_admin = users.get("orga@kenlabour.example")
    if org_admin:
        from django.contrib.contenttypes.models import ContentType

        RoleAssignment.objects.get_or_create(
            user=org_admin,
            role=Role.ORGANISATION_ADMIN,
            scope_type=ContentType.objects.get_for_model(Actor),
            scope_id=organisations["labfab-rennes"].pk,
        )
    member = users.get("membre@kenlabour.example")
    if member and not Actor.objects.filter(user=member).exists():
        person = next(p for p in people if p.public_consent and p.resources.exists())
        person.user = member
        person.save(update_fields=["user"])


# The file the facilitator sent and has not imported yet: a table as a lab keeps it, saved
# by Excel on a French Windows (Windows-1252, `;`), with French headers and words, one of
# them unknown ("Brodeuse numérique"), so that each step of the import has something to show.
PENDING_IMPORT_FILENAME = "tiers-lieux-morbihan.csv"
PENDING_IMPORT_ROWS = [
    ("Raison sociale", "Type", "Code postal", "Ville", "Courriel", "Téléphone", "Équipements"),
    (
        "Tiers-lieu de la Ria",
        "Tiers-lieu",
        "56680",
        "Plouhinec",
        "contact@tiers-lieu-ria.example",
        "02 97 00 00 01",
        "Imprimante 3D:2, Brodeuse numérique",
    ),
    (
        "Atelier couture d'Étel",
        "association",
        "56410",
        "Étel",
        "",
        "",
        "Machines à coudre:5",
    ),
    ("Menuiserie Le Floc'h", "SARL", "56700", "Hennebont", "", "0297000002", "Fraiseuse CNC"),
]


def _pending_import(facilitator) -> None:
    from kenlabour.accounts.perms import forget_roles
    from kenlabour.network import spreadsheet

    forget_roles(facilitator)
    data = "\r\n".join(";".join(row) for row in PENDING_IMPORT_ROWS).encode("cp1252") + b"\r\n"
    sheet = spreadsheet.read_sheet(data)
    import_services.start_import(facilitator, PENDING_IMPORT_FILENAME, data, sheet)


# The file the platform's administrator handed to the background check, which refused it:
# a commune that does not exist, and a row pasted twice (the progress page lists them).
REFUSED_IMPORT_FILENAME = "fablabs-cotes-d-armor.csv"
REFUSED_IMPORT_ROWS = [
    ("Nom", "Type", "Code postal", "Commune", "Équipements"),
    ("Fablab du Trégor", "fablab", "22300", "Lannion", "Imprimante 3D:4"),
    ("Atelier de Plougrescant", "association", "22820", "Plougrescantt", "Machine à coudre:2"),
    ("Fablab du Trégor", "fablab", "22300", "Lannion", "Imprimante 3D:4"),
]


def _refused_import(admin) -> None:
    """As if the check in the background had run on it (it does: with the immediate
    backend of development the task runs at once)."""
    from kenlabour.accounts.perms import forget_roles
    from kenlabour.network import spreadsheet

    forget_roles(admin)
    data = "\r\n".join(";".join(row) for row in REFUSED_IMPORT_ROWS).encode("cp1252") + b"\r\n"
    sheet = spreadsheet.read_sheet(data)
    pending = import_services.start_import(admin, REFUSED_IMPORT_FILENAME, data, sheet)
    import_services.queue_import(admin, pending, max_rows=len(REFUSED_IMPORT_ROWS))
