"""What the progress charts draw, read back as text (issue 17, item 12): every barrier
bar has its label, no legend is drawn over the data, and the last bar has its date.

The charts draw into a bare plotext figure at many sizes, as the widget has them draw at
render time; the rules in `chart_layout` are tested on their own first.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from textual.geometry import Size
from textual_plotext.plot import Plot

from hwtui.data.catalog import BARRIERS_BY_CODE
from hwtui.data.metrics import Rate
from hwtui.data.services.progress import Progress
from hwtui.data.services.trends import CaseloadTrends, ClientTrend, WeekPoint, monday
from hwtui.data.text import strip_controls
from hwtui.widgets.chart import Chart
from hwtui.widgets.chart_layout import (
    DATE_LABEL_ROOM,
    Y_LABEL_COLUMNS,
    bar_rows,
    first_that_fits,
    shorten,
    tick_positions,
)
from hwtui.widgets.progress_chart import (
    BarrierChart,
    CaseloadChart,
    CompletionChart,
    MeasureChart,
)
from tests.helpers import HOSTILE, MARKUP_LIKE
from tests.test_snapshots_charts import dataset

# The six longest barrier labels: the hardest to fit.
LONG_BARRIERS = [
    ("low_confidence", 5),
    ("poor_fit", 4),
    ("avoidance", 3),
    ("unclear_start", 2),
    ("no_situation", 1),
    ("not_valued", 1),
]


class RecordingPlot(Plot):
    """A plotext figure that remembers the x range a chart set and where its bars are."""

    x_range: tuple[float, float] | None = None
    bar_positions: tuple[float, ...] = ()

    def xlim(self, left: Any = None, right: Any = None, xside: Any = None) -> None:
        self.x_range = (left, right)
        super().xlim(left, right, xside)

    def bar(self, *args: Any, **kwargs: Any) -> None:
        self.bar_positions += tuple(args[0])
        super().bar(*args, **kwargs)


def drawn(chart: Chart, width: int, height: int) -> tuple[list[str], RecordingPlot]:
    """The lines of plain text *chart* draws in a plot *width* x *height*, and the figure."""
    plt = RecordingPlot()
    chart.draw(SimpleNamespace(plt=plt, size=Size(width, height)))  # type: ignore[arg-type]
    # Sized as textual-plotext's PlotextPlot.render sizes it (plotsize alone keeps the
    # figure within the terminal's size).
    plt.plotsize(width, height)
    plt._set_size(width, height)
    return Plot.uncolorize(plt.build()).splitlines(), plt


def axis_labels(lines: list[str]) -> str:
    """The x axis's labels: the row under the frame's bottom edge."""
    bottom = max(i for i, line in enumerate(lines) if "└" in line)
    return lines[bottom + 1] if bottom + 1 < len(lines) else ""


def day(d: Any) -> str:
    return str(d.strftime("%d %b %y"))


# -- the rules --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 57, 80, 120, 200])
@pytest.mark.parametrize("count", [1, 2, 7, 8, 12, 13, 26, 60])
def test_ticks_end_at_the_last_point_and_keep_apart(width: int, count: int) -> None:
    span = max(count, 8)
    positions = tick_positions(count, width, span)
    assert positions[-1] == count - 1
    assert positions == sorted(set(positions))
    steps = {b - a for a, b in itertools.pairwise(positions)}
    assert len(steps) <= 1  # evenly spaced
    for step in steps:
        assert step * (width - Y_LABEL_COLUMNS) / span >= DATE_LABEL_ROOM


@pytest.mark.parametrize("rows", range(1, 16))
@pytest.mark.parametrize("count", range(1, 8))
def test_bar_rows_one_row_each_first_on_top(rows: int, count: int) -> None:
    placed = bar_rows(count, rows)
    assert len(placed) == min(count, rows)
    assert placed == sorted(set(placed), reverse=True)
    assert all(0 <= row < rows for row in placed)


def test_shorten_marks_what_it_cut() -> None:
    assert shorten("forgot", 6) == "forgot"
    assert shorten("low confidence or fear of failure", 12) == "low confide…"
    assert shorten("a limiting belief", 11) == "a limiting…"  # no space before the mark
    assert first_that_fits(["a long caption", "short"], 10) == "short"
    assert first_that_fits(["a long caption", "still too long"], 5) == "still too long"


# -- barriers ---------------------------------------------------------------------------


def barriers(counts: list[tuple[str, int]]) -> Progress:
    return dataclasses.replace(dataset(), barriers=counts)


@pytest.mark.parametrize(
    ("width", "height"),
    [(80, 7), (80, 8), (80, 12), (40, 7), (60, 9), (120, 20), (80, 23), (120, 39)],
)
def test_every_barrier_bar_has_its_label(width: int, height: int) -> None:
    """Each bar sits on a row with its label and count; none shares a row (plotext
    wrote labels landing on one row over each other, and clipped them at 24 characters)."""
    chart = BarrierChart()
    chart.show(barriers(LONG_BARRIERS))
    lines, _plt = drawn(chart, width, height)
    labelled = [line for line in lines if "┤" in line]
    assert len(labelled) == min(6, height - 1)
    for (code, count), line in zip(LONG_BARRIERS, labelled, strict=False):
        label, bar = line.split("┤")
        words, shown_count = label.strip().rsplit(" ", 1)
        full = BARRIERS_BY_CODE[code].label
        assert int(shown_count) == count
        assert words == full or (words.endswith("…") and full.startswith(words[:-1])), line
        assert "█" in bar, line

    # A bar row without a label (a thick bar's edge) is next to its own bar's labelled
    # row, and to no other: no row can be read as another barrier's.
    def bar_of(i: int) -> str:
        return lines[i].split("┤" if "┤" in lines[i] else "│")[-1].rstrip()

    for i, line in enumerate(lines):
        if "█" in line and "┤" not in line:
            mine = [j for j in (i - 1, i + 1) if 0 <= j < len(lines) and "┤" in lines[j]]
            assert len(mine) == 1, lines
            assert bar_of(i) == bar_of(mine[0]), lines


def test_at_80_columns_barrier_labels_are_whole() -> None:
    chart = BarrierChart()
    chart.show(barriers(LONG_BARRIERS))
    text = "\n".join(drawn(chart, 80, 8)[0])
    for code, _count in LONG_BARRIERS:
        assert BARRIERS_BY_CODE[code].label in text


# -- completion -------------------------------------------------------------------------


def reviews(count: int) -> Progress:
    """*count* weekly reviews in the snapshot dataset's pattern, the last one scored."""
    base = dataset()
    cycle = len(base.points)
    points = [
        dataclasses.replace(base.points[i % cycle], day=base.points[0].day + timedelta(weeks=i))
        for i in range(count)
    ]
    points[-1] = dataclasses.replace(points[-1], completion=Rate(1.0, 2))
    rolling = [base.rolling[i % cycle] or 0.5 for i in range(count)]
    return dataclasses.replace(base, points=points, rolling=rolling)


