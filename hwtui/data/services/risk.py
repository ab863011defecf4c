"""When a review needs a risk check, and what has got reliably worse: the two things a
clinician must see before setting new homework (issue 22)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import JSON, and_, case, func, or_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from hwtui.data.catalog import INSTRUMENTS_BY_CODE, RISK_LOOKBACK, ReviewStatus
from hwtui.data.errors import InvalidInput
from hwtui.data.inputs import ReviewDraftInput, RiskCheck, parse
from hwtui.data.local_time import local_date
from hwtui.data.measure_change import Change, Score, measure_change
from hwtui.data.models import Measure, Review, utcnow
from hwtui.data.services import audit
from hwtui.data.services.versions import newest_finished

if TYPE_CHECKING:
    from hwtui.data.services.identity import Actor

ITEM_9 = 8  # PHQ-9's ninth answer: thoughts of being better off dead or of self-harm


def risk_signals(
    session: Session, client_id: int, until: datetime | None
) -> list[tuple[date, int]]:
    """PHQ-9 item 9 above 0 in the client's latest `RISK_LOOKBACK` PHQ-9s taken up to
    *until* (None: up to now): day and score, oldest first. Any means a risk check."""
    query = select(Measure).where(Measure.client_id == client_id, Measure.instrument == "phq9")
    if until is not None:
        query = query.where(col(Measure.taken_at) <= until)
    latest = session.exec(query.order_by(col(Measure.taken_at).desc()).limit(RISK_LOOKBACK))
    found = [
        (local_date(m.taken_at), m.items[ITEM_9])
        for m in latest
        if len(m.items) == 9 and m.items[ITEM_9] > 0
    ]
    return sorted(found)


def review_risk_signals(session: Session, review: Review) -> list[tuple[date, int]]:
    """`risk_signals` as they stood for *review* (at completion, or now for a draft)."""
    return risk_signals(session, review.client_id, review.completed_at)


def risk_check_missing(session: Session, review: Review) -> list[str]:
    """What signing *review* still needs of its risk check ([] when none is needed: no
    item 9 above 0 lately and none started on demand, or it is complete)."""
    check = RiskCheck.model_validate(review.risk or {})
    if check.is_empty() and not review_risk_signals(session, review):
        return []
    return check.missing()


class MeasureRow(NamedTuple):
    """One score, as the overview compares and charts it."""

    instrument: str
    total: int
    taken_at: datetime
    review_id: int | None
    # The score's id if it is a PHQ-9 with item 9 above 0 that no one has acknowledged.
    alert_id: int | None


def measure_rows(
    session: Session, client_id: int, *, chart_reviews: int | None = None
) -> list[MeasureRow]:
    """The client's scores, oldest first, read once for the overview's reliable changes,
    risk alerts and chart (issue 19: three reads of them were three round trips in every
    overview). A few columns, not whole rows, and only unacknowledged PHQ-9s carry their
    items.

    *chart_reviews*: only the scores those uses need, not every one (a five-year client
    has hundreds): each measure's first and last two (all that a reliable change compares,
    `_changes`), those of the newest *chart_reviews* finished reviews (the chart), and the
    PHQ-9s that raise an alert. None: every score."""
    unacknowledged = and_(col(Measure.instrument) == "phq9", col(Measure.acknowledged_at).is_(None))
    items = type_coerce(case((unacknowledged, col(Measure.items))), JSON)
    columns = (
        col(Measure.instrument),
        col(Measure.total),
        col(Measure.taken_at),
        col(Measure.review_id),
        col(Measure.id),
    )
    if chart_reviews is None:
        query = (
            sa_select(*columns, items)
            .where(col(Measure.client_id) == client_id)
            .order_by(col(Measure.taken_at), col(Measure.id))
        )
    else:
        oldest_first = (col(Measure.taken_at), col(Measure.id))
        newest_first = (col(Measure.taken_at).desc(), col(Measure.id).desc())
        alarming = and_(
            unacknowledged, type_coerce(col(Measure.items), JSON)[ITEM_9].as_integer() > 0
        )
        ranked = (
            sa_select(
                *columns,
                items.label("answers"),
                func.row_number()
                .over(partition_by=col(Measure.instrument), order_by=oldest_first)
                .label("nth"),
                func.row_number()
                .over(partition_by=col(Measure.instrument), order_by=newest_first)
                .label("nth_last"),
                case((alarming, 1), else_=0).label("alarming"),
            )
            .where(col(Measure.client_id) == client_id)
            .subquery()
        )
        charted = sa_select(newest_finished(client_id, chart_reviews).c.rid)
        c = ranked.c
        query = (
            sa_select(c.instrument, c.total, c.taken_at, c.review_id, c.id, c.answers)
            .where(or_(c.nth == 1, c.nth_last <= 2, c.alarming == 1, c.review_id.in_(charted)))
            .order_by(c.taken_at, c.id)
        )
    return [
        MeasureRow(code, total, taken_at, review_id, measure_id if _is_alert(answers) else None)
        for code, total, taken_at, review_id, measure_id, answers in session.execute(query)
    ]


def _is_alert(items: list[int] | None) -> bool:
    return items is not None and len(items) == 9 and items[ITEM_9] > 0


def _latest_changes(
    session: Session, client_id: int, until: datetime | None
) -> list[tuple[str, int, int, Change]]:
    """(name, latest total, its maximum, change) for each measure with a change rule
    and at least two scores up to *until*, in instrument order."""
    # Three columns, not whole rows: a five-year client has hundreds of scores, each with
    # its items as JSON, and only their totals and days are compared (issue 19: this was
    # half the time of opening a review on a practice server).
    query = select(col(Measure.instrument), col(Measure.total), col(Measure.taken_at)).where(
        col(Measure.client_id) == client_id
    )
    if until is not None:
        query = query.where(col(Measure.taken_at) <= until)
    return _changes(session.exec(query.order_by(col(Measure.taken_at))))


def _changes(
    scores_in_order: Iterable[tuple[str, int, datetime]],
) -> list[tuple[str, int, int, Change]]:
    by_instrument: dict[str, list[tuple[int, datetime]]] = {}
    for code, total, taken_at in scores_in_order:
        by_instrument.setdefault(code, []).append((total, taken_at))
    out = []
    for code, rows in sorted(by_instrument.items()):
        spec = INSTRUMENTS_BY_CODE.get(code)
        if spec is None or spec.change is None or len(rows) < 2:
            continue
        *earlier, (last_total, _last_at) = rows
        # The change looks at the first score and the one before the latest only.
        compared = [earlier[0], earlier[-1]] if len(earlier) > 1 else earlier
        scores = [Score(total, local_date(taken_at)) for total, taken_at in compared]
        moved = measure_change(spec.change, scores, last_total)
        if moved is not None:
            out.append((spec.name, last_total, spec.total_max, moved))
    return out


def deteriorations(session: Session, client_id: int, until: datetime | None) -> list[str]:
    """Each measure whose latest score is a reliable deterioration on the one before
    or the first (Jacobson-Truax, `catalog.ChangeRule`), in words, e.g.
    "ORS 12/40: previous 17 (21 Nov 2026): -5, a reliable deterioration"."""
    return [
        f"{name} {total}/{top}: {moved.describe()}"
        for name, total, top, moved in _latest_changes(session, client_id, until)
        if moved.deteriorated
    ]


def reliable_changes(
    session: Session, client_id: int, measures: list[MeasureRow] | None = None
) -> list[str]:
    """Each measure's reliable change, briefly, for the client overview: e.g. "ORS 13/40
    reliably worse than 18 (previous)"; measures without one are left out. *measures*:
    the client's `measure_rows`, if read already."""
    changes = (
        _latest_changes(session, client_id, None)
        if measures is None
        else _changes((m.instrument, m.total, m.taken_at) for m in measures)
    )
    out = []
    for name, total, top, moved in changes:
        for label, step in (("previous", moved.previous), ("first", moved.first)):
            if step is not None and step.reliable is not None:
                way = "worse" if step.reliable == "deteriorated" else "better"
                out.append(f"{name} {total}/{top} reliably {way} than {step.since.total} ({label})")
                break
    return out


def record_risk_check(session: Session, me: Actor, review_id: int, check: dict[str, Any]) -> Review:
    """Record the risk check of a completed review, before it is signed (a draft's is
    saved with the draft; a signed review's is changed by amending it)."""
    from hwtui.data.services.reviews import get_review  # it imports this module

    review = get_review(session, me, review_id, for_update=True)
    if review.status != ReviewStatus.COMPLETE:
        raise InvalidInput.one(
            "risk",
            "can be recorded here only on a completed review before signing "
            f"(this one is {review.status})",
        )
    data = parse(ReviewDraftInput, risk=check)
    review.risk = data.model_dump(mode="json", include={"risk"})["risk"]
    review.updated_at = utcnow()
    session.add(review)
    audit.record(
        session, me, "update", "review", review_id, client_id=review.client_id, detail="risk check"
    )
    session.flush()
    return review
