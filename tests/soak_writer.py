"""One clinician writing complete reviews through the app's own service code, as a process.

Used by tests/test_concurrency.py (several of these at once, started with
`python -m tests.soak_writer`) and tests/test_crash_safety.py (forked, then SIGKILLed).

Each review goes through the write transactions the review screens use, in order:
start (or resume a draft), open (an audited view), save a draft, complete. Every step
logs JSON lines to `--log`, written with a single unbuffered `os.write` so a SIGKILL
can never leave half a line or lose a line already written:

    begin   before the write transaction is opened
    locked  inside it, once BEGIN IMMEDIATE has returned (the write lock is held)
    commit  the service call is done; the very next thing is COMMIT
    done    COMMIT returned
    ack     COMMIT of a completion returned: the review, its token and its outcomes.
            Only this counts as acknowledged, and it is written only after commit.
    error   a step failed (the process carries on and exits 1 at the end)

A review's win text is a token unique to the completing transaction (and `draft TOKEN`
for the draft save), so the tests can tell which transaction wrote what.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session, select

from hwtui.data.catalog import Outcome
from hwtui.data.db import Database
from hwtui.data.errors import NotFound
from hwtui.data.models import Assignment, Clinician, Review, TaskOutcome
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.audit import verify_chain
from hwtui.data.services.clients import create_client, find_client
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.reviews import complete_review, open_review, save_draft, start_review

CLIENT_CODES = ("C01", "C02", "C03")
FIRST_DAY = date(2026, 1, 5)
OUTCOMES = [o.value for o in Outcome]
SMALL_CACHE_PAGES = 10


class Log:
    """Append-only JSON lines, one `os.write` each (no buffer a kill could lose)."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def __call__(self, ev: str, **fields: Any) -> None:
        line = json.dumps({"ev": ev, "t": time.time(), **fields}, separators=(",", ":"))
        os.write(self.fd, (line + "\n").encode())

    def close(self) -> None:
        os.close(self.fd)


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def lock_waits(events: list[dict[str, Any]]) -> list[float]:
    """Seconds each transaction waited from `begin` until it held the write lock."""
    began = {e["tx"]: e["t"] for e in events if e["ev"] == "begin"}
    return [e["t"] - began[e["tx"]] for e in events if e["ev"] == "locked"]


class Writer:
    """A clinician doing reviews, one write transaction per screen action."""

    def __init__(
        self, db: Database, clinician: str, log: Log, *, hold_ms: float = 0, pause_ms: float = 0
    ) -> None:
        self.db = db
        self.clinician = clinician
        self.log = log
        self.hold_ms = hold_ms
        self.pause_ms = pause_ms
        self.rng = random.Random(os.getpid())
        self.pid = os.getpid()
        self.errors = 0
        self.me: Actor | None = None
        self.clients: list[int] = []

    @contextmanager
    def tx(self, name: str, token: str = "") -> Iterator[Session]:
        """`Database.write()` with markers around it, and the optional hold before commit."""
        if self.pause_ms:
            # A person's pace between actions.
            time.sleep(self.rng.uniform(0, self.pause_ms) / 1000)
        self.log("begin", tx=name, token=token)
        with self.db.write() as session:
            session.connection()  # runs BEGIN IMMEDIATE now, so "locked" means held
            self.log("locked", tx=name)
            yield session
            if self.hold_ms:
                # Stay inside the transaction a while, so that kills land here.
                time.sleep(self.rng.uniform(0, self.hold_ms) / 1000)
            self.log("commit", tx=name)
        self.log("done", tx=name)

    def setup(self) -> None:
        """The clinician and their clients (each with two homework tasks), made once."""
        with self.tx("setup") as s:
            me = ensure_clinician(s, self.clinician)
            for code in CLIENT_CODES:
                try:
                    client = find_client(s, me, code)
                except NotFound:
                    client = create_client(s, me, code=code, display_name=f"Client {code}")
                    assert client.id is not None
                    for title in ("Walk after lunch", "Write one line"):
                        create_assignment(s, me, client.id, title=title)
                assert client.id is not None
                self.clients.append(client.id)
        self.me = me

    def review(self, n: int) -> None:
        me = self.me
        assert me is not None
        client_id = self.clients[n % len(self.clients)]
        token = f"{self.clinician}-{self.pid}-{n}"
        day = FIRST_DAY + timedelta(days=n)
        with self.tx(f"{n}.start") as s:
            # A draft left by a writer killed earlier is resumed, as in the app.
            review_id = start_review(s, me, client_id, day).id
        assert review_id is not None
        with self.tx(f"{n}.open") as s:
            homework = [a.id for a in open_review(s, me, review_id).assignments]
        outcomes = [
            {"assignment_id": aid, "outcome": OUTCOMES[(n + i) % len(OUTCOMES)]}
            for i, aid in enumerate(homework)
        ]
        with self.tx(f"{n}.draft", f"draft {token}") as s:
            save_draft(
                s, me, review_id, win_text=f"draft {token}", step="worked", outcomes=outcomes[:1]
            )
        # Every third review agrees a smaller goal that replaces the first task.
        goals = (
            [{"title": f"A smaller step {n}", "parent_id": homework[0]}]
            if homework and n % 3 == 0
            else []
        )
        with self.tx(f"{n}.complete", token) as s:
            detail = complete_review(
                s, me, review_id, win_text=token, step="goal", outcomes=outcomes, goals=goals
            )
            created = [a.id for a in detail.created]
        self.log(
            "ack",
            tx=f"{n}.complete",
            review_id=review_id,
            clinician=self.clinician,
            token=token,
            outcomes={str(o["assignment_id"]): o["outcome"] for o in outcomes},
            created=created,
        )

    def run(self, reviews: int, *, stop: Path | None = None) -> None:
        """Write *reviews* complete reviews (or until *stop* exists); count failures."""
        self.setup()
        done = 0
        while done < reviews and not (stop is not None and stop.exists()):
            try:
                self.review(done)
            except Exception as exc:  # every failure is counted and reported, none hidden
                self.errors += 1
                self.log("error", n=done, error=f"{type(exc).__name__}: {exc}")
            done += 1


