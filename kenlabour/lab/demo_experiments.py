"""Demo experiments of the three demo labs, and the links accepted between them.

Deterministic and idempotent by slug: an experiment that exists is left as it is. The
texts are those of the labelled set of the interconnections
(kenlabour/lab/tests/data/interconnections.json): its Breton lab's experiments go to the
reference lab, its Pays de la Loire ones to the neighbouring lab, and its third lab's ones
to the Finistère lab, placed in Finistère. Runs after `kenlabour.lab.demo.build` (labs,
themes, publics) and the network demo; what is missing of those is created here by slug.
"""

import datetime
import json
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from kenlabour.lab.demo import LABS, PUBLICS, REFERENCE_LAB, THEMES
from kenlabour.lab.enums import FollowUp, HypothesisStatus, LinkStatus, Phase
from kenlabour.lab.models import (
    Experiment,
    Hypothesis,
    Indicator,
    Interconnection,
    Lab,
    Measurement,
    PhaseChange,
    Public,
    Recommendation,
    Result,
    Theme,
)
from kenlabour.network.enums import ActorKind, LinkSourceKind, ModerationStatus, OrganisationKind
from kenlabour.network.models import Actor
from kenlabour.network.services import actors as actor_services
from kenlabour.network.services import graph as graph_services
from kenlabour.territories.models import Departement

DATA = Path(__file__).parent / "tests" / "data" / "interconnections.json"

LAB_OF = {
    "ti-lab": REFERENCE_LAB,
    "lab-pays-de-la-loire": "labo-pays-de-la-loire",
    "lab-occitanie": "labo-finistere",
}
# Where partners created here are placed, by demo lab.
SEAT_OF = {REFERENCE_LAB: "35238", "labo-pays-de-la-loire": "44109", "labo-finistere": "29232"}
# The third lab's experiments happen in Finistère in the demo.
RELOCATE = (
    ("de l'Aveyron", "du Finistère"),
    ("de la Lozère", "du Finistère"),
    ("En Lozère", "Dans le Finistère"),
    ("du Gers", "du Finistère"),
    ("du Tarn", "du Finistère"),
    ("littoral héraultais", "littoral finistérien"),
    ("Lors des épisodes cévenols", "Lors des tempêtes d'hiver"),
)
THEME_OF = {
    "Accès aux droits": "lab-acces",
    "Numérique": "lab-acces",
    "Formation": "formation",
    "Emploi": "emploi",
    "Mobilité": "mobilite",
    "Égalité femmes-hommes": "egalite-femmes-hommes",
    "Accès à la santé": "acces-sante",
    "Transition écologique": "transition-ecologique",
    "Énergie": "transition-ecologique",
    "Alimentation": "transition-ecologique",
    "Adaptation au changement climatique": "transition-ecologique",
}
PUBLIC_OF = {
    "Jeunes sans emploi ni formation": "jeunes-sans-emploi",
    "Familles monoparentales": "familles-monoparentales",
    "Personnes en situation de handicap": "personnes-handicapees",
    "Habitants des zones rurales": "ruraux-sans-voiture",
    "Personnes éloignées du numérique": "seniors-eloignes-numerique",
}
# Where each experiment ends, in turn: some handed to the incubator, some stopped.
PLAN = (
    Phase.INCUBATOR,
    Phase.FIELD_TEST,
    Phase.PROTOTYPE,
    Phase.EXPLORATION,
    Phase.STOPPED,
    Phase.GENERALISED,
    Phase.PROBLEM,
    Phase.FIELD_TEST,
)
PATH = (Phase.PROBLEM, Phase.EXPLORATION, Phase.PROTOTYPE, Phase.FIELD_TEST)
INCUBATORS = ("Incubateur des territoires", "beta.gouv.fr", "Incubateur régional de Bretagne")
STOP_REASONS = (
    "Le financement du partenaire principal n'a pas été reconduit.",
    "Le test a montré que le besoin était déjà couvert par un dispositif existant.",
)
# Linked by the facilitators in the demo: the first pairs of the labelled set that join
# the reference lab to another lab.
ACCEPTED_LINKS = 8


def _relocated(text: str) -> str:
    for old, new in RELOCATE:
        text = text.replace(old, new)
    return text


def _themes(names) -> list[Theme]:
    known = dict(THEMES)
    themes = []
    for name in names:
        slug = THEME_OF.get(name, slugify(name))
        theme, _created = Theme.objects.get_or_create(
            slug=slug, defaults={"name": known.get(slug, name)}
        )
        themes.append(theme)
    return themes


def _publics(names) -> list[Public]:
    known = {slug: name for slug, name, _text in PUBLICS}
    publics = []
    for name in names:
        slug = PUBLIC_OF.get(name, slugify(name))
        public, _created = Public.objects.get_or_create(
            slug=slug, defaults={"name": known.get(slug, name)}
        )
        publics.append(public)
    return publics


def _partners(names, lab_slug: str) -> list[Actor]:
    partners = []
    for name in names:
        actor = Actor.objects.filter(kind=ActorKind.ORGANISATION, name__iexact=name).first()
        if actor is None:
            actor, created = Actor.objects.get_or_create(
                slug=f"partenaire-{slugify(name)}"[:220],
                defaults={
                    "kind": ActorKind.ORGANISATION,
                    "organisation_kind": OrganisationKind.PUBLIC_OPERATOR,
                    "name": name,
                    "status": ModerationStatus.PUBLISHED,
                    "commune_id": SEAT_OF[lab_slug],
                },
            )
            if created:
                actor_services.place_actor(actor)
                actor.search_text = actor_services.search_text_of(actor)
                actor.save()
        partners.append(actor)
    return partners


