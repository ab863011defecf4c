"""A chart that shows itself as well as its space allows: a caption over a plotext plot,
a compact text table where a plot cannot be read (with NO_COLOR, or when the space is too
small), or one line given only a line or two. `progress_chart` holds the charts.

The caption holds the plot's title and the key to its marks, rather than plotext's title
and legend: plotext draws its legend inside the plot, over the data, and drops a title
too wide for the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from hwtui.widgets.chart_layout import first_that_fits

MIN_WIDTH = 40
MIN_HEIGHT = 8
# Below this height a chart is one line: a table would show only its title.
LINE_HEIGHT = 3


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
    """A caption over a plot, or the chart's table when a plot would not be readable.
    Subclasses draw the plot (`draw`) and word the caption (`captions`)."""

    DEFAULT_CSS = """
    Chart { height: 1fr; min-height: 6; }
    Chart > .chart-caption { height: 1; text-align: center; }
    Chart > PlotextPlot { height: 1fr; }
    Chart > .chart-table { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart")
        self.table = Table("", [])
        self.one_line = False

    def compose(self) -> ComposeResult:
        # The table only: the caption and the plot are mounted the first time there is
        # room for them (`_choose`). A chart that is only ever its one line (the client
        # overview at 80x24) never builds, styles or mounts a plot it would hide.
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
        table = self.query_one(".chart-table", Static)
        if not text and not self.query(_Plot):
            self.mount(_Caption(self), _Plot(self), before=table)
        for part in (*self.query(_Caption), *self.query(_Plot)):
            part.display = not text
        table.display = text
        self.one_line = text and self.size.height < LINE_HEIGHT
        if self.one_line:
            # Drawn again at render time, for the width it really has then (see _TableText).
            table.update(self.line(self.size.width))
        elif text:
            table.update(self.table.render(max(3, self.size.height - 2)))
        else:
            # Both drawn at render time, for the size they really have then.
            for part in (*self.query(_Caption), *self.query(_Plot)):
                part.refresh()

    def draw(self, plot: PlotextPlot) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def line(self, width: int) -> Text:
        """The chart in one line, for a panel with no room for more."""
        return self.table.line(width)

    def captions(self) -> Sequence[str]:  # pragma: no cover - overridden
        """The plot's title and the key to its marks, fullest first (see `caption`)."""
        return ()

    def caption(self, width: int) -> Text:
        """The fullest caption that fits *width*; the shortest, ending in an ellipsis,
        when none does."""
        return Text(first_that_fits(self.captions(), width), no_wrap=True, overflow="ellipsis")

    @property
    def plot_height(self) -> int:
        """The rows the plot has (the chart's, less its caption)."""
        return self.query_one(_Plot).size.height

    def redraw(self) -> None:
        if self.is_mounted:
            self._choose()
            # Data often comes while the screen is still being laid out (a breakpoint
            # class given, a panel growing): choose again once the size is settled.
            self.call_after_refresh(self._choose)


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


class _Caption(Static):
    """The chart's caption, made for the width it has when painted, as the plot is."""

    def __init__(self, chart: Chart) -> None:
        super().__init__("", classes="chart-caption", markup=False)
        self.chart = chart

    def render(self) -> RenderResult:
        return self.chart.caption(self.size.width)


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
