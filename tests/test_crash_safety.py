"""Crash safety on SQLite: writers SIGKILLed mid-transaction, over and over.

A clinician's writer (tests/soak_writer.py, the app's own service code) is forked and
SIGKILLed at a random moment, more than a hundred times, while another clinician's
writer keeps going in its own process. The killed writer sleeps a random few
milliseconds inside every transaction just before COMMIT, so most kills land with the
write lock held and the transaction's rows already written. The writers log markers
(begin / locked / commit / done / ack) with an unbuffered write each, so each kill can
be placed exactly. Afterwards:

- `PRAGMA integrity_check` is ok and the audit chain verifies;
- every review acknowledged (ack logged only after COMMIT returned) is there, complete,
  with its outcomes and new goals;
- nothing of a transaction killed before its COMMIT is visible, and every complete
  review comes from a transaction that got as far as COMMIT (all or nothing);
- the other clinician never saw an error (a dead writer's lock goes with its process);
- the database goes on working: a new writer resumes the drafts left behind.

What this cannot test is power loss. A killed process loses nothing the kernel already
has, so it survives even `synchronous=OFF`; the FULL setting in hwtui.data.db (an fsync
of the WAL at every commit, in WAL mode) is what keeps a committed review across a power
cut or kernel crash, and only a machine that really loses power could prove it. Here we
check that the setting is applied (tests/test_storage.py checks the pragmas) and that a
process crash at any point leaves a whole, consistent database.

Children are forked from a forkserver that has already imported the app, so each kill
costs milliseconds rather than a fresh interpreter's start-up. They run with a tiny page
cache, so SQLite writes a transaction's pages out before COMMIT and a kill really leaves
uncommitted pages in the files.

Checked by breaking things on purpose (each made this test fail):
- no transactions (every statement committing on its own): the audit chain broke (an
  event stored, the move of the chain head killed), or an acknowledged review had an
  extra goal, left by a completion killed half-way and then resumed;
- journal_mode=OFF: "database disk image is malformed";
- the writer acknowledging before COMMIT: an acknowledged review was not as acknowledged.
With synchronous=OFF it passes, as explained above; a rollback journal (DELETE) passes.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import col, func, select

from hwtui.data import migrate
from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent, Clinician, Review
from tests.soak_writer import (
    CLIENT_CODES,
    Log,
    Writer,
    check_acknowledged,
    check_database_whole,
    crash_child,
    finish,
    kill_leftovers,
    read_log,
    start_writers,
)

KILLS = 120
HOLD_MS = 20  # each transaction waits up to this long before COMMIT
MAX_KILL_DELAY = 0.25  # seconds after the child has started (its log exists)


def _where_killed(events: list[dict[str, object]]) -> str:
    """Where the kill landed, from the last marker the child wrote."""
    last = events[-1]["ev"] if events else "nothing"
    return {
        "begin": "taking the lock",  # BEGIN IMMEDIATE sent, maybe waiting for the lock
        "locked": "mid-transaction",  # lock held, statements run, COMMIT not yet sent
        "commit": "committing",  # inside COMMIT
        "done": "between transactions",
        "ack": "between transactions",
    }.get(str(last), "starting up")


@pytest.mark.slow
def test_sigkill_mid_transaction_keeps_the_database_whole(tmp_path: Path) -> None:
    path = tmp_path / "practice.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    kills_dir = tmp_path / "kills"
    kills_dir.mkdir()
    rng = random.Random(7)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.soak_writer"])

    started = time.monotonic()
    stop = tmp_path / "stop"
    # Another clinician writing all along, at a person's pace, never killed.
    steady_args = ["--reviews", "1000000", "--stop", str(stop), "--pause-ms", "30"]
    steady, steady_logs = start_writers(path, tmp_path, ["dr_steady"], *steady_args)
    try:
        for i in range(KILLS):
            log = kills_dir / f"{i:03d}.jsonl"
            child = ctx.Process(
                target=crash_child, args=(str(path), "dr_crash", str(log), HOLD_MS), daemon=True
            )
            child.start()
            deadline = time.monotonic() + 30
            while not log.exists() and child.is_alive() and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0, MAX_KILL_DELAY))
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            child.join(30)
            assert child.exitcode == -signal.SIGKILL, (i, child.exitcode, read_log(log)[-3:])
        stop.touch()
        exits = finish(steady, timeout=120)
    finally:
        kill_leftovers(steady)
    kill_seconds = time.monotonic() - started

    logs = [read_log(p) for p in sorted(kills_dir.iterdir())]
    assert len(logs) == KILLS
    landed = Counter(_where_killed(events) for events in logs)
    steady_events = read_log(steady_logs[0])
    errors = [e for events in [*logs, steady_events] for e in events if e["ev"] == "error"]
    assert errors == []  # neither the killed writers nor the other clinician failed
    assert exits == []
    print(f"{KILLS} kills in {kill_seconds:.1f}s, landed: {dict(landed)}")
    # The kills really hit transactions: many with the write lock held, before COMMIT
    # (typically four in five; a third leaves room for a slow, loaded machine).
    assert landed["mid-transaction"] >= KILLS // 3, landed

    acks = [e for events in [*logs, steady_events] for e in events if e["ev"] == "ack"]
    assert sum(e["ev"] == "ack" for e in steady_events) > 0
    assert sum(e["ev"] == "ack" for events in logs for e in events) > 0
    check_acknowledged(db, acks)
    check_database_whole(db)
    with db.read() as s:  # what would keep them across a power cut (not testable here)
        assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL

    # All or nothing. Tokens of transactions killed before COMMIT left no trace; every
    # complete review's token is one whose transaction reached COMMIT.
    killed_before_commit: set[str] = set()  # drafts and completions killed before COMMIT
    reached_commit: set[str] = set()
    for events in logs:
        tokens = {e["tx"]: e["token"] for e in events if e["ev"] == "begin" and e["token"]}
        reached_commit |= {
            tokens[e["tx"]] for e in events if e["ev"] == "commit" and e["tx"] in tokens
        }
        if _where_killed(events) in {"taking the lock", "mid-transaction"}:
            token = tokens.get(str(events[-1]["tx"]))
            if token:
                killed_before_commit.add(token)
    print(f"{len(killed_before_commit)} drafts or completions killed before COMMIT")
    assert len(killed_before_commit) >= 10
    with db.read() as s:
        crash_id = s.exec(select(Clinician.id).where(Clinician.username == "dr_crash")).one()
        texts = Counter(
            (r.status, r.win_text)
            for r in s.exec(select(Review).where(Review.clinician_id == crash_id))
        )
        completions = s.exec(
            select(func.count()).where(
                AuditEvent.action == "complete", AuditEvent.entity == "review"
            )
        ).one()
        complete_reviews = s.exec(
            select(func.count()).where(col(Review.status) == ReviewStatus.COMPLETE)
        ).one()
    assert not killed_before_commit & {text for _, text in texts}
    assert {text for status, text in texts if status == "complete"} <= reached_commit
    assert completions == complete_reviews  # each completion has its audit event
    drafts = sum(n for (status, _), n in texts.items() if status == "draft")
    assert drafts <= len(CLIENT_CODES)  # one open draft per client at most, to resume

    # The database goes on working: a new writer resumes the drafts and completes more.
    log = Log(tmp_path / "after.jsonl")
    writer = Writer(Database(path), "dr_crash", log)
    writer.run(6)
    log.close()
    after = read_log(tmp_path / "after.jsonl")
    assert writer.errors == 0, [e for e in after if e["ev"] == "error"]
    check_acknowledged(db, [e for e in after if e["ev"] == "ack"])
    check_database_whole(db)
    with db.read() as s:
        assert s.exec(select(func.count()).where(Review.status == "draft")).one() == 0
    writer.db.dispose()
    db.dispose()
