"""How long hwtui takes to save the draft and exit after SIGHUP or SIGTERM (issue 7: within
1 s). Measured by hand, never in a test: `python bench/hangup.py [--runs N]`.

Each run starts hwtui on a real pty, types a win into a review (autosave set to 10
minutes, so only the signal handler can save it), sends the signal, and times until the
process has exited; it then checks the words are in the draft.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import select

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.models import Review
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician, os_username
from tests.pty_app import PtyApp

WORDS = "I asked my sister for help"
BUDGET_MS = 1000.0


def _practice(path: Path) -> None:
    db = Database(path)
    migrate.upgrade(db)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
        client = create_client(s, me, code="HUP1", display_name="Hugh P")
        assert client.id is not None
        create_assignment(s, me, client.id, title="Walk after lunch")
    db.dispose()


def _saved(path: Path) -> bool:
    db = Database(path)
    try:
        with db.read() as s:
            draft = s.exec(select(Review).where(Review.status == "draft")).first()
        return draft is not None and draft.win_text == WORDS
    finally:
        db.dispose()


def one_run(sig: signal.Signals) -> float:
    path = Path(tempfile.mkdtemp()) / "hangup.sqlite3"
    _practice(path)
    app = PtyApp(["--db", str(path)], env={"HWTUI_AUTOSAVE_SECONDS": "600"})
    try:
        app.type_a_win("HUP1", WORDS)
        started = time.monotonic()
        app.proc.send_signal(sig)
        code = app.wait_exit(10)
        elapsed = (time.monotonic() - started) * 1000
    finally:
        app.close()
    if code != 0 or not _saved(path):
        raise SystemExit(f"{sig.name}: exit code {code}; draft saved: {_saved(path)}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    worst = 0.0
    for sig in (signal.SIGHUP, signal.SIGTERM):
        times = [one_run(sig) for _ in range(args.runs)]
        worst = max(worst, max(times))
        print(
            f"{sig.name:<8} signal to exit, draft saved: median {statistics.median(times):.0f} ms"
            f"  max {max(times):.0f} ms  (budget {BUDGET_MS:.0f} ms)"
        )
    return 0 if worst <= BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
