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
