"""Reading a measure typed quickly from the keyboard: "2103 1230 1" or "7 8 6 9"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hwtui.data.catalog import Instrument

_SPLIT = re.compile(r"[\s,;/]+")


@dataclass(frozen=True, slots=True)
class Reading:
    items: list[int]
    total: int
    band: str | None
    risk: bool  # PHQ-9 item 9 above 0


def parse_items(instrument: Instrument, text: str) -> Reading:
    """Items from what was typed; ValueError with a message a clinician can act on.

    Instruments whose items are single digits (PHQ-9, GAD-7) may be typed without
    spaces ("210312001"); others need separators ("7 8 6 9").
    """
    text = text.strip()
    if not text:
        raise ValueError(f"type {instrument.items} score(s)")
    parts = [p for p in _SPLIT.split(text) if p]
    if instrument.item_max < 10 and len(parts) == 1 and len(parts[0]) == instrument.items:
        parts = list(parts[0])
    if not all(p.isdigit() for p in parts):
        raise ValueError("use whole numbers only")
    items = [int(p) for p in parts]
    problem = instrument.item_problem(items)
    if problem is not None:
        raise ValueError(problem)
    total = sum(items)
    risk = instrument.code == "phq9" and items[8] > 0
    return Reading(items, total, instrument.band(total), risk)
