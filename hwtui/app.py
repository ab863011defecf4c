"""HomeworkApp: the Textual application, and the one factory that builds it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import App
from textual.binding import Binding

from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.services.identity import Actor, ensure_clinician, os_username
from hwtui.screens.caseload import CaseloadScreen


class HomeworkApp(App[None]):
    TITLE = "hwtui"
    CSS_PATH = "hwtui.tcss"
    BINDINGS = [
        Binding("question_mark", "toggle_help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self, db: Database, actor: Actor, *, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__()
        self.db = db
        self.actor = actor
        # Injected so tests and snapshots can freeze the calendar.
        self.today = today

    def on_mount(self) -> None:
        self.push_screen(CaseloadScreen())

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def show_error(self, error: BaseException | None) -> None:
        """Tell the clinician something failed; never swallow it."""
        if isinstance(error, HwtuiError):
            message = str(error)
        else:
            message = f"Something went wrong: {type(error).__name__}: {error}"
        self.notify(
            message,
            title="Not saved" if error else "Error",
            severity="error",
            timeout=30,
            markup=False,
        )


def build_app(
    db: Database, *, username: str | None = None, today: Callable[[], date] = date.today
) -> HomeworkApp:
    """Build the app over a database already at the head schema (see migrate.prepare)."""
    with db.write() as session:
        actor = ensure_clinician(session, username or os_username())
    return HomeworkApp(db, actor, today=today)
