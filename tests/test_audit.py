"""The audit trail: one event per action on client data, hash-chained and tamper-evident."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from hwtui.data.backup import backup
from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput
from hwtui.data.export import export_json
from hwtui.data.export_csv import export_csv
from hwtui.data.models import AuditEvent, AuditHead
from hwtui.data.services import audit
from hwtui.data.services.assignments import (
    complete_assignment,
    create_assignment,
    replace_assignment,
    retire_assignment,
    update_assignment,
)
from hwtui.data.services.caseload import client_brief, list_caseload
from hwtui.data.services.clients import archive_client, create_client, set_values, update_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.notes import note_for, record_note_copy, save_note
from hwtui.data.services.reviews import (
    amend_review,
    complete_review,
    load_review,
    save_draft,
    sign_review,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import (
    Event,
    add_assignment,
    add_client,
    add_completed_review,
    events_after,
    last_event_id,
)


def _act(db: Database, action: Callable[[Session], Any]) -> tuple[Any, list[Event]]:
    """Run one service call in its own transaction; return its result and its events."""
    before = last_event_id(db)
    with db.write() as s:
        result = action(s)
    return result, events_after(db, before)


def _summary(events: list[Event]) -> list[tuple[str, str, int | None, int | None]]:
    return [(e.action, e.entity, e.entity_id, e.client_id) for e in events]


def test_every_service_action_writes_an_event(db: Database, me: Actor) -> None:
    client, events = _act(db, lambda s: create_client(s, me, code="C01", display_name="Ana"))
    cid = client.id
    assert _summary(events) == [("create", "client", cid, cid)]
    assert events[0].os_user == me.username

    _, events = _act(db, lambda s: update_client(s, me, cid, display_name="Ana B."))
    assert _summary(events) == [("update", "client", cid, cid)]
    assert events[0].detail == "display_name"

    _, events = _act(db, lambda s: set_values(s, me, cid, ["family"]))
    assert _summary(events) == [("update", "client_value", None, cid)]

    walk, events = _act(db, lambda s: create_assignment(s, me, cid, title="Walk"))
    assert _summary(events) == [("create", "assignment", walk.id, cid)]

    _, events = _act(db, lambda s: update_assignment(s, me, walk.id, title="Walk", confidence=8))
    assert _summary(events) == [("update", "assignment", walk.id, cid)]
    assert events[0].detail == "confidence,title"

    gym, _ = _act(db, lambda s: create_assignment(s, me, cid, title="Join a gym"))
    smaller, events = _act(db, lambda s: replace_assignment(s, me, gym.id, title="Drive there"))
    assert _summary(events) == [
        ("create", "assignment", smaller.id, cid),
        ("replaced", "assignment", gym.id, cid),
    ]

    journal, _ = _act(db, lambda s: create_assignment(s, me, cid, title="Journal"))
    _, events = _act(db, lambda s: retire_assignment(s, me, journal.id, "not useful"))
    assert _summary(events) == [("retired", "assignment", journal.id, cid)]

    _, events = _act(db, lambda s: complete_assignment(s, me, smaller.id))
    assert _summary(events) == [("completed", "assignment", smaller.id, cid)]

    review, events = _act(db, lambda s: start_review(s, me, cid, TODAY))
    rid = review.id
    assert _summary(events) == [("create", "review", rid, cid)]

    _, events = _act(db, lambda s: save_draft(s, me, rid, win_text="a win"))
    assert _summary(events) == [("update", "review", rid, cid)]

    _, events = _act(db, lambda s: load_review(s, me, rid))
    assert _summary(events) == [("view", "review", rid, cid)]

    measure, events = _act(db, lambda s: record_measure(s, me, cid, "scaling", [7], review_id=rid))
    assert _summary(events) == [("create", "measure", measure.id, cid)]

    detail, events = _act(
        db,
        lambda s: complete_review(
            s,
            me,
            rid,
            win_text="a win",
            outcomes=[{"assignment_id": walk.id, "outcome": "not_done"}],
            goals=[{"title": "Walk 5 minutes", "parent_id": walk.id}],
        ),
    )
    (goal,) = detail.created
    assert _summary(events) == [
        ("update", "review", rid, cid),  # the final save
        ("create", "assignment", goal.id, cid),
        ("replaced", "assignment", walk.id, cid),  # the goal's parent
        ("complete", "review", rid, cid),
    ]

    _, events = _act(db, lambda s: client_brief(s, me, cid))
    assert _summary(events) == [("view", "client", cid, cid)]

    _, events = _act(db, lambda s: list_caseload(s, me, TODAY))
    assert _summary(events) == [("view", "caseload", None, None)]
    assert events[0].detail == "1 clients"

    _, events = _act(db, lambda s: archive_client(s, me, cid))
    assert _summary(events) == [("archive", "client", cid, cid)]
    # Archiving again changes nothing, so it records nothing.
    _, events = _act(db, lambda s: archive_client(s, me, cid))
    assert events == []

    with db.read() as s:
        check = audit.verify_chain(s)
    assert check.ok, check
    assert check.events == last_event_id(db)
    assert {e.os_user for e in events_after(db, 0)} == {me.username}


def test_a_rejected_action_leaves_no_event(db: Database, me: Actor) -> None:
    with db.write() as s:
        create_client(s, me, code="C01", display_name="Ana")
    before = last_event_id(db)
    with pytest.raises(InvalidInput), db.write() as s:
        create_client(s, me, code="C01", display_name="Duplicate")
    with pytest.raises(InvalidInput), db.write() as s:
        create_client(s, me, code="C02", display_name="")
    assert events_after(db, before) == []


def test_verify_chain_on_an_empty_trail(db: Database) -> None:
    with db.read() as s:
        assert audit.verify_chain(s) == audit.ChainCheck(True, 0)


def test_events_link_to_the_one_before(db: Database) -> None:
    with db.write() as s:
        audit.record(s, "alice", "export", "client", 1, client_id=1)
        audit.record(s, "alice", "view", "client", 1, client_id=1, detail="x")
    # Read back: PostgreSQL appends a transaction's events as it commits.
    with db.read() as s:
        first, second = s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert len(first.hash) == 64
    assert first.hash != second.hash


def _chain_of_five(db: Database) -> list[int]:
    with db.write() as s:
        for n in range(5):
            audit.record(s, "alice", "view", "client", n, client_id=n, detail=f"event {n}")
    with db.read() as s:
        ids = list(s.exec(select(AuditEvent.id).order_by(col(AuditEvent.id))))
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def _verify(db: Database) -> audit.ChainCheck:
    with db.read() as s:
        return audit.verify_chain(s)


def test_an_edited_event_breaks_the_chain(db: Database) -> None:
    ids = _chain_of_five(db)
    assert _verify(db).ok
    with db.write() as s:
        s.execute(
            text("UPDATE audit_event SET detail = :d WHERE id = :id"),
            {"d": "nothing to see", "id": ids[2]},
        )
    check = _verify(db)
    assert not check.ok
    assert check.first_bad_id == ids[2]
    assert "hash" in check.reason


def test_any_edited_column_is_detected(db: Database) -> None:
    ids = _chain_of_five(db)
    forgeries: dict[str, Any] = {
        "os_user": "someone_else",
        "action": "create",
        "entity": "review",
        "entity_id": 99,
        "client_id": 99,
        "at": datetime(2020, 1, 1, tzinfo=UTC),
    }
    found = {}
    for column, value in forgeries.items():
        with db.write() as s:
            event = s.get(AuditEvent, ids[1])
            assert event is not None
            setattr(event, column, value)
            s.flush()
            check = audit.verify_chain(s)
            found[column] = (check.ok, check.first_bad_id)
            s.rollback()  # undo this forgery before trying the next
    assert found == dict.fromkeys(forgeries, (False, ids[1]))
    assert _verify(db).ok


def test_a_deleted_event_breaks_the_chain(db: Database) -> None:
    ids = _chain_of_five(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    check = _verify(db)
    assert not check.ok
    assert check.first_bad_id == ids[3]
    assert "link" in check.reason


def test_a_rehashed_event_still_breaks_the_link(db: Database) -> None:
    """Recomputing a forged event's own hash is not enough: the next event points elsewhere."""
    ids = _chain_of_five(db)
    with db.write() as s:
        event = s.get(AuditEvent, ids[1])
        assert event is not None
        event.detail = "forged"
        event.hash = audit._digest(event)
        s.add(event)
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, ids[2])


