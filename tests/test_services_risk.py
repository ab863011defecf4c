"""Issue 22: a review needs a risk check when PHQ-9 item 9 was above 0 lately, signing
waits for it, and the note says what was done; deteriorations are found for the goal
step; how well a task went and the limiting belief are stored and printed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput
from hwtui.data.models import AuditEvent
from hwtui.data.notes import render_text
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.notes import note_for
from hwtui.data.services.reviews import (
    complete_review,
    get_review,
    save_draft,
    sign_review,
    start_review,
)
from hwtui.data.services.risk import deteriorations, record_risk_check, risk_signals
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review

ASSESSMENT = "Engaged; homework reviewed."
PHQ9_ITEM9 = [1, 1, 1, 1, 1, 1, 1, 1, 1]
PHQ9_CLEAR = [1, 1, 1, 1, 1, 1, 1, 1, 0]
CHECK = {
    "asked": "Asked [b]directly[/b] about thoughts of suicide\x1b]52;c;aGk=\x07",
    "ideation": "yes",
    "plan": "no",
    "intent": "no",
    "means": "declined",
    "level": "low",
    "safety_plan": "reviewed",
    "follow_up": "Check in by phone on Thursday",
}


def _when(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)


def _phq9(db: Database, me: Actor, client_id: int, items: list[int], days_ago: int) -> None:
    with db.write() as s:
        record_measure(s, me, client_id, "phq9", items, taken_at=_when(days_ago))


def test_item_9_in_the_latest_three_phq9s_calls_for_a_check(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    _phq9(db, me, client_id, PHQ9_ITEM9, 40)
    for days_ago in (30, 20, 10):
        _phq9(db, me, client_id, PHQ9_CLEAR, days_ago)
    with db.read() as s:
        assert risk_signals(s, client_id, None) == []  # the positive one is 4 PHQ-9s back
    _phq9(db, me, client_id, PHQ9_ITEM9, 1)
    with db.read() as s:
        assert risk_signals(s, client_id, None) == [(TODAY - timedelta(days=1), 1)]


def test_signing_waits_for_the_risk_check_and_the_note_says_what_was_done(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    _phq9(db, me, client_id, PHQ9_ITEM9, 1)
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    with (
        db.write() as s,
        pytest.raises(InvalidInput, match="risk check is needed before signing"),
    ):
        sign_review(s, me, review_id, assessment=ASSESSMENT)
    with db.read() as s:
        text = render_text(note_for(s, me, review_id, "dap"), width=10_000)
    assert "Risk check: not recorded in hwtui." in text
    assert "assess risk" not in text.casefold()  # never an instruction
    assert "no risk" not in text.casefold()


def test_a_recorded_check_is_printed_as_facts_and_signing_goes_ahead(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    _phq9(db, me, client_id, PHQ9_ITEM9, 1)
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"}, risk=CHECK)
    with db.write() as s:
        sign_review(s, me, review_id, assessment=ASSESSMENT)
    with db.read() as s:
        assert get_review(s, me, review_id).status == "signed"
        for style in ("dap", "soap", "birp"):
            text = render_text(note_for(s, me, review_id, style), width=10_000)
            assert "Risk check: asked: “Asked [b]directly[/b] about thoughts of suicide" in text
            assert "\x1b" not in text
            assert "\x07" not in text
            assert "access to means: declined; clinician's risk level: low" in text
            assert "safety plan: reviewed; follow-up: Check in by phone on Thursday" in text
            assert "Risk follow-up: Check in by phone on Thursday." in text


def test_a_part_recorded_check_names_what_is_missing(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = add_completed_review(
        db, me, client_id, TODAY, {walk: "done"}, risk={"asked": "Asked", "ideation": "no"}
    )
    # Started on demand: it must be finished before signing.
    with (
        db.write() as s,
        pytest.raises(InvalidInput, match="your risk level, the safety plan, the follow"),
    ):
        sign_review(s, me, review_id, assessment=ASSESSMENT)
    with db.read() as s:
        text = render_text(note_for(s, me, review_id, "soap"), width=10_000)
    assert "not recorded: a plan, intent to act, access to means, your risk level" in text


def test_how_it_went_and_the_belief_are_kept_and_printed(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    gym = add_assignment(db, me, client_id, "Gym")
    row = {
        "assignment_id": gym,
        "outcome": "partly",
        "quality": 1,
        "difficulty": 4,
        "times_done": 1,
        "times_planned": 3,
        "barriers": ["limiting_belief"],
        "belief": "I'm [red]not[/red] a gym person",
    }
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
        assert review_id is not None
        complete_review(s, me, review_id, win_text="ok", outcomes=[row])
    with db.read() as s:
        text = render_text(note_for(s, me, review_id, "dap"), width=10_000)
    assert "Partly done task “Gym”; done 1 of 3 times; how well it went: a little well (1/4)" in (
        text
    )
    assert "how hard it felt: very hard (4/4)" in text
    assert "the limiting belief, in the client's words: “I'm [red]not[/red] a gym person”" in text
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY + timedelta(days=7)).id
        assert review_id is not None
        with pytest.raises(InvalidInput, match="quality"):
            save_draft(s, me, review_id, outcomes=[{**row, "quality": 5}])


def test_a_reliable_deterioration_is_found(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        record_measure(s, me, client_id, "ors", [5, 5, 4, 3], taken_at=_when(14))
        record_measure(s, me, client_id, "ors", [3, 3, 3, 3], taken_at=_when(1))
        found = deteriorations(s, client_id, None)
    assert len(found) == 1
    assert found[0].startswith("ORS 12/40: previous 17")
    assert "a reliable deterioration" in found[0]


def test_a_draft_keeps_its_risk_check(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        review = start_review(s, me, client_id, TODAY)
        assert review.id is not None
        save_draft(s, me, review.id, risk={"asked": "Asked", "level": "moderate"})
        assert get_review(s, me, review.id).risk == {"asked": "Asked", "level": "moderate"}
        with pytest.raises(InvalidInput):
            save_draft(s, me, review.id, risk={"level": "extreme"})


def test_a_completed_review_takes_its_risk_check_before_signing(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    _phq9(db, me, client_id, PHQ9_ITEM9, 1)
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    with db.write() as s:
        record_risk_check(s, me, review_id, CHECK)
    with db.write() as s:
        sign_review(s, me, review_id, assessment=ASSESSMENT)
        events = s.exec(select(AuditEvent).where(AuditEvent.detail == "risk check")).all()
        assert [e.action for e in events] == ["update"]
    with (
        db.write() as s,
        pytest.raises(InvalidInput, match="only on a completed review before signing"),
    ):
        record_risk_check(s, me, review_id, CHECK)  # signed: amend it instead
