"""Homework assignments: create, edit, retire, and replace with a smaller goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from hwtui.data.catalog import AssignmentStatus
from hwtui.data.due_dates import past_due_problem
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.inputs import AssignmentInput, parse
from hwtui.data.models import Assignment, ClientValue, utcnow
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.text import clean_line

_EDITABLE = tuple(AssignmentInput.model_fields)


def get_assignment(session: Session, me: Actor, assignment_id: int) -> Assignment:
    row = session.get(Assignment, assignment_id)
    if row is None:
        raise NotFound(f"no assignment with id {assignment_id}")
    get_client(session, me, row.client_id)  # raises NotFound outside my caseload
    return row


def _check_value(session: Session, client_id: int, value_id: int | None) -> None:
    if value_id is None:
        return
    value = session.get(ClientValue, value_id)
    if value is None or value.client_id != client_id:
        raise InvalidInput.one("value_id", "is not one of this client's values")


def _check_due(due: date | None, today: date | None) -> None:
    problem = past_due_problem(due, today) if today is not None else None
    if problem is not None:
        raise InvalidInput.one("due_date", problem)


def _apply(row: Assignment, data: AssignmentInput) -> None:
    for name in _EDITABLE:
        setattr(row, name, getattr(data, name))


def create_assignment(
    session: Session,
    me: Actor,
    client_id: int,
    *,
    parent_id: int | None = None,
    created_in_review_id: int | None = None,
    today: date | None = None,
    **fields: Any,
) -> Assignment:
    """New homework for *client_id*.

    With *today*, a due date before it is refused. The screens pass it; the demo and
    imports, which write past homework on purpose, do not.
    """
    get_client(session, me, client_id)
    data = parse(AssignmentInput, **fields)
    _check_value(session, client_id, data.value_id)
    _check_due(data.due_date, today)
    if parent_id is not None:
        parent = get_assignment(session, me, parent_id)
        if parent.client_id != client_id:
            raise InvalidInput.one("parent_id", "belongs to another client")
    row = Assignment(
        client_id=client_id,
        parent_id=parent_id,
        created_in_review_id=created_in_review_id,
        **data.model_dump(),
    )
    session.add(row)
    session.flush()
    audit.record(session, me, "create", "assignment", row.id, client_id=client_id)
    return row


def update_assignment(
    session: Session, me: Actor, assignment_id: int, *, today: date | None = None, **changes: Any
) -> Assignment:
    """Change some fields of *assignment_id*; the audit event names the fields changed.

    With *today*, a changed due date may not be before it; an overdue date that is left
    as it was stays, so the rest of an overdue task can still be edited.
    """
    row = get_assignment(session, me, assignment_id)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput.one(sorted(unknown)[0], "cannot be changed here")
    current = {name: getattr(row, name) for name in _EDITABLE}
    data = parse(AssignmentInput, **(current | changes))
    _check_value(session, row.client_id, data.value_id)
    if data.due_date != row.due_date:
        _check_due(data.due_date, today)
    _apply(row, data)
    row.updated_at = utcnow()
    session.add(row)
    audit.record(
        session,
        me,
        "update",
        "assignment",
        row.id,
        client_id=row.client_id,
        detail=",".join(sorted(changes)),
    )
    session.flush()
    return row


def _close(
    session: Session, me: Actor, row: Assignment, status: AssignmentStatus, reason: str, action: str
) -> None:
    if row.status != AssignmentStatus.ACTIVE:
        raise InvalidInput.one("status", f"is {row.status}; only active homework can be {action}")
    row.status = status
    row.status_reason = reason
    row.updated_at = utcnow()
    session.add(row)
    audit.record(session, me, action, "assignment", row.id, client_id=row.client_id)
    session.flush()


def retire_assignment(session: Session, me: Actor, assignment_id: int, reason: str) -> Assignment:
    row = get_assignment(session, me, assignment_id)
    reason = clean_line(reason)
    if not reason:
        raise InvalidInput.one("reason", "is required to retire homework")
    _close(session, me, row, AssignmentStatus.RETIRED, reason[:200], "retired")
    return row


def complete_assignment(session: Session, me: Actor, assignment_id: int) -> Assignment:
    row = get_assignment(session, me, assignment_id)
    _close(session, me, row, AssignmentStatus.COMPLETED, "", "completed")
    return row


def replace_assignment(
    session: Session,
    me: Actor,
    assignment_id: int,
    *,
    reason: str = "replaced by a smaller goal",
    created_in_review_id: int | None = None,
    today: date | None = None,
    **fields: Any,
) -> Assignment:
    """Retire *assignment_id* as replaced and create the smaller goal that supports it."""
    original = get_assignment(session, me, assignment_id)
    smaller = create_assignment(
        session,
        me,
        original.client_id,
        parent_id=original.id,
        created_in_review_id=created_in_review_id,
        today=today,
        **fields,
    )
    _close(session, me, original, AssignmentStatus.REPLACED, clean_line(reason)[:200], "replaced")
    return smaller


def active_assignments(session: Session, me: Actor, client_id: int) -> list[Assignment]:
    get_client(session, me, client_id)
    return list(
        session.exec(
            select(Assignment)
            .where(Assignment.client_id == client_id, Assignment.status == AssignmentStatus.ACTIVE)
            .order_by(
                col(Assignment.due_date).is_(None), col(Assignment.due_date), col(Assignment.id)
            )
        )
    )


def goal_chain(session: Session, me: Actor, assignment_id: int) -> list[Assignment]:
    """The assignment's ancestors, oldest first, ending with the assignment itself."""
    chain = [get_assignment(session, me, assignment_id)]
    seen = {chain[0].id}
    while chain[0].parent_id is not None and chain[0].parent_id not in seen:
        parent = session.get(Assignment, chain[0].parent_id)
        if parent is None:
            break
        seen.add(parent.id)
        chain.insert(0, parent)
    return chain