# --- The chain head: the last events cannot go unnoticed ---------------------------------


def test_a_deleted_last_event_is_detected(db: Database) -> None:
    """A walk of the events alone ends cleanly at event 4; the head says there were 5."""
    ids = _chain_of_five(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, ids[-1])
    assert "missing" in check.reason
    assert "5 events" in check.reason


def test_the_last_events_deleted_together_are_detected(db: Database) -> None:
    ids = _chain_of_five(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": ids[2]})
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, ids[-1])
    assert "5 events" in check.reason
    assert "2 found" in check.reason


def test_every_event_deleted_is_detected(db: Database) -> None:
    ids = _chain_of_five(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_event"))
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, ids[-1])


def test_events_written_after_a_deletion_show_where_the_gap_is(db: Database) -> None:
    """The next event links to the head (the deleted event), not to the new last one."""
    ids = _chain_of_five(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[-1]})
    with db.write() as s:
        audit.record(s, "alice", "view", "client", 1, client_id=1)
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, last_event_id(db))
    assert "link" in check.reason


def test_an_event_appended_around_hwtui_is_detected(db: Database) -> None:
    """A forged event, correctly chained and hashed but written without moving the head."""
    ids = _chain_of_five(db)
    with db.write() as s:
        last = s.get(AuditEvent, ids[-1])
        assert last is not None
        forged = AuditEvent(
            at=datetime(2026, 1, 1, tzinfo=UTC),
            os_user="mallory",
            action="view",
            entity="client",
            prev_hash=last.hash,
            hash="",
        )
        forged.hash = audit._digest(forged)
        s.add(forged)
        s.flush()
        forged_id = forged.id
    check = _verify(db)
    assert (check.ok, check.first_bad_id) == (False, forged_id)
    assert "chain head" in check.reason


