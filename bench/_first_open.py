"""The client overview opened for the first time in a process (issue 19).

The first overview of a session imports what the caseload painted without: the overview's
screen, the chart widgets and plotext. Imports happen once per process, so each sample
is a process of its own: this file, run as a script, builds the app on the practice,
waits for the caseload, opens the client as enter on its row does
(`_inprocess.first_open`), and prints the two timings as JSON.

    python bench/_first_open.py DB USERNAME CLIENT_ID
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHILD_TIMEOUT = 120.0


@dataclass
class FirstOpenResults:
    # Until the brief and the inline chart are on screen, and until the brief alone is.
    overview_ms: list[float] = field(default_factory=list)
    brief_ms: list[float] = field(default_factory=list)


def measure(
    path: Path,
    username: str,
    client_id: int,
    runs: int,
    log: Callable[[str], None] = lambda _m: None,
) -> FirstOpenResults:
    """*runs* fresh processes (after one to warm the disk cache), one first open each."""
    out = FirstOpenResults()
    for n in range(runs + 1):
        log(f"  first open {n}/{runs}" + (" (warm-up)" if n == 0 else ""))
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), str(path), username, str(client_id)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the first-open process failed:\n{done.stderr[-2000:]}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        if n:
            out.overview_ms.append(figures["overview_ms"])
            out.brief_ms.append(figures["brief_ms"])
    return out


def _child(path: str, username: str, client_id: int) -> None:
    import _inprocess

    from hwtui.data.db import Database

    db = Database(Path(path))
    try:
        brief_ms, overview_ms = _inprocess.first_open(db, username, client_id)
    finally:
        db.dispose()
    print(json.dumps({"brief_ms": brief_ms, "overview_ms": overview_ms}))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
