"""Input fields as hwtui uses them: a steady cursor.

A blinking cursor redraws twice a second forever, which is wasted traffic over a slow SSH
link and makes screenshots differ from run to run.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea


class TextInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False


class NoteArea(TextArea):
    """A few lines of free text: the client's words, notes. Soft-wrapped, steady cursor."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("compact", True)
        super().__init__(text, **kwargs)
        self.cursor_blink = False
