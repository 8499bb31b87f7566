"""Bar charts as plain geometry (axis ticks, bars, labels) that admin templates draw as SVG.

Everything is in chart units: a chart is drawn in a ``viewBox`` of ``width`` x ``height`` and
scaled to the width of the page, so the same figures serve a phone and a desktop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

FONT = 12  # label size in chart units
CHAR = 0.62 * FONT  # a generous width of one character, to decide whether labels fit
STEPS = (1, 2, 2.5, 5, 10)  # nice multiples of a power of ten for the distance between ticks

# Colours as SVG presentation attributes, so a chart needs no stylesheet of its own.
INK = "#1d2733"
INK_SOFT = "#4a5665"
GRID = "#e3e8ee"
BAR = "#1f5f8b"
TRACK = "#e3e8ee"
# Strongly disagree .. Strongly agree, then "Not sure"; scenario options in order.
LIKERT_COLOURS = ("#b2452f", "#e3a08a", "#cfd5dc", "#7fb0d3", "#1f5f8b", "#f3f4f6")
OPTION_COLOURS = ("#1f5f8b", "#6d9f71", "#d9a441", "#9a6fb0", "#c9674c", "#8795a7")
OUTLINE = "#9aa4b1"  # drawn around light segments so they stay visible on white


def nice_step(top: float, intervals: int = 4, whole: bool = True) -> float:
    """The distance between axis ticks: 1, 2, 2.5 or 5 times a power of ten, so that about
    ``intervals`` steps reach ``top``; with ``whole`` (counts) never a fraction."""
    if top <= 0:
        return 1
    raw = top / intervals
    if whole and raw <= 1:
        return 1
    power = 10 ** math.floor(math.log10(raw))
    for multiple in STEPS:
        step = round(multiple * power, 10)
        if step >= raw and (not whole or float(step).is_integer()):
            return int(step) if float(step).is_integer() else step
    return 10 * power  # not reached: 10 x power is always >= raw


def axis_ticks(top: float, intervals: int = 4, whole: bool = True) -> tuple[float, ...]:
    """Ticks from 0 to the first nice round number at or above ``top`` (0 and 1 when empty)."""
    step = nice_step(top, intervals, whole)
    count = max(1, math.ceil(top / step - 1e-9))
    return tuple(round(i * step, 10) for i in range(count + 1))


def tick_label(value: float) -> str:
    """1,250 for whole numbers, 0.25 for fractions."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,g}"


def every_nth(spacing: float, labels: Sequence[str]) -> int:
    """Label every n-th tick so that labels ``spacing`` apart never touch."""
    widest = max((len(label) for label in labels), default=0) * CHAR + FONT / 2
    return max(1, math.ceil(widest / spacing)) if spacing > 0 else 1


@dataclass(frozen=True)
class Tick:
    at: float  # position along its axis, in chart units
    label: str


@dataclass(frozen=True)
class Column:
    label: str  # what the column stands for, e.g. "week of 2 Nov 2026"
    value: float
    x: float
    y: float
    width: float
    height: float
    value_label: str | None  # drawn above the column; None when labels would not fit

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class ColumnChart:
    """A vertical bar chart: plot area, ticks on both axes, columns and axis titles."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    columns: tuple[Column, ...]
    x_title: str
    y_title: str

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    @property
    def labelled(self) -> bool:
        """Whether every column's value is written above it."""
        return all(c.value_label is not None for c in self.columns)

    @property
    def x_label_y(self) -> float:
        return self.bottom + FONT + 6

    @property
    def x_title_y(self) -> float:
        return self.height - 4

    @property
    def middle(self) -> float:
        return round((self.left + self.right) / 2, 2)


def column_chart(
    values: Sequence[tuple[str, float]],
    *,
    x_title: str,
    y_title: str,
    x_ticks: Sequence[tuple[float, str]] | None = None,
    top: float | None = None,
    width: float = 360,
    height: float = 210,
    fill: float = 0.72,
) -> ColumnChart:
    """Lay out a column chart of (label, value) pairs, in order.

    ``x_ticks`` are (position in columns from the left edge, label); by default each column is
    labelled at its centre by its own label. ``top`` raises the value axis (to share one scale
    between charts). ``fill`` is the share of each column's slot its bar takes.
    """
    y_values = axis_ticks(max([top or 0, *(v for _, v in values)]))
    y_labels = [tick_label(v) for v in y_values]
    if x_ticks is None:
        x_ticks = [(i + 0.5, label) for i, (label, _) in enumerate(values)]
    left = max(len(s) for s in y_labels) * CHAR + 10
    plot_top = 2 * FONT + 8  # room for the value axis title and a label above the top column
    right = width - max(8, len(x_ticks[-1][1]) * CHAR / 2 + 2 if x_ticks else 8)
    bottom = height - (2 * FONT + 18)  # tick labels, then the category axis title
    slot = (right - left) / max(1, len(values))
    scale = (bottom - plot_top) / y_values[-1]

    value_labels = [tick_label(v) for _, v in values]
    fits = all(len(s) * CHAR <= slot - 2 for s in value_labels)
    columns = []
    for i, ((label, value), text) in enumerate(zip(values, value_labels, strict=True)):
        h = value * scale
        columns.append(
            Column(
                label=label,
                value=value,
                x=round(left + i * slot + slot * (1 - fill) / 2, 2),
                y=round(bottom - h, 2),
                width=round(slot * fill, 2),
                height=round(h, 2),
                value_label=text if fits else None,
            )
        )
    spacing = min((b[0] - a[0] for a, b in pairwise(x_ticks)), default=len(values)) * slot
    nth = every_nth(spacing, [label for _, label in x_ticks])
    return ColumnChart(
        width=width,
        height=height,
        left=round(left, 2),
        top=plot_top,
        right=round(right, 2),
        bottom=bottom,
        y_ticks=tuple(
            Tick(round(bottom - v * scale, 2), s) for v, s in zip(y_values, y_labels, strict=True)
        ),
        x_ticks=tuple(
            Tick(round(left + at * slot, 2), label)
            for n, (at, label) in enumerate(x_ticks)
            if n % nth == 0
        ),
        columns=tuple(columns),
        x_title=x_title,
        y_title=y_title,
    )


@dataclass(frozen=True)
class Segment:
    x: float  # from 0 to 100
    width: float
    colour: str
    label: str


def stacked(
    parts: Sequence[tuple[str, float]], colours: Sequence[str] = LIKERT_COLOURS
) -> tuple[Segment, ...]:
    """One bar of 100 units split into (label, share) parts; empty parts are left out.

    Edges are rounded from the running total, so rounding never leaves a gap or an overlap and
    shares that add up to 1 end exactly at 100.
    """
    out, seen = [], 0.0
    for (label, share), colour in zip(parts, colours, strict=False):
        start, seen = round(seen * 100, 2), seen + share
        end = round(seen * 100, 2)
        if end > start:
            out.append(Segment(start, round(end - start, 2), colour, label))
    return tuple(out)
