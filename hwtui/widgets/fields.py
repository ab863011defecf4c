"""Input fields as hwtui uses them: a steady cursor, and never a control character.

A blinking cursor redraws twice a second forever, which is wasted traffic over a slow SSH
link and makes screenshots differ from run to run.

Both fields show what they hold as typed, so a control character in their text would
reach the terminal: a paste carrying `ESC ] 52 ; ...`, or stored text loaded for editing
(imported or legacy rows are not trusted). Every way text gets in (typing, pasting,
setting the value, loading a draft) goes through `safe_plain` first.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea
from textual.widgets.text_area import EditResult, Location

from hwtui.widgets.safe import safe_plain


class TextInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False

    def validate_value(self, value: str) -> str:
        return safe_plain(value)

    def replace(self, text: str, start: int, end: int) -> None:
        # Cleaned here too, so that the cursor lands after what was really inserted.
        super().replace(safe_plain(text), start, end)


class NoteArea(TextArea):
    """A few lines of free text: the client's words, notes. Soft-wrapped, steady cursor."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("compact", True)
        super().__init__(safe_plain(text), **kwargs)
        self.cursor_blink = False

    def load_text(self, text: str) -> None:
        super().load_text(safe_plain(text))

    def insert(
        self,
        text: str,
        location: Location | None = None,
        *,
        maintain_selection_offset: bool = True,
    ) -> EditResult:
        return super().insert(
            safe_plain(text), location, maintain_selection_offset=maintain_selection_offset
        )

    def replace(
        self,
        insert: str,
        start: Location,
        end: Location,
        *,
        maintain_selection_offset: bool = True,
    ) -> EditResult:
        return super().replace(
            safe_plain(insert), start, end, maintain_selection_offset=maintain_selection_offset
        )
