"""Input fields as hwtui uses them: a steady cursor, and never a control character.

A blinking cursor redraws twice a second forever, which is wasted traffic over a slow SSH
link and makes screenshots differ from run to run.

Both fields show what they hold as typed, so a control character in their text would
reach the terminal: a paste carrying `ESC ] 52 ; ...`, or stored text loaded for editing
(imported or legacy rows are not trusted). Every way text gets in (typing, pasting,
setting the value, loading a draft) goes through `safe_plain` first.

The multi-line field is `hwtui.widgets.note_area.NoteArea`: apart, because Textual's
TextArea takes longer to import than the first screen, which has no use for it, can spare.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

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