def crash_child(db_path: str, clinician: str, log_path: str, hold_ms: float) -> None:
    """Write reviews until killed (the target of the crash test's forked processes)."""
    log = Log(Path(log_path))
    log("start", pid=os.getpid())
    db = Database(Path(db_path))

    @event.listens_for(db.engine, "connect")
    def _small_page_cache(dbapi_conn: Any, _record: Any) -> None:
        # A tiny page cache makes SQLite spill a transaction's pages to disk before
        # COMMIT, so a kill leaves uncommitted pages in the files for recovery to deal
        # with (the WAL ignores them; with journal_mode=OFF they corrupt the database).
        dbapi_conn.execute(f"PRAGMA cache_size = {SMALL_CACHE_PAGES}")

    Writer(db, clinician, log, hold_ms=hold_ms).run(sys.maxsize)


def _wait_for(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {path}")
        time.sleep(0.002)


# --- for the tests: start writers, wait for them, check what they left ---

ROOT = Path(__file__).resolve().parents[1]


def start_writers(
    db_path: Path, tmp: Path, names: list[str], *extra: str
) -> tuple[list[subprocess.Popen[str]], list[Path]]:
    """Start one writer process per clinician and release them together."""
    go = tmp / "go"
    procs, logs = [], []
    for name in names:
        logs.append(tmp / f"{name}.jsonl")
        argv = [sys.executable, "-m", "tests.soak_writer", "--db", str(db_path)]
        argv += ["--clinician", name, "--log", str(logs[-1])]
        argv += ["--ready", str(tmp / f"{name}.ready"), "--go", str(go), *extra]
        procs.append(
            subprocess.Popen(
                argv,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 120
    try:
        while not all((tmp / f"{name}.ready").exists() for name in names):
            crashed = [p.communicate() for p in procs if p.poll() is not None]
            assert not crashed, f"a writer died before the start: {crashed}"
            assert time.monotonic() < deadline, "writers did not get ready"
            time.sleep(0.01)
    except BaseException:
        kill_leftovers(procs)
        raise
    go.touch()
    return procs, logs


def finish(procs: list[subprocess.Popen[str]], timeout: float = 300) -> list[str]:
    """Wait for every writer; return what went wrong with any that did not exit 0."""
    problems = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        if proc.returncode != 0:
            problems.append(f"exit {proc.returncode}: {out.strip()} {err.strip()[-2000:]}")
    return problems


def kill_leftovers(procs: list[subprocess.Popen[str]]) -> None:
    """After a failed test: no writer outlives it."""
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def check_acknowledged(db: Database, acks: list[dict[str, Any]]) -> None:
    """Every acknowledged review is stored complete, as written, with its outcomes."""
    with db.read() as s:
        for ack in acks:
            review = s.get(Review, ack["review_id"])
            assert review is not None, ack
            assert (review.status, review.win_text) == ("complete", ack["token"]), ack
            clinician = s.get(Clinician, review.clinician_id)
            assert clinician is not None
            assert clinician.username == ack["clinician"]
            stored = {
                str(o.assignment_id): o.outcome
                for o in s.exec(select(TaskOutcome).where(TaskOutcome.review_id == review.id))
            }
            assert stored == ack["outcomes"], ack
            created = s.exec(
                select(Assignment.id).where(Assignment.created_in_review_id == review.id)
            ).all()
            assert sorted(created) == sorted(ack["created"]), ack


def check_database_whole(db: Database) -> int:
    """integrity_check is ok and the audit chain verifies; returns the number of events."""
    with db.read() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        chain = verify_chain(s)
    assert chain.ok, chain
    return chain.events


# --- the writer process ---


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak_writer")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--clinician", required=True)
    parser.add_argument("--log", required=True, type=Path)
    parser.add_argument("--reviews", type=int, default=200)
    parser.add_argument("--ready", type=Path, help="touch this once set up to go")
    parser.add_argument("--go", type=Path, help="start writing when this file appears")
    parser.add_argument("--stop", type=Path, help="stop writing when this file appears")
    parser.add_argument("--hold-ms", type=float, default=0, help="max sleep before COMMIT")
    parser.add_argument("--pause-ms", type=float, default=0, help="max sleep between writes")
    args = parser.parse_args(argv)

    log = Log(args.log)
    db = Database(args.db)
    db.check()  # connect now, so the start line is not spent on opening the file
    if args.ready is not None:
        args.ready.touch()
    if args.go is not None:
        _wait_for(args.go, timeout=120)
    log("start", pid=os.getpid())
    writer = Writer(db, args.clinician, log, hold_ms=args.hold_ms, pause_ms=args.pause_ms)
    try:
        writer.run(args.reviews, stop=args.stop)
    except Exception as exc:  # setup failed: report it like any other failure
        writer.errors += 1
        log("error", n=-1, error=f"{type(exc).__name__}: {exc}")
    finally:
        log("end", errors=writer.errors)
        db.dispose()
    print(json.dumps({"clinician": args.clinician, "errors": writer.errors}), flush=True)
    return 0 if writer.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
