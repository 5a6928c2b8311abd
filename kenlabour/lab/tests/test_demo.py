"""The demo's reference year yields what the field reports, recomputed from the attendance
records with plain ORM counts (independently of the impact selectors), and matches the
dashboard."""

import datetime

import pytest
from django.utils import timezone

from kenlabour.lab import demo
from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.models import Attendance, Lab, Method, Public, Series, Theme, Workshop
from kenlabour.lab.selectors import impact as selectors
from kenlabour.network import demo as network_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        network_demo.build(lambda line: None)
        demo.build(lambda line: None)
        yield
        # Module-scoped data outside a test transaction: leave the database as found.
        Attendance.objects.all().delete()
        Workshop.objects.all().delete()
        Series.objects.all().delete()
        Lab.objects.all().delete()
        for model in (Theme, Public, Method):
            model.objects.all().delete()
        from kenlabour.network.models import Actor, Link

        Link.objects.all().delete()
        Actor.objects.all().delete()


def _reference_year():
    start = timezone.make_aware(datetime.datetime(demo.REFERENCE_YEAR, 1, 1))
    end = timezone.make_aware(datetime.datetime(demo.REFERENCE_YEAR + 1, 1, 1))
    return Workshop.objects.filter(
        lab__slug=demo.REFERENCE_LAB, starts_at__gte=start, starts_at__lt=end
    )


def test_the_reference_year_yields_the_field_figures_and_the_dashboard_agrees(demo_data):
    workshops = _reference_year()
    attendance = Attendance.objects.filter(workshop__in=workshops)
    professionals = attendance.filter(kind__in=ParticipantKind.professionals())
    held = workshops.count()
    participations = professionals.count()
    citizens = attendance.filter(kind=ParticipantKind.CITIZEN).values("name").distinct().count()
    people = {person or name for person, name in professionals.values_list("person_id", "name")}
    directorates = (
        attendance.filter(directorate__isnull=False).values("directorate").distinct().count()
    )

    assert held > 160
    assert 2700 <= participations <= 3300
    assert 700 <= citizens <= 900

    lab = Lab.objects.get(slug=demo.REFERENCE_LAB)
    figures = selectors.impact_report(
        selectors.ImpactFilters(lab=lab, year=demo.REFERENCE_YEAR)
    ).impact
    assert figures.workshops == held
    assert figures.professional_participations == participations
    assert figures.citizens == citizens
    assert figures.distinct_professionals == len(people)
    assert figures.directorates == directorates
    assert 0 < figures.cross_silo_index < 1
    assert 0 < figures.return_rate <= 1


def test_the_demo_has_three_labs_its_library_and_series_and_runs_again_unchanged(demo_data):
    assert Lab.objects.count() == 3
    assert Lab.objects.get(slug=demo.REFERENCE_LAB).organisation.slug in (
        "prefecture-region-bretagne",
        "region-bretagne",
    )
    assert Theme.objects.filter(slug="lab-acces").exists()
    assert Method.objects.filter(how_to__contains="1.").count() >= 6
    assert Public.objects.count() >= 6
    series = {s.slug: (s.kind, s.workshops.count()) for s in Series.objects.all()}
    this_year = demo.PRESENT_SERIES[0].format(year=timezone.localdate().year)
    assert series == {
        "cycle-design-politiques-publiques-2019": ("training_cycle", 6),
        "marathon-biblioremix-2019": ("marathon", 2),
        this_year: ("training_cycle", len(demo.PRESENT_SERIES_SESSIONS)),
    }
    counts = Workshop.objects.count(), Attendance.objects.count()
    demo.build(lambda line: None)
    assert (Workshop.objects.count(), Attendance.objects.count()) == counts


def test_the_demo_lives_in_the_present_for_every_lab(demo_data):
    from kenlabour.lab.models import Registration

    now = timezone.now()
    today = timezone.localdate()
    for lab in Lab.objects.all():
        upcoming = Workshop.objects.filter(
            lab=lab, starts_at__gt=now, registration_closed=False, published=True
        )
        assert upcoming.count() >= 2, lab.slug
        recent = Workshop.objects.filter(
            lab=lab, ends_at__lt=now, starts_at__gte=now - datetime.timedelta(days=60)
        )
        assert recent.exists() and Attendance.objects.filter(workshop__in=recent).exists()
    near_rennes = Workshop.objects.filter(
        starts_at__gt=now, registration_closed=False, commune__code__in={"35238", "35051"}
    )
    assert near_rennes.count() >= 3
    # A workshop under way today, with people registered, for the sign-in sheet: a few
    # already ticked (a tick to undo), its programme attached.
    today_workshop = Workshop.objects.get(starts_at__lte=now, ends_at__gte=now)
    assert timezone.localtime(today_workshop.starts_at).date() <= today
    assert today_workshop.registrations.count() > 0
    ticked = Attendance.objects.filter(workshop=today_workshop, registration__isnull=False)
    assert ticked.count() == len(demo.PRESENT_MARKED)
    assert today_workshop.files.count() == 1
    # Held workshops of the last weeks publish their synthesis, a real PDF.
    held = Workshop.objects.filter(
        ends_at__lt=now, starts_at__gte=now - datetime.timedelta(days=60)
    )
    assert all(w.files.count() == 1 for w in held)
    with held.first().files.get().file.open("rb") as synthesis:
        assert synthesis.read(5) == b"%PDF-"
    # This year's cycle has sessions held and to come.
    sessions = Workshop.objects.filter(series__slug__endswith=str(today.year))
    assert sessions.filter(ends_at__lt=now).exists()
    assert sessions.filter(starts_at__gt=now, registration_closed=False).exists()
    # Tokens are random, and running the demo again adds nothing.
    tokens = list(Registration.objects.values_list("token", flat=True))
    assert len(set(tokens)) == len(tokens) and all(len(t) >= 32 for t in tokens)
    before = Workshop.objects.count(), Registration.objects.count()
    demo.build(lambda line: None)
    assert (Workshop.objects.count(), Registration.objects.count()) == before
