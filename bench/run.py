"""hwtui against its performance budgets (issue 8), on a large practice. Run by hand:

    python bench/run.py [--quick] [--json] [--runs N] [--workdir DIR]

Writes (once, then cached in DIR, default ~/.cache/hwtui-bench) a practice with the demo
generator: 500 clients with up to 5 years of weekly reviews for you, and two colleagues'
caseloads in the same database. Then measures, median of N runs (default 5):

- time to caseload: `hwtui --db FILE` on an 80x24 pty until the first client row is on
  screen, against a minimal Textual app (bench/minimal_app.py) until its label is, the
  two launched alternately;
- bytes written per cursor move in the caseload, bytes per second while idle, and the
  app's peak RSS, from the same launches;
- in the process, through the app's screens and services: opening the client overview
  of the client with the longest history from the caseload (as enter does: the overview
  read, then pushed; from the call to the first frame showing it), moving between review
  steps, drawing the
  completion chart at 120x40, generating a note, saving a complete review;
- the same overview opened first in a fresh process, its screen's and the chart's imports
  included (bench/_first_open.py), one process per run;
- a long day (bench/_long_day.py): one process opens 300 overviews and completes 40
  reviews; its peak RSS, and how much RSS grows per overview after the first 50.

With `--postgres URL` (a role that may create databases and roles: a superuser, or one
with CREATEDB and CREATEROLE), the same measures on a PostgreSQL server, with rows of
their own (bench/_pg_practice.py writes the practice there once: twenty clinicians'
caseloads of 500 clients x 5 years, yours among them; row-level security on, each
session its clinician's own role):

- time to caseload: `hwtui --db postgresql:///...?host=<socket>` as you, over the Unix
  socket with peer authentication, against the minimal app, launched alternately;
- a practice of twenty (bench/_twenty.py): twenty sessions at once, each its clinician's
  process, opening overviews and completing reviews for a minute; p95 of each, errors,
  the server's CPU per review, and the audit chain verified afterwards.

Prints one table (to stderr with --json, which prints JSON to stdout). Exits 1 if a
figure is over budget. `--quick`: a smaller practice (100 clients x 1 year; on
PostgreSQL twenty caseloads of 50 clients x 1 year) and 3 runs.
Timings depend on the machine and its load: compare figures from the same run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import _first_open
import _inprocess
import _launch
import _long_day
import _practice
import _review_typing
import _twenty
import textual

import hwtui
from hwtui.data.db import Database
from hwtui.data.services.caseload import list_caseload
from hwtui.data.services.identity import ensure_clinician


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    samples: list[float]
    budget: float | None = None  # the figure's median must be at most this

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def passed(self) -> bool | None:
        if self.budget is None:
            return None
        return self.median <= self.budget

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit": self.unit,
            "median": _round(self.median),
            "min": _round(min(self.samples)) if self.samples else None,
            "max": _round(max(self.samples)) if self.samples else None,
            "samples": [_round(s) for s in self.samples],
            "budget": self.budget,
            "pass": self.passed,
        }


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 3)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _first_row_code(db: Database, username: str) -> tuple[str, int]:
    """The code the caseload shows first, and the clinician's id."""
    with db.write() as session:
        me = ensure_clinician(session, username)
        rows = list_caseload(session, me, date.today())
    if not rows:
        raise SystemExit("the practice has no clients")
    return rows[0].code, me.clinician_id


