"""The phases an experiment may move through (pure: plain phase values, no Django).

problem → exploration → prototype → field test → handed to the incubator / generalised;
an experiment may go back one step to iterate (a prototype back to exploration, a field
test back to prototype) and may be stopped at any phase that is not final. Handed to the
incubator, generalised and stopped are final.
"""

PROBLEM = "problem"
EXPLORATION = "exploration"
PROTOTYPE = "prototype"
FIELD_TEST = "field_test"
INCUBATOR = "incubator"
GENERALISED = "generalised"
STOPPED = "stopped"

FINAL = frozenset({INCUBATOR, GENERALISED, STOPPED})

TRANSITIONS: dict[str, tuple[str, ...]] = {
    PROBLEM: (EXPLORATION, STOPPED),
    EXPLORATION: (PROTOTYPE, STOPPED),
    PROTOTYPE: (FIELD_TEST, EXPLORATION, STOPPED),
    FIELD_TEST: (INCUBATOR, GENERALISED, PROTOTYPE, STOPPED),
    INCUBATOR: (),
    GENERALISED: (),
    STOPPED: (),
}


def next_phases(phase: str) -> tuple[str, ...]:
    """The phases an experiment in `phase` may move to, in the order they are offered."""
    return TRANSITIONS.get(phase, ())


def may_move(current: str, target: str) -> bool:
    return target in next_phases(current)
