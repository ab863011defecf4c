"""How hwtui treats its process's heap, so that garbage collection does not pause a session.

Loading hwtui's libraries makes next to no garbage, and collecting through all they make
costs a launch about a tenth of its time: so there is no collection while the app is
built (`loading`). After that, a full collection would walk every object the process
holds: every module, class and ORM mapping, tens of milliseconds each time, at moments
nobody chose (opening a client, a key press). So what loading made is set aside
(`gc.freeze`), and the youngest generation is collected after many more allocations than
Python's default 700, which makes the full collections that follow from it that much
rarer; each young one is still a few milliseconds at most.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations (net of deallocations) between collections of the youngest generation.
YOUNG_THRESHOLD = 20_000


@contextmanager
def loading(*, collect_first: bool = False) -> Iterator[None]:
    """Around the launch, on the main thread, until the app is built: no collection
    inside; on leaving, what loaded is set aside and collection is back on, less often.
    If the launch fails, collection is simply back on.

    `gc.disable()` is a switch for the whole process: only this block, on the main thread
    and before any worker runs, turns it. A worker that loads more later (the ORM, see
    `hwtui.launch`) calls `set_aside_what_loaded` instead, which needs no switch back.

    *collect_first*: the process made garbage before (`hwtui demo` writes a practice
    first), which must be collected rather than set aside for good."""
    if collect_first:
        gc.collect()
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if was_collecting:
            gc.enable()
        raise
    set_aside_what_loaded()
    collect_less_often()
    gc.enable()


def set_aside_what_loaded() -> None:
    """Freeze every object alive now: what loading made lives as long as the process.

    Safe from any thread: one call into the collector under the interpreter lock, with
    nothing to undo afterwards (unlike turning collection off, which every other thread
    would find off until the same thread turned it back on). What another thread had in
    hand at that moment is set aside too; it is still freed when nothing refers to it,
    unless it ends up in a reference cycle: a few objects, once."""
    gc.freeze()


def collect_less_often() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def collect_after_closing() -> None:
    """A full collection, at a moment chosen: a screen has just been closed, and what it
    held is garbage now.

    With the young generation collected after 20,000 allocations, the full collections
    that follow from it come every few client overviews, and what each overview left in
    reference cycles (its widgets, the brief and history it showed) waits for them,
    spread over arenas the allocator then cannot give back: over a long day the process
    grew by about 200 KB per overview (bench/_long_day.py; with Python's default of 700,
    not at all). Collected here instead, the garbage of one screen at a time: some 20 ms
    on 2 cores, while the screen underneath is shown again, rather than in the middle of
    opening the next client."""
    gc.collect()
