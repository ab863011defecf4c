"""Screens whose data may change while another full screen is on top of them."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen, Screen

ResultT = TypeVar("ResultT")


class ReloadingScreen(Screen[ResultT]):
    """Reloads (with `load()`) on return from a full screen such as a client or a review.

    A dialog reports back through its callback instead, so closing one does not reload
    (and does not audit a second view).
    """

    _left_for_screen = False

    def load(self) -> object:
        raise NotImplementedError

    def on_screen_suspend(self) -> None:
        self._left_for_screen = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        if self._left_for_screen:
            self._left_for_screen = False
            self.load()
