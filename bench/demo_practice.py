"""How long the demo practice takes to write, how big it is, and how fast the first two
screens' queries are on it. Run by hand; figures are printed, never asserted.

    python bench/demo_practice.py [--clients 2000] [--weeks 260] [--keep PATH]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.services.caseload import client_brief, list_caseload
from hwtui.data.services.identity import ensure_clinician

CLINICIAN = "bench_clinician"


def median_ms(action: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--keep", type=Path, help="write here and keep the file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.sqlite3"
        db = Database(path)
        migrate.upgrade(db)
        today = date(2026, 11, 25)
        started = time.perf_counter()
        stats = generate(
            db, clinician=CLINICIAN, clients=args.clients, weeks=args.weeks, today=today
        )
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        with db.write() as s:
            me = ensure_clinician(s, CLINICIAN)

        def caseload() -> object:
            with db.write() as s:
                return list_caseload(s, me, today)

        rows = caseload()
        assert isinstance(rows, list)
        longest = rows[0].client_id

        def brief() -> object:
            with db.write() as s:
                return client_brief(s, me, longest)

        print(f"demo {args.clients} clients x {args.weeks} weeks")
        print(
            f"  rows: {stats.clients} clients, {stats.assignments} assignments, "
            f"{stats.reviews} reviews, {stats.outcomes} outcomes, {stats.measures} measures"
        )
        print(f"  generation:   {seconds:8.1f} s")
        print(f"  database:     {size / 1e6:8.1f} MB")
        print(f"  caseload query (median of 5): {median_ms(caseload):8.1f} ms")
        print(f"  client brief  (median of 5): {median_ms(brief):8.1f} ms")
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
