"""Typing in a review field over a pty (issue 19): what a clinician feels at each key.

`hwtui --db FILE` runs on an 80x24 pseudo-terminal (a fresh HOME, as in `_launch`), on
its own copy of the bench's practice. Each run opens a client of the caseload who has at
least two tasks and no draft (the first such row; Down, Enter), starts a review (`s`),
marks the first task done and the second not done, and types a sentence into three
fields, one key at a time:

- the win (step 2, a multi-line NoteArea),
- the note beside the first factor that helped (step 3, `tab` from its tick box),
- the new goal's title (step 5, emptied first with `ctrl+u`: the title is prefilled).

A key is written only after the one before it has appeared, and no sooner than
KEY_INTERVAL after it (a fast typist). A key has appeared when the terminal emulator
(pyte) shows the field's text as it now is, ending at the terminal's cursor, in the
field's rows: the character where it belongs, not merely somewhere on the screen.

Figures, per field:

- key-to-echo latency: from writing the key to the pty until it has appeared (this
  includes reading and emulating the app's output here, a fraction of a millisecond);
- bytes per typed character: every byte the app wrote from the field's first key until
  the draft had been autosaved (the status line says "draft saved") and the screen had
  settled, divided by the characters typed. That includes each key's echo and whatever
  else the app redrew for it (the "editing…" status, hints, the footer), the autosave's
  own redraw, and anything else that happened meanwhile (the lease check every few
  seconds), so nothing the link carries while typing is left out. Moving between steps
  is not counted.

and over all three fields, each run's 99th percentile latency.
"""

from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import _practice
from _launch import SIZE, clean_env, hwtui_argv
from _terminal import DOWN, Terminal

from hwtui.data.db import Database
from hwtui.data.services.caseload import list_caseload
from hwtui.data.services.identity import ensure_clinician

ENTER = b"\r"
TAB = b"\t"
PGDN = b"\x1b[6~"
ESCAPE = b"\x1b"
CTRL_U = b"\x15"

KEY_INTERVAL = 0.1  # seconds from one key to the next at the least: about 120 words a minute
ECHO_TIMEOUT = 5.0  # a key not echoed by then fails the run
SETTLE_GAP = 0.5  # seconds without output: the screen has settled
FIELD_ROWS = 6  # rows a field's text may take below where it starts (the win wraps)

# What is typed, as a clinician would: the client's words, a note, a goal.
FIELDS = {
    "win": "She went to the shop on her own and paid at the till",
    "factor note": "wrote it on the fridge so she saw it each morning",
    "goal title": "Walk to the corner shop after lunch, twice",
}


@dataclass
class FieldFigures:
    latency_ms: list[float] = field(default_factory=list)  # every key of every run
    bytes_per_char: list[float] = field(default_factory=list)  # one per run


@dataclass
class TypingResults:
    fields: dict[str, FieldFigures] = field(
        default_factory=lambda: {name: FieldFigures() for name in FIELDS}
    )
    p99_ms: list[float] = field(default_factory=list)  # one per run, over its keys
    clients: list[str] = field(default_factory=list)

    def field_figures(self, name: str) -> FieldFigures:
        return self.fields[name]

    def each(self) -> list[tuple[str, str, FieldFigures]]:
        """(name, key for JSON, figures) per field, in the order typed."""
        return [(name, name.replace(" ", "_"), self.fields[name]) for name in FIELDS]


