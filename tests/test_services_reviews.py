"""The session-day review: start (or resume), save drafts, complete."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hwtui.data.catalog import AssignmentStatus, ReviewStatus
from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.services.assignments import active_assignments, get_assignment, goal_chain
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import (
    complete_review,
    find_draft,
    get_review,
    load_review,
    save_draft,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import (
    HOSTILE,
    HOSTILE_CLEAN,
    MARKUP_LIKE,
    Attempt,
    add_assignment,
    add_client,
    rejection,
    selects_from,
)


def _start(db: Database, me: Actor, client_id: int) -> int:
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
    assert review_id is not None
    return review_id


def _save(db: Database, me: Actor, review_id: int, **draft: Any) -> None:
    with db.write() as s:
        save_draft(s, me, review_id, **draft)


def _outcome(assignment_id: int, outcome: str, **more: Any) -> dict[str, Any]:
    return {"assignment_id": assignment_id, "outcome": outcome, **more}


def test_start_returns_the_existing_draft(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    review_id = _start(db, me, client_id)
    with db.write() as s:
        again = start_review(s, me, client_id, TODAY + timedelta(days=1))
        assert find_draft(s, me, client_id) is not None
    assert again.id == review_id
    assert again.session_date == TODAY  # the draft as it was, not a new one
    assert again.status == ReviewStatus.DRAFT


def test_drafts_are_per_client(db: Database, me: Actor) -> None:
    first = _start(db, me, add_client(db, me, "C01"))
    second = _start(db, me, add_client(db, me, "C02"))
    assert first != second


def test_save_draft_stores_everything_typed(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    journal = add_assignment(db, me, client_id, "Journal")
    review_id = _start(db, me, client_id)
    _save(
        db,
        me,
        review_id,
        win_text="Asked for a raise",
        win_kind="decision",
        step="barriers",
        skipped={"worked": "ran out of time"},
        outcomes=[
            _outcome(
                walk,
                "done",
                discussed=True,
                factors=["scheduled", "told_others", "scheduled"],
                factor_notes={"scheduled": "phone reminder", "told_others": ""},
                worked_notes="walked with a friend",
                double_down="add a second walk",
            ),
            _outcome(
                journal,
                "not_done",
                barriers=["too_big", "forgot"],
                barrier_notes="felt like homework",
                learned="start with one line",
            ),
        ],
        goals=[{"title": "Write one line", "parent_id": journal, "confidence": 9}],
    )
    with db.write() as s:
        detail = load_review(s, me, review_id)
    review = detail.review
    assert (review.win_text, review.win_kind, review.step) == (
        "Asked for a raise",
        "decision",
        "barriers",
    )
    assert review.skipped == {"worked": "ran out of time"}
    assert review.status == ReviewStatus.DRAFT
    by_id = {o.assignment_id: o for o in detail.outcomes}
    assert set(by_id) == {walk, journal}
    done = by_id[walk]
    assert (done.outcome, done.discussed) == ("done", True)
    assert done.factors == ["scheduled", "told_others"]
    assert done.factor_notes == {"scheduled": "phone reminder"}
    assert (done.worked_notes, done.double_down) == ("walked with a friend", "add a second walk")
    missed = by_id[journal]
    assert (missed.outcome, missed.barriers) == ("not_done", ["too_big", "forgot"])
    assert (missed.barrier_notes, missed.learned) == ("felt like homework", "start with one line")
    assert [(g.title, g.parent_id, g.confidence) for g in detail.goals] == [
        ("Write one line", journal, 9)
    ]
    assert detail.created == []
    # A draft does not touch the homework yet.
    with db.read() as s:
        assert {a.id for a in active_assignments(s, me, client_id)} == {walk, journal}


def test_save_draft_replaces_outcomes_and_goals(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    journal = add_assignment(db, me, client_id, "Journal")
    review_id = _start(db, me, client_id)
    _save(
        db,
        me,
        review_id,
        outcomes=[_outcome(walk, "done"), _outcome(journal, "partly")],
        goals=[{"title": "One"}, {"title": "Two"}],
    )
    _save(db, me, review_id, outcomes=[_outcome(journal, "not_done")], goals=[])
    with db.write() as s:
        # Twice in one transaction as well: the old rows must not clash with the new.
        save_draft(s, me, review_id, outcomes=[_outcome(journal, "no_opportunity")])
        save_draft(s, me, review_id, outcomes=[_outcome(journal, "not_done")])
    with db.write() as s:
        detail = load_review(s, me, review_id)
    assert [(o.assignment_id, o.outcome) for o in detail.outcomes] == [(journal, "not_done")]
    assert detail.goals == []
    assert detail.review.win_text == ""


def test_save_draft_cleans_text_and_keeps_markup(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    notes = f"{HOSTILE}\n\t{' '.join(MARKUP_LIKE)}"
    _save(
        db,
        me,
        review_id,
        win_text=notes,
        skipped={"worked": HOSTILE},
        outcomes=[_outcome(walk, "not_done", barrier_notes=notes, learned="[TODO]")],
        goals=[{"title": "[@click=app.quit]x[/]", "instructions": notes}],
    )
    expected = f"{HOSTILE_CLEAN}\n\t{' '.join(MARKUP_LIKE)}"
    with db.write() as s:
        detail = load_review(s, me, review_id)
    assert detail.review.win_text == expected
    assert detail.review.skipped == {"worked": HOSTILE_CLEAN}
    (outcome,) = detail.outcomes
    assert (outcome.barrier_notes, outcome.learned) == (expected, "[TODO]")
    (goal,) = detail.goals
    assert (goal.title, goal.instructions) == ("[@click=app.quit]x[/]", expected)


def test_save_draft_validation(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    _save(db, me, review_id, win_text="kept", outcomes=[_outcome(walk, "done")])
    too_long = "is too long (200000 characters; the limit is 20000)"
    cases: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
        "huge win": ({"win_text": "w" * 200_000}, [("win_text", too_long)]),
        "huge barrier notes": (
            {"outcomes": [_outcome(walk, "not_done", barrier_notes="n" * 200_000)]},
            [("barrier_notes", too_long)],
        ),
        "huge factor note": (
            {"outcomes": [_outcome(walk, "done", factor_notes={"feeling": "f" * 200_000})]},
            [("feeling", too_long)],
        ),
        "unknown barrier": (
            {"outcomes": [_outcome(walk, "not_done", barriers=["meh"])]},
            [("barriers", "unknown barrier: meh")],
        ),
        "unknown factor": (
            {"outcomes": [_outcome(walk, "done", factors=["luck"])]},
            [("factors", "unknown factor: luck")],
        ),
        "unknown outcome": (
            {"outcomes": [_outcome(walk, "maybe")]},
            [("outcome", "must be one of 'done', 'partly', 'not_done' or 'no_opportunity'")],
        ),
        "unknown win kind": (
            {"win_kind": "lottery"},
            [("win_kind", "must be one of 'insight', 'decision', 'process' or 'external'")],
        ),
        "goal confidence": (
            {"goals": [{"title": "x", "confidence": 11}]},
            [("confidence", "must be between 0 and 10 (got 11)")],
        ),
        "goal without title": ({"goals": [{"title": ""}]}, [("title", "is required")]),
        "unknown step": (
            {"step": "coda"},
            [
                (
                    "step",
                    "must be one of 'outcomes', 'win', 'worked', 'barriers', 'goal' or 'summary'",
                )
            ],
        ),
        "a step by position": (
            {"current_step": 3},
            [("current_step", "is not a field hwtui knows")],
        ),
    }
    got = {
        name: rejection(db, save_draft, me, review_id, **draft)
        for name, (draft, _) in cases.items()
    }
    assert got == {name: expected for name, (_, expected) in cases.items()}
    # Nothing already saved is lost.
    with db.write() as s:
        detail = load_review(s, me, review_id)
    assert detail.review.win_text == "kept"
    assert [o.outcome for o in detail.outcomes] == ["done"]


def test_win_message_names_the_win(db: Database, me: Actor) -> None:
    review_id = _start(db, me, add_client(db, me))
    with (
        pytest.raises(InvalidInput, match=r"^win is too long \(200000 characters"),
        db.write() as s,
    ):
        save_draft(s, me, review_id, win_text="w" * 200_000)


def test_outcomes_must_be_this_clients_homework_once_each(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01")
    walk = add_assignment(db, me, client_id, "Walk")
    elsewhere = add_assignment(db, me, add_client(db, me, "C02"), "Elsewhere")
    review_id = _start(db, me, client_id)
    for outcomes, message in [
        ([_outcome(elsewhere, "done")], "another client"),
        ([_outcome(walk, "done"), _outcome(walk, "partly")], "two outcomes"),
    ]:
        with pytest.raises(InvalidInput) as excinfo, db.write() as s:
            save_draft(s, me, review_id, outcomes=outcomes)
        assert message in (excinfo.value.for_field("outcomes") or "")
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        save_draft(s, me, review_id, goals=[{"title": "x", "parent_id": elsewhere}])
    assert excinfo.value.for_field("parent_id") == "belongs to another client"
    with pytest.raises(NotFound), db.write() as s:
        save_draft(s, me, review_id, outcomes=[_outcome(999_999, "done")])


def test_complete_needs_a_win_and_every_outcome(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    add_assignment(db, me, client_id, "Journal")
    review_id = _start(db, me, client_id)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        complete_review(s, me, review_id, outcomes=[_outcome(walk, "done")])
    assert {p.field for p in excinfo.value.problems} == {"win_text", "outcomes"}
    assert "skip the step with a reason" in (excinfo.value.for_field("win_text") or "")
    assert "Journal" in (excinfo.value.for_field("outcomes") or "")
    assert "Walk" not in (excinfo.value.for_field("outcomes") or "")
    with db.read() as s:
        assert get_review(s, me, review_id).status == ReviewStatus.DRAFT


def test_skipping_a_step_needs_a_reason(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    for reason in ["", "   ", "\x1b"]:
        problems = rejection(
            db, complete_review, me, review_id, skipped={"win": reason, "outcomes": reason}
        )
        assert problems is not None, repr(reason)
        assert {field for field, _ in problems} == {"win_text", "outcomes"}, repr(reason)
    with db.read() as s:
        assert get_review(s, me, review_id).status == ReviewStatus.DRAFT


def test_complete_with_skipped_steps(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    with db.write() as s:
        detail = complete_review(
            s,
            me,
            review_id,
            skipped={"win": "client in crisis", "outcomes": "crisis session"},
        )
    assert detail.review.status == ReviewStatus.COMPLETE
    assert detail.review.completed_at is not None
    assert detail.outcomes == []
    with db.read() as s:
        assert get_assignment(s, me, walk).status == AssignmentStatus.ACTIVE


def test_complete_creates_goals_as_assignments(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    gym = add_assignment(db, me, client_id, "Join a gym")
    review_id = _start(db, me, client_id)
    due = TODAY + timedelta(days=7)
    with db.write() as s:
        detail = complete_review(
            s,
            me,
            review_id,
            win_text="Felt my feelings",
            win_kind="process",
            outcomes=[
                _outcome(walk, "done", factors=["scheduled"]),
                _outcome(gym, "not_done", barriers=["too_big"]),
            ],
            goals=[
                {"title": "Drive to the gym", "parent_id": gym, "confidence": 9, "due_date": due},
                {"title": "Breathing practice", "kind": "mindfulness"},
            ],
        )
    assert detail.review.status == ReviewStatus.COMPLETE
    assert detail.review.draft_goals == []
    smaller, breathing = detail.created
    assert smaller.id is not None
    assert breathing.id is not None
    assert (smaller.title, smaller.parent_id, smaller.created_in_review_id) == (
        "Drive to the gym",
        gym,
        review_id,
    )
    assert (smaller.confidence, smaller.due_date) == (9, due)
    assert (breathing.parent_id, breathing.created_in_review_id) == (None, review_id)
    assert breathing.kind == "mindfulness"
    with db.write() as s:
        parent = get_assignment(s, me, gym)
        active = {a.id for a in active_assignments(s, me, client_id)}
        chain = [a.id for a in goal_chain(s, me, smaller.id)]
        stored = get_review(s, me, review_id)
        reloaded = load_review(s, me, review_id)
    assert parent.status == AssignmentStatus.REPLACED
    assert parent.status_reason
    assert active == {walk, smaller.id, breathing.id}
    assert chain == [gym, smaller.id]
    assert stored.status == ReviewStatus.COMPLETE
    assert (stored.win_text, stored.win_kind) == ("Felt my feelings", "process")
    assert [a.id for a in reloaded.created] == [smaller.id, breathing.id]
    assert {o.assignment_id: o.outcome for o in reloaded.outcomes} == {
        walk: "done",
        gym: "not_done",
    }
    # The next review is a new one, and it needs outcomes for the new goals.
    next_id = _start(db, me, client_id)
    assert next_id != review_id
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        complete_review(s, me, next_id, win_text="ok", outcomes=[_outcome(walk, "done")])
    message = excinfo.value.for_field("outcomes") or ""
    assert "Drive to the gym" in message
    assert "Breathing practice" in message


def test_a_completed_review_is_not_a_draft_any_more(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    review_id = _start(db, me, client_id)
    with db.write() as s:
        complete_review(s, me, review_id, win_text="Got the job")
    attempts: list[Attempt] = [
        lambda s: save_draft(s, me, review_id, win_text="rewritten"),
        lambda s: complete_review(s, me, review_id, win_text="rewritten"),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput) as excinfo, db.write() as s:
            attempt(s)
        assert "complete and cannot be edited" in (excinfo.value.for_field("status") or "")
    with db.read() as s:
        review = get_review(s, me, review_id)
        assert find_draft(s, me, client_id) is None
    assert (review.status, review.win_text) == ("complete", "Got the job")


def test_another_clinician_cannot_see_or_change_my_reviews(
    db: Database, me: Actor, other: Actor
) -> None:
    client_id = add_client(db, me)
    review_id = _start(db, me, client_id)
    _save(db, me, review_id, win_text="private")
    attempts: list[Attempt] = [
        lambda s: get_review(s, other, review_id),
        lambda s: load_review(s, other, review_id),
        lambda s: save_draft(s, other, review_id, win_text="overwritten"),
        lambda s: complete_review(s, other, review_id, win_text="overwritten"),
        lambda s: start_review(s, other, client_id, TODAY),
        lambda s: find_draft(s, other, client_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), db.write() as s:
            attempt(s)
    with db.read() as s:
        review = get_review(s, me, review_id)
    assert (review.status, review.win_text) == ("draft", "private")


def test_homework_set_during_the_session_does_not_block_completion(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    new = add_assignment(db, me, client_id, "Set today from the library")
    with db.write() as s:
        detail = complete_review(
            s, me, review_id, win_text="slept well", outcomes=[_outcome(walk, "done")]
        )
        assert detail.review.status == ReviewStatus.COMPLETE
        assert get_assignment(s, me, new).status == AssignmentStatus.ACTIVE


def test_a_save_reads_the_homework_it_names_once(db: Database, me: Actor) -> None:
    """Every autosave checks each outcome's homework is this client's: one read for them
    all, not one each (each a round trip, under row security on PostgreSQL)."""
    client_id = add_client(db, me)
    tasks = [add_assignment(db, me, client_id, title) for title in ("Walk", "Read", "Call")]
    review_id = _start(db, me, client_id)
    outcomes = [{"assignment_id": t, "outcome": "done"} for t in tasks]
    goal = {"title": "Walk to the corner", "kind": "thought_record", "parent_id": tasks[0]}
    with selects_from(db, "assignment") as reads, db.write() as s:
        save_draft(s, me, review_id, outcomes=outcomes, goals=[goal])
    assert len(reads) == 1, reads
    other = add_client(db, me, "C2")
    elsewhere = add_assignment(db, me, other, "Not theirs")
    with pytest.raises(InvalidInput, match="another client"), db.write() as s:
        save_draft(
            s, me, review_id, outcomes=[*outcomes, {"assignment_id": elsewhere, "outcome": "done"}]
        )


def test_completing_reads_back_none_of_the_outcomes_it_wrote(db: Database, me: Actor) -> None:
    """The save writes the outcomes; what completing needs of them (which homework has
    one, which one-off tasks were done, the detail returned) comes from what it wrote,
    not from reading them back (each read a round trip on PostgreSQL)."""
    client_id = add_client(db, me)
    once = add_assignment(db, me, client_id, "Call the clinic", how_often="once")
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = _start(db, me, client_id)
    with selects_from(db, "task_outcome") as reads, db.write() as s:
        detail = complete_review(
            s,
            me,
            review_id,
            win_text="Called them",
            outcomes=[
                {"assignment_id": once, "outcome": "done"},
                {"assignment_id": walk, "outcome": "not_done", "barriers": ["forgot"]},
            ],
        )
        assert sorted((o.assignment_id, o.outcome) for o in detail.outcomes) == sorted(
            [(once, "done"), (walk, "not_done")]
        )
        assert all(o.id is not None for o in detail.outcomes)
    assert reads == []
    with db.read() as s:
        assert get_assignment(s, me, once).status == AssignmentStatus.COMPLETED
        assert get_assignment(s, me, walk).status == AssignmentStatus.ACTIVE
