"""Input fields as hwtui uses them: a steady cursor.

A blinking cursor redraws twice a second forever, which is wasted traffic over a slow SSH
link and makes screenshots differ from run to run.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input


class TextInput(Input):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)
        self.cursor_blink = False
