"""The one way to show text that a person typed or imported.

Such text is never parsed as markup (so `[TODO]` stays `[TODO]` and `[@click=...]`
does nothing) and never carries control characters to the terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from hwtui.data.text import strip_controls


def safe_text(value: str | None, style: str = "") -> Text:
    """A Rich Text for tables and other Rich renderables."""
    return Text(strip_controls(value or ""), style=style, end="")


def safe_content(value: str | None) -> Content:
    """A Textual Content for Static, Label and friends."""
    return Content(strip_controls(value or ""))
