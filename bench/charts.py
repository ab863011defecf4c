"""How long the progress views take with five years of weekly reviews. Printed, never
asserted. Budgets (issue 5): chart <= 50 ms at 120x40; client overview <= 100 ms.

    python bench/charts.py [--weeks 260] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from textual_plotext import PlotextPlot

from hwtui.app import build_app
from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.services.caseload import client_brief
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.progress import client_progress
from hwtui.screens.progress import ProgressScreen
from hwtui.widgets.progress_chart import CompletionChart

TODAY = date(2026, 11, 25)
CLINICIAN = "bench_charts"


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def chart_render_ms(db: Database, client_id: int, runs: int) -> tuple[float, int]:
    app = build_app(db, username=CLINICIAN, today=lambda: TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await app.push_screen(ProgressScreen(client_id, "bench"))
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        chart = app.screen.query_one(CompletionChart)
        plot = chart.query_one(PlotextPlot)
        assert chart.progress is not None
        points = len(chart.progress.points)

        def render() -> object:
            chart.draw(plot)
            return plot.render()

        return median_ms(render, runs), points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=260)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "charts.sqlite3")
        migrate.upgrade(db)
        generate(db, clinician=CLINICIAN, clients=20, weeks=args.weeks, today=TODAY)
        with db.write() as s:
            me = ensure_clinician(s, CLINICIAN)
            # The client with the longest history.
            candidates = [(len(client_progress(s, me, cid).points), cid) for cid in range(1, 21)]
        points, client_id = max(candidates)

        def progress() -> object:
            with db.write() as s:
                return client_progress(s, me, client_id)

        def overview() -> object:
            with db.write() as s:
                return client_brief(s, me, client_id), client_progress(s, me, client_id)

        render, drawn = asyncio.run(chart_render_ms(db, client_id, args.runs))
        print(f"client with {points} reviews ({args.weeks} weeks of history)")
        print(
            f"  progress data (query + metrics):         {median_ms(progress, args.runs):7.1f} ms"
        )
        print(
            f"  client overview data (brief + progress):  {median_ms(overview, args.runs):7.1f} ms"
            "   budget 100 ms"
        )
        print(f"  completion chart render, 120x40, {drawn} pts: {render:7.1f} ms   budget 50 ms")
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
