"""How hwtui treats its process's heap, so that garbage collection does not pause a session.

A full collection walks every object the process holds: after loading, that is every
module, class and ORM mapping, tens of milliseconds each time, at moments nobody chose
(opening a client, a key press). So what loading made is set aside (`gc.freeze`), and the
youngest generation is collected after many more allocations than Python's default 700,
which makes the full collections that follow from it that much rarer; each young one is
still a few milliseconds at most.
"""

from __future__ import annotations

import gc

# Allocations (net of deallocations) between collections of the youngest generation.
YOUNG_THRESHOLD = 20_000


def set_aside_what_loaded() -> None:
    """Freeze every object alive now: what loading made lives as long as the process."""
    gc.freeze()


def collect_less_often() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
