"""Impact of a lab, computed from attendance: plain rows in, figures out. No Django import.

The selectors gather the rows (one query per kind of row); this module defines every
figure once, so that the dashboard, its exports and the tests agree.

Definitions, for a selection (a lab, a period, a theme, a département, a series; each
optional):

- **Workshops held**: the selected workshops whose date (the local day they start) is on
  or before `as_of`. A workshop still to come is not held; a held workshop with no
  attendance recorded counts (it took place; it just brought nobody that was recorded).
- **Participations of professionals**: attendance rows of held workshops whose kind is a
  professional one (`PROFESSIONAL_KINDS`: public agents, elected officials, makers,
  others). One person at three workshops is three participations.
- **Distinct professionals**, **citizen users involved**: distinct person keys among the
  professional rows, among the citizen rows. A person key is chosen by the caller (the
  network actor when there is one, else the registration e-mail, else the name as
  written); it is never shown.
- **Organisations**, **directorates involved**: distinct organisations, directorates on
  the attendance rows of held workshops.
- **Cross-silo index**: the share of held workshops that brought together at least two
  administrations (distinct organisations whose kind is an administration) or at least
  three directorates. None when no workshop was held.
- **Return rate**: of the directorates involved, the share that took part again within
  365 days. Precisely: for each directorate involved, its *first participation* is the
  earliest day of a held selected workshop it attended. It *returned* when it has
  another participation on a later day, at most 365 days after the first: attending any
  held workshop, or a dated milestone (start, change of phase) of an experiment it is a
  partner of. The return may fall after the period (a directorate first seen in
  December returns in March of the next year) and in any theme or territory, but within
  the selected lab (with no lab selected, in any lab). The edge of the period is handled
  honestly: a directorate whose 365 days after its first participation have not all
  elapsed by `as_of` is *pending*, neither in the numerator nor in the denominator
  (counting early returners while leaving out those that may still come back would bias
  the rate either way). None when no directorate is observable yet.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

RETURN_WINDOW_DAYS = 365
CROSS_SILO_ADMINISTRATIONS = 2
CROSS_SILO_DIRECTORATES = 3

# The values of lab.enums.ParticipantKind (kept here as text: no Django import).
PUBLIC_AGENT, CITIZEN, MAKER, ELECTED, OTHER = (
    "public_agent",
    "citizen",
    "maker",
    "elected",
    "other",
)
KINDS = (PUBLIC_AGENT, CITIZEN, MAKER, ELECTED, OTHER)
PROFESSIONAL_KINDS = frozenset({PUBLIC_AGENT, ELECTED, MAKER, OTHER})


@dataclass(frozen=True)
class WorkshopRow:
    id: int
    date: datetime.date  # the local day it starts
    lab: int
    themes: frozenset[int] = frozenset()
    departement: str | None = None  # of its commune; None when online only
    series: int | None = None


@dataclass(frozen=True)
class AttendanceRow:
    workshop: int
    kind: str  # a ParticipantKind value
    person: str  # a stable key for the person, never shown
    # An id of the directory, or a text key for a name typed outside it.
    organisation: int | str | None = None
    administration: bool = False  # the organisation's kind is an administration
    directorate: int | str | None = None


@dataclass(frozen=True)
class PartnerRow:
    """A dated milestone of an experiment, for one of its partner directorates."""

    experiment: int
    lab: int
    directorate: int
    date: datetime.date


@dataclass(frozen=True)
class Selection:
    lab: int | None = None
    start: datetime.date | None = None  # inclusive
    end: datetime.date | None = None  # inclusive
    theme: int | None = None
    departement: str | None = None
    series: int | None = None

    @classmethod
    def year(cls, year: int, **filters) -> Selection:
        return cls(start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31), **filters)

    def in_lab(self, lab: int) -> bool:
        return self.lab is None or lab == self.lab

    def includes(self, workshop: WorkshopRow) -> bool:
        return (
            self.in_lab(workshop.lab)
            and (self.start is None or workshop.date >= self.start)
            and (self.end is None or workshop.date <= self.end)
            and (self.theme is None or self.theme in workshop.themes)
            and (self.departement is None or workshop.departement == self.departement)
            and (self.series is None or workshop.series == self.series)
        )


@dataclass(frozen=True)
class Impact:
    workshops: int
    professional_participations: int
    distinct_professionals: int
    citizens: int
    organisations: int
    directorates: int
    cross_silo_workshops: int
    cross_silo_index: float | None  # in [0, 1]
    returning_directorates: int
    observable_directorates: int
    pending_directorates: int
    return_rate: float | None  # in [0, 1]
    participations_by_kind: dict[str, int] = field(default_factory=dict)
    workshops_by_month: dict[tuple[int, int], int] = field(default_factory=dict)
    workshops_by_year: dict[int, int] = field(default_factory=dict)


def is_cross_silo(rows: Iterable[AttendanceRow]) -> bool:
    """At least two administrations, or at least three directorates, in one workshop."""
    administrations, directorates = set(), set()
    for row in rows:
        if row.administration and row.organisation is not None:
            administrations.add(row.organisation)
        if row.directorate is not None:
            directorates.add(row.directorate)
    return (
        len(administrations) >= CROSS_SILO_ADMINISTRATIONS
        or len(directorates) >= CROSS_SILO_DIRECTORATES
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def compute(
    selection: Selection,
    workshops: Iterable[WorkshopRow],
    attendances: Iterable[AttendanceRow],
    partners: Iterable[PartnerRow] = (),
    *,
    as_of: datetime.date,
) -> Impact:
    """The figures of the selection (see the module's docstring for each definition).

    `workshops` may hold more than the selection (other themes, the year after…): they
    serve as returns. `attendances` may hold rows of workshops not given: they are
    ignored."""
    held = {w.id: w for w in workshops if w.date <= as_of and selection.in_lab(w.lab)}
    selected = {pk: w for pk, w in held.items() if selection.includes(w)}

    by_workshop: dict[int, list[AttendanceRow]] = defaultdict(list)
    days_of: dict[int, set[datetime.date]] = defaultdict(set)  # directorate -> days
    first_of: dict[int, datetime.date] = {}  # directorate -> first selected day
    kinds: Counter[str] = Counter()
    professionals, citizens, organisations = set(), set(), set()
    for row in attendances:
        workshop = held.get(row.workshop)
        if workshop is None:
            continue
        if row.directorate is not None:
            days_of[row.directorate].add(workshop.date)
        if row.workshop not in selected:
            continue
        by_workshop[row.workshop].append(row)
        kinds[row.kind] += 1
        if row.kind in PROFESSIONAL_KINDS:
            professionals.add(row.person)
        elif row.kind == CITIZEN:
            citizens.add(row.person)
        if row.organisation is not None:
            organisations.add(row.organisation)
        if row.directorate is not None:
            known = first_of.get(row.directorate)
            if known is None or workshop.date < known:
                first_of[row.directorate] = workshop.date
    for partner in partners:
        if selection.in_lab(partner.lab) and partner.date <= as_of:
            days_of[partner.directorate].add(partner.date)

    window = datetime.timedelta(days=RETURN_WINDOW_DAYS)
    returning = observable = pending = 0
    for directorate, first in first_of.items():
        if first + window > as_of:
            pending += 1
            continue
        observable += 1
        if any(first < day <= first + window for day in days_of[directorate]):
            returning += 1

    cross_silo = sum(1 for pk in selected if is_cross_silo(by_workshop.get(pk, ())))
    by_month: Counter[tuple[int, int]] = Counter()
    by_year: Counter[int] = Counter()
    for workshop in selected.values():
        by_month[(workshop.date.year, workshop.date.month)] += 1
        by_year[workshop.date.year] += 1

    return Impact(
        workshops=len(selected),
        professional_participations=sum(kinds[k] for k in PROFESSIONAL_KINDS),
        distinct_professionals=len(professionals),
        citizens=len(citizens),
        organisations=len(organisations),
        directorates=len(first_of),
        cross_silo_workshops=cross_silo,
        cross_silo_index=_share(cross_silo, len(selected)),
        returning_directorates=returning,
        observable_directorates=observable,
        pending_directorates=pending,
        return_rate=_share(returning, observable),
        participations_by_kind={kind: kinds[kind] for kind in KINDS},
        workshops_by_month=dict(sorted(by_month.items())),
        workshops_by_year=dict(sorted(by_year.items())),
    )


def months_of(year: int, counts: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The twelve months of a year as (month, workshops), zeros included."""
    return [(month, counts.get((year, month), 0)) for month in range(1, 13)]


def years_between(counts: dict[int, int]) -> list[tuple[int, int]]:
    """Every year from the first to the last with workshops, zeros included."""
    if not counts:
        return []
    return [(year, counts.get(year, 0)) for year in range(min(counts), max(counts) + 1)]
