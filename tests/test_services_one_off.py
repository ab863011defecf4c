"""Issue 17 item 10: a task meant to be done once, marked done, is finished when the
review completes (audited), while repeating homework stays active."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hwtui.data.catalog import AssignmentStatus
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent
from hwtui.data.review_draft import is_one_off
from hwtui.data.services.assignments import get_assignment
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import complete_review, start_review
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client


@pytest.mark.parametrize(
    "words", ["once", "Once", "one time", "1 time", "1x", "one-off", "just once", "once only"]
)
def test_words_for_a_single_time_are_one_off(words: str) -> None:
    assert is_one_off(words)


@pytest.mark.parametrize(
    "words", ["", "once a week", "twice", "one time a day", "daily", "1 time per week", "10"]
)
def test_repeating_homework_is_not_one_off(words: str) -> None:
    assert not is_one_off(words)


def test_a_done_one_off_is_completed_and_audited_and_the_rest_stay_open(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me)
    tell = add_assignment(db, me, client_id, "Tell a friend", how_often="once")
    walk = add_assignment(db, me, client_id, "Walk", how_often="3 times a week")
    call = add_assignment(db, me, client_id, "Call the GP", how_often="one time")
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
        assert review_id is not None
        complete_review(
            s,
            me,
            review_id,
            win_text="I felt my feelings",
            outcomes=[
                {"assignment_id": tell, "outcome": "done"},
                {"assignment_id": walk, "outcome": "done"},
                {"assignment_id": call, "outcome": "not_done"},
            ],
        )
    with db.read() as s:
        status = {a: get_assignment(s, me, a).status for a in (tell, walk, call)}
        events = [(e.action, e.entity_id) for e in s.exec(select(AuditEvent))]
    assert status == {
        tell: AssignmentStatus.COMPLETED,
        walk: AssignmentStatus.ACTIVE,
        call: AssignmentStatus.ACTIVE,
    }
    assert ("completed", tell) in events
    assert ("completed", walk) not in events
