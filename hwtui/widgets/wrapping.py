"""Wrapping by terminal cells, with wrapped lines hanging under where the text began.

Python's `textwrap` counts characters: a line of wide characters (CJK, most emoji) comes
out up to twice as wide as asked, and combining marks count as characters of their own.
Here every width is measured in cells, as the terminal draws them (`rich.cells`).
"""

from __future__ import annotations

from rich.cells import cell_len, chop_cells


def wrap_cells(text: str, width: int, later: int | None = None) -> list[str]:
    """*text* (one paragraph) in lines of at most *width* cells (*later* for the lines
    after the first), broken at spaces; a word wider than a line is cut where it must."""
    lines: list[str] = []
    line = ""

    def room() -> int:
        return max(1, width if not lines or later is None else later)

    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if cell_len(candidate) <= room():
            line = candidate
            continue
        if line:
            lines.append(line)
        while cell_len(word) > room():
            head = chop_cells(word, room())[0]
            lines.append(head)
            word = word[len(head) :]
        line = word
    if line or not lines:
        lines.append(line)
    return lines


def hang(prefix: str, text: str, width: int | None, *, indent: int | None = None) -> str:
    """*prefix* then *text*, wrapped to *width* cells with the lines after the first
    starting *indent* cells in (by default under the text's first character). Without
    a width the text is returned on one line, for the widget to wrap."""
    if not width:
        return prefix + " ".join(text.split())
    start = cell_len(prefix)
    hanging = min(start if indent is None else indent, max(0, width // 2))
    first, *rest = wrap_cells(text, width - start, width - hanging)
    return "\n".join([prefix + first, *(" " * hanging + line for line in rest)])
