"""Typing repaints only what changed (hwtui/widgets/repaint.py), and what is sent still
adds up to the screen: every update the app sends is played into a terminal emulator
(pyte), which must then show exactly what a full repaint shows."""

from __future__ import annotations

from typing import Any

import pyte
import pytest
from textual._compositor import CompositorUpdate
from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from hwtui.widgets.fields import TextInput
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.repaint import narrow_partial_renders, show

SIZE = (60, 12)


class Fields(App[None]):
    CSS = """
    Vertical { padding: 0 1; }
    NoteArea { height: 4; }
    #narrow { width: 12; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield TextInput(placeholder="a field", id="wide")
            yield TextInput(id="narrow")
            yield NoteArea(id="note")
            yield NoteArea(id="hinted", placeholder="say it here")
            yield Static("", id="status", markup=False)


class Wire:
    """The terminal at the other end: every update the app sends, played into pyte."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.screen = pyte.Screen(*SIZE)
        self.stream = pyte.Stream(self.screen)
        self.sent = 0
        self.stream.feed(self._full())
        app._display = self._display  # type: ignore[method-assign]

    def _full(self) -> str:
        update = self.app.screen._compositor.render_update(full=True)
        assert isinstance(update, CompositorUpdate)
        return update.render_segments(self.app.console)

    def _display(self, screen: Screen[Any], update: object) -> None:
        if isinstance(update, CompositorUpdate):
            text = update.render_segments(self.app.console)
            self.sent += len(text.encode())
            self.stream.feed(text)

    def cells(self, screen: pyte.Screen | None = None) -> list[list[tuple[Any, ...]]]:
        screen = screen or self.screen
        return [
            [
                (c.data, c.fg, c.bg, c.bold, c.reverse)
                for c in (screen.buffer[y][x] for x in range(screen.columns))
            ]
            for y in range(screen.lines)
        ]

    def assert_whole(self) -> None:
        """What was sent shows what a full repaint would."""
        fresh = pyte.Screen(*SIZE)
        pyte.Stream(fresh).feed(self._full())
        assert self.cells() == self.cells(fresh), "\n".join(self.screen.display)


def _spy(monkeypatch: pytest.MonkeyPatch, base: type[Input] | type[TextArea]) -> list[Any]:
    """The refresh calls that get past the field's own `refresh` to Textual's."""
    calls: list[Any] = []
    original = base.refresh

    def refresh(self: Any, *regions: Region, **kwargs: Any) -> Any:
        calls.append((self.id, regions, kwargs.get("layout", False)))
        return original(self, *regions, **kwargs)

    monkeypatch.setattr(base, "refresh", refresh)
    return calls


async def test_typing_at_the_end_of_an_input_repaints_the_new_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#wide").focus()
        await pilot.press("a")
        await pilot.pause()
        calls = _spy(monkeypatch, Input)
        await pilot.press("b", "c")
        await pilot.pause()
        field = app.query_one("#wide", Input)
        assert field.value == "abc"
        # No layout, no whole line: the new character and the cursor after it.
        wide = [call for call in calls if call[0] == "wide"]
        assert wide[:2] == [
            ("wide", (Region(1, 0, 2, 1),), False),
            ("wide", (Region(2, 0, 2, 1),), False),
        ]


async def test_typing_at_the_end_of_a_note_repaints_the_new_cells(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#note").focus()
        await pilot.pause()
        calls = _spy(monkeypatch, TextArea)
        await pilot.press("a", "b")
        await pilot.pause()
        assert app.query_one("#note", NoteArea).text == "ab"
        note = [call for call in calls if call[0] == "note"]
        assert note[:2] == [
            ("note", (Region(0, 0, 2, 1),), False),
            ("note", (Region(1, 0, 2, 1),), False),
        ]


async def test_other_edits_repaint_the_whole_field(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#wide").focus()
        await pilot.pause()
        calls = _spy(monkeypatch, Input)
        await pilot.press("a")  # the placeholder goes away
        await pilot.press("b", "home", "x")  # in the middle: the rest moves along
        await pilot.pause()
        assert app.query_one("#wide", Input).value == "xab"
        typed = [call for call in calls if call[0] == "wide"]
        assert typed[0][1] == ()
        assert typed[-1][1] == ()
        # The placeholder of a note goes away at its first character.
        app.query_one("#hinted").focus()
        await pilot.pause()
        note_calls = _spy(monkeypatch, TextArea)
        await pilot.press("s")
        await pilot.pause()
        assert ("hinted", (), False) in note_calls


async def test_what_is_sent_adds_up_to_the_screen() -> None:
    """Typing (a line that scrolls, a note that wraps), deleting and moving in each
    field: the emulator at the other end shows what a full repaint shows, after every
    key."""
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        wire = Wire(app)
        line = "paid at the till, twice"
        note = "She went to the shop on her own and paid at the till, twice"
        for field, words in (
            ("#wide", line),
            ("#narrow", line),
            ("#note", note),
            ("#hinted", "ok"),
        ):
            app.query_one(field).focus()
            await pilot.pause()
            for char in words:
                await pilot.press("space" if char == " " else char)
                await pilot.pause()
                wire.assert_whole()
            await pilot.press("backspace", "home", "Q", "end", "z")
            await pilot.pause()
            wire.assert_whole()
        assert app.query_one("#narrow", Input).value == "Q" + line[:-1] + "z"
        assert app.query_one("#note", NoteArea).text.endswith(", Qtwicz")  # home: the row's


async def test_typing_a_line_sends_little() -> None:
    """About 60 bytes a key and the text before it on its line, not the field's blanks."""
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#wide").focus()
        await pilot.press("a")
        await pilot.pause()
        wire = Wire(app)
        for char in "bcdefghij":
            await pilot.press(char)
            await pilot.pause()
        assert wire.sent / 9 < 100


async def test_a_frame_renders_only_the_widgets_it_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert narrow_partial_renders()  # Textual is the version it was written from
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#wide").focus()
        await pilot.press("a")
        await pilot.pause()
        rendered: list[str | None] = []
        original = StylesCache.render_widget

        def render_widget(self: StylesCache, widget: Any, crop: Region) -> Any:
            rendered.append(widget.id)
            return original(self, widget, crop)

        monkeypatch.setattr(StylesCache, "render_widget", render_widget)
        await pilot.press("b")
        await pilot.pause()
        # The field and what holds it; not the fields, notes and status below it.
        assert "wide" in rendered
        assert not {"narrow", "note", "hinted", "status"} & set(rendered)


async def test_show_leaves_a_static_be_when_it_already_shows_the_text() -> None:
    app = Fields()
    async with app.run_test(size=SIZE) as pilot:
        status = app.query_one("#status", Static)
        show(status, "editing…")
        await pilot.pause()
        updates: list[object] = []
        original = status.update
        status.update = lambda *a, **k: (updates.append(a), original(*a, **k))  # type: ignore[method-assign]
        show(status, "editing…")
        assert updates == []
        show(status, "draft saved")
        assert updates == [("draft saved",)]
        assert str(status.render()) == "draft saved"


def test_the_installed_textual_is_told_without_importlib_metadata() -> None:
    import textual

    from hwtui.widgets.repaint import NARROWED_TEXTUAL, installed_textual_is

    assert installed_textual_is(textual.__version__)
    assert installed_textual_is(NARROWED_TEXTUAL) == (textual.__version__ == NARROWED_TEXTUAL)
    assert not installed_textual_is("0.0.1")
