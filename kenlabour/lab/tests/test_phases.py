from kenlabour.lab import phases
from kenlabour.lab.enums import Phase


def test_every_phase_value_is_known_to_the_transitions():
    assert set(phases.TRANSITIONS) == set(Phase.values)
    assert Phase.final() == phases.FINAL


def test_an_experiment_moves_forward_one_step_and_may_stop_until_it_ends():
    assert phases.may_move("problem", "exploration")
    assert phases.may_move("field_test", "incubator")
    assert phases.may_move("prototype", "stopped")
    assert not phases.may_move("problem", "incubator")
    assert not phases.may_move("exploration", "field_test")
    for final in phases.FINAL:
        assert phases.next_phases(final) == ()