def percentile(samples: list[float], q: float) -> float:
    """The *q*-th percentile (0-100), linear between the closest ranks."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _pick_client(path: Path, username: str) -> tuple[int, str]:
    """(caseload row, code) of the first client with two tasks or more and no draft."""
    db = Database(path)
    try:
        with db.write() as session:
            me = ensure_clinician(session, username)
            rows = list_caseload(session, me, date.today())
    finally:
        db.dispose()
    for index, row in enumerate(rows):
        if row.active_assignments >= 2 and not row.has_draft:
            return index, row.code
    raise SystemExit("no client in the practice has two tasks and no draft")


class _Field:
    """Where a field's text is on the screen, and whether a value shows there.

    Textual leaves the terminal's (hidden) cursor where the focused field's cursor is,
    after every frame: in a TextArea on the cell the field draws as its cursor, in an
    Input one cell to the right of it. The field is found by its first character, just
    before the cursor (or just before the cell the Input draws as its cursor); from then
    on the field's whole text must end there.
    """

    def __init__(self, term: Terminal) -> None:
        self.screen = term.screen
        self.left: int | None = None  # where the field's first character is
        self.top = 0
        self.lag = 0  # cells between the drawn cursor and the terminal's
        self.last = self._state(self.screen.cursor.x)

    def _state(self, left: int) -> tuple[int, int, str]:
        cursor = self.screen.cursor
        line = self.screen.buffer[cursor.y]
        text = "".join(line[x].data for x in range(left, cursor.x - self.lag))
        return cursor.x, cursor.y, text

    def shows(self, value: str) -> bool:
        """*value* (the field's whole text) ends at the cursor, in the field, and the
        screen has changed since the last key appeared."""
        if self.left is None:
            return self._first(value)
        state = self._state(self.left)
        _, y, text = state
        if state == self.last or not self.top <= y < self.top + FIELD_ROWS:
            return False
        # The whole text, or its end when the field scrolled or wrapped; nothing yet on
        # a wrapped line: the space that ended the line above was typed.
        ok = value.endswith(text) if text else y > self.last[1] and value.endswith(" ")
        if ok:
            self.last = state
        return ok

    def _first(self, value: str) -> bool:
        cursor = self.screen.cursor
        if (cursor.x, cursor.y) == self.last[:2]:
            return False
        line = self.screen.buffer[cursor.y]
        for lag in (0, 1):
            left = cursor.x - 1 - lag
            if left >= 0 and line[left].data == value and (not lag or line[left + 1].data == " "):
                self.left, self.top, self.lag = left, cursor.y, lag
                self.last = self._state(left)
                return True
        return False


def _type(term: Terminal, words: str, log: Callable[[str], None]) -> tuple[list[float], int]:
    """Type *words* into the focused, empty field; (latency per key in ms, bytes)."""
    spot = _Field(term)
    start = term.received
    latencies = []
    for n, char in enumerate(words, 1):
        written = time.perf_counter() - term.started  # as wait_until counts
        term.send(char.encode())
        value = words[:n]
        try:
            seen = term.wait_until(lambda _, value=value: spot.shows(value), ECHO_TIMEOUT)
        except TimeoutError:
            cursor = term.screen.cursor
            log(f"    {value!r} never appeared at the cursor ({cursor.x}, {cursor.y}),")
            log(f"    the field from ({spot.left}, {spot.top}), last seen {spot.last}")
            raise
        latencies.append((seen - written) * 1000)
        term.count_for(KEY_INTERVAL - (time.perf_counter() - term.started - written))
    # Typing has stopped: the draft autosaves a few seconds later, and that is counted.
    term.wait_until(lambda screen: "draft saved" in screen and "editing" not in screen, 30)
    term.quiet(SETTLE_GAP)
    return latencies, term.received - start


def _goto(term: Terminal, keys: bytes, shown: str) -> None:
    term.send(keys)
    term.wait_until(lambda screen: shown in screen, timeout=30)
    term.quiet(SETTLE_GAP)


def one_run(
    path: Path, username: str, home: Path, out: TypingResults, log: Callable[[str], None]
) -> None:
    row, code = _pick_client(path, username)
    out.clients.append(code)
    home.mkdir(mode=0o700)
    term = Terminal(hwtui_argv(path), clean_env(home), SIZE)
    keys: list[float] = []
    try:
        term.wait_until(lambda screen: code in screen)
        term.quiet(SETTLE_GAP)
        for _ in range(row):
            term.send(DOWN)
            term.quiet(0.1)
        _goto(term, ENTER, "Start review")
        _goto(term, b"s", "step 1 of 6")
        for mark in (b"d", b"n"):  # the first task done, the second not done
            term.send(mark)
            term.quiet(0.2)
        plan = [
            ("win", [PGDN], "step 2 of 6"),
            ("factor note", [PGDN, TAB], "step 3 of 6"),
            ("goal title", [PGDN, PGDN, CTRL_U], "step 5 of 6"),
        ]
        for name, moves, shown in plan:
            for key in moves:
                term.send(key)
                term.quiet(SETTLE_GAP)
            if shown not in term.text():
                raise RuntimeError(f"not on {shown}; the screen:\n{term.text()}")
            latencies, sent = _type(term, FIELDS[name], log)
            figures = out.field_figures(name)
            figures.latency_ms.extend(latencies)
            figures.bytes_per_char.append(sent / len(FIELDS[name]))
            keys.extend(latencies)
        _goto(term, ESCAPE, "Start review")  # leave the review: the draft is kept
    finally:
        term.finish()
    out.p99_ms.append(percentile(keys, 99))


def measure(
    source: _practice.Practice, runs: int, log: Callable[[str], None] = print
) -> TypingResults:
    """*runs* launches, each typing into a review of a client not reviewed before."""
    results = TypingResults()
    with tempfile.TemporaryDirectory(prefix="hwtui-bench-typing-") as tmp:
        path = _practice.working_copy(source, Path(tmp))
        for n in range(1, runs + 1):
            log(f"  typing {n}/{runs}")
            one_run(path, source.clinician, Path(tmp) / f"home-{n}", results, log)
    return results


def main() -> int:
    """Only these figures: `python bench/_review_typing.py [--quick] [--runs N]`."""
    import argparse

    parser = argparse.ArgumentParser(description="Typing in a review field over a pty.")
    parser.add_argument("--quick", action="store_true", help="the small practice")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    spec = _practice.QUICK if args.quick else _practice.FULL
    source = _practice.practice(spec, _practice.default_workdir())
    results = measure(source, args.runs)
    for name, figures in results.fields.items():
        ms = figures.latency_ms
        print(
            f"{name:<12} key to echo: median {statistics.median(ms):.1f} ms, "
            f"min {min(ms):.1f}, max {max(ms):.1f}, p99 {percentile(ms, 99):.1f} · "
            f"bytes per char: {', '.join(f'{b:.0f}' for b in figures.bytes_per_char)}"
        )
    print("p99 per run: " + ", ".join(f"{p:.1f} ms" for p in results.p99_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
