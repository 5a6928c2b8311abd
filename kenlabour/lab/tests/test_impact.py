"""The impact figures on plain rows: hand-checked cases, then properties that must hold
for any attendance."""

import dataclasses
import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kenlabour.lab import impact
from kenlabour.lab.enums import ParticipantKind
from kenlabour.lab.impact import AttendanceRow, PartnerRow, Selection, WorkshopRow

D = datetime.date
AS_OF = D(2026, 1, 1)
STATE, REGION, ASSOCIATION = 1, 2, 3  # organisations: two administrations, one not


def agent(workshop, person, organisation=STATE, directorate=None):
    return AttendanceRow(
        workshop=workshop,
        kind=impact.PUBLIC_AGENT,
        person=person,
        organisation=organisation,
        administration=organisation in (STATE, REGION),
        directorate=directorate,
    )


def citizen(workshop, person):
    return AttendanceRow(workshop=workshop, kind=impact.CITIZEN, person=person)


def test_professional_kinds_are_those_of_the_enum():
    assert ParticipantKind.professionals() == impact.PROFESSIONAL_KINDS
    assert set(impact.KINDS) == set(ParticipantKind.values)


def test_figures_of_a_small_year_by_hand():
    workshops = [
        WorkshopRow(1, D(2019, 3, 5), lab=1, themes=frozenset({10}), departement="35"),
        WorkshopRow(2, D(2019, 3, 20), lab=1, themes=frozenset({11}), departement="29"),
        WorkshopRow(3, D(2019, 9, 1), lab=1),
        WorkshopRow(4, D(2019, 9, 1), lab=2),  # another lab
        WorkshopRow(5, D(2018, 12, 1), lab=1),  # another year
    ]
    attendances = [
        agent(1, "a", STATE, directorate=100),
        agent(1, "b", REGION, directorate=200),  # two administrations: cross-silo
        citizen(1, "x"),
        citizen(1, "y"),
        agent(2, "a", STATE, directorate=100),
        AttendanceRow(2, impact.MAKER, "m", organisation=ASSOCIATION),
        AttendanceRow(2, impact.ELECTED, "e"),
        citizen(2, "x"),  # the same citizen again
        agent(4, "z", STATE, directorate=300),
        agent(5, "a", STATE, directorate=100),
    ]
    figures = impact.compute(Selection.year(2019, lab=1), workshops, attendances, as_of=AS_OF)
    assert figures.workshops == 3
    assert figures.professional_participations == 5  # a, b, a, m, e
    assert figures.distinct_professionals == 4  # a, b, m, e
    assert figures.citizens == 2  # x, y
    assert figures.organisations == 3  # state, region, association
    assert figures.directorates == 2  # 100, 200
    assert figures.cross_silo_workshops == 1
    assert figures.cross_silo_index == 1 / 3
    assert figures.participations_by_kind == {
        impact.PUBLIC_AGENT: 3,
        impact.CITIZEN: 3,
        impact.MAKER: 1,
        impact.ELECTED: 1,
        impact.OTHER: 0,
    }
    assert figures.workshops_by_month == {(2019, 3): 2, (2019, 9): 1}
    assert impact.months_of(2019, figures.workshops_by_month)[2] == (3, 2)
    # Directorate 100 came back on 20 March, 15 days after 5 March; 200 never did.
    assert (figures.returning_directorates, figures.observable_directorates) == (1, 2)
    assert figures.return_rate == 0.5

    by_theme = impact.compute(
        Selection.year(2019, lab=1, theme=11), workshops, attendances, as_of=AS_OF
    )
    assert (by_theme.workshops, by_theme.professional_participations) == (1, 3)
    in_finistere = impact.compute(Selection(departement="29"), workshops, attendances, as_of=AS_OF)
    assert in_finistere.workshops == 1


def test_cross_silo_needs_two_administrations_or_three_directorates():
    one_admin_two_directorates = [agent(1, "a", STATE, 1), agent(1, "b", STATE, 2)]
    assert not impact.is_cross_silo(one_admin_two_directorates)
    assert impact.is_cross_silo([*one_admin_two_directorates, agent(1, "c", STATE, 3)])
    assert impact.is_cross_silo([agent(1, "a", STATE), agent(1, "b", REGION)])
    # An association beside one administration does not break a silo.
    assert not impact.is_cross_silo([agent(1, "a", STATE), agent(1, "m", ASSOCIATION)])
    assert not impact.is_cross_silo([])


def _return_case(later: datetime.date, *, lab: int = 1, as_of=AS_OF, partner=False):
    workshops = [WorkshopRow(1, D(2019, 2, 10), lab=1)]
    attendances = [agent(1, "a", directorate=7)]
    partners = []
    if partner:
        partners.append(PartnerRow(experiment=9, lab=lab, directorate=7, date=later))
    else:
        workshops.append(WorkshopRow(2, later, lab=lab))
        attendances.append(agent(2, "b", directorate=7))
    return impact.compute(
        Selection(lab=1, start=D(2019, 1, 1), end=D(2019, 3, 31)),
        workshops,
        attendances,
        partners,
        as_of=as_of,
    )


