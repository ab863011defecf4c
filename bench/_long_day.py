"""A long day in one session (issue 19): memory after 300 client overviews and 40 reviews.

One process of its own (this file, run as a script) builds the app on a copy of the
practice, headless at 80x24 as `_inprocess` does, and works through the caseload as a
clinician would: enter on a client (`CaseloadScreen.open_client`), the overview shown
with its chart, back to the caseload, the next client, down the caseload and round again.
Every 7th or 8th overview, 40 in all, it completes a review there: s (or r, if a draft is
waiting), outcomes for every task, a win and, for a missed task, a smaller goal, completed
through the review screen's own worker, the note shown, then back. After each overview,
once back on the caseload and idle, it reads the process's resident set (VmRSS).

Figures:
- peak RSS: the process's high-water mark (VmHWM) at the end of the day, launch included;
- the slope: least squares over the samples from the 50th overview to the last, in KB per
  overview. The first 50 are left out: the first of each screen imports and styles what
  the rest reuse, and the caches that are meant to fill (SQLAlchemy's compiled statements,
  Textual's style and render caches, rich's cell widths) fill there. The budget is
  "does not grow": at most 20 KB per overview, 5 MB over the 250 overviews fitted. That
  is what noise allows: RSS moves in pages as the allocator takes and returns arenas, the
  collector runs on its own schedule, and the audit log and the SQLite page cache grow
  with the rows written (40 reviews' worth). A real leak of an overview (its screen, a
  few hundred widgets, its brief and chart data) is hundreds of KB each, far above it.

    python bench/_long_day.py DB USERNAME OVERVIEWS REVIEWS
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OVERVIEWS = 300
REVIEWS = 40
# Overviews left out of the slope.
SETTLING = 50
CHILD_TIMEOUT = 1800.0


@dataclass
class LongDayResults:
    overviews: int = 0
    reviews: int = 0
    rss_kb: list[int] = field(default_factory=list)  # after each overview
    peak_kb: int = 0
    seconds: float = 0.0

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def slope_kb(self) -> float:
        """KB per overview after the first SETTLING, least squares."""
        return slope(self.rss_kb[SETTLING:])


def slope(samples: list[int] | list[float]) -> float:
    """The least-squares slope of *samples* against their index (per sample)."""
    n = len(samples)
    if n < 2:
        return float("nan")
    mean_x = (n - 1) / 2
    mean_y = sum(samples) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(samples))
    return sxy / sxx


def measure(
    path: Path,
    username: str,
    overviews: int = OVERVIEWS,
    reviews: int = REVIEWS,
    log: Callable[[str], None] = lambda _m: None,
) -> LongDayResults:
    """The day, in a process of its own, on *path* (which it writes to)."""
    log(f"  a long day: {overviews} overviews and {reviews} reviews in one process")
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), str(path), username, str(overviews), str(reviews)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the long-day process failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return LongDayResults(**data)


def _status_kb(name: str) -> int:
    """A line of /proc/self/status, in KB (VmRSS, VmHWM)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {name} in /proc/self/status")


def _reviews_at(overviews: int, reviews: int) -> set[int]:
    """The overviews (0-based) at which a review is completed, spread evenly."""
    return {(n * overviews) // reviews + overviews // (2 * reviews) for n in range(reviews)}


async def _day(db: Any, username: str, overviews: int, reviews: int) -> LongDayResults:
    import _inprocess
    from textual.widgets import DataTable

    from hwtui.app import build_app
    from hwtui.screens.caseload import CaseloadScreen
    from hwtui.screens.client import ClientScreen

    out = LongDayResults()
    started = time.perf_counter()
    app = build_app(db, username=username)
    _inprocess.loaded()
    clock = _inprocess.FrameClock(app)
    review_at = _reviews_at(overviews, reviews)
    async with app.run_test(size=(80, 24)) as pilot:
        await _inprocess.settle(pilot)
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        table = caseload.query_one(DataTable)
        await _inprocess._until(pilot, lambda: table.row_count > 0)
        await _inprocess.settle(pilot)
        clients = [int(str(key.value)) for key in table.rows]
        for n in range(overviews):
            # Until the overview, read and then pushed, is shown with its chart.
            await _inprocess._open_from(caseload, clock, clients[n % len(clients)])
            await _inprocess.settle(pilot)
            screen = app.screen
            assert isinstance(screen, ClientScreen)
            if n in review_at:
                await _complete_review(app, pilot, screen)
                out.reviews += 1
            app.pop_screen()
            await _inprocess.settle(pilot)  # the caseload reloads on return
            out.overviews += 1
            out.rss_kb.append(_status_kb("VmRSS"))
    out.peak_kb = _status_kb("VmHWM")
    out.seconds = time.perf_counter() - started
    return out


async def _complete_review(app: Any, pilot: Any, overview: Any) -> None:
    """From the overview: start (or resume) the review, fill in what completing needs,
    complete it through the screen's worker, see the note, and come back."""
    import _inprocess

    from hwtui.data.catalog import Outcome, WinKind
    from hwtui.screens.review import ReviewScreen
    from hwtui.screens.review_record import ReviewRecordScreen

    has_draft = overview.brief is not None and overview.brief.draft_id is not None
    if has_draft:
        overview.action_resume_draft()
    else:
        overview.action_start_review()
    await _inprocess._until(
        pilot,
        lambda: (
            isinstance(app.screen, ReviewScreen)
            and app.screen.draft is not None
            and app.screen.setup is not None
        ),
    )
    await _inprocess.settle(pilot)
    review = app.screen
    draft = review.draft
    for n, assignment_id in enumerate(draft.tasks):
        draft.set_outcome(assignment_id, Outcome.DONE if n % 2 == 0 else Outcome.NOT_DONE)
    draft.win_text = "Went for the walk on Tuesday even though it rained."
    draft.win_kind = WinKind.PROCESS
    missed = next(iter(draft.missed_tasks()), None)
    if missed is not None and not draft.goals:
        draft.start_goal(review.setup.assignments[missed.assignment_id])
    for goal in draft.goals:
        goal.title = goal.title.strip() or "Walk to the corner and back"
        goal.confidence = 9
    problems = draft.problems()
    if problems:
        raise RuntimeError(f"the review cannot be completed: {problems}")
    review.complete(draft.to_input())
    await _inprocess._until(pilot, lambda: isinstance(app.screen, ReviewRecordScreen))
    await _inprocess.settle(pilot)
    app.pop_screen()  # back to the overview, which reloads
    await _inprocess.settle(pilot)
    if app.screen is not overview:
        raise RuntimeError(f"expected the overview after the review, got {app.screen!r}")


def _child(path: str, username: str, overviews: int, reviews: int) -> None:
    from hwtui.data.db import Database

    db = Database(Path(path))
    try:
        out = asyncio.run(_day(db, username, overviews, reviews))
    finally:
        db.dispose()
    print(
        json.dumps(
            {
                "overviews": out.overviews,
                "reviews": out.reviews,
                "rss_kb": out.rss_kb,
                "peak_kb": out.peak_kb,
                "seconds": round(out.seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
