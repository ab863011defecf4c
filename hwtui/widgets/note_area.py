"""The multi-line field: a steady cursor, and never a control character (see `fields`)."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location

from hwtui.widgets.safe import safe_plain


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
