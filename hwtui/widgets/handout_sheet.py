"""The client's handout on a screen: its plain text laid out for the width it is given.

The text handout is 80 cells wide (`render_text`); a screen 80 columns wide has less room
than that once padding and a scrollbar are taken, and a Static would cut the lines off
or wrap them back to the margin. This widget lays the text out again, through the same
function, at its own width (80 at most) whenever that width changes.
"""

from __future__ import annotations

from textual.widgets import Static

from hwtui.data.handout import Handout
from hwtui.data.handout_text import WIDTH, render_text
from hwtui.widgets.safe import safe_content

# Below this the indented rows have no room for words; the widget scrolls sideways.
NARROWEST = 30


class HandoutSheet(Static):
    """A handout as plain text (never markup), wrapped to the widget's width."""

    DEFAULT_CSS = """
    HandoutSheet { width: 1fr; max-width: 80; height: auto; }
    """

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder, id=id, markup=False)
        self.handout: Handout | None = None

    def show(self, handout: Handout) -> None:
        self.handout = handout
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def laid_out_width(self) -> int:
        """The width the text is laid out at: the widget's, at most 80 cells."""
        width = self.content_size.width or WIDTH
        return max(NARROWEST, min(WIDTH, width))

    def _draw(self) -> None:
        if self.handout is None:
            return
        text = render_text(self.handout, self.laid_out_width()).rstrip("\n")
        self.update(safe_content(text))