def test_a_directorate_back_after_eleven_months_returns_not_after_thirteen():
    back = _return_case(D(2020, 1, 10))  # eleven months later, the year after
    assert (back.returning_directorates, back.observable_directorates) == (1, 1)
    assert back.return_rate == 1.0
    late = _return_case(D(2020, 3, 10))  # thirteen months later
    assert (late.returning_directorates, late.observable_directorates) == (0, 1)
    assert late.return_rate == 0.0
    # The 365th day is still within twelve months; the same day is not a return.
    assert _return_case(D(2020, 2, 10)).return_rate == 1.0
    assert _return_case(D(2019, 2, 10)).return_rate == 0.0


def test_a_return_as_experiment_partner_counts_in_the_same_lab_only():
    assert _return_case(D(2019, 6, 1), partner=True).return_rate == 1.0
    assert _return_case(D(2019, 6, 1), partner=True, lab=2).return_rate == 0.0
    assert _return_case(D(2019, 6, 1), lab=2).return_rate == 0.0


def test_a_directorate_whose_year_has_not_elapsed_is_pending():
    figures = _return_case(D(2020, 3, 10), as_of=D(2019, 12, 31))
    assert (figures.pending_directorates, figures.observable_directorates) == (1, 0)
    assert figures.return_rate is None
    # Even a directorate already back is pending: counting early returners only would
    # inflate the rate.
    early = _return_case(D(2019, 6, 1), as_of=D(2019, 12, 31))
    assert (early.pending_directorates, early.returning_directorates) == (1, 0)


def test_workshops_to_come_are_not_held_and_nothing_means_none():
    workshops = [WorkshopRow(1, D(2026, 6, 1), lab=1)]
    figures = impact.compute(Selection(), workshops, [citizen(1, "x")], as_of=AS_OF)
    assert (figures.workshops, figures.citizens) == (0, 0)
    assert figures.cross_silo_index is None
    assert figures.return_rate is None
    assert impact.years_between({}) == []
    assert impact.years_between({2018: 2, 2020: 1}) == [(2018, 2), (2019, 0), (2020, 1)]


# --- properties -------------------------------------------------------------------------

# Generating attendance is slower than checking it; on a busy machine, neither a deadline
# nor the "too slow" health check says anything about the code under test.
relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ORGANISATIONS = {1: True, 2: True, 3: True, 4: False, 5: False}  # id -> administration


@st.composite
def attendance_rows(draw, workshop_ids):
    workshop = draw(st.sampled_from(workshop_ids))
    kind = draw(st.sampled_from(impact.KINDS))
    person = draw(st.sampled_from("abcdefghij"))
    organisation = draw(st.none() | st.sampled_from(sorted(ORGANISATIONS)))
    directorate = draw(st.none() | st.integers(1, 6))
    return AttendanceRow(
        workshop=workshop,
        kind=kind,
        person=person,
        organisation=organisation,
        administration=ORGANISATIONS.get(organisation, False),
        directorate=directorate,
    )


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 12))
    workshops = [
        WorkshopRow(
            id=pk,
            date=draw(st.dates(D(2018, 1, 1), D(2021, 12, 31))),
            lab=draw(st.sampled_from([1, 2])),
            themes=frozenset(draw(st.sets(st.sampled_from([1, 2, 3]), max_size=2))),
            departement=draw(st.sampled_from(["22", "29", None])),
        )
        for pk in range(1, count + 1)
    ]
    attendances = draw(st.lists(attendance_rows(list(range(1, count + 1))), max_size=40))
    partners = draw(
        st.lists(
            st.builds(
                PartnerRow,
                experiment=st.integers(1, 3),
                lab=st.sampled_from([1, 2]),
                directorate=st.integers(1, 6),
                date=st.dates(D(2018, 1, 1), D(2021, 12, 31)),
            ),
            max_size=6,
        )
    )
    selection = draw(
        st.builds(
            Selection,
            lab=st.none() | st.sampled_from([1, 2]),
            theme=st.none() | st.sampled_from([1, 2, 3]),
            departement=st.none() | st.sampled_from(["22", "29"]),
        )
        | st.builds(
            lambda y, lab: Selection.year(y, lab=lab),
            st.sampled_from([2018, 2019, 2020]),
            st.none() | st.sampled_from([1, 2]),
        )
    )
    as_of = draw(st.dates(D(2018, 6, 1), D(2023, 1, 1)))
    return selection, workshops, attendances, partners, as_of


def _compute(scenario, **changes):
    selection, workshops, attendances, partners, as_of = scenario
    parts = {
        "selection": selection,
        "workshops": workshops,
        "attendances": attendances,
        "partners": partners,
        "as_of": as_of,
        **changes,
    }
    return impact.compute(
        parts["selection"],
        parts["workshops"],
        parts["attendances"],
        parts["partners"],
        as_of=parts["as_of"],
    )