def test_a_removed_or_edited_head_is_detected(db: Database) -> None:
    _chain_of_five(db)
    with db.write() as s:
        s.execute(text("UPDATE audit_head SET events = 4"))
    assert "records 4 events, 5 found" in _verify(db).reason
    with db.write() as s:
        s.execute(text("DELETE FROM audit_head"))
    assert _verify(db) == audit.ChainCheck(False, 5, None, "the chain head is missing")
    # The next event starts a new head, which still does not account for the five before.
    with db.write() as s:
        audit.record(s, "alice", "view", "caseload")
    check = _verify(db)
    assert not check.ok
    assert "records 1 events, 6 found" in check.reason


def test_the_head_follows_every_event(db: Database) -> None:
    ids = _chain_of_five(db)
    with db.read() as s:
        head = s.get(AuditHead, audit.HEAD_ID)
        last = s.get(AuditEvent, ids[-1])
    assert head is not None
    assert last is not None
    assert (head.events, head.last_id, head.last_hash) == (5, ids[-1], last.hash)
    check = _verify(db)
    assert check.ok
    assert check.last_hash == last.hash


def test_a_rolled_back_action_leaves_the_head_where_it_was(db: Database) -> None:
    ids = _chain_of_five(db)

    def failing_action(s: Session) -> None:
        audit.record(s, "alice", "view", "client", 1, client_id=1)
        raise RuntimeError("the action failed after its event was written")

    with pytest.raises(RuntimeError), db.write() as s:
        failing_action(s)
    with db.write() as s:
        audit.record(s, "alice", "view", "client", 1, client_id=1)
    check = _verify(db)
    assert check.ok, check
    assert check.events == len(ids) + 1


# --- Every action on client data writes its event ---------------------------------------


@dataclass
class Practice:
    me: Actor
    client_id: int
    assignment_id: int
    review_id: int  # complete, not signed


@pytest.fixture
def practice(db: Database, me: Actor) -> Practice:
    client_id = add_client(db, me, code="P01")
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    return Practice(me, client_id, walk, review_id)


def _sign_then_amend(s: Session, p: Practice, _tmp: Path) -> object:
    sign_review(s, p.me, p.review_id, assessment="Engaged; homework reviewed.")
    return amend_review(s, p.me, p.review_id, "typo in the win")


def _backup(db: Database, p: Practice, tmp_path: Path) -> None:
    if db.path is None:
        pytest.skip("hwtui backup copies SQLite; PostgreSQL uses pg_dump")
    backup(db, tmp_path / "copy.sqlite3", username=p.me.username)


