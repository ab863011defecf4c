"""Cleaning text that a person typed or imported, before it is stored or shown.

Stored escape sequences must never reach a clinician's terminal, so every C0 control
except newline and tab, DEL, and every C1 control (which some terminals act on as
8-bit escapes) is removed. So is any lone surrogate (half of a UTF-16 pair, which JSON
can carry as `\\ud800`): it is no character at all, and no database or terminal can encode
it. Carriage returns are normalised to newlines first so that pasted Windows text keeps
its line breaks.

Bidirectional formatting characters go too: the embeddings and overrides (U+202A-U+202E),
the isolates (U+2066-U+2069) and the marks (U+200E, U+200F, U+061C). Invisible, they make
a terminal that applies them reorder or mirror what follows, text in another field or a
dialog's edge included (issue 17); one that ignores them counts them differently from
hwtui's layout. Right-to-left letters themselves are kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
# The bidirectional formatting characters among them (for tests and documentation).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def strip_controls(text: str) -> str:
    """Return *text* without control characters, bidirectional formatting characters or
    lone surrogates (newline and tab kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_line(text: str) -> str:
    """A single-line field: controls removed, inner newlines become spaces, trimmed."""
    return " ".join(strip_controls(text).split())


def clean_block(text: str) -> str:
    """A multi-line field: controls removed, trailing whitespace trimmed."""
    return strip_controls(text).strip()


def join_clauses(parts: list[str], sep: str = "; ") -> str:
    """Clauses joined with *sep*, each without the full stop or semicolon it may end
    with, so that joining never doubles punctuation ("first.; Pick a day"). Empty parts
    are left out; the result has no closing full stop (the caller adds one if wanted)."""
    return sep.join(c for c in (p.strip().rstrip(" .;") for p in parts) if c)


def cell_width(text: str) -> int:
    """How many terminal cells *text* takes: wide characters (CJK, most emoji) two,
    combining marks and format characters (zero-width joiners) none, others one.
    The data layer's measure (Rich's, which the screens use, agrees on these)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in {"Mn", "Me", "Cf"}:
            continue
        width += 2 if unicodedata.east_asian_width(ch) in {"W", "F"} else 1
    return width


def _chop(word: str, width: int, measure: Callable[[str], int]) -> str:
    """The longest start of *word* that fits in *width* cells (at least one character,
    with any combining marks after it)."""
    end = 1
    while end < len(word) and measure(word[: end + 1]) <= width:
        end += 1
    while end < len(word) and measure(word[: end + 1]) == measure(word[:end]):
        end += 1  # a combining mark stays with its letter
    return word[:end]


def wrap_cells(
    text: str,
    width: int,
    later: int | None = None,
    *,
    measure: Callable[[str], int] = cell_width,
) -> list[str]:
    """*text* (one paragraph) in lines of at most *width* cells (*later* for the lines
    after the first), broken at spaces; a word wider than a line is cut where it must.

    Measured in terminal cells, not characters as `textwrap` does: a line of wide
    characters would come out up to twice as wide as asked. *measure*: the screens pass
    Rich's own, the one their layout uses.
    """
    lines: list[str] = []
    line = ""

    def room() -> int:
        return max(1, width if not lines or later is None else later)

    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if measure(candidate) <= room():
            line = candidate
            continue
        if line:
            lines.append(line)
        while measure(word) > room():
            head = _chop(word, room(), measure)
            lines.append(head)
            word = word[len(head) :]
        line = word
    if line or not lines:
        lines.append(line)
    return lines
