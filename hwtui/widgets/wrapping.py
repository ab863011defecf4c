"""Wrapping by terminal cells, with wrapped lines hanging under where the text began:
`hwtui.data.text.wrap_cells` measured with Rich's `cell_len`, as the screens' layout is."""

from __future__ import annotations

from rich.cells import cell_len

from hwtui.data.text import wrap_cells


def hang(prefix: str, text: str, width: int | None, *, indent: int | None = None) -> str:
    """*prefix* then *text*, wrapped to *width* cells with the lines after the first
    starting *indent* cells in (by default under the text's first character). Without
    a width the text is returned on one line, for the widget to wrap."""
    if not width:
        return prefix + " ".join(text.split())
    start = cell_len(prefix)
    hanging = min(start if indent is None else indent, max(0, width // 2))
    first, *rest = wrap_cells(text, width - start, width - hanging, measure=cell_len)
    return "\n".join([prefix + first, *(" " * hanging + line for line in rest)])
