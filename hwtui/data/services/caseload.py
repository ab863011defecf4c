"""Read models for the first two screens: the caseload and a client's brief."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, func, text, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hwtui.data.caseload_rows import (
    AUDIT_ACTION,
    AUDIT_ENTITY,
    CaseloadRow,
    Trend,
    audit_detail,
    caseload_params,
    caseload_rows,
    caseload_sql,
)
from hwtui.data.catalog import Outcome, ReviewStatus
from hwtui.data.models import Assignment, Client, ClientValue, Measure, Review, TaskOutcome
from hwtui.data.services import audit
from hwtui.data.services.identity import Actor

if TYPE_CHECKING:
    from hwtui.data.services.risk import MeasureRow

TREND_REVIEWS = 8

__all__ = [
    "CaseloadRow",
    "ClientBrief",
    "DueTask",
    "ReviewSummary",
    "Trend",
    "caseload_trend",
    "client_brief",
    "completion_score",
    "list_caseload",
]


def completion_score() -> ColumnElement[float | None]:
    """A task outcome's score in SQL: done 1, partly 0.5, not done 0, else NULL."""
    return case(
        (col(TaskOutcome.outcome) == Outcome.DONE.value, 1.0),
        (col(TaskOutcome.outcome) == Outcome.PARTLY.value, 0.5),
        (col(TaskOutcome.outcome) == Outcome.NOT_DONE.value, 0.0),
        else_=None,
    )


