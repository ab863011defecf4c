"""The session-day review: start, save as a draft, complete."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from hwtui.data.catalog import AssignmentStatus, ReviewStatus, ReviewStep
from hwtui.data.errors import FieldProblem, InvalidInput, NotFound
from hwtui.data.inputs import GoalInput, ReviewDraftInput, parse
from hwtui.data.models import Assignment, Client, ClientValue, Review, TaskOutcome, utcnow
from hwtui.data.services import audit
from hwtui.data.services.assignments import (
    active_assignments,
    create_assignment,
    get_assignment,
)
from hwtui.data.services.clients import get_client, list_values
from hwtui.data.services.identity import Actor
from hwtui.data.text import clean_line


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    review: Review
    outcomes: list[TaskOutcome]
    goals: list[GoalInput]
    # Assignments created when this review was completed (the new smaller goals).
    created: list[Assignment] = field(default_factory=list)


def get_review(session: Session, me: Actor, review_id: int) -> Review:
    review = session.get(Review, review_id)
    if review is None or review.clinician_id != me.clinician_id:
        raise NotFound(f"no review with id {review_id}")
    get_client(session, me, review.client_id)
    return review


def find_draft(session: Session, me: Actor, client_id: int) -> Review | None:
    get_client(session, me, client_id)
    return session.exec(
        select(Review)
        .where(Review.client_id == client_id, Review.status == ReviewStatus.DRAFT)
        .order_by(col(Review.updated_at).desc())
    ).first()


def start_review(session: Session, me: Actor, client_id: int, session_date: date) -> Review:
    """Open today's review; an existing draft for the client is returned instead."""
    draft = find_draft(session, me, client_id)
    if draft is not None:
        return draft
    review = Review(client_id=client_id, clinician_id=me.clinician_id, session_date=session_date)
    session.add(review)
    session.flush()
    audit.record(session, me, "create", "review", review.id, client_id=client_id)
    return review


def load_review(session: Session, me: Actor, review_id: int) -> ReviewDetail:
    review = get_review(session, me, review_id)
    outcomes = list(
        session.exec(
            select(TaskOutcome)
            .where(TaskOutcome.review_id == review_id)
            .order_by(col(TaskOutcome.id))
        )
    )
    created = list(
        session.exec(
            select(Assignment)
            .where(Assignment.created_in_review_id == review_id)
            .order_by(col(Assignment.id))
        )
    )
    goals = [GoalInput.model_validate(g) for g in review.draft_goals]
    audit.record(session, me, "view", "review", review_id, client_id=review.client_id)
    return ReviewDetail(review, outcomes, goals, created)


def save_draft(session: Session, me: Actor, review_id: int, **draft: Any) -> Review:
    """Store everything typed so far. Only a draft can be saved this way."""
    review = get_review(session, me, review_id)
    if review.status != ReviewStatus.DRAFT:
        raise InvalidInput.one("status", f"this review is {review.status} and cannot be edited")
    data = parse(ReviewDraftInput, **draft)
    _check_outcomes(session, me, review, data)
    review.win_text = data.win_text
    review.win_kind = data.win_kind
    review.current_step = data.current_step
    review.skipped = dict(data.skipped)
    review.draft_goals = [g.model_dump(mode="json") for g in data.goals]
    review.updated_at = utcnow()
    session.add(review)
    session.execute(delete(TaskOutcome).where(col(TaskOutcome.review_id) == review_id))
    for item in data.outcomes:
        session.add(TaskOutcome(review_id=review_id, **item.model_dump(mode="json")))
    audit.record(session, me, "update", "review", review_id, client_id=review.client_id)
    session.flush()
    return review


def _check_outcomes(session: Session, me: Actor, review: Review, data: ReviewDraftInput) -> None:
    seen: set[int] = set()
    for item in data.outcomes:
        assignment = get_assignment(session, me, item.assignment_id)
        if assignment.client_id != review.client_id:
            raise InvalidInput.one("outcomes", "names homework of another client")
        if item.assignment_id in seen:
            raise InvalidInput.one("outcomes", "gives one homework two outcomes")
        seen.add(item.assignment_id)
    for goal in data.goals:
        if goal.parent_id is not None:
            parent = get_assignment(session, me, goal.parent_id)
            if parent.client_id != review.client_id:
                raise InvalidInput.one("parent_id", "belongs to another client")


def complete_review(session: Session, me: Actor, review_id: int, **draft: Any) -> ReviewDetail:
    """Save, check the review is whole, create its new goals, and mark it complete."""
    review = save_draft(session, me, review_id, **draft)
    # A step counts as skipped only with a reason; a draft may hold an empty one mid-typing.
    skipped = {step for step, reason in review.skipped.items() if reason}
    problems: list[FieldProblem] = []
    if not review.win_text and ReviewStep.WIN not in skipped:
        problems.append(FieldProblem("win_text", "is required, or skip the step with a reason"))
    recorded = set(
        session.exec(select(TaskOutcome.assignment_id).where(TaskOutcome.review_id == review_id))
    )
    # An amendment corrects what was recorded then; today's homework is not its business.
    missing = (
        []
        if review.amends_id is not None
        else [
            a.title
            for a in session.exec(
                select(Assignment).where(
                    Assignment.client_id == review.client_id,
                    Assignment.status == AssignmentStatus.ACTIVE,
                )
            )
            # Homework set during this very session is reviewed next time, not now.
            if a.id not in recorded and a.created_at < review.started_at
        ]
    )
    if missing and ReviewStep.OUTCOMES not in skipped:
        problems.append(FieldProblem("outcomes", f"still needed for: {'; '.join(missing)}"))
    if problems:
        raise InvalidInput(problems)

    created: list[Assignment] = []
    for goal in (GoalInput.model_validate(g) for g in review.draft_goals):
        fields = goal.model_dump(exclude={"parent_id"})
        created.append(
            create_assignment(
                session,
                me,
                review.client_id,
                parent_id=goal.parent_id,
                created_in_review_id=review_id,
                **fields,
            )
        )
        if goal.parent_id is not None:
            parent = get_assignment(session, me, goal.parent_id)
            if parent.status == AssignmentStatus.ACTIVE:
                parent.status = AssignmentStatus.REPLACED
                parent.status_reason = "replaced by a smaller goal"
                parent.updated_at = utcnow()
                session.add(parent)
                audit.record(
                    session, me, "replaced", "assignment", parent.id, client_id=parent.client_id
                )
    # The goals now live as assignments (created_in_review_id); don't keep two copies.
    review.draft_goals = []
    review.status = ReviewStatus.COMPLETE
    review.completed_at = utcnow()
    review.updated_at = review.completed_at
    session.add(review)
    audit.record(session, me, "complete", "review", review_id, client_id=review.client_id)
    session.flush()
    outcomes = list(session.exec(select(TaskOutcome).where(TaskOutcome.review_id == review_id)))
    return ReviewDetail(review, outcomes, [], created)


