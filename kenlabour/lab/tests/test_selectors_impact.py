"""Impact selectors against hand-built records: what the dashboard shows is what the
attendance says, in a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.models import Experiment, PhaseChange
from kenlabour.lab.selectors import impact as selectors
from kenlabour.lab.tests.factories import (
    AttendanceFactory,
    LabFactory,
    RegistrationFactory,
    ThemeFactory,
    agent_at,
    held_workshop,
)
from kenlabour.network.enums import OrganisationKind
from kenlabour.network.tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    PersonFactory,
    commune,
)
from kenlabour.territories.models import Departement

pytestmark = pytest.mark.django_db
D = datetime.date
AS_OF = D(2026, 1, 1)


def report(**filters):
    return selectors.impact_report(selectors.ImpactFilters(**filters), as_of=AS_OF).impact


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def state():
    return OrganisationFactory(organisation_kind=OrganisationKind.STATE)


@pytest.fixture
def region():
    return OrganisationFactory(organisation_kind=OrganisationKind.REGIONAL_COUNCIL)


def test_a_workshop_with_two_administrations_counts_toward_the_index(lab, state, region):
    together = held_workshop(lab, D(2019, 3, 5))
    agent_at(together, DirectorateFactory(organisation=state))
    agent_at(together, DirectorateFactory(organisation=region))
    alone = held_workshop(lab, D(2019, 4, 5))
    agent_at(alone, DirectorateFactory(organisation=state))
    agent_at(alone, DirectorateFactory(organisation=state))
    # An association beside the State does not break a silo either.
    with_association = held_workshop(lab, D(2019, 5, 5))
    agent_at(with_association, DirectorateFactory(organisation=state))
    AttendanceFactory(
        workshop=with_association,
        kind=ParticipantKind.OTHER,
        organisation=OrganisationFactory(organisation_kind=OrganisationKind.ASSOCIATION),
    )
    figures = report(lab=lab, year=2019)
    assert (figures.workshops, figures.cross_silo_workshops) == (3, 1)
    assert figures.cross_silo_index == pytest.approx(1 / 3)
    assert figures.organisations == 3
    assert figures.directorates == 5


def test_three_directorates_of_one_administration_break_a_silo(lab, state):
    workshop = held_workshop(lab, D(2019, 3, 5))
    for _ in range(3):
        agent_at(workshop, DirectorateFactory(organisation=state))
    assert report(lab=lab).cross_silo_workshops == 1


@pytest.mark.parametrize(("months_later", "returned"), [(11, 1), (13, 0)])
def test_a_directorate_returns_within_twelve_months_only(lab, state, months_later, returned):
    directorate = DirectorateFactory(organisation=state)
    agent_at(held_workshop(lab, D(2019, 6, 3)), directorate)
    later = D(2019, 6, 3) + datetime.timedelta(days=round(months_later * 30.5))
    agent_at(held_workshop(lab, later), directorate)
    figures = report(lab=lab, year=2019)
    assert figures.workshops == 1  # the return, the year after, is not a 2019 workshop…
    assert figures.returning_directorates == returned  # …but it is a return
    assert figures.observable_directorates == 1
    assert figures.return_rate == returned


def test_a_return_as_partner_of_an_experiment_counts(lab, state):
    directorate = DirectorateFactory(organisation=state)
    agent_at(held_workshop(lab, D(2019, 2, 1)), directorate)
    experiment = Experiment.objects.create(
        lab=lab, title="Lab accès", slug="lab-acces", problem="…", started_on=D(2018, 1, 1)
    )
    experiment.partner_directorates.add(directorate)
    assert report(lab=lab, year=2019).returning_directorates == 0  # started before
    PhaseChange.objects.create(experiment=experiment, phase="prototype", date=D(2019, 9, 1))
    assert report(lab=lab, year=2019).returning_directorates == 1
    # A return to another lab is not a return to this one.
    assert report(lab=LabFactory(), year=2019).directorates == 0


def test_people_are_counted_once_however_they_are_known(lab, state):
    first, second = held_workshop(lab, D(2019, 1, 10)), held_workshop(lab, D(2019, 2, 10))
    person = PersonFactory()
    directorate = DirectorateFactory(organisation=state)
    for workshop in (first, second):
        agent_at(workshop, directorate, person=person, name=person.name)
        # A walk-in citizen known only by name, written differently the second time.
        AttendanceFactory(
            workshop=workshop, name="Soizic Le Goff" if workshop == first else "SOIZIC LE GOFF"
        )
        # A citizen who registered with an e-mail, with a different spelling of the name.
        registration = RegistrationFactory(workshop=workshop, email="ronan@exemple.bzh", name="R.")
        AttendanceFactory(workshop=workshop, registration=registration, name=f"Ronan {workshop.pk}")
    figures = report(lab=lab, year=2019)
    assert figures.professional_participations == 2
    assert figures.distinct_professionals == 1
    assert figures.citizens == 2
    assert figures.participations_by_kind[ParticipantKind.CITIZEN] == 4


def test_filters_by_lab_theme_and_departement(lab, state):
    mobility = ThemeFactory(name="Mobilité", slug="mobilite")
    in_quimper = held_workshop(lab, D(2019, 3, 1))
    in_quimper.themes.add(mobility)
    in_rennes = held_workshop(lab, D(2019, 3, 2), commune=commune("35238"))
    online = held_workshop(
        lab, D(2019, 3, 3), commune=None, online_url="https://visio.exemple.bzh/a"
    )
    other_lab = held_workshop(LabFactory(), D(2019, 3, 4))
    for workshop in (in_quimper, in_rennes, online, other_lab):
        AttendanceFactory(workshop=workshop)
    assert report().workshops == 4
    assert report(lab=lab).workshops == 3
    assert report(theme=mobility).workshops == 1
    assert report(departement=Departement.objects.get(code="35")).citizens == 1
    assert report(lab=lab, departement=Departement.objects.get(code="29")).workshops == 1
    assert report(year=2018).workshops == 0
    # A workshop to come is not held.
    held_workshop(lab, AS_OF + datetime.timedelta(days=30))
    assert report(lab=lab).workshops == 3


def _queries(**filters) -> int:
    with CaptureQueriesContext(connection) as context:
        report(**filters)
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_workshops(lab, state, region):
    theme = ThemeFactory()
    experiment = Experiment.objects.create(
        lab=lab, title="E", slug="e", problem="…", started_on=D(2019, 1, 1)
    )

    def add_workshops(count):
        for n in range(count):
            workshop = held_workshop(lab, D(2019, 1, 1) + datetime.timedelta(days=n))
            workshop.themes.add(theme)
            directorate = DirectorateFactory(organisation=state if n % 2 else region)
            experiment.partner_directorates.add(directorate)
            agent_at(workshop, directorate, person=PersonFactory())
            AttendanceFactory(workshop=workshop)

    filters = {
        "lab": lab,
        "year": 2019,
        "theme": theme,
        "departement": Departement.objects.get(code="29"),
    }
    add_workshops(2)
    few = _queries(**filters), _queries()
    add_workshops(18)
    assert report(**filters).workshops == 20
    assert (_queries(**filters), _queries()) == few
    assert max(few) <= 6
