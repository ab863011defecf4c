"""The client's handout: their active homework read for them, and its audit events.

Every handout shown, copied or saved is audited: a view when read for a screen, a "copy"
or an "export" (with its format) in the same transaction, committed before the handout
leaves hwtui (as `export.record_export`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from hwtui.data.handout import Handout, HandoutTask, if_then_plans
from hwtui.data.models import Assignment, ClientValue
from hwtui.data.services import audit
from hwtui.data.services.assignments import active_assignments
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.progress import _finished

# The formats a handout is made in (`hwtui handout --format`).
FORMATS = ("text", "markdown", "pdf", "ics")


def next_session(last_review: date | None, interval_days: int, today: date) -> date:
    """The day of the client's next session: *interval_days* after the last review, and
    never before tomorrow (a review overdue is due from now)."""
    start = last_review if last_review is not None else today
    due = start + timedelta(days=interval_days)
    return max(due, today + timedelta(days=1))


def _supports(session: Session, assignment: Assignment) -> tuple[str, ...]:
    """The titles of the goals *assignment* builds toward, nearest first."""
    titles: list[str] = []
    seen = {assignment.id}
    parent_id = assignment.parent_id
    while parent_id is not None and parent_id not in seen:
        parent = session.get(Assignment, parent_id)
        if parent is None or parent.client_id != assignment.client_id:
            break
        seen.add(parent.id)
        titles.append(parent.title)
        parent_id = parent.parent_id
    return tuple(titles)


def read_handout(session: Session, me: Actor, client_id: int, today: date) -> Handout:
    """The client's active homework as a handout (no audit: see `handout_for`)."""
    client = get_client(session, me, client_id)  # another clinician's client is not found
    values = {
        v.id: v.text
        for v in session.exec(select(ClientValue).where(col(ClientValue.client_id) == client_id))
    }
    tasks = tuple(
        HandoutTask(
            assignment_id=a.id or 0,
            title=a.title,
            what=a.what,
            when=a.when,
            where=a.where,
            how_often=a.how_often,
            how_long=a.how_long,
            value=values.get(a.value_id, "") if a.value_id is not None else "",
            supports=_supports(session, a),
            plans=if_then_plans(a.obstacles),
            confidence=a.confidence,
            due=a.due_date,
        )
        for a in active_assignments(session, me, client_id)
    )
    finished = _finished(session, client_id)
    last = finished[0].session_date if finished else None
    win = next((r for r in finished if r.win_text.strip()), None)
    return Handout(
        client_id=client_id,
        client_name=client.display_name,
        made=today,
        next_session=next_session(last, client.review_interval_days, today),
        tasks=tasks,
        latest_win=win.win_text if win else "",
        latest_win_day=win.session_date if win else None,
    )


def handout_for(session: Session, me: Actor, client_id: int, today: date) -> Handout:
    """The handout, to show on a screen: audited as a view of the client's data."""
    handout = read_handout(session, me, client_id, today)
    audit.record(session, me, "view", "handout", client_id, client_id=client_id)
    return handout


def record_handout(
    session: Session, me: Actor, handout: Handout, fmt: str, *, action: str = "export"
) -> None:
    """The handout's audit event ("export" for a file or standard output, "copy" for the
    clipboard), in *session*: commit it before the handout leaves."""
    detail = f"format={fmt} tasks={len(handout.tasks)}"
    audit.record(
        session,
        me,
        action,
        "handout",
        handout.client_id,
        client_id=handout.client_id,
        detail=detail,
    )
