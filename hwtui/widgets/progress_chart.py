"""Progress drawn inline with plotext: completion per review with its rolling mean,
measures against their reference lines, and how often each barrier came up.

Each is a `Chart` (`widgets/chart.py`: a caption over the plot, or a table in its place);
labels never carry a person's raw text, and where they go is worked out in
`chart_layout`, so that plotext drops none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotext._utility as _plotext_utility
from rich.text import Text
from textual_plotext import PlotextPlot

from hwtui.data.catalog import BARRIERS_BY_CODE, INSTRUMENTS_BY_CODE
from hwtui.data.services.progress import MeasurePoint, Progress
from hwtui.data.services.trends import CaseloadTrends, ClientTrend, client_by_week
from hwtui.data.text import strip_controls
from hwtui.widgets.chart import Chart, Table
from hwtui.widgets.chart_layout import bar_rows, shorten, tick_positions
from hwtui.widgets.sparkline import sparkline

# plotext drops repeated points with set(), whose order changes from run to run (hash
# randomisation), so the same data could draw slightly different axes. Keeping the order
# makes every chart the same each time it is drawn.
_plotext_utility.no_duplicates = lambda data: list(dict.fromkeys(data))

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


def _ticks(days: Sequence[date], width: int, span: float) -> tuple[list[float], list[str]]:
    """Date labels for points at x = 1, 2, ..., spaced so plotext drops none, the last
    point's always among them; *span* is the length of the x range."""
    positions = tick_positions(len(days), width, span)
    return [float(p + 1) for p in positions], [_day(days[p]) for p in positions]


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
                    "" if p.quality is None else f"how well {p.quality:.1f}/4",
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
        rated = [p.quality for p in progress.points[-4:] if p.quality is not None]
        if rated:
            # How well homework went tells more than completion (Kazantzis et al.).
            tail += f" · how well {sum(rated) / len(rated):.1f}/4"
        tail += f" · {len(progress.points)} reviews"
        room = max(4, min(26, width - len(out) - len(tail) - 1))
        out.append(sparkline([p.completion.value for p in progress.points[-room:]]))
        out.append(tail)
        return out

    def _groups(self, width: int) -> list[tuple[int, int]]:
        # Years of weekly reviews do not fit one bar each: neighbouring reviews are
        # grouped so every bar is readable, and drawing stays fast.
        count = len(self.progress.points) if self.progress else 0
        return _groups(count, max(8, (width - 10) // 3))

    def captions(self) -> Sequence[str]:
        progress = self.progress
        if progress is None or not progress.points:
            return ("Homework completion %",)
        first_start, first_end = self._groups(self.size.width)[0]
        size = first_end - first_start
        bars = "bars: each review" if size == 1 else f"bars: {size} reviews each"
        if all(r is None for r in progress.rolling):  # nothing scored: no line drawn
            return (f"Homework completion % · {bars}", "Homework completion %", "Completion %")
        # The line's key, in the words of the one-line summary (`line`), with the latest
        # mean when there is one (the last 4 reviews may have scored nothing).
        rolled = progress.rolling[-1]
        mean = "line: avg of 4" + ("" if rolled is None else f" {round(rolled * 100)}%")
        rated = [p.quality for p in progress.points[-4:] if p.quality is not None]
        well = f" · how well {sum(rated) / len(rated):.1f}/4" if rated else ""
        return (
            *((f"Homework completion % · {bars} · {mean}{well}",) if well else ()),
            f"Homework completion % · {bars} · {mean}",
            f"Completion % · {bars} · {mean}",
            f"Completion % · {mean}",
            "Completion %",
        )

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        progress = self.progress
        if progress is None or not progress.points:
            return
        groups = self._groups(plot.size.width)
        bars: list[tuple[float, float]] = []
        line: list[tuple[float, float]] = []
        for x, (start, end) in enumerate(groups, start=1):
            chunk = progress.points[start:end]
            scored = sum(p.completion.scored for p in chunk)
            if scored:
                # Completion weighted by tasks scored; unscored groups get no false 0%.
                done = sum((p.completion.value or 0) * p.completion.scored for p in chunk)
                bars.append((x, 100 * done / scored))
            rolled = progress.rolling[end - 1]
            if rolled is not None:
                line.append((x, rolled * 100))
        if bars:
            plt.bar([x for x, _ in bars], [y for _, y in bars], width=0.6, marker="hd")
        if line:
            # No label: plotext would draw its legend over the bars; the caption has it.
            plt.plot([x for x, _ in line], [y for _, y in line], marker="braille")
        plt.ylim(0, 100)
        # Half a bar of room either side of the first and the last bar. A short history
        # keeps bars of a readable width rather than one bar filling the plot.
        span = max(len(groups), 8)
        plt.xlim(0.5, span + 0.5)
        days = [progress.points[end - 1].day for _start, end in groups]
        plt.xticks(*_ticks(days, plot.size.width, span))


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

    def captions(self) -> Sequence[str]:
        if self.instrument is None:
            return ()
        spec = INSTRUMENTS_BY_CODE[self.instrument]
        return (f"{spec.name} (0-{spec.total_max})", spec.name)

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        instrument = self.instrument
        if instrument is None or not self.points:
            return
        spec = INSTRUMENTS_BY_CODE[instrument]
        xs = list(range(1, len(self.points) + 1))
        plt.plot(xs, [p.total for p in self.points], marker="braille")
        for y, _label in REFERENCE_LINES.get(instrument, ()):
            plt.hline(y, "red")
        if instrument == "ors":
            # The reliable-change band around the first score: smaller moves may be noise.
            first = self.points[0].total
            plt.hline(max(0, first - ORS_RELIABLE_CHANGE), "gray")
            plt.hline(min(spec.total_max, first + ORS_RELIABLE_CHANGE), "gray")
        plt.ylim(0, spec.total_max)
        # Half a step of room either side, as the bar charts have: the last score is off
        # the frame and its date label has room.
        plt.xlim(0.5, len(xs) + 0.5)
        plt.xticks(*_ticks([p.day for p in self.points], plot.size.width, len(xs)))


# The barrier chart's most bars; the table lists them all.
MOST_BARRIERS = 6


class BarrierChart(Chart):
    """How many of the recent reviews each barrier came up in: one row per barrier, its
    label and count on the left, most frequent on top."""

    progress: Progress | None = None

    def show(self, progress: Progress) -> None:
        self.progress = progress
        self.table = Table(
            f"Barriers in the last {progress.barrier_reviews} reviews",
            [(str(n).rjust(3), label) for label, n in self._counted()],
        )
        self.redraw()

    def _counted(self) -> list[tuple[str, int]]:
        """Each known barrier's label and count, most first; unknown codes are left out,
        never drawn as text."""
        if self.progress is None:
            return []
        return [
            (BARRIERS_BY_CODE[code].label, n)
            for code, n in self.progress.barriers
            if code in BARRIERS_BY_CODE
        ]

    def _shown(self, plot_height: int) -> list[tuple[str, int]]:
        """The barriers drawn: each needs a row of its own (plotext puts labels that land
        on one row over each other), and the x axis takes a row."""
        return self._counted()[: max(0, min(MOST_BARRIERS, plot_height - 1))]

    def captions(self) -> Sequence[str]:
        progress = self.progress
        if progress is None:
            return ("Barriers",)
        counted = self._counted()
        last = f"last {progress.barrier_reviews} reviews"
        if not counted:
            return (f"Barriers, {last}: none", "Barriers: none")
        shown = len(self._shown(self.plot_height))
        left_out = f" · top {shown} of {len(counted)}" if shown < len(counted) else ""
        return (
            f"Barriers: how many of the {last} each came up in{left_out}",
            f"Barriers, {last}{left_out}",
            f"Barriers{left_out}",
        )

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        shown = self._shown(plot.size.height)
        if not shown:
            return
        rows = plot.size.height - 1  # all but the x axis
        ys = [float(y) for y in bar_rows(len(shown), rows)]
        digits = len(str(max(n for _, n in shown)))
        # Labels longer than half the width are shortened with an ellipsis, so the bars
        # keep room; the table has them whole.
        room = max(8, plot.size.width // 2 - digits - 1)
        labels = [f"{shorten(label, room)} {n:>{digits}}" for label, n in shown]
        # The counts are in the labels, so no x tick labels; with no top or right axis
        # either, every row but the x axis is for bars.
        plt.xaxes(True, False)
        plt.yaxes(True, False)
        # Each bar is centred on its label's row: one row thick, or three where that
        # still leaves a blank row between bars. plotext scales the width it is given
        # by the space between bars (none for a single bar).
        gap = ys[0] - ys[1] if len(ys) > 1 else rows
        half = 1.2 if gap >= 4 else 0.25  # how far a bar reaches up and down, in rows
        scale = gap if len(ys) > 1 else 1
        plt.bar(ys, [n for _, n in shown], orientation="horizontal", width=2 * half / scale)
        plt.yticks(ys, labels)
        plt.xticks([])
        # One y unit per row, so each bar is drawn on its own label's row.
        plt.ylim(0, rows - 1)
        plt.xlim(0, max(n for _, n in shown))


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

    def _client_line(self) -> list[tuple[float, float]]:
        """The selected client's completion as (x, %) at the weeks it was scored."""
        trends, selected = self.trends, self.selected
        if trends is None or selected is None:
            return []
        xs = {w.week: float(x) for x, w in enumerate(trends.weeks, start=1)}
        return sorted(
            (xs[week], 100 * rate.value)
            for week, rate in client_by_week(selected).items()
            if rate.value is not None and week in xs
        )

    def captions(self) -> Sequence[str]:
        title = "Caseload completion % by week"
        if self.selected is None or not self._client_line():
            return (title, "Caseload % by week")
        # The code only: a label on the chart never carries a name.
        code = strip_controls(self.selected.code)
        return (
            f"{title} · bars: caseload · line: {code}",
            f"Caseload % by week · line: {code}",
            "Caseload % by week",
        )

    def draw(self, plot: PlotextPlot) -> None:
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        trends = self.trends
        if trends is None or not trends.weeks:
            return
        bars = [
            (float(x), 100 * w.rate.value)
            for x, w in enumerate(trends.weeks, start=1)
            if w.rate.value is not None
        ]
        if bars:
            plt.bar([x for x, _ in bars], [y for _, y in bars], width=0.6, marker="hd")
        line = self._client_line()
        if line:
            # No label: plotext would draw its legend over the bars; the caption has it.
            plt.plot([x for x, _ in line], [y for _, y in line], marker="braille")
        plt.ylim(0, 100)
        span = max(len(trends.weeks), 8)
        plt.xlim(0.5, span + 0.5)
        plt.xticks(*_ticks([w.week for w in trends.weeks], plot.size.width, span))
