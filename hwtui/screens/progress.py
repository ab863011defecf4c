"""A client's progress on one screen: completion, a measure or the barriers, and what
seems to help (with counts, so a tiny sample is not over-read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from hwtui.data.catalog import INSTRUMENTS_BY_CODE
from hwtui.data.services.progress import Progress
from hwtui.screens.asking import ask
from hwtui.widgets.footer import Footer
from hwtui.widgets.progress_chart import BarrierChart, CompletionChart, MeasureChart
from hwtui.widgets.safe import safe_content, safe_plain

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


class ProgressScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        #progress-title {
            height: 1;
            padding: 0 1;
            background: $panel;
            text-style: bold;
        }

        #completion-chart {
            height: 1fr;
        }

        #lower-chart {
            height: 1fr;
        }

        #contrasts {
            height: auto;
            padding: 0 1;
        }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="progress.back"),
        Binding("tab", "next_chart", "Next chart", id="progress.next", priority=True),
    ]

    app: HomeworkApp

    def __init__(self, client_id: int, title: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.title_text = title
        self.lower: list[str] = ["barriers"]
        self.index = 0

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble("Progress · ", safe_content(self.title_text)),
            id="progress-title",
            markup=False,
        )
        yield CompletionChart(id="completion-chart")
        with ContentSwitcher(initial="barriers", id="lower-chart"):
            yield BarrierChart(id="barriers")
            for code in INSTRUMENTS_BY_CODE:
                yield MeasureChart(id=f"measure-{code}")
        yield Static("", id="contrasts", classes="hint", markup=False)
        yield Footer()

    @dataclass
    class Loaded(Message, bubble=False):
        progress: Progress

    def on_mount(self) -> None:
        ask(self, lambda p: p.progress(self.client_id), self.Loaded, name="progress")

    @on(Loaded)
    def _show(self, event: Loaded) -> None:
        progress = event.progress
        self.query_one(CompletionChart).show(progress)
        self.query_one(BarrierChart).show(progress)
        for code, points in progress.measures.items():
            self.query_one(f"#measure-{code}", MeasureChart).show(code, points)
        self.lower = ["barriers", *(f"measure-{c}" for c in progress.measures)]
        lines = Text("What seems to help (completion with / without):\n", style="bold")
        for item in progress.contrasts:
            lines.append("  " + item.describe() + "\n")
        if progress.beliefs:
            # Beliefs that recur are worth a thought record (the article's third part).
            lines.append("Limiting beliefs, in the client's words:\n", style="bold")
            for day, belief in progress.beliefs[-3:]:
                lines.append(f"  {day:%d %b} ", style="dim")
                lines.append(f"“{safe_plain(belief)}”\n")
        lines.rstrip()
        self.query_one("#contrasts", Static).update(lines)

    def action_next_chart(self) -> None:
        self.index = (self.index + 1) % len(self.lower)
        self.query_one(ContentSwitcher).current = self.lower[self.index]