def _in_session(act: Callable[[Session, Practice, Path], object]) -> Any:
    def run(db: Database, p: Practice, tmp_path: Path) -> None:
        with db.write() as s:
            act(s, p, tmp_path)

    return run


# (what a clinician does, how it is done, the event it must write)
AUDITED: list[tuple[str, Callable[[Database, Practice, Path], object], tuple[str, str]]] = [
    ("view a client", _in_session(lambda s, p, _: client_brief(s, p.me, p.client_id)),
     ("view", "client")),
    ("create a client", _in_session(lambda s, p, _: create_client(
        s, p.me, code="P02", display_name="Bo")), ("create", "client")),
    ("update a client", _in_session(lambda s, p, _: update_client(
        s, p.me, p.client_id, display_name="Bo B.")), ("update", "client")),
    ("create homework", _in_session(lambda s, p, _: create_assignment(
        s, p.me, p.client_id, title="Read")), ("create", "assignment")),
    ("update homework", _in_session(lambda s, p, _: update_assignment(
        s, p.me, p.assignment_id, title="Walk daily")), ("update", "assignment")),
    ("complete homework", _in_session(lambda s, p, _: complete_assignment(
        s, p.me, p.assignment_id)), ("completed", "assignment")),
    ("start a review", _in_session(lambda s, p, _: start_review(
        s, p.me, p.client_id, TODAY)), ("create", "review")),
    ("complete a review", lambda db, p, _: add_completed_review(
        db, p.me, p.client_id, TODAY, {p.assignment_id: "partly"}), ("complete", "review")),
    ("sign a review", _in_session(
        lambda s, p, _: sign_review(s, p.me, p.review_id, assessment="Reviewed.")),
     ("sign", "review")),
    ("amend a review", _in_session(_sign_then_amend), ("amend", "review")),
    ("read a note", _in_session(lambda s, p, _: note_for(s, p.me, p.review_id)),
     ("view", "note")),
    ("copy a note", _in_session(lambda s, p, _: record_note_copy(s, p.me, p.review_id)),
     ("copy", "note")),
    ("save a note to a file", _in_session(lambda s, p, tmp: save_note(
        s, p.me, p.review_id, tmp / "note.md")), ("export", "note")),
    ("export a client", _in_session(lambda s, p, _: export_json(s, p.me, p.client_id)),
     ("export", "client")),
    ("export the caseload", _in_session(lambda s, p, tmp: export_csv(
        s, p.me, None, tmp / "out.zip")), ("export", "caseload")),
    ("back up", _backup, ("backup", "database")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("how", "expected"), [(a[1], a[2]) for a in AUDITED], ids=[a[0] for a in AUDITED]
)
def test_each_action_on_client_data_writes_its_event(
    db: Database,
    practice: Practice,
    tmp_path: Path,
    how: Callable[[Database, Practice, Path], object],
    expected: tuple[str, str],
) -> None:
    before = last_event_id(db)
    how(db, practice, tmp_path)
    written = [(e.action, e.entity) for e in events_after(db, before)]
    assert expected in written
    assert {e.os_user for e in events_after(db, before)} == {practice.me.username}
    assert _verify(db).ok


def test_the_migration_starts_the_head_at_the_end_of_an_existing_trail(
    empty_db_url: str,
) -> None:
    """A database from before the head existed: its events are kept, the head seals them,
    and from then on deleting the last one is noticed."""
    from alembic.script import ScriptDirectory

    from hwtui.data import migrate

    before_head = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0005")
    assert before_head is not None
    assert isinstance(before_head.down_revision, str)
    db = Database(empty_db_url)
    try:
        migrate.upgrade(db, before_head.down_revision)
        prev = audit.GENESIS
        with db.write() as s:
            for n in range(3):
                event = AuditEvent(
                    at=datetime(2026, 1, n + 1, tzinfo=UTC),
                    os_user="alice",
                    action="view",
                    entity="client",
                    prev_hash=prev,
                    hash="",
                )
                event.hash = prev = audit._digest(event)
                s.add(event)
                s.flush()
        migrate.upgrade(db)
        check = _verify(db)
        assert (check.ok, check.events, check.last_hash) == (True, 3, prev)
        with db.write() as s:
            s.execute(text("DELETE FROM audit_event WHERE hash = :h"), {"h": prev})
        assert "missing" in _verify(db).reason
    finally:
        db.dispose()
