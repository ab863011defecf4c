"""Progress charts, the wins bank and the client-facing view, driven from the keyboard."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.text import Text
from sqlmodel import col, select
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from hwtui.data.catalog import BARRIERS_BY_CODE
from hwtui.data.db import Database
from hwtui.data.models import Client
from hwtui.data.services.identity import ensure_clinician
from hwtui.screens.client_view import ClientViewScreen
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.progress import ProgressScreen
from hwtui.screens.wins import WinsScreen
from hwtui.widgets.chart import Chart
from hwtui.widgets.progress_chart import BarrierChart, CompletionChart
from tests.app_helpers import app_maker, fill, settle
from tests.conftest import TODAY

CLINICIAN = "dr_progress"


def plot_shown(chart: Widget) -> bool:
    """Whether the chart shows a plot (one is mounted only once there is room for it)."""
    return any(plot.display for plot in chart.query(PlotextPlot))


@pytest.fixture
def practice(
    tmp_path: Path, demo_sqlite: Callable[..., Database]
) -> Iterator[tuple[Database, int]]:
    db = demo_sqlite(
        tmp_path / "p.sqlite3", clinician=CLINICIAN, clients=3, weeks=20, seed=5, today=TODAY
    )
    with db.read() as s:
        me = ensure_clinician(s, CLINICIAN)
        client_id = s.exec(
            select(Client.id).where(Client.clinician_id == me.clinician_id, Client.code == "C0001")
        ).one()
    assert client_id is not None
    yield db, client_id
    db.dispose()


make_app = app_maker(CLINICIAN)


async def test_progress_screen_draws_charts_and_contrasts(practice: tuple[Database, int]) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(ProgressScreen(client_id, "C0001"))
        await settle(pilot)
        chart = app.screen.query_one(CompletionChart)
        assert chart.progress is not None
        assert len(chart.progress.points) > 5
        assert chart.query_one(PlotextPlot).display  # room for a real chart
        contrasts = str(app.screen.query_one("#contrasts", Static).render())
        assert "with a set time or reminder" in contrasts
        assert " of " in contrasts  # every rate shows its count
        await pilot.press("tab")
        await pilot.pause()


def client_id_of(db: Database, code: str) -> int:
    with db.read() as s:
        found = s.exec(select(Client.id).where(Client.code == code)).one()
    assert found is not None
    return found


def plotted(chart: Chart) -> list[str]:
    """The chart's plot as plotext draws it for the plot's size now, line by line."""
    drawn = chart.query_one(PlotextPlot).render()
    assert isinstance(drawn, Text)
    return drawn.plain.splitlines()


def caption(chart: Chart) -> str:
    return str(chart.query_one(".chart-caption", Static).render())


async def test_progress_at_80x24_labels_every_bar_and_keeps_keys_off_the_data(
    practice: tuple[Database, int],
) -> None:
    """Issue 17, item 12, as seen at 80x24: a barrier bar lost its label, the mean's
    legend sat on the bars, and the time axis ended before the last bar. C0003 of this
    practice has 7 barriers; the chart has room for its top 6."""
    db, _client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ProgressScreen(client_id_of(db, "C0003"), "C0003"))
        await settle(pilot)
        completion = app.screen.query_one(CompletionChart)
        progress = completion.progress
        assert progress is not None
        assert len(progress.barriers) == 7

        lines = plotted(completion)
        assert not [line for line in lines if "avg" in line], lines  # no legend inside
        assert f"line: avg of 4 {round((progress.rolling[-1] or 0) * 100)}%" in caption(completion)
        last_day = progress.points[-1].day.strftime("%d %b %y")
        assert last_day in lines[-1], lines  # the axis labels end with the last bar's

        barriers = app.screen.query_one(BarrierChart)
        labelled = [line for line in plotted(barriers) if "┤" in line]
        top = [(BARRIERS_BY_CODE[code].label, n) for code, n in progress.barriers[:6]]
        assert len(labelled) == len(top)
        for (label, count), line in zip(top, labelled, strict=True):
            words, bar = line.split("┤")
            assert words.strip() == f"{label} {count}"  # whole, at 80 columns
            assert "█" in bar
        assert "top 6 of 7" in caption(barriers)  # the 7th is not dropped silently


async def test_no_color_at_80x24_shows_every_barrier_as_text(
    practice: tuple[Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without colour the charts are tables (no marks told apart by colour alone), and
    the captions go with the plots."""
    monkeypatch.setenv("NO_COLOR", "1")
    db, _client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ProgressScreen(client_id_of(db, "C0003"), "C0003"))
        await settle(pilot)
        barriers = app.screen.query_one(BarrierChart)
        for chart in (app.screen.query_one(CompletionChart), barriers):
            assert not plot_shown(chart)  # none mounted, or hidden
            assert not any(caption.display for caption in chart.query(".chart-caption"))
        assert barriers.progress is not None
        table = str(barriers.query_one(".chart-table", Static).render())
        for code, count in barriers.progress.barriers:
            assert f"{count}  {BARRIERS_BY_CODE[code].label}" in table


