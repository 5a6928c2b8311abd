"""Geometry of the dashboard's bar charts: labelled values in, positions out. No Django.

Bars are horizontal, one per row, each labelled directly (its name on the left, its
value at its end), so a chart reads without colour and without a legend; the template
draws them hatched and outlined in the text colour, and follows each chart with its data
table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 150
VALUE_ROOM = 70  # room after the longest bar for its value
ROW = 30
BAR = 20
PADDING = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float  # top of the bar
    length: float
    text_y: float  # baseline of the label and the value
    value_x: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_x: int  # where labels end (they are right-aligned on it)
    bar_x: int  # where bars start
    bar_height: int
    total: int
    highest: Bar | None  # the first bar of the greatest value, None when all are zero


def horizontal_bars(items: Sequence[tuple[str, int]]) -> BarChart:
    scale_room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    peak = max((value for _label, value in items), default=0)
    bars = []
    for index, (label, value) in enumerate(items):
        top = PADDING + index * ROW
        length = round(scale_room * value / peak, 1) if peak else 0.0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=top,
                length=length,
                text_y=top + BAR / 2 + 5,
                value_x=LABEL_WIDTH + length + 6,
            )
        )
    highest = next((bar for bar in bars if bar.value == peak), None) if peak else None
    return BarChart(
        bars=bars,
        width=WIDTH,
        height=2 * PADDING + max(len(items), 1) * ROW,
        label_x=LABEL_WIDTH - 8,
        bar_x=LABEL_WIDTH,
        bar_height=BAR,
        total=sum(value for _label, value in items),
        highest=highest,
    )