def figures(
    launch: _launch.LaunchResults,
    inproc: _inprocess.InProcessResults,
    weeks: int,
    first: _first_open.FirstOpenResults,
    day: _long_day.LongDayResults,
    typed: _review_typing.TypingResults,
) -> list[Figure]:
    ratios = [a / b for a, b in zip(launch.hwtui_seconds, launch.minimal_seconds, strict=True) if b]
    cpu_ratios = [a / b for a, b in zip(launch.hwtui_cpu, launch.minimal_cpu, strict=True) if b]
    years = f"{weeks / 52:.0f} y" if weeks >= 52 else f"{weeks} wk"
    ms = "ms"
    return [
        Figure(
            "caseload_ms", "time to caseload: hwtui", ms, [s * 1000 for s in launch.hwtui_seconds]
        ),
        Figure(
            "minimal_app_ms",
            "time to label: minimal Textual app",
            ms,
            [s * 1000 for s in launch.minimal_seconds],
        ),
        # Each run's pair (launched back to back): hwtui / minimal.
        Figure("caseload_ratio", "time to caseload / minimal app", "x", ratios, 1.25),
        Figure(
            "overview_first_ms",
            "client overview + chart: first open",
            ms,
            first.overview_ms,
            100,
        ),
        Figure(
            "overview_ms",
            f"client overview + chart: later, {years}",
            ms,
            inproc.overview_ms,
            60,
        ),
        Figure("review_step_ms", "review step change", ms, inproc.step_ms, 50),
        Figure(
            "chart_ms",
            f"completion chart 120x40, {inproc.chart_points} reviews",
            ms,
            inproc.chart_ms,
            50,
        ),
        Figure("note_ms", "note generation (build + render)", ms, inproc.note_ms, 20),
        Figure("complete_review_ms", "complete-review save", ms, inproc.complete_ms, 50),
        Figure("move_bytes", "bytes per cursor move (caseload)", "B", launch.move_bytes, 300),
        Figure("idle_bytes_per_s", "bytes per second idle", "B/s", launch.idle_bytes_per_second, 0),
        Figure("peak_rss_mb", "peak RSS: hwtui", "MB", launch.hwtui_rss_mb, 150),
        # Typing in a review over the pty (bench/_review_typing.py): every key of every run,
        # bytes per character once per run (autosave included), p99 once per run.
        *(
            Figure(f"typing_{key}_ms", f"key to echo: {name}", ms, field.latency_ms, 10)
            for name, key, field in typed.each()
        ),
        Figure("typing_p99_ms", "key to echo, 99th percentile", ms, typed.p99_ms, 30),
        *(
            Figure(
                f"typing_{key}_bytes",
                f"bytes per char typed: {name}",
                "B",
                field.bytes_per_char,
                150,
            )
            for name, key, field in typed.each()
        ),
        Figure(
            "long_day_rss_mb",
            f"long day: peak RSS ({day.overviews} ov, {day.reviews} rev)",
            "MB",
            [day.peak_mb],
            150,
        ),
        # Least squares over the overviews after the first 50 (see bench/_long_day.py).
        Figure(
            "long_day_slope_kb", "long day: RSS per overview after 50", "KB", [day.slope_kb], 20
        ),
        # Context, no budget.
        Figure("minimal_rss_mb", "peak RSS: minimal Textual app", "MB", launch.minimal_rss_mb),
        Figure(
            "caseload_cpu_ratio",
            "CPU used to caseload / minimal app",
            "x",
            cpu_ratios,
        ),
        Figure(
            "overview_brief_ms",
            "client overview, brief only",
            ms,
            inproc.overview_brief_ms,
        ),
        Figure(
            "overview_first_brief_ms",
            "client overview: first open, brief only",
            ms,
            first.brief_ms,
        ),
        Figure("note_with_queries_ms", "note with its queries", ms, inproc.note_with_queries_ms),
        Figure(
            "first_screen_bytes",
            "bytes until the caseload settles",
            "B",
            [float(b) for b in launch.first_screen_bytes],
        ),
    ]


@dataclass(frozen=True)
class PostgresResults:
    practice: Any  # _pg_practice.PgPractice (imported only with --postgres: psycopg)
    launch: _launch.LaunchResults
    twenty: _twenty.TwentyResults


def postgres_figures(pg: PostgresResults) -> list[Figure]:
    launch, twenty = pg.launch, pg.twenty
    ratios = [a / b for a, b in zip(launch.hwtui_seconds, launch.minimal_seconds, strict=True) if b]
    n = twenty.sessions
    return [
        Figure(
            "pg_caseload_ms",
            "PostgreSQL: time to caseload",
            "ms",
            [s * 1000 for s in launch.hwtui_seconds],
        ),
        Figure(
            "pg_minimal_app_ms",
            "PostgreSQL run: minimal Textual app",
            "ms",
            [s * 1000 for s in launch.minimal_seconds],
        ),
        Figure("pg_caseload_ratio", "PostgreSQL: time to caseload / minimal", "x", ratios, 1.6),
        # One sample each: the 95th percentile over every action of every session.
        Figure(
            "twenty_overview_p95_ms",
            f"{n} sessions: overview, p95",
            "ms",
            [_twenty.percentile(twenty.overview_ms, 0.95)],
            150,
        ),
        Figure(
            "twenty_save_p95_ms",
            f"{n} sessions: complete-review save, p95",
            "ms",
            [_twenty.percentile(twenty.save_ms, 0.95)],
            100,
        ),
        Figure("twenty_errors", f"{n} sessions: errors", "", [float(len(twenty.errors))], 0),
        Figure(
            "twenty_chain_broken",
            "audit chain after: broken (1) or verified (0)",
            "",
            [0.0 if twenty.chain_ok else 1.0],
            0,
        ),
        # Context, no budget.
        Figure("twenty_overview_ms", f"{n} sessions: overview, median", "ms", twenty.overview_ms),
        Figure("twenty_save_ms", f"{n} sessions: save, median", "ms", twenty.save_ms),
        Figure(
            "twenty_reviews",
            f"{n} sessions: reviews completed in {twenty.seconds:.0f} s",
            "",
            [float(twenty.reviews)],
        ),
        Figure(
            "twenty_server_cpu_ms",
            "server CPU per review (with its overviews)",
            "ms",
            [twenty.server_cpu_ms_per_review],
        ),
        Figure(
            "twenty_sessions_cpu_ms",
            "sessions' CPU per review (with overviews)",
            "ms",
            [twenty.sessions_cpu_ms_per_review],
        ),
    ]


