"""The network at national scale, on PostgreSQL.

Generates 200,000 actors over France's communes (drawn in proportion to their
population), with resources and areas of action, and 2,000,000 acquaintance links with
their sources, loaded by COPY; then times ~100 varied queries of each of:

- the directory's search (`directory_selectors.search_actors`: count and first page of results);
- the map's data for one département (`map_selectors.map_features`, the GeoJSON values);
- "who could help" (`help_selectors.who_could_help`, with chains of acquaintances);

each beside the simplest indexed query on the same tables (an actor by primary key, and
one actor's links), run interleaved, so that the ratio means something on a noisy
machine. The last line printed is one JSON object with the figures.

    .venv/bin/python bench/network.py                       # 200,000 actors, 2,000,000 links
    .venv/bin/python bench/network.py --actors 2000 --links 10000 --queries 20

The database is the one of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
kenlabour_bench); a name not ending in "_bench" gets that suffix, so that the bench only
ever creates and drops a database of its own. It is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kenlabour_bench"
TARGET_MS = 150.0
SEED = 20200320

WORDS = [
    "couture",
    "impression",
    "réparation",
    "numérique",
    "solidaire",
    "inclusion",
    "mobilité",
    "santé",
    "textile",
    "recyclage",
    "bois",
    "électronique",
    "jeunesse",
    "emploi",
    "alimentation",
    "jardin",
    "vélo",
    "culture",
    "école",
    "logement",
    "énergie",
    "lien",
    "social",
    "accompagnement",
    "formation",
    "prototypage",
    "design",
    "entraide",
    "visières",
    "masques",
    "surblouses",
    "makers",
    "tiers-lieu",
    "ressourcerie",
    "médiation",
]
ORGANISATION_WORDS = {
    "state": "Direction départementale",
    "regional_council": "Conseil régional, antenne de",
    "local_authority": "Mairie de",
    "public_operator": "Agence",
    "fablab": "Fablab de",
    "maker_collective": "Makers de",
    "association": "Association",
    "company": "Atelier",
    "school_research": "Lycée de",
}
ORGANISATION_KIND_WEIGHTS = {
    "state": 6,
    "regional_council": 1,
    "local_authority": 14,
    "public_operator": 4,
    "fablab": 8,
    "maker_collective": 6,
    "association": 40,
    "company": 16,
    "school_research": 5,
}
# Sociability: how many links an actor of each kind tends to have, relatively.
SOCIABILITY = {"person": 1.0, "organisation": 2.5, "collective": 2.0, "fablab": 8.0}
LINK_KINDS = ("workshop", "experiment", "delivery", "membership", "partnership")
SEARCH_TERMS = (
    "fablab",
    "couture",
    "association",
    "impression",
    "solidaire",
    "lorient",
    "quimper",
    "rennes",
    "marseille",
    "lyon",
    "paris",
    "makers",
    "machine a coudre",
    "imprimante 3d",
    "reparation velo",
    "tiers lieu",
    "le goff",
    "mairie",
    "atelier bois",
    "inclusion numerique",
)


def bench_url() -> tuple[str, str]:
    """The bench's database URL and name (always ending in "_bench")."""
    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("bench/network.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parts.path.lstrip("/") or "kenlabour"
    if not name.endswith("_bench"):
        name += "_bench"
    return urlunsplit(parts._replace(path="/" + name)), name


def admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=5
    )


