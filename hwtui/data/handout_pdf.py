"""The handout as a one-page printable PDF (fpdf2), in any script.

The font is DejaVu Sans, shipped in `hwtui/data/fonts` with its licence (Bitstream Vera),
so every machine makes the same PDF; text shaping (uharfbuzz) joins Arabic letters and
orders right-to-left words. DejaVu has no Chinese, Japanese or Korean letters: for those
fpdf2 falls back to Droid Sans Fallback (Apache 2.0, shipped beside it, 3.4 MB; only the
letters used are embedded), loaded only when the handout has such letters. A letter in
neither font (an emoji, a rare script) cannot be drawn: the PDF says so in a line at the
end (`MISSING`) rather than leave a gap no one notices; the text handout has every letter.

One page, always: the text is set smaller until it fits; if even the smallest size does
not hold every task, the last ones are left out and a line says they are in the
clinician's record. A very long field is cut at `FIELD_LIMIT` characters with "…".
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from fpdf import FPDF

from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.handout_text import CLOSING, EMPTY, heading, subheading, task_rows, win_line
from hwtui.data.text import clean_line

FONT = "DejaVu"
FALLBACK = "DroidFallback"
FALLBACK_FILE = "DroidSansFallback.ttf"
MISSING = (
    "Some letters could not be printed in this PDF; the text or Markdown handout has "
    "every word as written."
)
SIZES = (11.0, 10.0, 9.0, 8.0, 7.0)
FIELD_LIMIT = 400
MARGIN = 15.0
CONTINUED = "More homework is written in your clinician's record: ask them for the rest."


def _font_dir() -> Path:
    return Path(str(resources.files("hwtui.data") / "fonts"))


def _cut(text: str) -> str:
    text = clean_line(text)
    return text if len(text) <= FIELD_LIMIT else text[: FIELD_LIMIT - 1].rstrip() + "…"


@cache
def _cmap(name: str) -> frozenset[int]:
    """The code points the font file *name* (in `hwtui/data/fonts`) has glyphs for."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2 needs it

    with TTFont(str(_font_dir() / name), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _words(handout: Handout) -> list[str]:
    words = [heading(handout), subheading(handout), win_line(handout)]
    for task in handout.tasks:
        words += [task.title, *(row.text for row in task_rows(task))]
    return words


def _drawn(ch: str) -> bool:
    """Whether *ch* needs a glyph (not a space, a control or a format character)."""
    return not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf", "Mn"}


def letters_beyond(handout: Handout, *fonts: str) -> set[str]:
    """The letters of *handout* that none of the font files *fonts* can draw."""
    have = frozenset().union(*(_cmap(font) for font in fonts))
    return {ch for word in _words(handout) for ch in clean_line(word) if _drawn(ch)} - {
        chr(code) for code in have
    }


def _document(
    handout: Handout,
    size: float,
    shown: int,
    *,
    shaping: bool,
    fallback: bool = False,
    missing: bool = False,
) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title("Your homework")
    pdf.set_creator("hwtui")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    if fallback:
        pdf.add_font(FALLBACK, "", str(fonts / FALLBACK_FILE))
        # Bold text borrows the regular fallback: a bold CJK face is another 3 MB or more.
        pdf.set_fallback_fonts([FALLBACK], exact_match=False)
    if shaping:
        pdf.set_text_shaping(True)
    pdf.add_page()
    line = size * 0.5

    def para(text: str, *, bold: bool = False, scale: float = 1.0, indent: float = 0.0) -> None:
        pdf.set_font(FONT, "B" if bold else "", size * scale)
        pdf.set_x(MARGIN + indent)
        pdf.multi_cell(0, line * scale, text, align="L", new_x="LMARGIN", new_y="NEXT")

    para(_cut(heading(handout)), bold=True, scale=1.5)
    para(subheading(handout), scale=0.9)
    pdf.ln(line)
    if not handout.tasks:
        para(EMPTY)
    for number, task in enumerate(handout.tasks[:shown], 1):
        _task(para, number, task)
        pdf.ln(line * 0.6)
    if shown < len(handout.tasks):
        para(CONTINUED, bold=True)
        pdf.ln(line * 0.6)
    win = win_line(handout)
    if win:
        para(_cut(win))
        pdf.ln(line * 0.6)
    para(CLOSING, scale=0.9)
    if missing:
        pdf.ln(line * 0.6)
        para(MISSING, bold=True, scale=0.9)
    return pdf


def _task(para: _Para, number: int, task: HandoutTask) -> None:
    para(f"{number}. {_cut(task.title) or '(untitled)'}", bold=True, scale=1.15)
    for row in task_rows(task):
        para(f"{row.label}: {_cut(row.text)}", indent=5.0)


class _Para(Protocol):
    def __call__(
        self, text: str, *, bold: bool = False, scale: float = 1.0, indent: float = 0.0
    ) -> None: ...


def needs_shaping(handout: Handout) -> bool:
    """Whether any text is in a script that needs shaping (right-to-left letters, or
    combining marks): shaping is slow, so plain text is set without it."""
    words = [handout.client_name, handout.latest_win]
    for task in handout.tasks:
        words += [task.title, task.value, *task.supports]
        words += [row.text for row in task_rows(task)]
    return any(
        unicodedata.bidirectional(ch) in {"R", "AL", "AN"} or unicodedata.combining(ch)
        for word in words
        for ch in word
    )


def render_pdf(handout: Handout) -> bytes:
    """The handout as a one-page PDF, in any script DejaVu Sans or Droid Sans Fallback
    can draw; a line at the end says when some letters could not be drawn."""
    shaping = needs_shaping(handout)
    fallback = bool(letters_beyond(handout, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    missing = bool(fallback and letters_beyond(handout, "DejaVuSans.ttf", FALLBACK_FILE))
    options = {"shaping": shaping, "fallback": fallback, "missing": missing}
    for size in SIZES:
        pdf = _document(handout, size, len(handout.tasks), **options)
        if pdf.page_no() == 1:
            return bytes(pdf.output())
    # The most tasks that fit at the smallest size (with the "continued" line): fewer
    # tasks never take more room, so a binary search finds it.
    fits, over = 0, len(handout.tasks)
    best = _document(handout, SIZES[-1], 0, **options)
    while over - fits > 1:
        middle = (fits + over) // 2
        pdf = _document(handout, SIZES[-1], middle, **options)
        if pdf.page_no() == 1:
            fits, best = middle, pdf
        else:
            over = middle
    return bytes(best.output())
