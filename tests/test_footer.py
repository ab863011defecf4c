"""hwtui's Footer (hwtui/widgets/footer.py), which every screen uses."""

from __future__ import annotations

from collections.abc import Callable

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
        scheduled: list[Callable[[], None]] = []
        monkeypatch.setattr(
            footer, "call_after_refresh", lambda callback: scheduled.append(callback) or True
        )
        footer.bindings_changed(dialog)
        await pilot.press("enter")
        await pilot.pause()
        assert picked == ["picked"]
        assert not footer.is_attached
        assert len(scheduled) == 1
        scheduled[0]()  # as Textual would, after the host screen's next refresh


class Keys(App[None]):
    """Keys to click: one that works, one shown but not available now."""

    BINDINGS = [
        Binding("x", "mark", "Mark [b]it[/b]", tooltip="[@click=app.quit]x[/]"),
        Binding("y", "later", "Later"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marked = 0
        self.belled = 0

    def compose(self) -> ComposeResult:
        yield Footer(compact=True)

    def action_mark(self) -> None:
        self.marked += 1

    def action_later(self) -> None:
        raise AssertionError("a disabled key ran")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "later" else True

    def bell(self) -> None:
        self.belled += 1


def _footer(app: App[None]) -> tuple[Footer, str]:
    """The screen's footer, and its row as the terminal gets it."""
    footer = app.screen.query_one(Footer)
    return footer, app.screen._compositor.render_strips()[footer.region.y].text


def _key(footer: Footer, text: str) -> int:
    """The column of the middle of the key *text* on the footer's line."""
    placed = next(key for key in footer.placed if key.text == text)
    return (placed.start + placed.end) // 2


async def test_a_click_on_a_key_presses_it_and_a_disabled_one_rings() -> None:
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer, line = _footer(app)
        # The description is the binding's own text, never markup.
        assert line.startswith("x Mark [b]it[/b] y Later"), line
        await pilot.click(Footer, offset=(_key(footer, "x Mark [b]it[/b]"), 0))
        assert app.marked == 1
        await pilot.click(Footer, offset=(_key(footer, "y Later"), 0))
        assert (app.marked, app.belled) == (1, 1)
        # The keys are drawn by the footer itself: no widget is mounted per key.
        assert not footer.children


async def test_hovering_a_key_shows_its_tooltip_as_plain_text() -> None:
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer, _ = _footer(app)
        await pilot.hover(Footer, offset=(_key(footer, "x Mark [b]it[/b]"), 0))
        assert str(footer.tooltip) == "[@click=app.quit]x[/]"
        await pilot.hover(Footer, offset=(_key(footer, "y Later"), 0))
        assert footer.tooltip is None
        assert app.is_running


async def test_keys_that_do_not_fit_are_left_out_whole() -> None:
    app = Keys()
    async with app.run_test(size=(24, 5)) as pilot:
        await pilot.pause()
        footer, line = _footer(app)
        # 12 columns beside the palette's key: "x Mark [b]it[/b]" (16 and a space) does
        # not fit there; "y Later" after it does.
        assert [key.text for key in footer.placed] == ["y Later", "^p palette"]
        assert line.startswith("y Later "), line
        assert line.rstrip().endswith("▏^p palette"), line
