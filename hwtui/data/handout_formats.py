"""The handout in each of its formats, as the bytes a file or a clipboard gets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from pathlib import Path

from hwtui.data.handout import Handout

FORMATS = ("text", "markdown", "pdf", "ics")
_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".pdf": "pdf", ".ics": "ics"}


def format_for(path: Path) -> str:
    """The format a file name asks for: .md, .pdf, .ics; anything else is plain text."""
    return _SUFFIXES.get(path.suffix.lower(), "text")


def render(
    handout: Handout,
    fmt: str,
    times: Mapping[int, time] | None = None,
    at: time | None = None,
) -> bytes:
    """*handout* in *fmt* (one of `FORMATS`). A calendar needs a time of day for every
    task (*times* per assignment, or *at*): ValueError naming those without one."""
    if fmt == "pdf":
        from hwtui.data.handout_pdf import render_pdf

        return render_pdf(handout)
    if fmt == "ics":
        from hwtui.data.handout_ics import make_calendar

        return make_calendar(handout, times, at)
    from hwtui.data.handout_text import render_markdown, render_text

    if fmt == "markdown":
        return render_markdown(handout).encode("utf-8")
    if fmt == "text":
        return render_text(handout).encode("utf-8")
    raise ValueError(f"unknown handout format {fmt!r}")
