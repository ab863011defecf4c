"""A view safe to turn toward the client: their progress, their wins, their goals.

No notes, barriers or measures. The client cannot leave it, quit or open anything by
accident: the only way out is ctrl+x followed by the clinician confirming.

No notification shows over it, a clinician's error included: the app holds every
notification raised while this view is up (`HomeworkApp.notify`) and shows them once the
clinician has left it. The view has no place for toasts at all (its ToastRack is removed),
so those already showing when it opened are not drawn on it; they come back, if not yet
timed out, on the screen the clinician returns to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from hwtui.data.handout import Handout
from hwtui.data.practice_views import ClientFacing
from hwtui.screens.asking import ask
from hwtui.screens.confirm import ConfirmScreen
from hwtui.widgets.handout_sheet import HandoutSheet
from hwtui.widgets.progress_chart import CompletionChart
from hwtui.widgets.safe import safe_text

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

WINS_SHOWN = 8
FOOTER = "h: your homework sheet · ctrl+x: clinician, to leave this view"
FOOTER_HANDOUT = "h: back to your progress · ctrl+x: clinician, to leave this view"


class ClientViewScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        #view-chart {
            height: 1fr;
        }

        #view-lower {
            height: 1fr;
        }

        #view-wins, #view-goals {
            width: 1fr;
            padding: 0 1;
        }

        /* The client's homework sheet, in place of their progress while h shows it. */
        #view-handout {
            height: 1fr;
            padding: 0 1;
            display: none;
        }

        #view-footer {
            height: 1;
            color: $text-muted;
            padding: 0 1;
        }
    """

    LOCKS_APP = True  # see HomeworkApp.check_action
    # Priority: these win over every other binding, so stray keys do nothing here.
    BINDINGS = [
        Binding("ctrl+x", "leave", "Clinician: leave", id="client_view.leave", priority=True),
        # The client's homework sheet (their handout), and back: nothing else opens here.
        Binding("h", "handout", "Your homework", id="client_view.handout", priority=True),
        Binding(
            "ctrl+q,ctrl+c,escape,ctrl+p,question_mark,tab,shift+tab",
            "stay",
            show=False,
            priority=True,
            id="client_view.stay",
        ),
    ]

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        view: ClientFacing

    @dataclass
    class HandoutLoaded(Message, bubble=False):
        handout: Handout

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        yield Static("", id="view-title", markup=False)
        yield CompletionChart(id="view-chart")
        with Horizontal(id="view-lower"):
            with VerticalScroll(id="view-wins"):
                yield Static("", id="view-wins-text", markup=False)
            with VerticalScroll(id="view-goals"):
                yield Static("", id="view-goals-text", markup=False)
        with VerticalScroll(id="view-handout"):
            yield HandoutSheet("Reading your homework…", id="view-handout-text")
        yield Static(FOOTER, id="view-footer", markup=False)

    def on_mount(self) -> None:
        # Textual puts a rack for toasts on every screen; with none here, notifications
        # already raised are not drawn over what the client reads (new ones are held by
        # HomeworkApp.notify).
        for rack in self.query("ToastRack"):
            rack.remove()
        ask(
            self,
            lambda p: p.client_facing(self.client_id, wins=WINS_SHOWN),
            self.Loaded,
            name="client-view",
        )

    @on(Loaded)
    def _show(self, event: Loaded) -> None:
        view = event.view
        title = Text("Your progress, ", style="bold")
        title.append_text(safe_text(view.client.display_name, "bold"))
        self.query_one("#view-title", Static).update(title)
        self.query_one(CompletionChart).show(view.progress)
        wins = Text("Your recent wins\n", style="bold")
        for win in view.wins:
            wins.append(f"{win.day:%d %b}  ", style="dim")
            wins.append_text(safe_text(" ".join(win.text.split())))
            wins.append("\n")
        if not view.wins:
            wins.append("Your wins will appear here.\n", style="dim")
        self.query_one("#view-wins-text", Static).update(wins)
        goals = Text("What you are working on\n", style="bold")
        for goal in view.goals:
            goals.append("• ")
            goals.append_text(safe_text(goal.title))
            when = ", ".join(x for x in (goal.when, goal.where, goal.how_long) if x.strip())
            if when:
                goals.append("\n  ")
                goals.append_text(safe_text(when, "dim"))
            goals.append("\n")
        if not view.goals:
            goals.append("Nothing set yet.\n", style="dim")
        self.query_one("#view-goals-text", Static).update(goals)

    def action_handout(self) -> None:
        """Show the client their homework sheet (the handout), or go back to progress."""
        sheet = self.query_one("#view-handout")
        showing = not sheet.display
        sheet.display = showing
        self.query_one(CompletionChart).display = not showing
        self.query_one("#view-lower").display = not showing
        self.query_one("#view-footer", Static).update(FOOTER_HANDOUT if showing else FOOTER)
        if showing:
            sheet.scroll_home(animate=False)
            ask(
                self,
                lambda p: p.handout(self.client_id),
                self.HandoutLoaded,
                name="client-view-handout",
            )

    @on(HandoutLoaded)
    def _show_handout(self, event: HandoutLoaded) -> None:
        self.query_one(HandoutSheet).show(event.handout)

    def action_stay(self) -> None:
        """Keys that would leave or reveal something do nothing while the client looks."""

    def action_leave(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)
                # What the app held back while the client could read the screen.
                self.app.call_later(self.app.show_held_notices)

        self.app.push_screen(
            ConfirmScreen("Leave the client view?", "For the clinician: y to leave, n to stay."),
            answered,
        )