@relaxed
@given(scenarios())
def test_figures_stay_within_their_bounds(scenario):
    figures = _compute(scenario)
    assert figures.cross_silo_index is None or 0 <= figures.cross_silo_index <= 1
    assert figures.return_rate is None or 0 <= figures.return_rate <= 1
    assert figures.cross_silo_workshops <= figures.workshops
    assert figures.distinct_professionals <= figures.professional_participations
    assert figures.citizens <= figures.participations_by_kind[impact.CITIZEN]
    assert figures.returning_directorates <= figures.observable_directorates
    assert figures.observable_directorates + figures.pending_directorates == figures.directorates
    assert sum(figures.workshops_by_month.values()) == figures.workshops
    assert sum(figures.participations_by_kind.values()) >= figures.professional_participations


@relaxed
@given(scenarios())
def test_the_order_of_the_rows_does_not_matter(scenario):
    _selection, workshops, attendances, partners, _as_of = scenario
    assert _compute(scenario) == _compute(
        scenario,
        workshops=workshops[::-1],
        attendances=attendances[::-1],
        partners=partners[::-1],
    )


@relaxed
@given(scenarios(), st.lists(st.sampled_from([1, 4, 5]), max_size=3), st.integers(1, 2))
def test_a_siloed_workshop_never_raises_the_index(scenario, organisations, directorates):
    """A workshop with one administration at most (the others are associations, firms…)
    and at most two directorates lowers or keeps the index; it never raises it."""
    selection, workshops, attendances, _partners, as_of = scenario
    day = selection.start or as_of
    as_of = max(as_of, day)  # the new workshop is held
    before = _compute(scenario, as_of=as_of)
    new = WorkshopRow(
        id=999,
        date=day,
        lab=selection.lab or 1,
        themes=frozenset({selection.theme} if selection.theme else ()),
        departement=selection.departement,
    )
    rows = [
        agent(999, f"n{i}", organisation, directorate=i % directorates)
        for i, organisation in enumerate(organisations)
    ]
    after = _compute(
        scenario, workshops=[*workshops, new], attendances=[*attendances, *rows], as_of=as_of
    )
    assert after.workshops == before.workshops + 1
    if before.cross_silo_index is not None:
        assert after.cross_silo_index <= before.cross_silo_index
    # …while one that brings the State and the Region together never lowers it.
    meeting = [agent(999, "s", STATE), agent(999, "r", REGION)]
    joined = _compute(
        scenario, workshops=[*workshops, new], attendances=[*attendances, *meeting], as_of=as_of
    )
    assert joined.cross_silo_index >= (before.cross_silo_index or 0)


@relaxed
@given(scenarios(), st.data())
def test_more_attendance_never_lowers_a_figure(scenario, data):
    _selection, workshops, attendances, _partners, _as_of = scenario
    extra = data.draw(st.lists(attendance_rows([w.id for w in workshops]), max_size=10))
    before, after = _compute(scenario), _compute(scenario, attendances=[*attendances, *extra])
    for name in (
        "workshops",
        "professional_participations",
        "distinct_professionals",
        "citizens",
        "organisations",
        "directorates",
        "cross_silo_workshops",
    ):
        assert getattr(after, name) >= getattr(before, name), name


@relaxed
@given(scenarios(), st.data())
def test_experiment_partnerships_only_add_returns(scenario, data):
    partners = scenario[3]
    extra = data.draw(
        st.lists(
            st.builds(
                PartnerRow,
                experiment=st.just(7),
                lab=st.sampled_from([1, 2]),
                directorate=st.integers(1, 6),
                date=st.dates(D(2018, 1, 1), D(2022, 12, 31)),
            ),
            max_size=5,
        )
    )
    before, after = _compute(scenario), _compute(scenario, partners=[*partners, *extra])
    assert after.returning_directorates >= before.returning_directorates
    assert dataclasses.replace(
        after, returning_directorates=0, return_rate=None
    ) == dataclasses.replace(before, returning_directorates=0, return_rate=None)


@relaxed
@given(scenarios())
def test_labs_add_up(scenario):
    """Workshops and participations of all labs are the sums of each lab's; people and
    organisations seen in several labs are counted once overall, so at most the sum."""
    selection, *_rest = scenario
    whole = _compute(scenario, selection=dataclasses.replace(selection, lab=None))
    parts = [
        _compute(scenario, selection=dataclasses.replace(selection, lab=lab)) for lab in (1, 2)
    ]
    for name in ("workshops", "professional_participations", "cross_silo_workshops"):
        assert getattr(whole, name) == sum(getattr(part, name) for part in parts), name
    for name in ("distinct_professionals", "citizens", "organisations", "directorates"):
        assert max(getattr(p, name) for p in parts) <= getattr(whole, name)
        assert getattr(whole, name) <= sum(getattr(part, name) for part in parts), name
