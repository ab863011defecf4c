"""One writer per review, on both backends: leases on drafts, and races between
connections (threads here, each with its own connection) that start, complete, sign or
amend the same review at the same moment."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, func, select

from hwtui.data.catalog import AssignmentStatus, ReviewStatus
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.lease import Holder, describe, is_gone
from hwtui.data.models import Assignment, AuditEvent, Review, UnsavedInput
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import (
    DraftInUse,
    DraftLost,
    amend_review,
    complete_review,
    keep_unsaved,
    lease_problem,
    open_review,
    release_review,
    save_draft,
    sign_review,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client

A = Holder("a" * 32, "testhost", 1_000_001, "/dev/pts/1")
B = Holder("b" * 32, "testhost", 1_000_002, "/dev/pts/2")


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make A and B count as live sessions (their made-up pids exist nowhere)."""
    monkeypatch.setattr("hwtui.data.services.reviews.is_gone", lambda stamp, me: False)


def _draft(db: Database, me: Actor) -> tuple[int, int]:
    client_id = add_client(db, me)
    task = add_assignment(db, me, client_id, "Walk")
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
    assert review_id is not None
    return review_id, task


def _open(db: Database, me: Actor, review_id: int, who: Holder, **kw: Any) -> None:
    with db.write() as s:
        open_review(s, me, review_id, lease=who, **kw)


def _save(db: Database, me: Actor, review_id: int, who: Holder, **draft: Any) -> None:
    with db.write() as s:
        save_draft(s, me, review_id, lease=who.token, **draft)


def test_a_second_session_is_told_who_has_the_draft(db: Database, me: Actor, live: None) -> None:
    review_id, _ = _draft(db, me)
    _open(db, me, review_id, A)
    _save(db, me, review_id, A, win_text="A's win")
    with pytest.raises(DraftInUse) as told:
        _open(db, me, review_id, B)
    assert "pid 1000001 on testhost, /dev/pts/1" in str(told.value)
    assert "since" in str(told.value)
    assert "last saved" in str(told.value)
    # Told, B changed nothing: A still writes.
    _save(db, me, review_id, A, win_text="A's win, more")


def test_taking_over_refuses_the_old_sessions_next_save(
    db: Database, me: Actor, live: None
) -> None:
    review_id, task = _draft(db, me)
    _open(db, me, review_id, A)
    _save(db, me, review_id, A, win_text="A's words")
    _open(db, me, review_id, B, take_over=True)
    _save(db, me, review_id, B, win_text="B's words")
    with pytest.raises(DraftLost, match="took this review over"):
        _save(db, me, review_id, A, win_text="A overwrites")
    with pytest.raises(DraftLost), db.write() as s:
        complete_review(s, me, review_id, lease=A.token, win_text="A completes")
    with db.read() as s:
        assert s.get(Review, review_id).win_text == "B's words"  # type: ignore[union-attr]
        problem = lease_problem(s, me, review_id, A.token)
        assert problem is not None
        assert "took this review over" in str(problem)
        assert lease_problem(s, me, review_id, B.token) is None
        events = s.exec(select(AuditEvent.action).where(AuditEvent.entity_id == review_id))
        assert "take over" in list(events)
    # A's words are kept apart, never dropped.
    with db.write() as s:
        kept = keep_unsaved(s, me, review_id, "win: A overwrites", "taken over")
    with db.read() as s:
        row = s.get(UnsavedInput, kept.id)
        assert row is not None
        assert row.text == "win: A overwrites"
        assert row.place == f"review {review_id}"
    del task


def test_a_completed_review_refuses_the_other_sessions_save(
    db: Database, me: Actor, live: None
) -> None:
    review_id, task = _draft(db, me)
    _open(db, me, review_id, A)
    outcome = {"assignment_id": task, "outcome": "done"}
    with db.write() as s:
        complete_review(s, me, review_id, lease=A.token, win_text="done", outcomes=[outcome])
    with pytest.raises(DraftLost, match="completed"):
        _save(db, me, review_id, B, win_text="late")
    with db.read() as s:
        assert lease_problem(s, me, review_id, A.token) is not None  # lease cleared


def test_leaving_frees_the_draft_for_the_next_session(db: Database, me: Actor, live: None) -> None:
    review_id, _ = _draft(db, me)
    _open(db, me, review_id, A)
    with db.write() as s:
        release_review(s, me, review_id, A.token)
    _open(db, me, review_id, B)  # no question asked
    with db.write() as s:
        release_review(s, me, review_id, A.token)  # A no longer holds it: nothing changes
    with db.read() as s:
        assert lease_problem(s, me, review_id, B.token) is None


