import datetime
import itertools

import factory
from django.utils import timezone

from kenlabour.lab.enums import ParticipantKind, RegistrationStatus
from kenlabour.lab.models import (
    Attendance,
    Lab,
    Method,
    Registration,
    Series,
    Theme,
    Workshop,
)
from kenlabour.network.tests.factories import commune

# --- workshops, registration, attendance, series, methods, calendars (workshops helper)


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab

    name = factory.Sequence(lambda n: f"Laboratoire {n}")
    slug = factory.Sequence(lambda n: f"labo-{n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class MethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Method

    name = factory.Sequence(lambda n: f"Méthode {n}")
    slug = factory.Sequence(lambda n: f"methode-{n}")
    how_to = "1. Accueillir.\n2. Faire travailler les participants par tables.\n3. Restituer."


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Cycle {n}")
    slug = factory.Sequence(lambda n: f"cycle-{n}")
    kind = "training_cycle"


def in_days(days: float, hour: int = 9) -> datetime.datetime:
    """An aware moment `days` from today, at `hour` o'clock in Paris."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class WorkshopFactory(factory.django.DjangoModelFactory):
    """A public workshop in Quimper, a week from now, 9 h–12 h."""

    class Meta:
        model = Workshop

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    slug = factory.Sequence(lambda n: f"atelier-{n}")
    purpose = "Comprendre le parcours des usagers."
    starts_at = factory.LazyFunction(lambda: in_days(7, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    commune = factory.LazyFunction(lambda: commune("29232"))
    address = "2 rue du Parc"
    capacity = 10
    attendance_code = factory.Sequence(lambda n: f"C{n:05d}")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Faker("name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"participant{n}@exemple.bzh")
    token = factory.Sequence(lambda n: f"jeton-{n:08d}")
    status = RegistrationStatus.CONFIRMED


# The audit counts the queries of its setup with the page's (at most 10 in all): these
# helpers write the fewest rows a page needs. The pages full of data are checked by
# axe-core in test_browser_workshops.py.


_audit_numbers = itertools.count(1)


def _bare_workshop(**kwargs) -> Workshop:
    """A lab and a workshop in Quimper next week, in two queries."""
    suffix = next(_audit_numbers)
    lab = Lab.objects.create(name="Laboratoire audité", slug=f"labo-audite-{suffix}")
    return Workshop.objects.create(
        lab=lab,
        title="Atelier audité",
        slug=f"atelier-audite-{suffix}",
        purpose="Comprendre le parcours des usagers.",
        starts_at=in_days(7, 9),
        ends_at=in_days(7, 12),
        commune_id="29232",
        capacity=10,
        attendance_code=f"AUDIT{suffix}",
        **kwargs,
    )


def audited_workshop() -> dict:
    return {"slug": _bare_workshop(synthesis="Trois pistes retenues.").slug}


def audited_attendance_sheet() -> dict:
    """A sign-in sheet (seen by a platform-wide facilitator)."""
    return {"slug": _bare_workshop().slug}


def audited_registration() -> dict:
    registration = Registration.objects.create(
        workshop=_bare_workshop(),
        name="Anne Le Goff",
        email="anne@exemple.bzh",
        token=f"jeton-audit-{next(_audit_numbers)}",
        status=RegistrationStatus.WAITING,
    )
    return {"token": registration.token}


def audited_series() -> dict:
    series = SeriesFactory()
    WorkshopFactory(lab=series.lab, series=series)
    return {"slug": series.slug}


def audited_method() -> dict:
    method = MethodFactory()
    WorkshopFactory(method=method)
    return {"slug": method.slug}


# --- impact dashboard and exports (impact helper) ------------------------------------


def on_day(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """An aware moment on `day` at `hour` o'clock in Paris."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def held_workshop(lab, day: datetime.date, **kwargs) -> Workshop:
    """A workshop of `lab` held on `day`, 9 h–12 h (in Quimper unless told otherwise)."""
    return WorkshopFactory(
        lab=lab,
        starts_at=on_day(day, 9),
        ends_at=on_day(day, 12),
        capacity=kwargs.pop("capacity", 200),
        **kwargs,
    )


class AttendanceFactory(factory.django.DjangoModelFactory):
    """A citizen user who came (walk-in), unless told otherwise."""

    class Meta:
        model = Attendance

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Usager {n}")
    kind = ParticipantKind.CITIZEN
    walk_in = True


def agent_at(workshop, directorate, **kwargs) -> Attendance:
    """A public agent of `directorate` (and its organisation) at `workshop`."""
    return AttendanceFactory(
        workshop=workshop,
        kind=ParticipantKind.PUBLIC_AGENT,
        organisation=directorate.organisation,
        directorate=directorate,
        **kwargs,
    )


# --- experiments and interconnections (experiments helper) ----------------------------


class PublicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lab.Public"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Public {n}")
    slug = factory.Sequence(lambda n: f"public-{n}")