def measure_postgres(admin_url: str, quick: bool, runs: int) -> PostgresResults:
    import _pg_practice

    spec = _pg_practice.TWENTY_QUICK if quick else _pg_practice.TWENTY
    source = _pg_practice.practice(admin_url, spec)
    mine = source.url_for(source.clinician)
    db = Database(mine, clinician=source.clinician)
    try:
        first_code, _clinician_id = _first_row_code(db, source.clinician)
    finally:
        db.dispose()
    _log(f"PostgreSQL ({source.database}): launching hwtui over the socket, {runs} runs each")
    launch = _launch.measure(mine, first_code, runs, log=_log)
    _log("PostgreSQL: a practice of twenty, every session at once")
    urls = {name: source.url_for(name) for name in [source.clinician, *source.colleagues]}
    owner = _pg_practice.owner_url(admin_url, source.database)
    twenty = _twenty.measure(urls, owner, log=_log)
    return PostgresResults(source, launch, twenty)


def _postgres_header(pg: PostgresResults) -> str:
    spec = pg.practice.spec
    return (
        f"PostgreSQL: {pg.practice.database}, {1 + spec.other_clinicians} clinicians x "
        f"{spec.clients} clients x {spec.weeks} weeks ({pg.practice.rows['reviews']} "
        f"reviews); {pg.twenty.sessions} sessions for {pg.twenty.seconds:.0f} s, "
        f"{_twenty.PACE:g} s between actions; audit chain: {pg.twenty.chain_events} events"
    )


def _postgres_only(admin_url: str, quick: bool, runs: int, *, as_json: bool) -> int:
    load_before = os.getloadavg()
    pg = measure_postgres(admin_url, quick, runs)
    load_after = os.getloadavg()
    figs = postgres_figures(pg)
    header = (
        f"hwtui {hwtui.__version__} · textual {textual.__version__} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"load {load_before[0]:.1f} -> {load_after[0]:.1f} · {runs} runs\n" + _postgres_header(pg)
    )
    report = table(figs, header)
    if as_json:
        _log(report)
        data = {
            "figures": {fig.key: fig.as_json() for fig in figs},
            "twenty_errors": pg.twenty.errors[:20],
            "pass": all(fig.passed is not False for fig in figs),
        }
        print(json.dumps(data, indent=2))
    else:
        print(report)
    return 1 if any(fig.passed is False for fig in figs) else 0