def list_caseload(
    session: Session, me: Actor, today: date, *, include_archived: bool = False
) -> list[CaseloadRow]:
    """My clients, those due for review (today or overdue) first, then by code.

    What the first screen paints, so it stays cheap however long the history (see
    `caseload_rows`; `caseload_trend` reads the sparklines). A launch reads it the same
    way without the ORM (`first_screen`).
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    records = session.execute(
        text(caseload_sql(sqlite=sqlite, include_archived=include_archived)),
        caseload_params(me.clinician_id),
    )
    rows = caseload_rows(records, today)
    audit.record(session, me, AUDIT_ACTION, AUDIT_ENTITY, None, detail=audit_detail(rows))
    return rows


def caseload_trend(
    session: Session,
    me: Actor,
    today: date,
    client_ids: Collection[int] | None = None,
    *,
    limit: int = TREND_REVIEWS,
) -> dict[int, Trend]:
    """The completion of each of my clients' last *limit* finished reviews (of the last
    `2 * limit` weeks), by client id; clients without any are left out. *client_ids*
    narrows it to those clients (None: all of mine).

    The caseload's sparklines, loaded after its rows. Part of viewing the caseload, which
    `list_caseload` audits; it reads only rates, by client id.
    """
    since = today - timedelta(weeks=2 * limit)
    recent = aliased(Review)
    # Per client, its newest reviews: a short walk back along ix_review_client_date,
    # however many years of reviews there are.
    newest = (
        select(col(recent.id), col(recent.session_date))
        .where(
            col(recent.client_id) == col(Client.id),
            col(recent.clinician_id) == me.clinician_id,
            col(recent.status) != ReviewStatus.DRAFT,
            # Only recent history: an old review is no trend.
            col(recent.session_date) >= since,
        )
        .order_by(col(recent.session_date).desc(), col(recent.id).desc())
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # A LATERAL join: one walk per client. PostgreSQL cannot turn the form below (a
        # review joined when its id is IN the client's newest) into that walk, and runs
        # the sub-select for every pair of client and review instead: minutes for a
        # five-year caseload on a practice server (bench/run.py --postgres, issue 19).
        # SQLite has no LATERAL, and does walk the index for the form below.
        walk = newest.lateral("newest")
        query = (
            select(col(Client.id), func.avg(completion_score()))
            .select_from(Client)
            .join(walk, true())
            .join(TaskOutcome, col(TaskOutcome.review_id) == walk.c.id, isouter=True)
            .where(Client.clinician_id == me.clinician_id)
            .group_by(col(Client.id), walk.c.session_date, walk.c.id)
            .order_by(col(Client.id), walk.c.session_date, walk.c.id)
        )
    else:
        query = (
            select(Review.client_id, func.avg(completion_score()))
            .select_from(Client)
            .join(
                Review,
                col(Review.id).in_(newest.with_only_columns(col(recent.id)).correlate(Client)),
            )
            .join(TaskOutcome, col(TaskOutcome.review_id) == col(Review.id), isouter=True)
            .where(Client.clinician_id == me.clinician_id)
            .group_by(col(Review.client_id), col(Review.session_date), col(Review.id))
            .order_by(col(Review.client_id), col(Review.session_date), col(Review.id))
        )
    if client_ids is not None:
        query = query.where(col(Client.id).in_(list(client_ids)))
    trend: dict[int, list[float | None]] = defaultdict(list)
    for client_id, score in session.exec(query):
        assert client_id is not None  # a key, never NULL
        trend[client_id].append(None if score is None else float(score))
    return {client_id: tuple(scores) for client_id, scores in trend.items()}


@dataclass(frozen=True, slots=True)
class DueTask:
    assignment: Assignment
    value: str | None
    # The title of the goal this one is a smaller step of, if it is one.
    parent_title: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    review_id: int
    session_date: date
    status: str
    win_text: str


@dataclass(frozen=True, slots=True)
class ClientBrief:
    client: Client
    values: list[ClientValue]
    last_review: Review | None
    due: list[DueTask]
    last_barriers: list[str]
    last_new_goal: Assignment | None
    draft_id: int | None
    history: list[ReviewSummary] = field(default_factory=list)
    # Completed, retired and replaced homework, most recently closed first: the latest
    # few the overview shows (all of them when asked for), and how many there are.
    earlier: list[DueTask] = field(default_factory=list)
    earlier_total: int = 0
    # PHQ-9 item 9 answers above 0 that no clinician has acknowledged yet.
    alerts: list[Measure] = field(default_factory=list)
    # Every finished review, of which `history` holds the latest few.
    reviews_total: int = 0
    # Measures reliably better or worse than before, briefly (services/risk.py).
    changes: list[str] = field(default_factory=list)


def client_brief(
    session: Session,
    me: Actor,
    client_id: int,
    *,
    history: int = 20,
    earlier: int | None = 50,
    measures: list[MeasureRow] | None = None,
) -> ClientBrief:
    """Everything the clinician reads as the client sits down. Audited as a view.
    *earlier*: how many of the latest earlier tasks to read (None: all); *measures*: the
    client's `measure_rows`, if read already."""
    # Imported here: the caseload, the first screen, is painted without them (and the
    # validation models they load).
    from hwtui.data.services.assignments import active_assignments, earlier_assignments_counted
    from hwtui.data.services.clients import get_client, list_values
    from hwtui.data.services.progress import open_alerts
    from hwtui.data.services.risk import measure_rows, reliable_changes

    client = get_client(session, me, client_id)
    values = list_values(session, me, client_id)
    by_value = {v.id: v.text for v in values}
    # With the count of finished reviews, over all of them before the limit: one read,
    # not two (issue 19: each is a round trip, under row security on PostgreSQL).
    finished = func.sum(case((col(Review.status) != ReviewStatus.DRAFT, 1), else_=0)).over()
    newest = session.exec(
        select(Review, finished)
        .where(Review.client_id == client_id)
        .order_by(col(Review.session_date).desc(), col(Review.id).desc())
        .limit(history + 1)
    ).all()
    reviews = [review for review, _total in newest]
    total = int(newest[0][1]) if newest else 0
    if measures is None:
        measures = measure_rows(session, client_id)
    draft = next((r for r in reviews if r.status == ReviewStatus.DRAFT), None)
    done = [r for r in reviews if r.status != ReviewStatus.DRAFT]
    last = done[0] if done else None
    barriers: list[str] = []
    if last is not None:
        for lists in session.exec(
            select(TaskOutcome.barriers)
            .where(TaskOutcome.review_id == last.id)
            .order_by(col(TaskOutcome.id))
        ):
            barriers.extend(code for code in lists if code not in barriers)
    new_goal = session.exec(
        select(Assignment)
        .where(
            Assignment.client_id == client_id,
            col(Assignment.parent_id).is_not(None),
            col(Assignment.created_in_review_id).is_not(None),
        )
        .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        .limit(1)
    ).first()
    active = active_assignments(session, me, client_id)
    closed, closed_total = earlier_assignments_counted(session, me, client_id, limit=earlier)
    tasks = _due_tasks(session, [*active, *closed], by_value)
    due, earlier_due = tasks[: len(active)], tasks[len(active) :]
    audit.record(session, me, "view", "client", client_id, client_id=client_id)
    return ClientBrief(
        client=client,
        values=values,
        last_review=last,
        due=due,
        last_barriers=barriers,
        last_new_goal=new_goal,
        draft_id=draft.id if draft else None,
        history=[
            ReviewSummary(r.id, r.session_date, r.status, r.win_text)  # type: ignore[arg-type]
            for r in done[:history]
        ],
        earlier=earlier_due,
        earlier_total=closed_total,
        alerts=open_alerts(session, me, client_id, measures),
        reviews_total=total,
        changes=reliable_changes(session, client_id, measures),
    )


def _due_tasks(
    session: Session, rows: list[Assignment], values: dict[int | None, str]
) -> list[DueTask]:
    """*rows* with their value's words and the title of the goal each is a step of (one
    read for all the parents)."""
    parent_ids = {a.parent_id for a in rows if a.parent_id is not None}
    parents = (
        dict(
            session.exec(
                select(Assignment.id, Assignment.title).where(col(Assignment.id).in_(parent_ids))
            ).all()
        )
        if parent_ids
        else {}
    )
    return [
        DueTask(
            row,
            values.get(row.value_id) if row.value_id else None,
            parents.get(row.parent_id) if row.parent_id is not None else None,
        )
        for row in rows
    ]


def earlier_tasks(session: Session, me: Actor, client_id: int) -> list[DueTask]:
    """Every earlier task of the client, most recently closed first, as the overview
    lists them: the rest of those its brief read the latest few of. Audited as a view."""
    from hwtui.data.services.assignments import earlier_assignments
    from hwtui.data.services.clients import list_values

    values: dict[int | None, str] = {v.id: v.text for v in list_values(session, me, client_id)}
    tasks = _due_tasks(session, earlier_assignments(session, me, client_id, limit=None), values)
    audit.record(session, me, "view", "assignment", None, client_id=client_id, detail="earlier")
    return tasks