def test_a_holder_whose_process_is_gone_holds_nothing(db: Database, me: Actor) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = Holder("d" * 32, Holder.this_process().host, int(done.stdout), "")
    me_now = Holder.this_process()
    assert is_gone(dead.stamp, me_now)
    assert is_gone(Holder("e" * 32, me_now.host, me_now.pid).stamp, me_now)  # this process
    assert not is_gone(Holder("f" * 32, "elsewhere", 1).stamp, me_now)  # can't tell: live
    review_id, _ = _draft(db, me)
    _open(db, me, review_id, dead)
    _open(db, me, review_id, me_now)  # killed session: taken without asking
    assert describe(dead.stamp) == f"pid {dead.pid} on {dead.host}"


# -- races between connections ------------------------------------------------------------


def _race(db: Database, count: int, action: Callable[[], Any]) -> list[Any]:
    """Run *action* in *count* threads released together; each result or error."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action()
        except Exception as exc:  # what each racer saw is the result
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


ROUNDS = 12


def test_concurrent_starts_make_one_draft(db: Database, me: Actor) -> None:
    for n in range(ROUNDS):
        client_id = add_client(db, me, code=f"S{n}")

        def start(client_id: int = client_id) -> int | None:
            with db.write() as s:
                return start_review(s, me, client_id, TODAY).id

        results = _race(db, 4, start)
        assert all(isinstance(r, int) for r in results), results
        assert len(set(results)) == 1
        with db.read() as s:
            drafts = s.exec(
                select(func.count()).where(
                    Review.client_id == client_id, Review.status == ReviewStatus.DRAFT
                )
            ).one()
        assert drafts == 1


def test_concurrent_completions_complete_once(db: Database, me: Actor) -> None:
    for n in range(ROUNDS):
        client_id = add_client(db, me, code=f"K{n}")
        task = add_assignment(db, me, client_id, "Read")
        with db.write() as s:
            review_id = start_review(s, me, client_id, TODAY).id
        assert review_id is not None
        goal = {"parent_id": task, "title": "Read one page", "confidence": 9}

        def complete(review_id: int = review_id, task: int = task, goal: Any = goal) -> Any:
            with db.write() as s:
                return complete_review(
                    s,
                    me,
                    review_id,
                    win_text=f"win {threading.get_ident()}",
                    outcomes=[{"assignment_id": task, "outcome": "not_done"}],
                    goals=[goal],
                )

        results = _race(db, 2, complete)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], HwtuiError), errors
        with db.read() as s:
            created = s.exec(
                select(func.count()).where(col(Assignment.created_in_review_id) == review_id)
            ).one()
            parent = s.get(Assignment, task)
            events = list(
                s.exec(
                    select(AuditEvent.action).where(
                        AuditEvent.entity_id == review_id, AuditEvent.action == "complete"
                    )
                )
            )
        assert created == 1
        assert parent is not None
        assert parent.status == AssignmentStatus.REPLACED
        assert len(events) == 1


def test_concurrent_signing_and_amending_happen_once(db: Database, me: Actor) -> None:
    for n in range(ROUNDS // 2):
        client_id = add_client(db, me, code=f"G{n}")
        with db.write() as s:
            review_id = start_review(s, me, client_id, TODAY).id
            assert review_id is not None
            complete_review(s, me, review_id, win_text="ok")

        def sign(review_id: int = review_id) -> Any:
            with db.write() as s:
                return sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")

        signed = _race(db, 2, sign)
        assert sum(isinstance(r, BaseException) for r in signed) == 1, signed

        def amend(review_id: int = review_id) -> Any:
            with db.write() as s:
                return amend_review(s, me, review_id, "typo").id

        amended = _race(db, 3, amend)
        assert all(isinstance(r, int) for r in amended), amended
        assert len(set(amended)) == 1  # one amendment, handed to every racer
        with db.read() as s:
            versions = s.exec(select(func.count()).where(Review.amends_id == review_id)).one()
        assert versions == 1


def test_an_amendment_being_written_beside_the_sessions_draft(db: Database, me: Actor) -> None:
    """Amending last week's signed review while today's review is open: two drafts of one
    client, of different kinds; the one-draft rule is about session reviews."""
    client_id = add_client(db, me)
    with db.write() as s:
        last = start_review(s, me, client_id, TODAY).id
        assert last is not None
        complete_review(s, me, last, win_text="last week")
        sign_review(s, me, last, assessment="Engaged; homework reviewed.")
        today = start_review(s, me, client_id, TODAY).id
    with db.write() as s:
        amendment = amend_review(s, me, last, "wrong task").id
    with db.write() as s:
        assert start_review(s, me, client_id, TODAY).id == today  # not the amendment
    assert amendment not in (last, today)
