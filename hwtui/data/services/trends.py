"""Completion across the caseload: each client's recent trend, and the practice's week by
week, so a clinician sees at a glance whose homework is slipping."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from hwtui.data import metrics
from hwtui.data.catalog import ReviewStatus
from hwtui.data.models import Client, Review, TaskOutcome
from hwtui.data.services import audit
from hwtui.data.services.caseload import completion_score
from hwtui.data.services.identity import Actor
from hwtui.data.services.versions import NOT_AMENDED

TREND_WEEKS = 26  # half a year: long enough for a direction, short enough to load fast
SHOWN_REVIEWS = 12


@dataclass(frozen=True, slots=True)
class ClientTrend:
    client_id: int
    code: str
    display_name: str
    points: tuple[tuple[date, metrics.Rate], ...]  # each review in the window, oldest first
    rolling: tuple[float | None, ...]  # aligned with points

    @property
    def recent(self) -> list[float | None]:
        return [rate.value for _day, rate in self.points[-SHOWN_REVIEWS:]]

    @property
    def last(self) -> metrics.Rate | None:
        return self.points[-1][1] if self.points else None

    @property
    def now(self) -> float | None:
        """The rolling mean at the latest review."""
        return self.rolling[-1] if self.rolling else None

    @property
    def change(self) -> float | None:
        """How far the rolling mean moved over the last window of reviews."""
        if len(self.rolling) <= metrics.ROLLING_WINDOW:
            return None
        before = self.rolling[-1 - metrics.ROLLING_WINDOW]
        now = self.rolling[-1]
        return None if before is None or now is None else now - before


@dataclass(frozen=True, slots=True)
class WeekPoint:
    week: date  # the Monday
    rate: metrics.Rate  # every scored task of the caseload that week, pooled
    clients: int


@dataclass(frozen=True, slots=True)
class CaseloadTrends:
    clients: list[ClientTrend]  # lowest rolling completion first: who may need help
    weeks: list[WeekPoint]  # oldest first


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def caseload_trends(
    session: Session, me: Actor, today: date, *, weeks: int = TREND_WEEKS
) -> CaseloadTrends:
    """My active clients' completion over the last *weeks* weeks. Audited as a view."""
    since = monday(today) - timedelta(weeks=weeks - 1)
    score = completion_score()
    rows = session.execute(
        sa_select(
            col(Client.id),
            col(Client.code),
            col(Client.display_name),
            col(Review.session_date),
            func.avg(score),
            func.count(score),
        )
        .join(Review, col(Review.client_id) == col(Client.id))
        .join(TaskOutcome, col(TaskOutcome.review_id) == col(Review.id), isouter=True)
        .where(
            col(Client.clinician_id) == me.clinician_id,
            col(Client.archived_at).is_(None),
            col(Review.status) != ReviewStatus.DRAFT,
            col(Review.session_date) >= since,
            # An amended review counts once, as its latest version.
            NOT_AMENDED,
        )
        .group_by(col(Client.id), col(Client.code), col(Client.display_name), col(Review.id))
        .order_by(col(Client.code), col(Review.session_date), col(Review.id))
    )
    names: dict[int, tuple[str, str]] = {}
    points: dict[int, list[tuple[date, metrics.Rate]]] = defaultdict(list)
    for client_id, code, name, day, value, scored in rows:
        assert client_id is not None
        names[client_id] = (code, name)
        rate = metrics.Rate(None if value is None else float(value), int(scored))
        points[client_id].append((day, rate))

    clients = [
        ClientTrend(
            client_id=cid,
            code=names[cid][0],
            display_name=names[cid][1],
            points=tuple(series),
            rolling=tuple(metrics.rolling([rate for _day, rate in series])),
        )
        for cid, series in points.items()
    ]
    clients.sort(key=lambda t: (t.now is None, t.now if t.now is not None else 0.0, t.code))
    audit.record(session, me, "view", "caseload_trends", None, detail=f"{len(clients)} clients")
    return CaseloadTrends(clients, _weeks(clients))


def _weeks(clients: list[ClientTrend]) -> list[WeekPoint]:
    pooled: dict[date, list[tuple[int, metrics.Rate]]] = defaultdict(list)
    for trend in clients:
        for day, rate in trend.points:
            pooled[monday(day)].append((trend.client_id, rate))
    return [
        WeekPoint(
            week,
            metrics.pooled(rate for _cid, rate in pooled[week]),
            len({cid for cid, _rate in pooled[week]}),
        )
        for week in sorted(pooled)
    ]


def client_by_week(trend: ClientTrend) -> dict[date, metrics.Rate]:
    """One client's completion per week (pooled when two reviews fell in one week)."""
    weekly: dict[date, list[metrics.Rate]] = defaultdict(list)
    for day, rate in trend.points:
        weekly[monday(day)].append(rate)
    return {week: metrics.pooled(rates) for week, rates in weekly.items()}