def earlier_assignments(
    session: Session, me: Actor, client_id: int, *, limit: int | None = 50
) -> list[Assignment]:
    """The client's completed, retired and replaced homework, most recently closed first
    (the latest *limit*; None: all)."""
    return earlier_assignments_counted(session, me, client_id, limit=limit)[0]


def earlier_assignments_counted(
    session: Session, me: Actor, client_id: int, *, limit: int | None
) -> tuple[list[Assignment], int]:
    """`earlier_assignments`, and how many there are in all, in one read."""
    get_client(session, me, client_id)
    rows = session.exec(
        select(Assignment, func.count().over())
        .where(Assignment.client_id == client_id, Assignment.status != AssignmentStatus.ACTIVE)
        .order_by(col(Assignment.updated_at).desc(), col(Assignment.id).desc())
        .limit(limit)
    ).all()
    return [row for row, _total in rows], int(rows[0][1]) if rows else 0


@dataclass(frozen=True, slots=True)
class GoalNode:
    """One goal in a tree of smaller steps; *depth* 0 is the original goal."""

    assignment: Assignment
    depth: int


def goal_tree(session: Session, me: Actor, assignment_id: int) -> list[GoalNode]:
    """The whole family of *assignment_id*: its original goal and every smaller step
    under it, depth first, so each step follows the goal it supports."""
    root = goal_chain(session, me, assignment_id)[0]
    children: dict[int, list[Assignment]] = {}
    frontier = [root.id]
    seen = {root.id}
    while frontier:
        rows = session.exec(
            select(Assignment)
            .where(col(Assignment.parent_id).in_(frontier), Assignment.client_id == root.client_id)
            .order_by(col(Assignment.created_at), col(Assignment.id))
        ).all()
        frontier = []
        for row in rows:
            if row.id in seen:
                continue  # a loop in the data must not hang the screen
            seen.add(row.id)
            children.setdefault(row.parent_id or 0, []).append(row)
            frontier.append(row.id)
    tree: list[GoalNode] = []
    stack = [GoalNode(root, 0)]
    while stack:
        node = stack.pop()
        tree.append(node)
        below = children.get(node.assignment.id or 0, [])
        stack.extend(GoalNode(child, node.depth + 1) for child in reversed(below))
    return tree


def is_overdue(row: Assignment, today: date) -> bool:
    return (
        row.status == AssignmentStatus.ACTIVE and row.due_date is not None and row.due_date < today
    )
