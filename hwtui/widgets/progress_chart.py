"""Progress drawn inline with plotext: completion per review with its rolling mean,
measures against their reference lines, and how often each barrier came up.

Each chart falls back to a compact text table where a chart cannot be read: with
NO_COLOR, or when the space is too small; given only a line or two, to a one-line
summary. Labels never carry a person's raw text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import plotext._utility as _plotext_utility
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from hwtui.data.catalog import BARRIERS_BY_CODE, INSTRUMENTS_BY_CODE
from hwtui.data.services.progress import MeasurePoint, Progress
from hwtui.data.services.trends import CaseloadTrends, ClientTrend, client_by_week
from hwtui.data.text import strip_controls
from hwtui.widgets.sparkline import sparkline

# plotext drops repeated points with set(), whose order changes from run to run (hash
# randomisation), so the same data could draw slightly different axes. Keeping the order
# makes every chart the same each time it is drawn.
_plotext_utility.no_duplicates = lambda data: list(dict.fromkeys(data))

MIN_WIDTH = 40
MIN_HEIGHT = 8
# Below this height a chart is one line: a table would show only its title.
LINE_HEIGHT = 3

# Where clinicians draw the line on each measure (DOMAIN.md).
REFERENCE_LINES: dict[str, tuple[tuple[float, str], ...]] = {
    "ors": ((25, "cutoff 25"),),
    "srs": ((36, "36"),),
    "phq9": ((5, "5"), (10, "10"), (15, "15"), (20, "20")),
    "gad7": ((5, "5"), (10, "10"), (15, "15")),
    "scaling": (),
    "suds": (),
}
ORS_RELIABLE_CHANGE = 5


def _day(d: date) -> str:
    return d.strftime("%d %b %y")


def _ticks(days: Sequence[date], width: int) -> tuple[list[float], list[str]]:
    """A few evenly spaced date labels that fit the width."""
    if not days:
        return [], []
    count = max(2, min(len(days), width // 14))
    step = max(1, (len(days) - 1) // (count - 1)) if count > 1 else 1
    positions = list(range(0, len(days), step))
    if positions[-1] != len(days) - 1:
        positions.append(len(days) - 1)
    return [float(p + 1) for p in positions], [_day(days[p]) for p in positions]


@dataclass(frozen=True)
class Table:
    """The text fallback: a title and rows of cells."""

    title: str
    rows: list[tuple[str, ...]]

    def render(self, limit: int) -> Text:
        out = Text(self.title + "\n", style="bold")
        shown = self.rows[-limit:] if limit > 0 else self.rows
        if len(shown) < len(self.rows):
            out.append(f"(last {len(shown)} of {len(self.rows)})\n", style="dim")
        for row in shown:
            out.append("  ".join(row) + "\n")
        if not self.rows:
            out.append("nothing recorded yet\n", style="dim")
        out.rstrip()
        return out

    def line(self, width: int) -> Text:
        """The title and as many of the latest rows as fit on one line, newest last."""
        out = Text(self.title + ": ", style="bold", no_wrap=True, overflow="ellipsis")
        if not self.rows:
            out.append("nothing recorded yet", style="dim")
            return out
        room = max(0, width - len(out))
        cells: list[str] = []
        for row in reversed(self.rows):
            cell = " ".join(part.strip() for part in row if part.strip())
            if cells and len(" · ".join([cell, *cells])) > room:
                break
            cells.insert(0, cell)
        out.append(" · ".join(cells))
        return out


class Chart(Vertical):
    """A plot, or its table when a plot would not be readable."""

    DEFAULT_CSS = """
    Chart { height: 1fr; min-height: 6; }
    Chart > PlotextPlot { height: 1fr; }
    Chart > .chart-table { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart")
        self.table = Table("", [])
        self.one_line = False

    def compose(self) -> ComposeResult:
        yield _Plot(self)
        yield _TableText(self)

    def on_mount(self) -> None:
        self._choose()

    def on_resize(self) -> None:
        self._choose()

    @property
    def as_text(self) -> bool:
        size = self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        return bool(self.app.no_color) or small

    def _choose(self) -> None:
        text = self.as_text
        plot = self.query_one(PlotextPlot)
        table = self.query_one(".chart-table", Static)
        plot.display = not text
        table.display = text
        self.one_line = text and self.size.height < LINE_HEIGHT
        if self.one_line:
            # Drawn again at render time, for the width it really has then (see _TableText).
            table.update(self.line(self.size.width))
        elif text:
            table.update(self.table.render(max(3, self.size.height - 2)))
        else:
            plot.refresh()  # drawn at render time, for the size it really has then

    def draw(self, plot: PlotextPlot) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def line(self, width: int) -> Text:
        """The chart in one line, for a panel with no room for more."""
        return self.table.line(width)

    def redraw(self) -> None:
        if self.is_mounted:
            self._choose()


class _TableText(Static):
    """The chart's table, or its one line drawn for the width the line has when painted
    (a line made on show or resize used a width from before the layout: a sparkline of 4
    reviews where there was room for 12)."""

    def __init__(self, chart: Chart) -> None:
        super().__init__("", classes="chart-table", markup=False)
        self.chart = chart

    def render(self) -> RenderResult:
        if self.chart.one_line:
            return self.chart.line(self.size.width)
        return super().render()


class _Plot(PlotextPlot):
    """Asks its chart to lay out the figure just before each render.

    Drawing earlier (on mount or resize) raced the layout: a figure could be built for a
    size the widget no longer had by the time it was painted.
    """

    def __init__(self, chart: Chart) -> None:
        super().__init__()
        self.chart = chart

    def render(self) -> RenderResult:
        self.chart.draw(self)
        return super().render()


class CompletionChart(Chart):
    """Completion per review (bars, 0-100%) and the rolling mean of the last 4 (line)."""

    progress: Progress | None = None

    def show(self, progress: Progress) -> None:
        self.progress = progress
        self.table = Table(
            "Homework completion (rolling mean of 4)",
            [
                (
                    _day(p.day),
                    p.completion.percent().rjust(4),
                    f"of {p.completion.scored}",
                    "" if r is None else f"avg {round(r * 100)}%",
                )
                for p, r in zip(progress.points, progress.rolling, strict=True)
            ],
        )
        self.redraw()

    def line(self, width: int) -> Text:
        """A sparkline of the latest reviews, then the last and the rolling figures."""
        out = Text("Completion ", style="bold", no_wrap=True, overflow="ellipsis")
        progress = self.progress
        if progress is None or not progress.points:
            out.append("no reviews yet", style="dim")
            return out
        last = progress.points[-1]
        rolled = progress.rolling[-1]
        tail = f" last {last.completion.percent().strip()}"
        if rolled is not None:
            tail += f" · avg of 4 {round(rolled * 100)}%"
        tail += f" · {len(progress.points)} reviews"
        room = max(4, min(26, width - len(out) - len(tail) - 1))
        out.append(sparkline([p.completion.value for p in progress.points[-room:]]))
        out.append(tail)
        return out

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        progress = self.progress
        plt.title("Homework completion %")
        if progress is None or not progress.points:
            return
        # Years of weekly reviews do not fit one bar each: group neighbouring reviews
        # (completion weighted by tasks scored) so every bar is readable, and drawing
        # stays fast.
        groups = _groups(len(progress.points), max(8, (plot.size.width - 10) // 3))
        bars: list[tuple[float, float]] = []
        line: list[tuple[float, float]] = []
        for x, (start, end) in enumerate(groups, start=1):
            chunk = progress.points[start:end]
            scored = sum(p.completion.scored for p in chunk)
            if scored:
                done = sum((p.completion.value or 0) * p.completion.scored for p in chunk)
                bars.append((x, 100 * done / scored))  # unscored groups get no false 0%
            rolled = progress.rolling[end - 1]
            if rolled is not None:
                line.append((x, rolled * 100))
        if bars:
            plt.bar([x for x, _ in bars], [y for _, y in bars], width=0.6, marker="hd")
        if line:
            plt.plot([x for x, _ in line], [y for _, y in line], marker="braille", label="avg of 4")
        plt.ylim(0, 100)
        # A short history keeps bars of a readable width rather than one bar filling it.
        plt.xlim(0.5, max(len(groups), 8) + 0.5)
        days = [progress.points[end - 1].day for _start, end in groups]
        plt.xticks(*_ticks(days, plot.size.width))


def _groups(count: int, most: int) -> list[tuple[int, int]]:
    """Split range(count) into at most *most* consecutive (start, end) slices."""
    size = max(1, -(-count // most))  # ceiling division
    return [(start, min(start + size, count)) for start in range(0, count, size)]


class MeasureChart(Chart):
    """One instrument's totals over time with its reference lines."""

    instrument: str | None = None
    points: tuple[MeasurePoint, ...] = ()

    def show(self, instrument: str, points: Sequence[MeasurePoint]) -> None:
        self.instrument = instrument
        self.points = tuple(points)
        spec = INSTRUMENTS_BY_CODE[instrument]
        self.table = Table(
            f"{spec.name} (0-{spec.total_max})",
            [(_day(p.day), str(p.total).rjust(3), spec.band(p.total) or "") for p in self.points],
        )
        self.redraw()

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        instrument = self.instrument
        if instrument is None:
            return
        spec = INSTRUMENTS_BY_CODE[instrument]
        plt.title(f"{spec.name} (0-{spec.total_max})")
        if not self.points:
            return
        xs = list(range(1, len(self.points) + 1))
        plt.plot(xs, [p.total for p in self.points], marker="braille")
        for y, _label in REFERENCE_LINES.get(instrument, ()):
            plt.hline(y, "red")
        if instrument == "ors" and self.points:
            # The reliable-change band around the first score: smaller moves may be noise.
            first = self.points[0].total
            plt.hline(max(0, first - ORS_RELIABLE_CHANGE), "gray")
            plt.hline(min(spec.total_max, first + ORS_RELIABLE_CHANGE), "gray")
        plt.ylim(0, spec.total_max)
        plt.xticks(*_ticks([p.day for p in self.points], plot.size.width))


class BarrierChart(Chart):
    """How many of the recent reviews each barrier came up in."""

    progress: Progress | None = None

    def show(self, progress: Progress) -> None:
        self.progress = progress
        self.table = Table(
            f"Barriers in the last {progress.barrier_reviews} reviews",
            [
                (str(n).rjust(3), BARRIERS_BY_CODE[code].label)
                for code, n in progress.barriers
                if code in BARRIERS_BY_CODE
            ],
        )
        self.redraw()

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        progress = self.progress
        if progress is None:
            return
        plt.title(f"Barriers, last {progress.barrier_reviews} reviews")
        shown = [
            (BARRIERS_BY_CODE[c].label[:24], n)
            for c, n in progress.barriers[:6]
            if c in BARRIERS_BY_CODE
        ]
        if shown:
            plt.bar(
                [label for label, _ in shown],
                [n for _, n in shown],
                orientation="horizontal",
                width=0.4,
            )
            most = max(n for _, n in shown)
            step = max(1, most // 5)
            plt.xticks([float(n) for n in range(0, most + 1, step)])  # whole reviews only


class CaseloadChart(Chart):
    """The caseload's completion week by week (bars), with one client's as a line."""

    trends: CaseloadTrends | None = None
    selected: ClientTrend | None = None

    def show(self, trends: CaseloadTrends, selected: ClientTrend | None) -> None:
        self.trends, self.selected = trends, selected
        mine = client_by_week(selected) if selected else {}
        self.table = Table(
            "Caseload completion by week"
            + (f" · {strip_controls(selected.code)}" if selected else ""),
            [
                (
                    _day(w.week),
                    w.rate.percent().rjust(4),
                    f"{w.clients} clients",
                    mine[w.week].percent() if w.week in mine else "",
                )
                for w in trends.weeks
            ],
        )
        self.redraw()

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        trends, selected = self.trends, self.selected
        plt.title("Caseload completion % by week")
        if trends is None or not trends.weeks:
            return
        xs = {w.week: float(x) for x, w in enumerate(trends.weeks, start=1)}
        bars = [(xs[w.week], 100 * w.rate.value) for w in trends.weeks if w.rate.value is not None]
        if bars:
            plt.bar([x for x, _ in bars], [y for _, y in bars], width=0.6, marker="hd")
        if selected is not None:
            # The code only: a label on the chart never carries a name.
            line = sorted(
                (xs[week], 100 * rate.value)
                for week, rate in client_by_week(selected).items()
                if rate.value is not None and week in xs
            )
            if line:
                plt.plot(
                    [x for x, _ in line],
                    [y for _, y in line],
                    marker="braille",
                    label=strip_controls(selected.code),
                )
        plt.ylim(0, 100)
        plt.xlim(0.5, max(len(trends.weeks), 8) + 0.5)
        plt.xticks(*_ticks([w.week for w in trends.weeks], plot.size.width))
