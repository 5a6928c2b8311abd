"""The attendance of a series' cohort, on plain values."""

from hypothesis import given
from hypothesis import strategies as st

from kenlabour.lab.cohort import cohort_figures, identity


def test_identity_prefers_the_actor_then_the_email_then_the_name():
    assert identity(7, "a@x.fr", "Anne") == "acteur:7"
    assert identity(None, " A@X.fr ", "Anne") == "courriel:a@x.fr"
    assert identity(None, "", "  Anne   LE  Goff ") == identity(None, None, "anne le goff")
    assert identity(None, "", "Hélène") == identity(None, "", "HELENE")


def test_a_cycle_counts_distinct_participants_and_those_who_came_every_time():
    rows = [(1, "a"), (1, "b"), (2, "a"), (2, "c"), (3, "a"), (3, "b"), (3, "a")]
    figures = cohort_figures([1, 2, 3], rows)
    assert figures.sessions == 3
    assert figures.distinct_participants == 3
    assert figures.attended_every_session == 1
    assert figures.per_session == {1: 2, 2: 2, 3: 2}


def test_a_session_nobody_attended_means_nobody_attended_every_session():
    figures = cohort_figures([1, 2], [(1, "a")])
    assert (figures.attended_every_session, figures.per_session) == (0, {1: 1, 2: 0})


def test_no_session():
    figures = cohort_figures([], [])
    assert (figures.sessions, figures.distinct_participants, figures.attended_every_session) == (
        0,
        0,
        0,
    )


sessions = st.lists(st.integers(1, 6), min_size=1, max_size=6, unique=True)


@given(
    sessions.flatmap(
        lambda s: st.tuples(
            st.just(s),
            st.lists(st.tuples(st.sampled_from(s), st.sampled_from("abcdefg")), max_size=40),
        )
    )
)
def test_the_figures_are_bounded_and_order_free(case):
    session_ids, rows = case
    figures = cohort_figures(session_ids, rows)
    assert figures.attended_every_session <= figures.distinct_participants
    assert max(figures.per_session.values()) <= figures.distinct_participants
    assert figures.distinct_participants <= sum(figures.per_session.values())
    assert figures.attended_every_session <= min(figures.per_session.values())
    assert cohort_figures(list(reversed(session_ids)), list(reversed(rows))) == figures
