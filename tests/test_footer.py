"""hwtui's Footer (hwtui/widgets/footer.py), which every screen uses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from hwtui.widgets.footer import Footer


class Dialog(ModalScreen[str]):
    BINDINGS = [Binding("enter", "pick", "Pick", priority=True)]

    def compose(self) -> ComposeResult:
        yield Input()
        yield Footer()

    def action_pick(self) -> None:
        self.dismiss("picked")


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="host-field")
        yield Footer()


async def test_a_rebuild_due_after_its_dialog_closed_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Closing a dialog tells its Footer the keys changed (its focus goes), and Textual runs
    the rebuild that schedules after the next refresh of the screen then on top: by then
    the Footer is gone. It once crashed the app there (NoScreen, on the kind picker)."""
    app = Host()
    picked: list[str | None] = []
    async with app.run_test() as pilot:
        dialog = Dialog()
        await app.push_screen(dialog, picked.append)
        await pilot.pause()
        footer = dialog.query_one(Footer)
        scheduled: list[Callable[[], Awaitable[None]]] = []
        monkeypatch.setattr(
            footer, "call_after_refresh", lambda callback: scheduled.append(callback) or True
        )
        footer.bindings_changed(dialog)
        await pilot.press("enter")
        await pilot.pause()
        assert picked == ["picked"]
        assert not footer.is_attached
        assert len(scheduled) == 1
        await scheduled[0]()  # as Textual would, after the host screen's next refresh
