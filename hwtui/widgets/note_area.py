"""The multi-line field: a steady cursor, and never a control character (see `fields`).

Typing at the end of a line repaints only the new characters and the cursor, not every
row of the field (`hwtui.widgets.repaint`); a word that wraps repaints it all.
"""

from __future__ import annotations

from typing import Any, Self

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult, Location

from hwtui.widgets.repaint import RepaintHold
from hwtui.widgets.safe import safe_plain


class NoteArea(TextArea):
    """A few lines of free text: the client's words, notes. Soft-wrapped, steady cursor."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("compact", True)
        self._hold = RepaintHold()  # before TextArea's own set-up, which may refresh
        super().__init__(safe_plain(text), **kwargs)
        self.cursor_blink = False

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._hold.held(regions, repaint, layout, recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def edit(self, edit: Edit) -> EditResult:
        if not self._typing_at_line_end(edit):
            return super().edit(edit)
        row = edit.from_location[0]
        wrapped = self.wrapped_document
        offsets, height = wrapped.get_offsets(row), wrapped.height
        scroll = self.scroll_offset
        x, y = self._cursor_offset

        def changed() -> Region | None:
            # The characters went on the cursor's visual line, which did not wrap
            # differently, and nothing scrolled: only they and the cursor changed.
            steady = (
                wrapped.get_offsets(row) == offsets
                and wrapped.height == height
                and self.scroll_offset == scroll
                and self.selection.is_empty
            )
            new_x, new_y = self._cursor_offset
            if not steady or new_y != y or new_x != x + cell_len(edit.text):
                return None
            left = self.gutter_width + x - scroll.x
            if left < 0 or left + new_x - x + 1 > self.content_size.width:
                return None
            return Region(left, y - scroll.y, new_x - x + 1, 1)

        with self._hold.editing(self.refresh, changed):
            return super().edit(edit)

    def _typing_at_line_end(self, edit: Edit) -> bool:
        """Whether *edit* adds printable text at the cursor, which is at the end of a line,
        with nothing else drawn that it could change (a placeholder, a suggestion, syntax
        highlights, line numbers, a selection)."""
        row, column = edit.from_location
        cursor = self.selection
        if not (edit.text and edit.text.isprintable() and edit.to_location == edit.from_location):
            return False
        if not (cursor.is_empty and cursor.end == edit.from_location and self.has_focus):
            return False
        document = self.document
        if column != len(document[row]):
            return False
        if self.placeholder and not column and document.line_count == 1:
            return False  # the placeholder goes away
        plain = self.language is None and not self.show_line_numbers and not self.suggestion
        return plain and not self.read_only

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