def _cell(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    if not unit:
        return f"{value:.0f}"
    if value == int(value):
        return f"{value:.0f} {unit}"
    if unit in {"ms", "MB"} and value < 100:
        return f"{value:.1f} {unit}"
    return f"{value:.0f} {unit}"


def table(figs: list[Figure], header: str) -> str:
    lines = [header, ""]
    row = "{:<38} {:>9} {:>9} {:>9} {:>11}  {}"
    lines.append(row.format("figure", "median", "min", "max", "budget", "result"))
    lines.append("-" * 88)
    for fig in figs:
        low = min(fig.samples) if fig.samples else math.nan
        high = max(fig.samples) if fig.samples else math.nan
        budget = "-" if fig.budget is None else "<= " + _cell(fig.budget, fig.unit)
        result = {None: "", True: "PASS", False: "FAIL"}[fig.passed]
        lines.append(
            row.format(
                fig.label,
                _cell(fig.median, fig.unit),
                _cell(low, fig.unit),
                _cell(high, fig.unit),
                budget,
                result,
            ).rstrip()
        )
    failed = [f.key for f in figs if f.passed is False]
    lines.append("")
    lines.append(f"over budget: {', '.join(failed)}" if failed else "every figure within budget")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="hwtui against its performance budgets (issue 8).")
    parser.add_argument("--quick", action="store_true", help="small practice, 3 runs")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, table on stderr")
    parser.add_argument("--runs", type=int, help="runs per figure (default 5; --quick 3)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also measure on this PostgreSQL server (a role with CREATEDB and CREATEROLE)",
    )
    parser.add_argument(
        "--postgres-only",
        action="store_true",
        help="with --postgres: only the PostgreSQL rows",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=_practice.default_workdir(),
        help="where the practice is cached (default: %(default)s)",
    )
    args = parser.parse_args()
    spec = _practice.QUICK if args.quick else _practice.FULL
    runs = args.runs or (3 if args.quick else 5)
    load_before = os.getloadavg()
    if args.postgres_only:
        if not args.postgres:
            parser.error("--postgres-only needs --postgres URL")
        return _postgres_only(args.postgres, args.quick, runs, as_json=args.json)

    source = _practice.practice(spec, args.workdir.expanduser())
    with tempfile.TemporaryDirectory(prefix="hwtui-bench-") as tmp:
        path = _practice.working_copy(source, Path(tmp))
        db = Database(path)
        try:
            first_code, clinician_id = _first_row_code(db, source.clinician)
            client_id, reviews = _practice.longest_history(db, clinician_id)
        finally:
            db.dispose()
        _log(f"launching hwtui and the minimal app on 80x24 ptys, {runs} runs each")
        launch = _launch.measure(path, first_code, runs, log=_log)
        _log(f"in-process timings on client {client_id} ({reviews} reviews)")
        db = Database(path)
        try:
            inproc = _inprocess.measure(db, source.clinician, client_id, runs)
        finally:
            db.dispose()
        _log("typing in a review on an 80x24 pty")
        typed = _review_typing.measure(source, runs, log=_log)
        _log(f"the client overview opened first in a process: {runs} processes")
        first = _first_open.measure(path, source.clinician, client_id, runs, log=_log)
        day = _long_day.measure(path, source.clinician, log=_log)  # last: it writes reviews
    pg = measure_postgres(args.postgres, args.quick, runs) if args.postgres else None
    load_after = os.getloadavg()

    figs = figures(launch, inproc, spec.weeks, first, day, typed)
    if pg is not None:
        figs += postgres_figures(pg)
    total = spec.clients * (1 + spec.other_clinicians)
    header = (
        f"hwtui {hwtui.__version__} · textual {textual.__version__} · "
        f"Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"load {load_before[0]:.1f} -> {load_after[0]:.1f}\n"
        f"practice: {spec.clients} clients x {spec.weeks} weeks for you "
        f"({total} clients, {source.rows['reviews']} reviews in the database) · "
        f"{runs} runs · overview client: {reviews} reviews, {inproc.active_tasks} active "
        f"+ {inproc.earlier_tasks} earlier tasks"
    )
    if pg is not None:
        header += "\n" + _postgres_header(pg)
    report = table(figs, header)
    if args.json:
        _log(report)
        data = {
            "hwtui": hwtui.__version__,
            "textual": textual.__version__,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load": {"before": load_before[0], "after": load_after[0]},
            "practice": {
                "clients": spec.clients,
                "weeks": spec.weeks,
                "other_clinicians": spec.other_clinicians,
                "seed": spec.seed,
                "rows": source.rows,
                "written_on": source.written_on.isoformat(),
            },
            "runs": runs,
            "overview_client": {
                "reviews": reviews,
                "active_tasks": inproc.active_tasks,
                "earlier_tasks": inproc.earlier_tasks,
            },
            "moves_bytes": launch.all_moves,
            "review_step_ms_by_move": inproc.step_ms_by_move,
            "long_day_rss_kb": day.rss_kb,
            "twenty_errors": pg.twenty.errors[:20] if pg is not None else None,
            "figures": {fig.key: fig.as_json() for fig in figs},
            "pass": all(fig.passed is not False for fig in figs),
        }
        print(json.dumps(data, indent=2))
    else:
        print(report)
    return 1 if any(fig.passed is False for fig in figs) else 0


if __name__ == "__main__":
    sys.exit(main())