@dataclass(frozen=True, slots=True)
class ReviewContext:
    """Everything the review screen needs to show and resume one review."""

    client: Client
    review: Review
    # Homework active now, plus any already given an outcome in this review, in due order.
    assignments: list[Assignment]
    outcomes: list[TaskOutcome]
    values: list[ClientValue]
    # New goals created when the review was completed (empty for a draft).
    created: list[Assignment]


def open_review(session: Session, me: Actor, review_id: int) -> ReviewContext:
    """Load a review with its client's homework and values. Audited as a view."""
    review = get_review(session, me, review_id)
    client = get_client(session, me, review.client_id)
    outcomes = list(
        session.exec(
            select(TaskOutcome)
            .where(TaskOutcome.review_id == review_id)
            .order_by(col(TaskOutcome.id))
        )
    )
    if review.amends_id is None:
        assignments = [
            a
            for a in active_assignments(session, me, review.client_id)
            if a.created_at < review.started_at  # set during this session: reviewed next time
        ]
    else:
        assignments = []  # an amendment shows what the amended version reviewed
    shown = {a.id for a in assignments}
    for row in outcomes:
        if row.assignment_id not in shown:
            assignments.append(get_assignment(session, me, row.assignment_id))
            shown.add(row.assignment_id)
    if review.status != ReviewStatus.DRAFT:
        # A finished review shows only what was reviewed then, not today's homework.
        reviewed = {row.assignment_id for row in outcomes}
        assignments = [a for a in assignments if a.id in reviewed]
    created = list(
        session.exec(
            select(Assignment)
            .where(Assignment.created_in_review_id == review_id)
            .order_by(col(Assignment.id))
        )
    )
    audit.record(session, me, "view", "review", review_id, client_id=review.client_id)
    values = list_values(session, me, review.client_id)
    return ReviewContext(client, review, assignments, outcomes, values, created)


def sign_review(session: Session, me: Actor, review_id: int) -> Review:
    """Sign a complete review. From now on it is read-only; changes are amendments."""
    review = get_review(session, me, review_id)
    if review.status != ReviewStatus.COMPLETE:
        raise InvalidInput.one(
            "status", f"only a complete review can be signed (this is {review.status})"
        )
    review.status = ReviewStatus.SIGNED
    review.signed_at = utcnow()
    review.signed_by = me.username
    session.add(review)
    audit.record(session, me, "sign", "review", review_id, client_id=review.client_id)
    session.flush()
    return review


def amend_review(session: Session, me: Actor, review_id: int, reason: str) -> Review:
    """Open the next version of a signed review, as a draft holding what it said.

    The signed version stays as it was. If an amendment is already open, it is returned.
    """
    original = get_review(session, me, review_id)
    reason = clean_line(reason)
    if not reason:
        raise InvalidInput.one("reason", "is required to amend a signed review")
    if original.status != ReviewStatus.SIGNED:
        raise InvalidInput.one(
            "status", f"only a signed review is amended (this is {original.status})"
        )
    newer = session.exec(select(Review).where(Review.amends_id == review_id)).first()
    if newer is not None:
        if newer.status == ReviewStatus.DRAFT:
            return newer
        raise InvalidInput.one("status", f"version {newer.version} already amends this review")
    amendment = Review(
        client_id=original.client_id,
        clinician_id=original.clinician_id,
        session_date=original.session_date,
        win_text=original.win_text,
        win_kind=original.win_kind,
        skipped=dict(original.skipped),
        current_step=len(ReviewStep) - 1,  # open on the summary
        version=original.version + 1,
        amends_id=original.id,
        amend_reason=reason[:500],
    )
    session.add(amendment)
    session.flush()
    assert amendment.id is not None
    for row in session.exec(select(TaskOutcome).where(TaskOutcome.review_id == review_id)):
        copy = row.model_dump(exclude={"id", "review_id"})
        session.add(TaskOutcome(review_id=amendment.id, **copy))
    audit.record(
        session,
        me,
        "amend",
        "review",
        amendment.id,
        client_id=original.client_id,
        detail=f"amends review {review_id}",
    )
    session.flush()
    return amendment


def review_versions(session: Session, me: Actor, review_id: int) -> list[Review]:
    """Every version of the review *review_id* belongs to, oldest first.

    A corrupt chain of amendments (a loop, a link to another client) is a BrokenVersions
    error, never an endless walk.
    """
    # The bounded walk lives in review_chain (notes.py walks back the same way); imported
    # here only so that this change stays inside this function.
    from hwtui.data.services.review_chain import all_versions

    return all_versions(session, me, get_review(session, me, review_id))