async def test_charts_fall_back_to_text_when_small(practice: tuple[Database, int]) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(36, 20)) as pilot:
        await settle(pilot)
        await app.push_screen(ProgressScreen(client_id, "C0001"))
        await settle(pilot)
        chart = app.screen.query_one(CompletionChart)
        assert not plot_shown(chart)  # none mounted, or hidden
        table = str(chart.query_one(".chart-table", Static).render())
        assert "Homework completion" in table
        assert "%" in table


async def test_wins_bank_searches(practice: tuple[Database, int]) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(WinsScreen(client_id, "C0001"))
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        everything = table.row_count
        assert everything > 3
        first_word = str(table.get_row_at(0)[2]).split()[0]
        await fill(pilot, first_word)
        await settle(pilot)
        assert 0 < table.row_count <= everything
        await fill(pilot, "zzzz-no-such-win")
        await settle(pilot)
        assert table.row_count == 0
        assert "No wins match" in str(app.screen.query_one("#wins-count", Static).render())


async def test_client_view_hides_clinical_detail_and_is_hard_to_leave(
    practice: tuple[Database, int],
) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientViewScreen(client_id))
        await settle(pilot)
        screen = app.screen
        visible = " ".join(str(w.render()) for w in screen.query(Static) if w.display).lower()
        for hidden in ("barrier", "phq", "gad", "ors", "srs", "note", "forgot", "learned"):
            assert hidden not in visible, hidden
        assert "your recent wins" in visible
        assert "what you are working on" in visible
        # A client pressing keys cannot leave, quit or open the palette.
        await pilot.press("escape", "ctrl+q", "ctrl+p", "question_mark", "q", "enter")
        await pilot.pause()
        assert app.screen is screen
        assert app.is_running
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("ctrl+x", "y")
        await pilot.pause()
        assert app.screen is not screen


async def test_limiting_beliefs_recur_on_the_progress_screen(
    practice: tuple[Database, int],
) -> None:
    """Issue 17: a belief recorded as a barrier is shown where beliefs recur, in the
    client's words, as text (never markup)."""
    from hwtui.data.models import Review, TaskOutcome

    db, client_id = practice
    with db.write() as s:
        latest = s.exec(
            select(TaskOutcome)
            .join(Review, col(Review.id) == col(TaskOutcome.review_id))
            .where(Review.client_id == client_id)
            .order_by(col(Review.session_date).desc())
        ).first()
        assert latest is not None
        latest.barriers = ["limiting_belief"]
        latest.belief = "If it isn't [b]perfect[/b] it doesn't count"
        s.add(latest)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ProgressScreen(client_id, "C0001"))
        await settle(pilot)
        shown = str(app.screen.query_one("#contrasts", Static).render())
        assert "Limiting beliefs, in the client's words:" in shown
        assert "“If it isn't [b]perfect[/b] it doesn't count”" in shown
