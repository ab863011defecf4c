"""The audit trail: one event per action on client data, hash-chained and tamper-evident."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput
from hwtui.data.models import AuditEvent
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
from hwtui.data.services.reviews import complete_review, load_review, save_draft, start_review
from tests.conftest import TODAY
from tests.helpers import Event, events_after, last_event_id


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
        first = audit.record(s, "alice", "export", "client", 1, client_id=1)
        second = audit.record(s, "alice", "view", "client", 1, client_id=1, detail="x")
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
