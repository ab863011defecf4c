"""A completion trend in a few characters, for table cells."""

from __future__ import annotations

from collections.abc import Sequence

_BARS = "▁▂▃▄▅▆▇█"
_GAP = "·"  # a review where nothing could be scored (no opportunity)


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value in 0..1; None shows as a gap."""
    out = []
    for value in values:
        if value is None:
            out.append(_GAP)
        else:
            clamped = min(1.0, max(0.0, value))
            out.append(_BARS[round(clamped * (len(_BARS) - 1))])
    return "".join(out)