def _labs() -> dict[str, Lab]:
    for slug, name, _organisation, territory, description in LABS:
        Lab.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "region_name": territory, "description": description},
        )
    return {lab.slug: lab for lab in Lab.objects.filter(slug__in=LAB_OF.values())}


def _history(experiment: Experiment, target: str, n: int) -> None:
    """Phase changes from the problem to `target`, two months apart."""
    steps = list(PATH)
    if target in (Phase.INCUBATOR, Phase.GENERALISED):
        steps.append(target)
    elif target == Phase.STOPPED:
        steps = [*PATH[:3], Phase.STOPPED]
    else:
        steps = steps[: steps.index(target) + 1]
    changes = []
    for i, phase in enumerate(steps):
        date = experiment.started_on + datetime.timedelta(days=60 * i)
        changes.append(PhaseChange(experiment=experiment, phase=phase, date=date))
    PhaseChange.objects.bulk_create(changes)
    last = changes[-1].date
    experiment.phase = target
    if target == Phase.INCUBATOR:
        experiment.incubator = INCUBATORS[n % len(INCUBATORS)]
        experiment.handed_over_on = last
        experiment.resulting_service = f"Service « {experiment.title} »"
    if target == Phase.STOPPED:
        experiment.stop_reason = STOP_REASONS[n % len(STOP_REASONS)]
    experiment.save()


def _evidence(experiment: Experiment, partners: list[Actor], n: int) -> None:
    """Hypothesis, indicator with monthly measurements, result and recommendation of an
    experiment past its exploration."""
    if experiment.phase in (Phase.PROBLEM, Phase.EXPLORATION):
        return
    Hypothesis.objects.create(
        experiment=experiment,
        text=f"Le public visé se saisit de la solution si elle vient à lui : {experiment.title}.",
        status=HypothesisStatus.CONFIRMED if n % 2 == 0 else HypothesisStatus.OPEN,
    )
    indicator = Indicator.objects.create(
        experiment=experiment,
        name="Personnes accompagnées jusqu'au bout de la démarche",
        unit="%",
        baseline=20,
        target=60,
    )
    Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            date=experiment.started_on + datetime.timedelta(days=120 + 30 * month),
            value=20 + (5 + n % 4) * month,
        )
        for month in range(1, 6)
    )
    Result.objects.create(
        experiment=experiment,
        text="Les usagers rencontrés disent avoir gagné du temps et de la confiance.",
        date=experiment.started_on + datetime.timedelta(days=270),
    )
    if partners:
        Recommendation.objects.create(
            experiment=experiment,
            addressed_to=partners[0],
            text="Inscrire la démarche testée dans l'offre de service permanente.",
            follow_up=(FollowUp.ACCEPTED, FollowUp.IMPLEMENTED, FollowUp.SENT)[n % 3],
        )


@transaction.atomic
def build_experiments(log) -> None:
    data = json.loads(DATA.read_text())
    labs = _labs()
    departements = {d.name: d for d in Departement.objects.all()}
    existing = set(Experiment.objects.values_list("slug", flat=True))
    created = 0
    for n, spec in enumerate(data["experiments"]):
        if spec["slug"] in existing:
            continue
        lab_slug = LAB_OF[spec["lab"]]
        relocate = spec["lab"] == "lab-occitanie"
        text = _relocated if relocate else str
        experiment = Experiment.objects.create(
            lab=labs[lab_slug],
            slug=spec["slug"],
            title=text(spec["title"]),
            problem=text(spec["problem"]),
            reframed_problem=text(spec["reframed"]),
            summary=text(spec["reframed"]),
            private_notes="Point d'étape à prévoir avec les partenaires.",
            published=n % 9 != 8,
            started_on=datetime.date(2018, 9, 1) + datetime.timedelta(days=23 * n),
        )
        experiment.search_text = " ".join((experiment.title, experiment.problem))
        experiment.themes.set(_themes(spec["themes"]))
        experiment.publics.set(_publics(spec["publics"]))
        territories = ["Finistère"] if relocate else spec["territories"]
        experiment.departements.set([departements[t] for t in territories if t in departements])
        partners = _partners(spec["partners"], lab_slug)
        experiment.partners.set(partners)
        _history(experiment, PLAN[n % len(PLAN)], n)
        _evidence(experiment, partners, n)
        created += 1
    linked = _accept_links(data)
    log(f"Expérimentations : {created} créées, {linked} liens acceptés entre laboratoires.")


def _accept_links(data) -> int:
    from kenlabour.lab.selectors.interconnections import pair_reason

    lab_of = {spec["slug"]: LAB_OF[spec["lab"]] for spec in data["experiments"]}
    pairs = [
        (a, b)
        for a, b in data["pairs"]
        if lab_of[a] != lab_of[b] and REFERENCE_LAB in (lab_of[a], lab_of[b])
    ][:ACCEPTED_LINKS]
    experiments = Experiment.objects.in_bulk(
        [slug for pair in pairs for slug in pair], field_name="slug"
    )
    linked = 0
    for slug_a, slug_b in pairs:
        a, b = sorted((experiments[slug_a], experiments[slug_b]), key=lambda e: e.pk)
        _link, created = Interconnection.objects.get_or_create(
            experiment_a=a,
            experiment_b=b,
            defaults={"status": LinkStatus.ACCEPTED, "reasons": pair_reason(a, b)},
        )
        if created:
            partners = set(a.partners.values_list("pk", flat=True))
            partners |= set(b.partners.values_list("pk", flat=True))
            graph_services.record_cooperation(
                partners,
                kind=LinkSourceKind.EXPERIMENT,
                reference=f"interconnexion-{a.pk}-{b.pk}",
                date=max(a.started_on, b.started_on),
                label=f"{a.title} ↔ {b.title}",
            )
            linked += 1
    return linked