class ExperimentFactory(factory.django.DjangoModelFactory):
    """A published experiment at the problem phase, started 90 days ago."""

    class Meta:
        model = "lab.Experiment"
        skip_postgeneration_save = True

    lab = factory.SubFactory(LabFactory)
    title = factory.Sequence(lambda n: f"Expérimentation {n}")
    slug = factory.Sequence(lambda n: f"experimentation-{n}")
    problem = "Les usagers renoncent à leurs droits devant les démarches en ligne."
    reframed_problem = "Comment accompagner les usagers éloignés du numérique ?"
    published = True
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if create:
            obj.phase_changes.create(phase="problem", date=obj.started_on)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lab.Indicator"

    experiment = factory.SubFactory(ExperimentFactory)
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "%"
    baseline = 10
    target = 50


def related_experiments():
    """Two published experiments of two labs that the similarity links (shared public,
    partner and problem words), each with a partner organisation."""
    from kenlabour.network.tests.factories import OrganisationFactory

    jeunes = PublicFactory(name="Jeunes de 16 à 25 ans", slug="jeunes-16-25")
    mission_locale = OrganisationFactory(name="Mission locale")
    permis = ExperimentFactory(
        title="Le permis de conduire pour l'emploi des jeunes",
        problem="Les jeunes demandeurs d'emploi refusent des offres faute de permis de conduire.",
        reframed_problem="Comment financer le permis de conduire des jeunes sans voiture ?",
    )
    rural = ExperimentFactory(
        title="Mobilité rurale des jeunes",
        problem="Les jeunes des villages sans voiture ni permis ne vont pas au travail.",
        reframed_problem="Comment organiser la mobilité des jeunes sans permis de conduire ?",
    )
    for experiment in (permis, rural):
        experiment.publics.add(jeunes)
    permis.partners.add(mission_locale, OrganisationFactory(name="Région Bretagne"))
    rural.partners.add(mission_locale, OrganisationFactory(name="Conseil départemental"))
    unrelated = ExperimentFactory(
        title="Signalétique des sentiers",
        problem="Les panneaux des sentiers de randonnée sont illisibles.",
        reframed_problem="",
    )
    return permis, rural, unrelated


def audited_experiment() -> dict:
    """An experiment with an hypothesis, an indicator, a measurement, a result, a
    recommendation, a related experiment suggested and one linked: what its page (with
    the facilitators' small forms), phase, measurement and follow-up forms show."""
    from kenlabour.lab.models import (
        Hypothesis,
        Interconnection,
        Measurement,
        Recommendation,
        Result,
    )

    permis, _rural, _unrelated = related_experiments()
    indicator = IndicatorFactory(experiment=permis, name="Jeunes ayant obtenu le permis")
    Measurement.objects.create(
        indicator=indicator, date=permis.started_on + datetime.timedelta(days=30), value=20
    )
    Hypothesis.objects.create(
        experiment=permis, text="Un permis financé lève le premier frein à l'embauche."
    )
    Result.objects.create(
        experiment=permis,
        text="Douze jeunes sur vingt ont obtenu le permis en six mois.",
        date=permis.started_on + datetime.timedelta(days=60),
    )
    Recommendation.objects.create(
        experiment=permis,
        addressed_to=permis.partners.get(name="Mission locale"),
        text="Financer le code de la route dès l'inscription.",
    )
    third = ExperimentFactory(
        title="Le permis de conduire en mission locale",
        problem="Les jeunes suivis par la mission locale n'ont pas le permis de conduire.",
    )
    a, b = sorted((permis, third), key=lambda e: e.pk)
    Interconnection.objects.create(
        experiment_a=a, experiment_b=b, status="accepted", reasons="Problèmes proches"
    )
    return {"slug": permis.slug}


def audited_impact() -> dict:
    """A lab with a year of workshops (agents of two administrations, citizens), for the
    accessibility audit of the impact dashboard: ?labo=labo-audit-impact&annee=2019."""
    from kenlabour.network.enums import OrganisationKind
    from kenlabour.network.tests.factories import DirectorateFactory, OrganisationFactory

    lab = LabFactory(slug="labo-audit-impact", name="Laboratoire audité")
    theme = ThemeFactory()
    state = OrganisationFactory(organisation_kind=OrganisationKind.STATE)
    region = OrganisationFactory(organisation_kind=OrganisationKind.REGIONAL_COUNCIL)
    directorates = [DirectorateFactory(organisation=org) for org in (state, region, state)]
    for month in range(1, 13, 2):
        workshop = held_workshop(lab, datetime.date(2019, month, 10))
        workshop.themes.add(theme)
        for directorate in directorates[: 1 + month % 3]:
            agent_at(workshop, directorate)
        AttendanceFactory(workshop=workshop)
    return {}
