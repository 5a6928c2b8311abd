"""Attendance of a series' cohort, on plain values (no Django).

A participant is known by an identity key: the network actor when there is one, else
the registration's e-mail, else the name as written (case and accents folded) — the same
key as the impact figures use.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kenlabour.territories.geo import normalise


def identity(person_id: int | None, email: str | None, name: str) -> str:
    if person_id is not None:
        return f"acteur:{person_id}"
    if email:
        return f"courriel:{email.strip().lower()}"
    return f"nom:{normalise(name)}"


@dataclass(frozen=True)
class CohortFigures:
    sessions: int
    distinct_participants: int
    attended_every_session: int
    per_session: dict[int, int]  # workshop id → distinct participants


def cohort_figures(session_ids: Iterable[int], rows: Iterable[tuple[int, str]]) -> CohortFigures:
    """`rows` are (workshop id, identity key) pairs, one per attendance."""
    sessions = list(dict.fromkeys(session_ids))
    attendees: dict[int, set[str]] = defaultdict(set)
    for workshop_id, key in rows:
        attendees[workshop_id].add(key)
    everyone = set().union(*attendees.values()) if attendees else set()
    every_session = (
        set.intersection(*(attendees.get(s, set()) for s in sessions)) if sessions else set()
    )
    return CohortFigures(
        sessions=len(sessions),
        distinct_participants=len(everyone),
        attended_every_session=len(every_session),
        per_session={s: len(attendees.get(s, set())) for s in sessions},
    )