@pytest.mark.parametrize(("width", "height"), [(80, 7), (80, 11), (40, 7), (120, 20)])
def test_the_mean_line_has_no_legend_over_the_bars(width: int, height: int) -> None:
    chart = CompletionChart()
    chart.show(reviews(24))
    lines, _plt = drawn(chart, width, height)
    assert not [line for line in lines if "avg" in line], lines
    # Its key is in the caption instead, with the latest figure.
    assert any(
        caption.endswith(f"line: avg of 4 {round(chart.progress.rolling[-1] * 100)}%")  # type: ignore[union-attr]
        for caption in chart.captions()
    )


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160, 200])
@pytest.mark.parametrize("count", [1, 3, 8, 12, 19, 24, 26, 40, 104])
def test_the_last_bar_has_its_date_and_room(width: int, count: int) -> None:
    """The x axis reaches the last bar: its date is labelled (plotext dropped the last
    label when it came too close to the one before), and the x range holds every bar
    with half a bar to spare each side."""
    chart = CompletionChart()
    progress = reviews(count)
    chart.show(progress)
    lines, plt = drawn(chart, width, 8)
    labels = axis_labels(lines)
    assert day(progress.points[-1].day) in labels, "\n".join(lines)
    assert plt.x_range is not None
    low, high = plt.x_range
    assert low <= min(plt.bar_positions) - 0.5
    assert high >= max(plt.bar_positions) + 0.5


@pytest.mark.parametrize("width", [40, 80, 120])
@pytest.mark.parametrize("count", [1, 2, 9, 24])
def test_the_last_measure_has_its_date(width: int, count: int) -> None:
    ors = dataset().measures["ors"]
    points = [
        dataclasses.replace(ors[i % len(ors)], day=ors[0].day + timedelta(weeks=i))
        for i in range(count)
    ]
    chart = MeasureChart()
    chart.show("ors", points)
    lines, _plt = drawn(chart, width, 8)
    assert day(points[-1].day) in axis_labels(lines), "\n".join(lines)


# -- the caseload -----------------------------------------------------------------------


def caseload(weeks: int) -> tuple[CaseloadTrends, ClientTrend]:
    """*weeks* weeks of the caseload, and one client reviewed every week."""
    days = [monday(dataset().points[0].day) + timedelta(weeks=i) for i in range(weeks)]
    client = ClientTrend(
        client_id=1,
        code="C0042",
        display_name="Ann",
        points=tuple((d, Rate(0.5, 2)) for d in days),
        rolling=tuple([0.5] * weeks),
    )
    weekly = [WeekPoint(week=d, rate=Rate(0.75, 8), clients=3) for d in days]
    return CaseloadTrends(clients=[client], weeks=weekly), client


@pytest.mark.parametrize(("width", "weeks"), [(80, 27), (120, 27), (40, 8), (80, 3)])
def test_the_caseload_chart_keys_its_line_in_the_caption(width: int, weeks: int) -> None:
    trends, client = caseload(weeks)
    chart = CaseloadChart()
    chart.show(trends, client)
    lines, _plt = drawn(chart, width, 9)
    assert not [line for line in lines if "C0042" in line], lines
    assert any("line: C0042" in caption for caption in chart.captions())
    assert day(trends.weeks[-1].week) in axis_labels(lines), "\n".join(lines)


@pytest.mark.parametrize("code", [*MARKUP_LIKE, HOSTILE])
def test_a_client_code_in_the_caption_stays_plain_text(code: str) -> None:
    """The caption is the one place a chart names a client (by code): as plain text."""
    trends, client = caseload(3)
    client = dataclasses.replace(client, code=code)
    chart = CaseloadChart()
    chart.show(trends, client)
    shown = chart.caption(200)
    assert f"line: {strip_controls(code)}" in shown.plain
    assert not shown.spans  # no markup was read in it
