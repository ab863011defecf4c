"""The one way to show text that a person typed or imported.

Such text is never parsed as markup (so `[TODO]` stays `[TODO]` and `[@click=...]`
does nothing) and never carries control characters to the terminal: a stored
`ESC ] 52 ; ...` would otherwise reach the clinician's terminal and act there.

Textual parses plain `str` as markup in many places (Static and Label by default,
DataTable cells, OptionList and Select prompts, notifications), and removes only a few
control characters itself (not ESC, DEL or C1). So a person's words go through one of
these helpers: `safe_content` for widgets, `safe_text` for Rich renderables such as table
cells and option prompts, `safe_plain` where only a `str` will do (window titles, field
values), and `notify_safe` for every notification. tests/test_untrusted_paths.py keeps
the rest of hwtui from going around them.
"""

from __future__ import annotations

from typing import Protocol

from rich.text import Text
from textual.content import Content
from textual.notifications import SeverityLevel

from hwtui.data.text import strip_controls


class _Notifies(Protocol):
    """An App or a Widget: both can raise a notification."""

    def notify(
        self,
        message: str,
        *,
        title: str = ...,
        severity: SeverityLevel = ...,
        timeout: float | None = ...,
        markup: bool = ...,
    ) -> None: ...


def safe_plain(value: str | None) -> str:
    """The text without control characters, as a plain `str` (never markup)."""
    return strip_controls(value or "")


def safe_text(value: str | None, style: str = "") -> Text:
    """A Rich Text for tables and other Rich renderables."""
    return Text(safe_plain(value), style=style, end="")


def safe_content(value: str | None) -> Content:
    """A Textual Content for Static, Label and friends."""
    return Content(safe_plain(value))


def notify_safe(
    target: _Notifies,
    message: str,
    *,
    title: str = "",
    severity: SeverityLevel = "information",
    timeout: float | None = None,
) -> None:
    """Show a notification whose message and title are plain text, without controls.

    Every notification goes through here: messages often carry a client's words, a
    path or an error's text, and Textual would otherwise read them as markup.
    """
    target.notify(
        safe_plain(message),
        title=safe_plain(title),
        severity=severity,
        timeout=timeout,
        markup=False,
    )
