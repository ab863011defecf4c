"""A practice of twenty on one PostgreSQL server (issue 19).

Twenty clinicians' sessions at once, each a process of its own connected as that
clinician's role (row-level security on), working through their own caseload for
SECONDS: open a client's overview, and every third client complete a review there, round
and round. Each session asks exactly what the app's screens ask, through `Practice` (the
facade every screen's worker calls): `client_overview` as the overview loads (the brief
and its chart's history, audited), and for a review `start_review`, `open_review` (which
takes the draft's lease) and `complete_review`, the save the review screen's completion
runs. What is timed is that call, from the session's side, so the figure holds the
server's work, the round trips and the ORM in the session's process; drawing the screen
is the SQLite rows' business (the in-process overview and the long day).

Each session pauses PACE seconds between one action and the next, so the practice asks
for about twenty overviews a second and a review every few seconds: a thousand times
what twenty clinicians do in a working hour (one review each per fifty-minute session),
and still a figure of each action's own cost. Without the pause the twenty processes
only queue for the cores (2 here, which the server shares): what would be timed is the
queue, about ten times each action's cost, not the server.

Figures: p95 and median of every overview and every save across the sessions, the
errors (any exception in a session; the budget is none), the server's CPU (every
`postgres` process on this machine, from /proc) per completed review, and whether the
audit chain verifies afterwards (as the owner, through `hwtui audit verify`'s service).

    python bench/_twenty.py URL USERNAME SECONDS START_AT PACE  (one session, run by measure)
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

SESSIONS = 20
SECONDS = 60.0
REVIEW_EVERY = 3  # a review at every third client's overview
HISTORY = 52  # the overview's chart history (screens/client.py OVERVIEW_HISTORY)
CHILD_TIMEOUT = 600.0
WARM_UP = 2  # overviews per session before the clock starts, untimed
PACE = 1.0  # seconds between one action of a session and its next


@dataclass
class TwentyResults:
    sessions: int = 0
    seconds: float = 0.0
    overview_ms: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu_s: float | None = None
    sessions_cpu_s: float = 0.0  # the session processes' own CPU, all of it
    chain_ok: bool = False
    chain_events: int = 0

    @property
    def reviews(self) -> int:
        return len(self.save_ms)

    @property
    def sessions_cpu_ms_per_review(self) -> float:
        return self.sessions_cpu_s * 1000 / self.reviews if self.reviews else float("nan")

    @property
    def server_cpu_ms_per_review(self) -> float:
        if self.server_cpu_s is None or not self.reviews:
            return float("nan")
        return self.server_cpu_s * 1000 / self.reviews


def percentile(samples: list[float], q: float) -> float:
    """The *q* quantile (0-1) of *samples*, nearest rank."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n * q), at least 1
    return ordered[int(rank) - 1]


def _server_cpu_seconds() -> dict[int, float]:
    """User and system CPU so far of every `postgres` process on this machine (the
    server, its backends included), by pid; empty for a server elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name != "postgres":
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def measure(
    urls: dict[str, str],
    owner_url: str,
    seconds: float = SECONDS,
    log: Callable[[str], None] = print,
    pace: float = PACE,
) -> TwentyResults:
    """One session per clinician in *urls* (username -> the URL they connect with), all at
    once for *seconds*; then the chain checked as the owner (*owner_url*)."""
    out = TwentyResults(sessions=len(urls), seconds=seconds)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start_at = time.time() + 5.0 + 0.25 * len(urls)  # every session connected and warm
    children = [
        subprocess.Popen(
            [sys.executable, __file__, url, username, str(seconds), str(start_at), str(pace)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username, url in urls.items()
    ]
    while time.time() < start_at:
        time.sleep(0.05)
    cpu_before = _server_cpu_seconds()
    log(f"  {len(children)} sessions for {seconds:.0f} s")
    # Read again as the sessions stop, before their backends exit and take their CPU
    # time with them; a backend started meanwhile counts from zero.
    time.sleep(max(0.0, start_at + seconds - time.time()))
    cpu_after = _server_cpu_seconds()
    if cpu_after:
        out.server_cpu_s = sum(t - cpu_before.get(pid, 0.0) for pid, t in cpu_after.items())
    for child in children:
        stdout, stderr = child.communicate(timeout=CHILD_TIMEOUT + seconds)
        if child.returncode != 0:
            out.errors.append(f"session exited {child.returncode}: {stderr.strip()[-300:]}")
            continue
        data = json.loads(stdout)
        out.overview_ms.extend(data["overview_ms"])
        out.save_ms.extend(data["save_ms"])
        out.errors.extend(data["errors"])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.sessions_cpu_s = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    out.chain_ok, out.chain_events = _verify(owner_url)
    return out


def _verify(owner_url: str) -> tuple[bool, int]:
    from hwtui.data.db import Database
    from hwtui.data.services.audit import verify_chain

    db = Database(owner_url)
    try:
        with db.read() as session:
            check = verify_chain(session)
    finally:
        db.dispose()
    return check.ok, check.events


# --- one session --------------------------------------------------------------------------


def _session(
    url: str, username: str, seconds: float, start_at: float, pace: float
) -> dict[str, Any]:
    from hwtui.data.db import Database
    from hwtui.data.lease import Holder
    from hwtui.data.practice import Practice
    from hwtui.data.services.identity import ensure_clinician

    db = Database(url, clinician=username)
    with db.write() as session:
        actor = ensure_clinician(session, username)
    practice = Practice(lambda: db, actor, date.today, Holder.this_process())
    clients = [row.client_id for row in practice.caseload()]
    offset = os.getpid() % len(clients)
    for n in range(WARM_UP):
        practice.client_overview(clients[(offset + n) % len(clients)], history=HISTORY)
    overview_ms: list[float] = []
    save_ms: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + seconds
    n = WARM_UP
    while time.monotonic() < deadline:
        client_id = clients[(offset + n) % len(clients)]
        n += 1
        try:
            started = time.perf_counter()
            practice.client_overview(client_id, history=HISTORY)
            overview_ms.append((time.perf_counter() - started) * 1000)
            if n % REVIEW_EVERY == 0:
                save_ms.append(_review(practice, client_id))
        except Exception as exc:  # every error counts; the budget is none
            errors.append(f"{username}: {type(exc).__name__}: {str(exc)[:200]}")
        time.sleep(pace)
    db.dispose()
    return {"overview_ms": overview_ms, "save_ms": save_ms, "errors": errors}


def _review(practice: Any, client_id: int) -> float:
    """A review of the client completed as the review screen completes one; ms of the save."""
    from _review_input import whole_review

    review_id = practice.start_review(client_id)
    data = whole_review(practice.open_review(review_id))
    started = time.perf_counter()
    practice.complete_review(review_id, data)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    url, username = sys.argv[1], sys.argv[2]
    secs, at, pause = (float(arg) for arg in sys.argv[3:6])
    print(json.dumps(_session(url, username, secs, at, pause)))
