"""Choices whose ticked and unticked marks differ in shape, not only in colour.

Textual draws every toggle as "▐X▌" (checkbox, selection list) or "▐●▌" (radio button),
ticked or not; only the colour says which. Under NO_COLOR, on a monochrome terminal or
to someone who does not see the colours, ticked and unticked looked the same (issue 17).
Here a ticked box is "[x]" and an empty one "[ ]"; a chosen radio button "(•)" and the
others "( )". The colours stay as Textual's theme has them.

Use these instead of Textual's (ruff bans importing Textual's own: pyproject.toml).
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox as TextualCheckbox  # noqa: TID251
from textual.widgets import RadioButton as TextualRadioButton  # noqa: TID251
from textual.widgets import SelectionList as TextualSelectionList  # noqa: TID251
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

BOX_TICKED = "[x]"
BOX_EMPTY = "[ ]"
RADIO_CHOSEN = "(•)"
RADIO_EMPTY = "( )"

SelectionType = TypeVar("SelectionType")


def _mark(widget: ToggleButton, ticked: str, empty: str) -> Content:
    # The whole mark in the button's style (its colour says on/off as before; the shape
    # now says it too).
    return Content.styled(
        ticked if widget.value else empty, widget.get_visual_style("toggle--button")
    )


class Checkbox(TextualCheckbox):
    """A checkbox that shows "[x]" ticked and "[ ]" not."""

    @property
    def _button(self) -> Content:
        return _mark(self, BOX_TICKED, BOX_EMPTY)


class RadioButton(TextualRadioButton):
    """A radio button that shows "(•)" chosen and "( )" not."""

    @property
    def _button(self) -> Content:
        return _mark(self, RADIO_CHOSEN, RADIO_EMPTY)


class SelectionList(TextualSelectionList[SelectionType]):
    """A selection list whose rows start "[x]" when selected and "[ ]" when not."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        button = ToggleButton.BUTTON_LEFT + ToggleButton.BUTTON_INNER + ToggleButton.BUTTON_RIGHT
        if len(segments) < 3 or "".join(s.text for s in segments[:3]) != button:
            return strip  # not a row Textual drew a button on
        mark = BOX_TICKED if selection.value in self.selected else BOX_EMPTY
        # Each character keeps its position's style: the meta in it says which row a
        # click is on.
        marks = [
            Segment(char, segment.style) for char, segment in zip(mark, segments[:3], strict=True)
        ]
        return Strip([*marks, *segments[3:]], strip.cell_length)
