"""Screens whose data may change while another full screen is on top of them."""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.screen import ModalScreen, Screen

ResultT = TypeVar("ResultT")


class ReloadingScreen(Screen[ResultT]):
    """Reloads (with `load()`) on return from a full screen such as a client or a review.

    A dialog reports back through its callback instead, so closing one does not reload
    (and does not audit a second view).
    """

    _left_for_screen = False
    _resumed = False

    def load(self) -> object:
        raise NotImplementedError

    def on_screen_suspend(self) -> None:
        self._left_for_screen = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            # Its first resume follows its push: every node was styled as it mounted, a
            # moment ago. Textual styles every node of a resuming screen again (right for
            # one that was covered meanwhile); this handler runs before Textual's, and
            # skipping that pass the first time saves the client's overview about a
            # tenth of its open, and the caseload as much of the launch.
            self._resumed = True
            event.refresh_styles = False
        if self._left_for_screen:
            self._left_for_screen = False
            self.load()
