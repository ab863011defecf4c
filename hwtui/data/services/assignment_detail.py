"""One homework assignment as its detail screen shows it: fields, goal chain and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from hwtui.data.catalog import ReviewStatus
from hwtui.data.models import Assignment, Client, ClientValue, Review, TaskOutcome
from hwtui.data.services import audit
from hwtui.data.services.assignments import GoalNode, goal_tree
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor


@dataclass(frozen=True, slots=True)
class OutcomeAt:
    """How the assignment went, as recorded at one completed review."""

    review_id: int
    session_date: date
    outcome: str
    barriers: list[str]


@dataclass(frozen=True, slots=True)
class AssignmentDetail:
    assignment: Assignment
    client: Client
    # The linked value's words, even if the client has since dropped that value.
    value: str | None
    tree: list[GoalNode]
    outcomes: list[OutcomeAt]
    # The session date of the review that set it, if a review did.
    set_in_review: date | None

    @property
    def parent(self) -> Assignment | None:
        parent_id = self.assignment.parent_id
        return next((n.assignment for n in self.tree if n.assignment.id == parent_id), None)


def assignment_detail(session: Session, me: Actor, assignment_id: int) -> AssignmentDetail:
    """Everything about one assignment in my caseload. Audited as a view."""
    tree = goal_tree(session, me, assignment_id)  # raises NotFound outside my caseload
    row = next(n.assignment for n in tree if n.assignment.id == assignment_id)
    client = get_client(session, me, row.client_id)
    value = session.get(ClientValue, row.value_id) if row.value_id is not None else None
    outcomes = [
        OutcomeAt(review.id, review.session_date, outcome.outcome, list(outcome.barriers))
        for review, outcome in session.exec(
            select(Review, TaskOutcome)
            .join(TaskOutcome, col(TaskOutcome.review_id) == col(Review.id))
            .where(TaskOutcome.assignment_id == assignment_id, Review.status != ReviewStatus.DRAFT)
            .order_by(col(Review.session_date), col(Review.id))
        )
        if review.id is not None
    ]
    set_in = (
        session.get(Review, row.created_in_review_id)
        if row.created_in_review_id is not None
        else None
    )
    audit.record(session, me, "view", "assignment", row.id, client_id=row.client_id)
    return AssignmentDetail(
        assignment=row,
        client=client,
        value=value.text if value is not None else None,
        tree=tree,
        outcomes=outcomes,
        set_in_review=set_in.session_date if set_in is not None else None,
    )
