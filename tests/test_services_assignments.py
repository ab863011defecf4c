"""Homework assignments: create, edit, retire, complete, replace with a smaller goal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hwtui.data.catalog import AssignmentStatus
from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.services.assignment_detail import assignment_detail
from hwtui.data.services.assignments import (
    active_assignments,
    complete_assignment,
    create_assignment,
    earlier_assignments,
    get_assignment,
    goal_chain,
    goal_tree,
    is_overdue,
    replace_assignment,
    retire_assignment,
    update_assignment,
)
from hwtui.data.services.clients import list_values, set_values
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import complete_review, save_draft, start_review
from tests.conftest import TODAY
from tests.helpers import (
    HOSTILE,
    HOSTILE_CLEAN,
    MARKUP_LIKE,
    Attempt,
    add_assignment,
    add_client,
    events_after,
    last_event_id,
    rejection,
)


def test_create_assignment_stores_every_field(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, values=["fitness"])
    with db.read() as s:
        (value,) = list_values(s, me, client_id)
    assignment_id = add_assignment(
        db,
        me,
        client_id,
        "Drive to the gym",
        kind="activity_scheduling",
        instructions="Drive there.\n\tDon't go in.",
        rationale="Start small.",
        what="Drive to the gym car park",
        when="Tuesday\nafter work",
        where="Local gym",
        how_often="once",
        how_long="20 minutes",
        value_id=value.id,
        obstacles=["too_big", "forgot", "too_big"],
        confidence=9,
        due_date=TODAY + timedelta(days=7),
        rationale_given=True,
        decided_together=True,
        started_in_session=True,
        reminder_set=True,
    )
    with db.read() as s:
        row = get_assignment(s, me, assignment_id)
    assert row.client_id == client_id
    assert row.title == "Drive to the gym"
    assert row.kind == "activity_scheduling"
    assert row.instructions == "Drive there.\n\tDon't go in."
    assert row.when == "Tuesday after work"  # a one-line field loses its newline
    assert (row.where, row.how_often, row.how_long) == ("Local gym", "once", "20 minutes")
    assert row.value_id == value.id
    assert row.obstacles == ["too_big", "forgot"]  # repeats dropped, order kept
    assert row.confidence == 9
    assert row.due_date == TODAY + timedelta(days=7)
    assert row.rationale_given
    assert row.decided_together
    assert row.started_in_session
    assert row.reminder_set
    assert row.status == AssignmentStatus.ACTIVE
    assert row.parent_id is None
    assert row.created_in_review_id is None


def test_defaults_to_a_custom_kind(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.read() as s:
        row = get_assignment(s, me, add_assignment(db, me, client_id, "Notice trees"))
    assert (row.kind, row.confidence, row.obstacles) == ("custom", None, [])


def test_invalid_assignment_names_the_field(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    cases: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
        "empty title": ({"title": ""}, [("title", "is required")]),
        "title of controls": ({"title": " \n\x1b\x07 "}, [("title", "is required")]),
        "long title": (
            {"title": "t" * 201},
            [("title", "is too long (201 characters; the limit is 200)")],
        ),
        "confidence 11": (
            {"title": "x", "confidence": 11},
            [("confidence", "must be between 0 and 10 (got 11)")],
        ),
        "confidence -1": (
            {"title": "x", "confidence": -1},
            [("confidence", "must be between 0 and 10 (got -1)")],
        ),
        "confidence text": (
            {"title": "x", "confidence": "high"},
            [("confidence", "must be a whole number")],
        ),
        "unknown kind": (
            {"title": "x", "kind": "astrology"},
            [("kind", "unknown homework kind 'astrology'")],
        ),
        "unknown obstacle": (
            {"title": "x", "obstacles": ["gremlins"]},
            [("obstacles", "unknown barrier: gremlins")],
        ),
        "bad date": (
            {"title": "x", "due_date": "next week"},
            [("due_date", "is not a date (use YYYY-MM-DD)")],
        ),
        "status": (
            {"title": "x", "status": "completed"},
            [("status", "is not a field hwtui knows")],
        ),
    }
    got = {
        name: rejection(db, create_assignment, me, client_id, **fields)
        for name, (fields, _) in cases.items()
    }
    assert got == {name: expected for name, (_, expected) in cases.items()}
    with db.read() as s:
        assert active_assignments(s, me, client_id) == []


def test_confidence_message_reads_well(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        create_assignment(s, me, client_id, title="x", confidence=11)
    assert str(excinfo.value) == "confidence must be between 0 and 10 (got 11)"


def test_huge_text_is_rejected_with_the_limit(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        create_assignment(s, me, client_id, title="x", instructions="y" * 200_000)
    assert [p.field for p in excinfo.value.problems] == ["instructions"]
    assert excinfo.value.for_field("instructions") == (
        "is too long (200000 characters; the limit is 20000)"
    )


def test_controls_stripped_and_markup_kept(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    ids = [
        add_assignment(db, me, client_id, title, instructions=f"{HOSTILE}\n\t{title}")
        for title in MARKUP_LIKE
    ]
    hostile_id = add_assignment(db, me, client_id, HOSTILE, where="\x9b2J" + HOSTILE)
    with db.read() as s:
        rows = [get_assignment(s, me, i) for i in ids]
        hostile = get_assignment(s, me, hostile_id)
    assert [r.title for r in rows] == list(MARKUP_LIKE)
    assert [r.instructions for r in rows] == [f"{HOSTILE_CLEAN}\n\t{t}" for t in MARKUP_LIKE]
    assert hostile.title == HOSTILE_CLEAN
    assert hostile.where == "2J" + HOSTILE_CLEAN


def test_value_of_another_client_is_rejected(db: Database, me: Actor) -> None:
    mine = add_client(db, me, "C01", values=["family"])
    theirs = add_client(db, me, "C02", values=["career"])
    with db.read() as s:
        (own_value,) = list_values(s, me, mine)
        (foreign_value,) = list_values(s, me, theirs)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        create_assignment(s, me, mine, title="x", value_id=foreign_value.id)
    assert excinfo.value.for_field("value_id") == "is not one of this client's values"
    assert str(excinfo.value).startswith("linked value ")
    with pytest.raises(InvalidInput), db.write() as s:
        create_assignment(s, me, mine, title="x", value_id=987654)
    assignment_id = add_assignment(db, me, mine, "Call mum", value_id=own_value.id)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        update_assignment(s, me, assignment_id, value_id=foreign_value.id)
    assert excinfo.value.for_field("value_id") is not None
    with db.read() as s:
        assert get_assignment(s, me, assignment_id).value_id == own_value.id


def test_update_assignment(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    assignment_id = add_assignment(db, me, client_id, "Walk", confidence=6, obstacles=["forgot"])
    with db.read() as s:
        before = get_assignment(s, me, assignment_id)
    with db.write() as s:
        update_assignment(s, me, assignment_id, title="Walk 5 minutes", confidence=9)
    with db.read() as s:
        row = get_assignment(s, me, assignment_id)
    assert (row.title, row.confidence) == ("Walk 5 minutes", 9)
    assert row.obstacles == ["forgot"]  # untouched fields stay
    assert row.updated_at >= before.updated_at


def test_update_assignment_rejects_bad_changes(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    assignment_id = add_assignment(db, me, client_id, "Walk", confidence=6)
    cases: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
        "confidence": (
            {"confidence": 11},
            [("confidence", "must be between 0 and 10 (got 11)")],
        ),
        "title": ({"title": ""}, [("title", "is required")]),
        "status": ({"status": "completed"}, [("status", "cannot be changed here")]),
        "client": ({"client_id": 2}, [("client_id", "cannot be changed here")]),
        "parent": ({"parent_id": 1}, [("parent_id", "cannot be changed here")]),
    }
    got = {
        name: rejection(db, update_assignment, me, assignment_id, **changes)
        for name, (changes, _) in cases.items()
    }
    assert got == {name: expected for name, (_, expected) in cases.items()}
    with db.read() as s:
        row = get_assignment(s, me, assignment_id)
    assert (row.title, row.confidence, row.status, row.parent_id) == ("Walk", 6, "active", None)


def test_retire_needs_a_reason(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    assignment_id = add_assignment(db, me, client_id, "Walk")
    for reason in ["", "   ", "\x1b\x07"]:
        assert rejection(db, retire_assignment, me, assignment_id, reason) == [
            ("reason", "is required to retire homework")
        ], repr(reason)
    with db.read() as s:
        assert get_assignment(s, me, assignment_id).status == AssignmentStatus.ACTIVE


def test_retire_and_complete(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    retired_id = add_assignment(db, me, client_id, "Journal")
    done_id = add_assignment(db, me, client_id, "Walk")
    kept_id = add_assignment(db, me, client_id, "Breathe")
    with db.write() as s:
        retire_assignment(s, me, retired_id, "  no longer\nrelevant\x1b ")
        complete_assignment(s, me, done_id)
    with db.read() as s:
        retired = get_assignment(s, me, retired_id)
        done = get_assignment(s, me, done_id)
        active = [a.id for a in active_assignments(s, me, client_id)]
    assert (retired.status, retired.status_reason) == ("retired", "no longer relevant")
    assert done.status == "completed"
    assert active == [kept_id]
    # Only active homework can be closed.
    closes: list[Attempt] = [
        lambda s: retire_assignment(s, me, retired_id, "again"),
        lambda s: complete_assignment(s, me, retired_id),
        lambda s: replace_assignment(s, me, done_id, title="smaller"),
    ]
    for close in closes:
        with pytest.raises(InvalidInput) as excinfo, db.write() as s:
            close(s)
        assert "only active homework" in (excinfo.value.for_field("status") or "")


def test_replace_makes_a_chain_of_smaller_goals(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    gym = add_assignment(db, me, client_id, "Join a gym")
    with db.write() as s:
        drive = replace_assignment(s, me, gym, title="Drive to the gym", confidence=9).id
    assert drive is not None
    with db.write() as s:
        clothes = replace_assignment(
            s, me, drive, reason="still too big", title="Put on gym clothes"
        ).id
    assert clothes is not None
    with db.read() as s:
        original = get_assignment(s, me, gym)
        middle = get_assignment(s, me, drive)
        chain = [a.title for a in goal_chain(s, me, clothes)]
        active = [a.id for a in active_assignments(s, me, client_id)]
    assert (original.status, original.status_reason) == ("replaced", "replaced by a smaller goal")
    assert (middle.status, middle.status_reason, middle.parent_id) == (
        "replaced",
        "still too big",
        gym,
    )
    assert middle.confidence == 9
    assert chain == ["Join a gym", "Drive to the gym", "Put on gym clothes"]
    assert active == [clothes]


def test_replace_with_invalid_goal_changes_nothing(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    gym = add_assignment(db, me, client_id, "Join a gym")
    with pytest.raises(InvalidInput), db.write() as s:
        replace_assignment(s, me, gym, title="")
    with db.read() as s:
        assert [a.id for a in active_assignments(s, me, client_id)] == [gym]


def test_parent_of_another_client_is_rejected(db: Database, me: Actor) -> None:
    first = add_client(db, me, "C01")
    second = add_client(db, me, "C02")
    parent = add_assignment(db, me, first, "Walk")
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        create_assignment(s, me, second, title="Smaller", parent_id=parent)
    assert excinfo.value.for_field("parent_id") == "belongs to another client"


def test_active_assignments_are_ordered_by_due_date(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    undated = add_assignment(db, me, client_id, "Undated")
    later = add_assignment(db, me, client_id, "Later", due_date=TODAY + timedelta(days=3))
    sooner = add_assignment(db, me, client_id, "Sooner", due_date=TODAY - timedelta(days=1))
    with db.read() as s:
        rows = active_assignments(s, me, client_id)
    assert [a.id for a in rows] == [sooner, later, undated]
    assert [is_overdue(a, TODAY) for a in rows] == [True, False, False]


def test_another_clinician_cannot_touch_my_homework(db: Database, me: Actor, other: Actor) -> None:
    client_id = add_client(db, me)
    assignment_id = add_assignment(db, me, client_id, "Walk")
    attempts: list[Attempt] = [
        lambda s: get_assignment(s, other, assignment_id),
        lambda s: update_assignment(s, other, assignment_id, title="Mine now"),
        lambda s: retire_assignment(s, other, assignment_id, "because"),
        lambda s: complete_assignment(s, other, assignment_id),
        lambda s: replace_assignment(s, other, assignment_id, title="Smaller"),
        lambda s: goal_chain(s, other, assignment_id),
        lambda s: goal_tree(s, other, assignment_id),
        lambda s: assignment_detail(s, other, assignment_id),
        lambda s: active_assignments(s, other, client_id),
        lambda s: earlier_assignments(s, other, client_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), db.write() as s:
            attempt(s)
    # Their own client cannot adopt my homework as a parent either.
    theirs = add_client(db, other, "T01")
    with pytest.raises(NotFound), db.write() as s:
        create_assignment(s, other, theirs, title="Smaller", parent_id=assignment_id)
    with db.read() as s:
        row = get_assignment(s, me, assignment_id)
    assert (row.title, row.status) == ("Walk", "active")


# -- due dates in the past ------------------------------------------------------------------


def test_a_past_due_date_is_refused_when_today_is_given(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    yesterday = TODAY - timedelta(days=1)
    past = [("due_date", "is in the past (Tue 24 Nov 2026): pick today or a later day")]
    assert (
        rejection(db, create_assignment, me, client_id, title="x", due_date=yesterday, today=TODAY)
        == past
    )
    # Today and later are fine; without today (the demo, imports of history) so is the past.
    assert (
        rejection(db, create_assignment, me, client_id, title="x", due_date=TODAY, today=TODAY)
        is None
    )
    assert rejection(db, create_assignment, me, client_id, title="x", due_date=yesterday) is None
    with db.read() as s:
        assert [a.due_date for a in active_assignments(s, me, client_id)] == [yesterday, TODAY]


def test_editing_keeps_an_overdue_date_but_refuses_a_new_past_one(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    overdue = add_assignment(db, me, client_id, "Walk", due_date=TODAY - timedelta(days=3))
    # The rest of an overdue task can still be edited, its date left as it was.
    assert (
        rejection(db, update_assignment, me, overdue, title="Walk 5 minutes", today=TODAY) is None
    )
    assert (
        rejection(
            db, update_assignment, me, overdue, due_date=TODAY - timedelta(days=3), today=TODAY
        )
        is None
    )
    assert rejection(
        db, update_assignment, me, overdue, due_date=TODAY - timedelta(days=1), today=TODAY
    ) == [("due_date", "is in the past (Tue 24 Nov 2026): pick today or a later day")]
    assert rejection(db, update_assignment, me, overdue, due_date=TODAY, today=TODAY) is None
    with db.read() as s:
        row = get_assignment(s, me, overdue)
    assert (row.title, row.due_date) == ("Walk 5 minutes", TODAY)


def test_a_smaller_step_due_in_the_past_changes_nothing(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    gym = add_assignment(db, me, client_id, "Join a gym")
    assert rejection(
        db,
        replace_assignment,
        me,
        gym,
        title="Drive there",
        due_date=TODAY - timedelta(days=1),
        today=TODAY,
    ) == [("due_date", "is in the past (Tue 24 Nov 2026): pick today or a later day")]
    with db.read() as s:
        assert [a.id for a in active_assignments(s, me, client_id)] == [gym]
        assert get_assignment(s, me, gym).status == AssignmentStatus.ACTIVE


# -- goal trees and earlier homework --------------------------------------------------------


def test_goal_tree_holds_the_original_and_every_smaller_step(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    gym = add_assignment(db, me, client_id, "Join a gym")
    with db.write() as s:
        drive = replace_assignment(s, me, gym, title="Drive to the gym").id
    assert drive is not None
    # A second step under the original, and a step under the first one.
    stretch = add_assignment(db, me, client_id, "Stretch at home", parent_id=gym)
    with db.write() as s:
        clothes = replace_assignment(s, me, drive, title="Put on gym clothes").id
    unrelated = add_assignment(db, me, client_id, "Call mum")
    with db.read() as s:
        trees = {i: goal_tree(s, me, i) for i in (gym, drive, stretch, clothes)}
        alone = goal_tree(s, me, unrelated)
    expected = [
        ("Join a gym", 0, "replaced"),
        ("Drive to the gym", 1, "replaced"),
        ("Put on gym clothes", 2, "active"),
        ("Stretch at home", 1, "active"),
    ]
    for tree in trees.values():  # the same family seen from any member
        assert [(n.assignment.title, n.depth, n.assignment.status) for n in tree] == expected
    assert [(n.assignment.id, n.depth) for n in alone] == [(unrelated, 0)]


def test_earlier_homework_is_every_closed_task_newest_first(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    done = add_assignment(db, me, client_id, "Walk")
    retired = add_assignment(db, me, client_id, "Journal")
    replaced = add_assignment(db, me, client_id, "Join a gym")
    add_assignment(db, me, client_id, "Breathe")
    with db.write() as s:
        complete_assignment(s, me, done)
    with db.write() as s:
        retire_assignment(s, me, retired, "moved house")
    with db.write() as s:
        replace_assignment(s, me, replaced, title="Drive to the gym")
    with db.read() as s:
        earlier = earlier_assignments(s, me, client_id)
        newest = earlier_assignments(s, me, client_id, limit=1)
    assert [(a.title, a.status, a.status_reason) for a in earlier] == [
        ("Join a gym", "replaced", "replaced by a smaller goal"),
        ("Journal", "retired", "moved house"),
        ("Walk", "completed", ""),
    ]
    assert [a.id for a in newest] == [replaced]


def test_assignment_detail_has_the_chain_history_and_is_audited(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, values=["health", "family"])
    with db.read() as s:
        health = list_values(s, me, client_id)[0]
    walk = add_assignment(db, me, client_id, "Walk daily", value_id=health.id)
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY - timedelta(days=7)).id
        assert review_id is not None
        complete_review(
            s,
            me,
            review_id,
            win_text="slept better",
            outcomes=[{"assignment_id": walk, "outcome": "not_done", "barriers": ["no_time"]}],
        )
    with db.write() as s:
        smaller = replace_assignment(s, me, walk, title="Walk on Sunday").id
        # The client drops the value; the homework still shows it.
        set_values(s, me, client_id, ["family"])
    assert smaller is not None
    with db.write() as s:  # an open draft's outcomes are not history yet
        draft = start_review(s, me, client_id, TODAY).id
        assert draft is not None
        save_draft(s, me, draft, outcomes=[{"assignment_id": smaller, "outcome": "done"}])
    before = last_event_id(db)
    with db.write() as s:
        original = assignment_detail(s, me, walk)
        step = assignment_detail(s, me, smaller)
    assert original.value == "health"
    assert [(o.review_id, o.outcome, o.barriers) for o in original.outcomes] == [
        (review_id, "not_done", ["no_time"])
    ]
    assert original.parent is None
    assert step.parent is not None
    assert step.parent.id == walk
    assert [n.assignment.id for n in step.tree] == [walk, smaller]
    assert step.outcomes == []
    assert (original.set_in_review, step.client.id) == (None, client_id)
    assert [(e.action, e.entity, e.entity_id) for e in events_after(db, before)] == [
        ("view", "assignment", walk),
        ("view", "assignment", smaller),
    ]
