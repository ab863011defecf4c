"""Each chart from a fixed dataset, at 80x24 and 120x40, and its text fallback."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from hwtui.data.metrics import Rate, rolling
from hwtui.data.services.progress import MeasurePoint, Progress, ReviewPoint
from hwtui.widgets.progress_chart import BarrierChart, CompletionChart, MeasureChart

START = date(2026, 6, 3)
PATTERN = [1.0, 0.5, None, 0.0, 1.0, 1.0, 0.5, 1.0, 0.75, 1.0, 0.25, 1.0]


def dataset() -> Progress:
    rates = [Rate(v, 0 if v is None else 2) for v in PATTERN * 2]
    points = [ReviewPoint(i + 1, START + timedelta(weeks=i), r) for i, r in enumerate(rates)]
    ors = [MeasurePoint(START + timedelta(weeks=i), 18 + (i * 7) % 13) for i in range(len(points))]
    phq = [MeasurePoint(START + timedelta(weeks=4 * i), 17 - 2 * i) for i in range(6)]
    return Progress(
        points=points,
        rolling=rolling(rates),
        measures={"ors": ors, "phq9": phq},
        barriers=[("forgot", 5), ("not_scheduled", 3), ("too_big", 2), ("no_time", 1)],
        barrier_reviews=12,
        contrasts=[],
    )


def many_barriers() -> Progress:
    """Seven barriers, the longest labels first: more than a short panel has rows for."""
    counts = [("low_confidence", 5), ("poor_fit", 4), ("avoidance", 3), ("unclear_start", 2)]
    counts += [("no_situation", 1), ("not_valued", 1), ("forgot", 1)]
    return dataclasses.replace(dataset(), barriers=counts)


class ChartApp(App[None]):
    CSS = "Screen { layout: vertical; } .chart { height: 1fr; }"

    def __init__(self, which: str, progress: Progress | None = None) -> None:
        super().__init__()
        self.which = which
        self.progress = progress or dataset()

    def compose(self) -> ComposeResult:
        if self.which == "completion":
            yield CompletionChart()
        elif self.which == "barriers":
            yield BarrierChart()
        else:
            yield MeasureChart()

    def on_mount(self) -> None:
        progress = self.progress
        if self.which == "completion":
            self.query_one(CompletionChart).show(progress)
        elif self.which == "barriers":
            self.query_one(BarrierChart).show(progress)
        else:
            self.query_one(MeasureChart).show(self.which, progress.measures[self.which])


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def laid_out(pilot: Pilot[Any]) -> None:
    # The figure is built for the size the plot has when painted: let layout settle first.
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("which", ["completion", "ors", "phq9", "barriers"])
def test_chart(snap_compare: Any, which: str, size: tuple[int, int]) -> None:
    assert snap_compare(ChartApp(which), terminal_size=size, run_before=laid_out)


@pytest.mark.parametrize("which", ["completion", "barriers"])
def test_text_fallback_when_small(snap_compare: Any, which: str) -> None:
    assert snap_compare(ChartApp(which), terminal_size=(38, 12), run_before=laid_out)


def test_text_fallback_with_no_color(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(ChartApp("completion"), terminal_size=(80, 24), run_before=laid_out)


class ShortPanelApp(ChartApp):
    """One chart 9 rows tall, as each is on the progress screen at 80x24."""

    CSS = "Screen { layout: vertical; } .chart { height: 9; }"


@pytest.mark.parametrize("which", ["completion", "barriers"])
def test_chart_in_a_short_panel(snap_compare: Any, which: str) -> None:
    """Issue 17, item 12: every barrier shown has its label (the 7th is named as left
    out), the mean's key is in the caption, and the last bar has its date."""
    app = ShortPanelApp(which, many_barriers())
    assert snap_compare(app, terminal_size=(80, 24), run_before=laid_out)
