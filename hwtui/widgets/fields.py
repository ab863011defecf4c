"""Input fields as hwtui uses them: a steady cursor, and never a control character.

A blinking cursor redraws twice a second forever, which is wasted traffic over a slow SSH
link and makes screenshots differ from run to run.

Both fields show what they hold as typed, so a control character in their text would
reach the terminal: a paste carrying `ESC ] 52 ; ...`, or stored text loaded for editing
(imported or legacy rows are not trusted). Every way text gets in (typing, pasting,
setting the value, loading a draft) goes through `safe_plain` first.

Typing at the end of a field repaints only the new characters and the cursor, not the
whole line (`hwtui.widgets.repaint`): over SSH that is most of what a key costs.

The multi-line field is `hwtui.widgets.note_area.NoteArea`: apart, because Textual's
TextArea takes longer to import than the first screen, which has no use for it, can spare.
"""

from __future__ import annotations

from typing import Any, Self

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Input

from hwtui.widgets.repaint import RepaintHold
from hwtui.widgets.safe import safe_plain


class TextInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._hold = RepaintHold()  # before Input's own set-up, which may refresh
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
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

    def validate_value(self, value: str) -> str:
        return safe_plain(value)

    def replace(self, text: str, start: int, end: int) -> None:
        # Cleaned here too, so that the cursor lands after what was really inserted.
        text = safe_plain(text)
        before = self.value
        scroll = self.scroll_offset
        cells = self._typed_cells(text, start, end)
        if cells is None:
            super().replace(text, start, end)
            return

        def changed() -> Region | None:
            # Only the typed characters and the cursor changed: nothing was refused or
            # cut, and the line did not scroll to keep the cursor in view.
            steady = self.value == before + text and self.scroll_offset == scroll
            return cells if steady and self.cursor_position == len(self.value) else None

        # Input asks for a layout at every key (its virtual width grows with the text),
        # which lays out the whole screen; a field whose width does not follow its text
        # (no auto width, checked below) only scrolls within itself, and that is checked.
        with self._hold.editing(self.refresh, changed, layout_ok=True):
            super().replace(text, start, end)

    def _typed_cells(self, text: str, start: int, end: int) -> Region | None:
        """The cells that typing *text* at the end of the value changes: where the cursor
        was, now the text, and the cursor after it. None for any other edit, and when
        anything else in the line may change with it (a placeholder going away, a
        suggestion, a highlighter, validation styles, hidden text, scrolling)."""
        value = self.value
        at_end = start == end == len(value) == self.cursor_position
        if not (value and text and at_end and self.selection.is_empty and self.has_focus):
            return None
        if not text.isprintable() or self.password or self.validators or self._suggestion:
            return None
        if self.highlighter is not None or self.suggester is not None:
            return None
        if self.styles.auto_dimensions:  # its size follows its text: a layout is needed
            return None
        x = cell_len(value) - self.scroll_offset.x
        width = cell_len(text) + 1  # the text, then the cursor
        if x < 0 or x + width > self.scrollable_content_region.width:
            return None
        return Region(x, 0, width, 1)
