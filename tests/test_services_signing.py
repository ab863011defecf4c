"""Signing makes a review read-only; an amendment is a new version with a reason."""

from __future__ import annotations

import pytest
from sqlmodel import select

from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput
from hwtui.data.models import AuditEvent, TaskOutcome
from hwtui.data.notes import render_text
from hwtui.data.services.identity import Actor, set_signature
from hwtui.data.services.notes import note_for
from hwtui.data.services.reviews import (
    amend_review,
    complete_review,
    get_review,
    review_versions,
    save_draft,
    sign_review,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review


def _signed(db: Database, me: Actor) -> tuple[int, int, int]:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    with db.write() as s:
        sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")
    return client_id, walk, review_id


def test_only_a_complete_review_can_be_signed(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        draft = start_review(s, me, client_id, TODAY)
        assert draft.id is not None
        with pytest.raises(InvalidInput, match="only a complete review"):
            sign_review(s, me, draft.id, assessment="Engaged; homework reviewed.")


def test_a_signed_review_cannot_be_edited_in_place(db: Database, me: Actor) -> None:
    _, _, review_id = _signed(db, me)
    with db.write() as s:
        review = get_review(s, me, review_id)
        assert review.status == ReviewStatus.SIGNED
        assert review.signed_by == me.username
        assert review.signed_at is not None
        with pytest.raises(InvalidInput, match="cannot be edited"):
            save_draft(s, me, review_id, win_text="changed")
        with pytest.raises(InvalidInput, match="only a complete review"):
            sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")
    with db.read() as s:
        assert get_review(s, me, review_id).win_text == "slept better"


def test_an_amendment_is_a_new_version_holding_what_the_signed_one_said(
    db: Database, me: Actor
) -> None:
    _, walk, review_id = _signed(db, me)
    with db.write() as s:
        with pytest.raises(InvalidInput, match="reason"):
            amend_review(s, me, review_id, "  ")
        amendment = amend_review(s, me, review_id, "wrong outcome recorded")
        assert amendment.id is not None
        assert (amendment.version, amendment.amends_id, amendment.status) == (
            2,
            review_id,
            ReviewStatus.DRAFT,
        )
        assert amendment.win_text == "slept better"
        copied = s.exec(select(TaskOutcome).where(TaskOutcome.review_id == amendment.id)).all()
        assert [(o.assignment_id, o.outcome) for o in copied] == [(walk, "done")]
        # Asking again while it is open gives the same draft, not a third version.
        assert amend_review(s, me, review_id, "again").id == amendment.id
        complete_review(
            s,
            me,
            amendment.id,
            win_text="slept better",
            outcomes=[{"assignment_id": walk, "outcome": "partly"}],
        )
        sign_review(s, me, amendment.id, assessment="Engaged; homework reviewed.")
        versions = review_versions(s, me, amendment.id)
        assert [v.version for v in versions] == [1, 2]
        assert [v.id for v in review_versions(s, me, review_id)] == [review_id, amendment.id]
        # The original is untouched and cannot be amended twice.
        original = s.exec(select(TaskOutcome).where(TaskOutcome.review_id == review_id)).one()
        assert original.outcome == "done"
        with pytest.raises(InvalidInput, match="already amends"):
            amend_review(s, me, review_id, "another change")
    with db.read() as s:  # PostgreSQL appends a transaction's events as it commits
        actions = [e.action for e in s.exec(select(AuditEvent))]
    assert "sign" in actions
    assert "amend" in actions


def test_another_clinician_cannot_sign_or_amend(db: Database, me: Actor, other: Actor) -> None:
    from hwtui.data.errors import NotFound

    _, _, review_id = _signed(db, me)
    with db.write() as s, pytest.raises(NotFound):
        amend_review(s, other, review_id, "not mine")


# -- issue 22: a note a clinician will sign ---------------------------------------------


def _complete(db: Database, me: Actor) -> int:
    client_id = add_client(db, me, code="SG1")
    walk = add_assignment(db, me, client_id, "Walk")
    return add_completed_review(db, me, client_id, TODAY, {walk: "done"})


def test_signing_needs_the_clinicians_assessment(db: Database, me: Actor) -> None:
    review_id = _complete(db, me)
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        sign_review(s, me, review_id)
    assert refused.value.for_field("assessment")
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        sign_review(s, me, review_id, assessment="  \x1b\x07\t ")
    assert refused.value.for_field("assessment")
    with db.read() as s:
        assert get_review(s, me, review_id).status == ReviewStatus.COMPLETE


@pytest.mark.parametrize(
    ("minutes", "modality", "field"),
    [(0, "video", "minutes"), (601, None, "minutes"), (50, "carrier pigeon", "modality")],
)
def test_the_session_length_and_modality_are_checked(
    db: Database, me: Actor, minutes: int, modality: str | None, field: str
) -> None:
    review_id = _complete(db, me)
    with db.write() as s, pytest.raises(InvalidInput) as refused:
        sign_review(s, me, review_id, assessment="ok", minutes=minutes, modality=modality)
    assert refused.value.for_field(field)


def test_the_signature_is_frozen_when_signed(db: Database, me: Actor) -> None:
    review_id = _complete(db, me)
    with db.write() as s:
        set_signature(s, me, "Dr Ana Ruiz", "PhD, licensed psychologist")
        sign_review(
            s, me, review_id, assessment="Engaged [b]well[/b].", minutes=50, modality="video"
        )
        set_signature(s, me, "Ana Ruiz-Lee", "PsyD")  # later: a new name
        text = render_text(note_for(s, me, review_id), width=10_000)
    assert "Signed by Dr Ana Ruiz, PhD, licensed psychologist (" in text
    assert "Ana Ruiz-Lee" not in text
    assert "Session: 25 Nov 2026, 50 minutes, video" in text
    assert "Clinician's assessment: Engaged [b]well[/b]." in text


def test_a_signature_needs_a_name(db: Database, me: Actor) -> None:
    with db.write() as s, pytest.raises(InvalidInput):
        set_signature(s, me, "  \x07 ", "PhD")
