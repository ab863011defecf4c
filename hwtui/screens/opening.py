"""Opening a client's overview: read first, then shown whole in the screen's first frame.

Pushed before its brief was read, the overview was built, laid out and painted empty
("Loading…"), then laid out and painted again when the brief came, while the read ran
on a worker thread competing with that painting for the interpreter (issue 19: most
of an overview's 110-170 ms). Here the screen the clinician opened it from asks for the
brief and the chart's history (`Practice.client_overview`, as the overview's reload
does), and pushes the overview with them: one layout, one frame. Keys typed meanwhile
wait for the read (`KEYS_WAIT_FOR` names `OPENING`), then go to the overview.

Kept free of the overview's own modules, which the caseload paints without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget

from hwtui.screens.asking import ask

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp
    from hwtui.data.practice_views import ClientOverview

# The worker group that reads an overview before it opens.
OPENING = "open-client"
# A read slower than this (a busy server) shows that something is happening.
SHOW_WAITING_SECONDS = 0.25


@dataclass
class OverviewRead(Message, bubble=False):
    client_id: int
    overview: ClientOverview


@dataclass
class OverviewFailed(Message, bubble=False):
    error: BaseException


class OpensClients(Screen[None]):
    """A screen from which the clinician opens a client's overview (`open_client`)."""

    app: HomeworkApp
    _waiting_on: Widget | None = None

    def open_client(self, client_id: int) -> None:
        # Imported here, like every screen this one opens: it paints without them.
        from hwtui.screens.client import EARLIER_READ, OVERVIEW_HISTORY

        ask(
            self,
            lambda p: p.client_overview(client_id, history=OVERVIEW_HISTORY, earlier=EARLIER_READ),
            lambda overview: OverviewRead(client_id, overview),
            name=OPENING,
            failed=OverviewFailed,
        )
        self.set_timer(SHOW_WAITING_SECONDS, self._show_waiting)

    def _show_waiting(self) -> None:
        if self._opening() and isinstance(self.focused, Widget):
            self._waiting_on = self.focused
            self._waiting_on.loading = True

    def _opening(self) -> bool:
        return any(
            w.node is self and w.group == OPENING and not w.is_finished for w in self.app.workers
        )

    def _stop_waiting(self) -> None:
        if self._waiting_on is not None:
            self._waiting_on.loading = False
            self._waiting_on = None

    @on(OverviewRead)
    def _overview_read(self, event: OverviewRead) -> None:
        from hwtui.screens.client import ClientScreen

        self._stop_waiting()
        if self.app.screen is self:  # nothing else was opened meanwhile
            self.app.push_screen(ClientScreen(event.client_id, event.overview))

    @on(OverviewFailed)
    def _overview_failed(self, event: OverviewFailed) -> None:
        self._stop_waiting()
        self.app.show_error(event.error)  # said where it was asked: the client was not opened
