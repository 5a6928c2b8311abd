"""The bar charts' geometry: bars proportional to values, every bar labelled."""

from hypothesis import given, settings
from hypothesis import strategies as st

from kenlabour.lab import charts


def test_bars_are_proportional_and_the_highest_is_named():
    chart = charts.horizontal_bars([("janvier", 10), ("février", 20), ("mars", 0)])
    lengths = [bar.length for bar in chart.bars]
    assert lengths[1] == 2 * lengths[0] and lengths[2] == 0
    assert chart.highest.label == "février"
    assert chart.total == 30
    assert all(bar.value_x > chart.bar_x + bar.length for bar in chart.bars)


def test_an_empty_or_zero_chart_has_no_highest_bar():
    assert charts.horizontal_bars([]).highest is None
    assert charts.horizontal_bars([("a", 0)]).highest is None


@settings(deadline=None)
@given(st.lists(st.tuples(st.text(max_size=10), st.integers(0, 10_000)), max_size=30))
def test_every_bar_fits_in_the_picture_without_overlapping(items):
    chart = charts.horizontal_bars(items)
    assert len(chart.bars) == len(items)
    for bar, following in zip(chart.bars, chart.bars[1:], strict=False):
        assert bar.y + chart.bar_height < following.y
    for bar in chart.bars:
        assert bar.length >= 0 and bar.value_x < chart.width
        assert bar.y + chart.bar_height <= chart.height
