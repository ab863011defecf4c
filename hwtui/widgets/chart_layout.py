"""Where a chart's marks and labels go, worked out before plotext draws them.

plotext drops what does not fit without a word: an x label that would touch its
neighbour, a y label that lands on another's row, a title wider than the plot. The charts
ask these functions for labels that fit, so nothing is lost silently. Plain arithmetic
over sizes, no Textual and no plotext, so it is tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

# Columns left of the plot's canvas and right of it: plotext's y labels ("100.0" is the
# widest a chart here has) and the two y axes.
Y_LABEL_COLUMNS = 7
# Room one date label ("07 Dec 26") takes on the x axis: its 9 characters, the space
# plotext wants on each side, and the few columns plotext may move a label inwards so it
# does not run off the canvas at either end.
DATE_LABEL_ROOM = 14
ELLIPSIS = "…"


def tick_positions(count: int, width: int, span: float) -> list[int]:
    """Which of *count* evenly spaced points (0 = first) get a date label on a plot
    *width* columns wide whose x range is *span* points long.

    Counted back from the last point, so the newest one always has its date: labels
    counted forward ended wherever the step fell, and plotext dropped the last one when
    it came too close to its neighbour.
    """
    if count <= 0:
        return []
    canvas = max(1, width - Y_LABEL_COLUMNS)
    per_point = canvas / max(span, 1e-9)
    step = max(1, ceil(DATE_LABEL_ROOM / per_point))
    return list(range(count - 1, -1, -step))[::-1]


def bar_rows(count: int, rows: int) -> list[int]:
    """The row (0 = bottom) of each of *count* one-row bars in a plot *rows* tall, first
    bar on top, spread evenly and centred. Only the first *rows* bars are placed when
    there are more bars than rows: the caller says how many it left out."""
    count = min(count, rows)
    if count <= 0:
        return []
    gap = rows // count
    used = (count - 1) * gap + 1
    top = rows - 1 - (rows - used) // 2
    return [top - i * gap for i in range(count)]


def shorten(text: str, room: int) -> str:
    """*text* cut to *room* characters with a visible ellipsis, never clipped silently."""
    if len(text) <= room:
        return text
    if room <= 1:
        return ELLIPSIS[:room]
    return text[: room - 1].rstrip() + ELLIPSIS


def first_that_fits(options: Sequence[str], width: int) -> str:
    """The first (fullest) of *options* that fits *width*; else the shortest, which the
    caller shows ending in an ellipsis."""
    for option in options:
        if len(option) <= width:
            return option
    return options[-1] if options else ""
