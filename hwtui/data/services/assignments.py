"""Homework assignments: create, edit, retire, and replace with a smaller goal."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from hwtui.data.catalog import AssignmentStatus
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
    **fields: Any,
) -> Assignment:
    get_client(session, me, client_id)
    data = parse(AssignmentInput, **fields)
    _check_value(session, client_id, data.value_id)
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
    session: Session, me: Actor, assignment_id: int, **changes: Any
) -> Assignment:
    row = get_assignment(session, me, assignment_id)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput.one(sorted(unknown)[0], "cannot be changed here")
    current = {name: getattr(row, name) for name in _EDITABLE}
    data = parse(AssignmentInput, **(current | changes))
    _check_value(session, row.client_id, data.value_id)
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


def is_overdue(row: Assignment, today: date) -> bool:
    return (
        row.status == AssignmentStatus.ACTIVE and row.due_date is not None and row.due_date < today
    )
