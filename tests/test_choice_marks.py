"""Ticked and unticked choices differ in shape, so they read the same without colour
(issue 17: under NO_COLOR "▐X▌" ticked and unticked differed only by a grey shade)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import RadioSet

from hwtui.widgets.choices import Checkbox, RadioButton, SelectionList


class Choices(App[None]):
    def compose(self) -> ComposeResult:
        yield Checkbox("ticked box", value=True, id="on")
        yield Checkbox("empty box", id="off")
        with RadioSet():
            yield RadioButton("chosen radio", value=True)
            yield RadioButton("other radio")
        yield SelectionList[str](("selected row", "a", True), ("plain row", "b"))


def screen_lines(app: App[None]) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
async def test_marks_differ_in_shape(monkeypatch: pytest.MonkeyPatch, no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = Choices()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert app.no_color is no_color
        text = "\n".join(screen_lines(app))
        for mark, label in [
            ("[x]", "ticked box"),
            ("[ ]", "empty box"),
            ("(•)", "chosen radio"),
            ("( )", "other radio"),
            ("[x]", "selected row"),
            ("[ ]", "plain row"),
        ]:
            assert f"{mark} {label}" in text, f"{label!r} without {mark!r}:\n{text}"
        # Ticking changes the shape on the screen, not only the colour.
        app.query_one("#off", Checkbox).value = True
        app.query_one(SelectionList).select("b")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "[x] empty box" in text
        assert "[x] plain row" in text