def recreate_database(url: str, name: str) -> None:
    from psycopg import sql

    with admin_connection(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    from psycopg import sql

    with admin_connection(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenlabour.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- generation --------------------------------------------------------------------------


def draw_actors(rng: random.Random, count: int, communes: list) -> list[dict]:
    from kenlabour.network.demo import FIRST_NAMES, LAST_NAMES  # after django.setup()
    from kenlabour.network.enums import RESOURCE_CATEGORIES, OrganisationKind, ResourceKind
    from kenlabour.territories.geo import normalise

    labels = {kind.value: str(kind.label) for kind in ResourceKind}
    organisation_labels = {kind.value: str(kind.label) for kind in OrganisationKind}
    org_kinds = list(ORGANISATION_KIND_WEIGHTS)
    org_weights = list(ORGANISATION_KIND_WEIGHTS.values())
    resource_kinds = list(RESOURCE_CATEGORIES)
    cum, total = [], 0
    for commune in communes:
        total += commune["population"]
        cum.append(total)
    placed = rng.choices(communes, cum_weights=cum, k=count)
    actors = []
    for i in range(count):
        pk = i + 1
        roll = rng.random()
        commune = placed[i]
        kind = "person" if roll < 0.55 else "organisation" if roll < 0.80 else "collective"
        organisation_kind = ""
        place_less = False
        if kind == "person":
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        elif kind == "organisation":
            organisation_kind = rng.choices(org_kinds, weights=org_weights)[0]
            name = f"{ORGANISATION_WORDS[organisation_kind]} {commune['name']}"
            if rng.random() < 0.5:
                name += f" {rng.choice(WORDS)}"
        else:
            place_less = rng.random() < 0.1
            name = f"Collectif {rng.choice(WORDS)} {commune['name']}"
        description = " ".join(rng.sample(WORDS, 4))
        resources = []
        for kind_value in rng.sample(resource_kinds, rng.choice((0, 1, 1, 2, 2, 3))):
            resources.append((kind_value, rng.randint(1, 12)))
        status = rng.choices(("published", "pending", "rejected"), weights=(90, 7, 3))[0]
        text_parts = [name, description]
        if organisation_kind:
            text_parts.append(organisation_labels[organisation_kind])
        if not place_less:
            text_parts.append(commune["name"])
        text_parts.extend(labels[k] for k, _q in resources)
        actors.append(
            {
                "id": pk,
                "kind": kind,
                "name": name,
                "slug": f"acteur-{pk}",
                "description": description,
                "organisation_kind": organisation_kind,
                "place_less": place_less,
                "commune": None if place_less else commune,
                "public_consent": kind != "person" or rng.random() < 0.6,
                "status": status,
                "search_text": normalise(" ".join(text_parts)),
                "resources": resources,
                "sociability": SOCIABILITY["fablab" if organisation_kind == "fablab" else kind]
                * rng.lognormvariate(0, 0.8),
            }
        )
    return actors


def draw_links(rng: random.Random, actors: list[dict], count: int) -> list[tuple[int, int]]:
    """`count` distinct pairs; three in four inside one département, the sociable more
    often (a long-tailed degree distribution, hubs included)."""
    ids = [a["id"] for a in actors]
    cum, total = [], 0.0
    by_departement: dict[str, list[int]] = defaultdict(list)
    for actor in actors:
        total += actor["sociability"]
        cum.append(total)
        if actor["commune"] is not None:
            by_departement[actor["commune"]["departement_id"]].append(actor["id"])
    departement_of = {
        a["id"]: a["commune"]["departement_id"] for a in actors if a["commune"] is not None
    }
    local_cum = {}
    sociability = {a["id"]: a["sociability"] for a in actors}
    for dep, members in by_departement.items():
        running, weights = 0.0, []
        for pk in members:
            running += sociability[pk]
            weights.append(running)
        local_cum[dep] = weights
    pairs: set[int] = set()
    n = len(ids) + 1
    while len(pairs) < count:
        wanted = int((count - len(pairs)) * 1.08) + 16
        firsts = rng.choices(ids, cum_weights=cum, k=wanted)
        local: dict[str, list[int]] = defaultdict(list)
        seconds: list[int | None] = [None] * wanted
        for index, a in enumerate(firsts):
            dep = departement_of.get(a)
            if dep is not None and rng.random() < 0.75:
                local[dep].append(index)
        for dep, indexes in local.items():
            drawn = rng.choices(by_departement[dep], cum_weights=local_cum[dep], k=len(indexes))
            for index, b in zip(indexes, drawn, strict=True):
                seconds[index] = b
        anywhere = rng.choices(ids, cum_weights=cum, k=wanted)
        for index, a in enumerate(firsts):
            b = seconds[index] if seconds[index] is not None else anywhere[index]
            if a == b:
                continue
            low, high = (a, b) if a < b else (b, a)
            pairs.add(low * n + high)
            if len(pairs) >= count:
                break
    return sorted(divmod(code, n) for code in pairs)


def load(args, rng: random.Random) -> dict:
    from django.db import connection

    from kenlabour.network.models import Actor, Link, LinkSource, Resource
    from kenlabour.territories.enums import CommuneKind
    from kenlabour.territories.models import Commune

    started = time.perf_counter()
    communes = list(
        Commune.objects.filter(kind=CommuneKind.COMMUNE, population__gt=0).values(
            "code", "name", "departement_id", "epci_id", "latitude", "longitude", "population"
        )
    )
    actors = draw_actors(rng, args.actors, communes)
    links = draw_links(rng, actors, args.links)
    generated = time.perf_counter() - started

    now = datetime.datetime.now(datetime.UTC)
    actor_columns = [
        "id",
        "kind",
        "name",
        "slug",
        "description",
        "skills",
        "organisation_kind",
        "siret",
        "website",
        "email",
        "place_less",
        "commune_id",
        "address",
        "departement_id",
        "epci_id",
        "latitude",
        "longitude",
        "public_consent",
        "status",
        "moderation_note",
        "proposed_name",
        "accepts_introductions",
        "search_text",
        "created_at",
        "updated_at",
    ]
    place_less_ids = [a["id"] for a in actors if a["place_less"]]
    departements = sorted({c["departement_id"] for c in communes})
    epcis = sorted({c["epci_id"] for c in communes if c["epci_id"]})
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor, for COPY
        # The rows are generated consistent; foreign-key triggers would only slow the load.
        cursor.execute("SET session_replication_role = replica")
        with raw.copy(
            f"COPY {Actor._meta.db_table} ({', '.join(actor_columns)}) FROM STDIN"
        ) as copy:
            for a in actors:
                c = a["commune"]
                copy.write_row(
                    (
                        a["id"],
                        a["kind"],
                        a["name"],
                        a["slug"],
                        a["description"],
                        "",
                        a["organisation_kind"],
                        "",
                        "",
                        "",
                        a["place_less"],
                        c["code"] if c else None,
                        "",
                        c["departement_id"] if c else None,
                        c["epci_id"] if c else None,
                        c["latitude"] if c else None,
                        c["longitude"] if c else None,
                        a["public_consent"],
                        a["status"],
                        "",
                        "",
                        True,
                        a["search_text"],
                        now,
                        now,
                    )
                )
        with raw.copy(
            f"COPY {Resource._meta.db_table} (actor_id, kind, quantity, details) FROM STDIN"
        ) as copy:
            for a in actors:
                for kind, quantity in a["resources"]:
                    copy.write_row((a["id"], kind, quantity, ""))
        area_d = Actor.area_departements.through._meta.db_table
        area_c = Actor.area_communes.through._meta.db_table
        area_e = Actor.area_epcis.through._meta.db_table
        with raw.copy(f"COPY {area_d} (actor_id, departement_id) FROM STDIN") as copy:
            for pk in place_less_ids[0::3]:
                for dep in rng.sample(departements, rng.randint(1, 2)):
                    copy.write_row((pk, dep))
        with raw.copy(f"COPY {area_c} (actor_id, commune_id) FROM STDIN") as copy:
            for pk in place_less_ids[1::3]:
                for commune in rng.sample(communes, rng.randint(1, 5)):
                    copy.write_row((pk, commune["code"]))
        with raw.copy(f"COPY {area_e} (actor_id, epci_id) FROM STDIN") as copy:
            for pk in place_less_ids[2::3]:
                for epci in rng.sample(epcis, rng.randint(1, 3)):
                    copy.write_row((pk, epci))
        with raw.copy(
            f"COPY {Link._meta.db_table} (id, actor_a_id, actor_b_id) FROM STDIN"
        ) as copy:
            for pk, (a, b) in enumerate(links, start=1):
                copy.write_row((pk, a, b))
        start = datetime.date(2019, 1, 1)
        sources = 0
        with raw.copy(
            f"COPY {LinkSource._meta.db_table} (link_id, kind, reference, label, date, weight) "
            "FROM STDIN"
        ) as copy:
            for pk in range(1, len(links) + 1):
                for number in range(1 if rng.random() < 0.85 else 2):
                    copy.write_row(
                        (
                            pk,
                            LINK_KINDS[(pk + number) % len(LINK_KINDS)],
                            f"bench-{pk}-{number}",
                            "",
                            start + datetime.timedelta(days=(pk * 7 + number) % 2000),
                            1 + (pk + number) % 3,
                        )
                    )
                    sources += 1
        cursor.execute("SET session_replication_role = DEFAULT")
        for model in (Actor, Link, LinkSource, Resource):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    # Fresh statistics and visibility map, as autovacuum would give a loaded database.
    previous = connection.get_autocommit()
    connection.set_autocommit(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.set_autocommit(previous)
    return {
        "actors_rows": len(actors),
        "links_rows": len(links),
        "sources_rows": sources,
        "resources_rows": sum(len(a["resources"]) for a in actors),
        "generate_s": round(generated, 1),
        "load_s": round(time.perf_counter() - started - generated, 1),
    }


# --- measures ----------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def measure(args, rng: random.Random) -> dict:
    from django.contrib.auth.models import AnonymousUser

    from kenlabour.network.enums import ModerationStatus, ResourceKind
    from kenlabour.network.models import Actor, Link
    from kenlabour.network.selectors import directory as directory_selectors
    from kenlabour.network.selectors import map as map_selectors
    from kenlabour.network.selectors import who_could_help as help_selectors
    from kenlabour.territories.models import Departement

    user = AnonymousUser()
    max_id = Actor.objects.order_by("-pk").values_list("pk", flat=True).first()
    departements = {d.code: d for d in Departement.objects.all()}
    populated = list(
        Actor.objects.filter(departement__isnull=False)
        .values_list("departement_id", flat=True)
        .distinct()
    )
    seekers = list(
        Actor.objects.filter(status=ModerationStatus.PUBLISHED, commune__isnull=False)
        .select_related("commune")
        .order_by("?")[: args.queries + 10]
    )
    kinds = [k.value for k in ResourceKind]

    def by_pk():
        Actor.objects.get(pk=rng.randint(1, max_id))

    def links_of_one():
        pk = rng.randint(1, max_id)
        list(Link.objects.filter(actor_a=pk).values_list("actor_b", flat=True))

    def search(i):
        term = SEARCH_TERMS[i % len(SEARCH_TERMS)]
        extra = {}
        if i % 3 == 1:
            extra["departement"] = departements[rng.choice(populated)]
        elif i % 3 == 2:
            extra["kind"] = rng.choice(("person", "organisation", "collective"))
        results = directory_selectors.search_actors(
            user, directory_selectors.ActorFilters(text=term, **extra)
        )
        results.count()
        results[0 : directory_selectors.DIRECTORY_PAGE_SIZE]

    def map_data(i):
        dep = departements[populated[i % len(populated)]]
        results = directory_selectors.search_actors(
            user, directory_selectors.ActorFilters(departement=dep)
        )
        map_selectors.map_features(results, "/reseau/acteurs/__slug__/")

    def help_(i):
        seeker = seekers[i % len(seekers)]
        help_selectors.who_could_help(
            user,
            resource_kind=kinds[i % len(kinds)],
            commune=seeker.commune,
            radius_km=rng.choice((10, 20, 30, 50)),
            seeker=seeker,
        )

    figures = {}
    for label, query in (("search", search), ("map", map_data), ("help", help_)):
        baseline, baseline_links, samples = [], [], []
        for i in range(-5, args.queries):  # five warm-up rounds, not counted
            b = timed(by_pk)
            links_ms = timed(links_of_one)
            q = timed(lambda i=i, query=query: query(i))
            if i >= 0:
                baseline.append(b)
                baseline_links.append(links_ms)
                samples.append(q)
        figures[f"{label}_p95_ms"] = round(p95(samples), 2)
        figures[f"{label}_median_ms"] = round(statistics.median(samples), 2)
        figures[f"{label}_baseline_pk_p95_ms"] = round(p95(baseline), 3)
        figures[f"{label}_baseline_links_p95_ms"] = round(p95(baseline_links), 3)
        figures[f"{label}_ratio_to_pk"] = round(p95(samples) / max(p95(baseline), 1e-6), 1)
    # For information: the engagement page's reads, once each (no target set).
    from kenlabour.network.selectors.engagement import territorial_engagement

    figures["engagement_national_ms"] = round(timed(lambda: territorial_engagement(None)), 1)
    biggest = max(populated, key=lambda code: Actor.objects.filter(departement_id=code).count())
    figures["engagement_departement_ms"] = round(
        timed(lambda: territorial_engagement(departements[biggest])), 1
    )
    figures["engagement_departement"] = biggest
    # Again, records unchanged: read from the cache (one query for the fingerprint).
    figures["engagement_cached_ms"] = round(
        timed(lambda: territorial_engagement(departements[biggest])), 1
    )
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=200_000)
    parser.add_argument("--links", type=int, default=2_000_000)
    parser.add_argument("--queries", type=int, default=100, help="queries timed per measure")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep, no load"
    )
    args = parser.parse_args(argv)
    possible = args.actors * (args.actors - 1) // 2
    if args.links > possible // 2:
        parser.error(f"--links: at most {possible // 2} for {args.actors} actors")

    url, name = bench_url()
    started = time.perf_counter()
    if not args.reuse:
        recreate_database(url, name)
    try:
        setup_django(url)
        from django.core.management import call_command
        from django.db import connections

        rng = random.Random(SEED)  # noqa: S311  (reproducible data, not secrets)
        if not args.reuse:
            print(f"database {name}: migrating…", flush=True)
            call_command("migrate", verbosity=0, interactive=False)
            migrated = time.perf_counter() - started
            print(
                f"loading {args.actors:,} actors and {args.links:,} links…".replace(",", " "),
                flush=True,
            )
            loaded = load(args, rng)
            loaded["migrate_s"] = round(migrated, 1)
        else:
            loaded = {}
        for key, value in loaded.items():
            print(f"  {key}: {value}")
        figures = measure(args, rng)
        connections.close_all()
    finally:
        if not args.keep:
            drop_database(url, name)

    summary = {
        "actors": args.actors,
        "links": args.links,
        "queries": args.queries,
        "target_ms": TARGET_MS,
        **figures,
        **loaded,
        "total_s": round(time.perf_counter() - started, 1),
    }
    summary["all_under_target"] = all(
        summary[f"{label}_p95_ms"] < TARGET_MS for label in ("search", "map", "help")
    )
    for label in ("search", "map", "help"):
        print(
            f"{label:>6}: p95 {summary[f'{label}_p95_ms']:8.2f} ms "
            f"(median {summary[f'{label}_median_ms']:.2f} ms) — beside an actor by primary key "
            f"p95 {summary[f'{label}_baseline_pk_p95_ms']:.3f} ms, one actor's links "
            f"p95 {summary[f'{label}_baseline_links_p95_ms']:.3f} ms; "
            f"ratio ×{summary[f'{label}_ratio_to_pk']}"
        )
    print(
        "engagement (one read each, for information): national {national} ms, département "
        "{code} {departement} ms, again from the cache {cached} ms".format(
            national=summary["engagement_national_ms"],
            code=summary["engagement_departement"],
            departement=summary["engagement_departement_ms"],
            cached=summary["engagement_cached_ms"],
        )
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
