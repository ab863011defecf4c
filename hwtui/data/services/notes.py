"""Gathering a review into a NoteSource, and the clinician's note format."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from hwtui.data import metrics
from hwtui.data.catalog import (
    BARRIERS_BY_CODE,
    DIFFICULTY,
    FACTORS,
    INSTRUMENTS_BY_CODE,
    KINDS_BY_CODE,
    QUALITY,
    RISK_QUESTIONS,
    AssignmentStatus,
    Modality,
    Outcome,
    ReviewStatus,
    rated,
    times_against_plan,
)
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.files import write_private
from hwtui.data.inputs import RiskCheck
from hwtui.data.local_time import local_date
from hwtui.data.measure_change import Score, measure_change
from hwtui.data.models import Assignment, ClientValue, Clinician, Measure, Review, TaskOutcome
from hwtui.data.notes import (
    GoalLine,
    MeasureLine,
    Note,
    NoteSource,
    NoteStyle,
    SelfHarm,
    TaskLine,
    build_note,
    render_markdown,
    render_text,
)
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.review_chain import first_version
from hwtui.data.services.reviews import get_review
from hwtui.data.services.risk import review_risk_signals
from hwtui.data.services.versions import NEWEST_FIRST, finished_where

BARRIER_WINDOW = 8  # reviews looked back over for recurring barriers
SELF_HARM_WINDOW = 6  # earlier PHQ-9s looked back over for item 9 above 0
# A task closed this long after the review was completed was closed later, not by it.
_LATER = timedelta(minutes=1)
_GOAL_SPECIFICS = ("title", "what", "when", "where", "how_often", "how_long")
_FACTOR_LABELS = {f.code: f.label for f in FACTORS}


def note_style(session: Session, me: Actor) -> NoteStyle:
    row = session.get(Clinician, me.clinician_id)
    return NoteStyle(row.note_format if row else NoteStyle.DAP)


def set_note_style(session: Session, me: Actor, style: str) -> NoteStyle:
    try:
        chosen = NoteStyle(style)
    except ValueError:
        raise InvalidInput.one("note_format", "must be one of dap, soap, birp") from None
    row = session.get(Clinician, me.clinician_id)
    if row is None:
        raise NotFound("no such clinician")
    row.note_format = chosen.value
    session.add(row)
    session.flush()
    return chosen


def _finished_versions(
    session: Session, client_id: int, *, until: date | None = None, limit: int | None = None
) -> list[Review]:
    """Finished reviews of a client, newest first, leaving out versions since amended."""
    query = select(Review).where(*finished_where(client_id))
    if until is not None:
        query = query.where(col(Review.session_date) <= until)
    query = query.order_by(*NEWEST_FIRST)
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def latest_review_id(session: Session, me: Actor, client_id: int) -> int:
    """The newest finished review of a client (its latest version)."""
    get_client(session, me, client_id)
    latest = _finished_versions(session, client_id, limit=1)
    if not latest or latest[0].id is None:
        raise NotFound("this client has no completed review yet")
    return latest[0].id


def _task_line(row: TaskOutcome, title: str) -> TaskLine:
    factors = tuple(
        f"{_FACTOR_LABELS.get(code, code)}: {row.factor_notes[code]}"
        if row.factor_notes.get(code)
        else _FACTOR_LABELS.get(code, code)
        for code in row.factors
    )
    return TaskLine(
        title=title,
        outcome=Outcome(row.outcome).label,
        # Anything noted about a task means it was talked through, whatever the flag says.
        discussed=row.discussed
        or bool(row.factors or row.barriers or row.worked_notes or row.double_down)
        or bool(row.barrier_notes or row.learned or any(row.factor_notes.values()))
        or bool(row.belief)
        or any(v is not None for v in (row.quality, row.difficulty, row.times_done)),
        factors=factors,
        double_down=row.double_down,
        worked_notes=row.worked_notes,
        barriers=tuple(BARRIERS_BY_CODE[c].label for c in row.barriers if c in BARRIERS_BY_CODE),
        barrier_notes=row.barrier_notes,
        learned=row.learned,
        belief=row.belief,
        quality=rated(QUALITY, row.quality),
        difficulty=rated(DIFFICULTY, row.difficulty),
        times=times_against_plan(row.times_done, row.times_planned),
    )


def _risk_fields(review: Review) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The review's risk check as (label, value) pairs in the order a note gives them,
    and what it does not record yet."""
    check = RiskCheck.model_validate(review.risk or {})
    if check.is_empty():
        return (), ()
    pairs: list[tuple[str, str]] = []
    if check.asked.strip():
        pairs.append(("asked", f"“{check.asked.strip()}”"))
    for name, label in RISK_QUESTIONS.items():
        answer = getattr(check, name)
        if answer is not None:
            pairs.append((label, str(answer.value)))
    if check.level is not None:
        pairs.append(("clinician's risk level", check.level.value))
    if check.safety_plan is not None:
        pairs.append(("safety plan", check.safety_plan.value))
    if check.follow_up.strip():
        pairs.append(("follow-up", check.follow_up.strip()))
    return tuple(pairs), tuple(check.missing())


def _measure_line(row: Measure, earlier: list[Measure]) -> MeasureLine:
    """*earlier*: the client's earlier scores on the same instrument, oldest first."""
    spec = INSTRUMENTS_BY_CODE[row.instrument]
    band = spec.band(row.total)
    change, flags = "", []
    if spec.change is not None:
        moved = measure_change(
            spec.change, [Score(m.total, local_date(m.taken_at)) for m in earlier], row.total
        )
        if moved is not None:
            change = moved.describe()
            if moved.deteriorated:
                flags.append("reliable deterioration")
    if row.instrument == "srs" and band == "alliance needs attention":
        flags.append("alliance needs attention (below 36)")
    return MeasureLine(
        name=spec.name,
        total=row.total,
        total_max=spec.total_max,
        band=band,
        question=row.question,
        change=change,
        flag=", ".join(flags),
    )


def _self_harm(session: Session, client_id: int, measures: list[Measure]) -> SelfHarm:
    """PHQ-9 item 9 in this review (its last PHQ-9) and in the client's earlier ones."""
    this = [m for m in measures if m.instrument == "phq9" and len(m.items) == 9]
    before = min((m.taken_at for m in measures), default=None)
    query = select(Measure).where(Measure.client_id == client_id, Measure.instrument == "phq9")
    if before is not None:
        query = query.where(col(Measure.taken_at) < before)
    if measures:
        query = query.where(col(Measure.id).not_in([m.id for m in measures]))
    earlier = session.exec(query.order_by(col(Measure.taken_at).desc()).limit(SELF_HARM_WINDOW))
    positive = tuple(
        (local_date(m.taken_at), m.items[8])
        for m in earlier
        if len(m.items) == 9 and m.items[8] > 0
    )
    if not this:
        return SelfHarm(earlier_positive=positive)
    last = this[-1]
    return SelfHarm(
        score=last.items[8],
        acknowledged_at=last.acknowledged_at if last.items[8] > 0 else None,
        acknowledged_by=last.acknowledged_by,
        earlier_positive=positive,
    )


def _is_smaller(goal: Assignment, parent: Assignment | None) -> bool:
    """A smaller step of *parent*: it supports it and is not the same task again."""
    if parent is None:
        return False
    return any(
        " ".join(str(getattr(goal, f)).split()).casefold()
        != " ".join(str(getattr(parent, f)).split()).casefold()
        for f in _GOAL_SPECIFICS
    )


def _continuing(
    review: Review, outcomes: list[TaskOutcome], tasks: dict[int, Assignment], replaced: set[int]
) -> tuple[str, ...]:
    """Tasks reviewed today that go on as they were: not replaced by today's goals, and
    not closed by this review (one closed later was still going on after it)."""
    done_at: datetime | None = review.completed_at
    titles = []
    for outcome in outcomes:
        task = tasks.get(outcome.assignment_id)
        if task is None or task.id in replaced:
            continue
        closed_later = done_at is not None and task.updated_at > done_at + _LATER
        if task.status == AssignmentStatus.ACTIVE or closed_later:
            titles.append(task.title)
    return tuple(titles)


def note_source(session: Session, me: Actor, review_id: int, *, audited: bool = True) -> NoteSource:
    """Everything a progress note needs from one review. Audited as a view, unless the
    caller audits it otherwise (*audited* False: an export's own event covers it)."""
    review = get_review(session, me, review_id)
    if review.status == ReviewStatus.DRAFT:
        raise InvalidInput.one("review", f"review {review_id} is a draft; complete it first")
    client = get_client(session, me, review.client_id)
    clinician = session.get(Clinician, review.clinician_id)
    outcomes = list(
        session.exec(
            select(TaskOutcome)
            .where(TaskOutcome.review_id == review_id)
            .order_by(col(TaskOutcome.id))
        )
    )
    tasks = {
        a.id: a
        for a in session.exec(
            select(Assignment).where(col(Assignment.id).in_([o.assignment_id for o in outcomes]))
        )
        if a.id is not None
    }
    titles = {task_id: task.title for task_id, task in tasks.items()}
    # Goals belong to the first version of a review (amendments do not recreate them).
    first = first_version(session, me, review)  # bounded: a corrupt chain is an error
    goals = list(
        session.exec(
            select(Assignment)
            .where(Assignment.created_in_review_id == first.id)
            .order_by(col(Assignment.id))
        )
    )
    values = {
        v.id: v.text
        for v in session.exec(select(ClientValue).where(ClientValue.client_id == client.id))
    }
    parents = {
        a.id: a
        for a in session.exec(
            select(Assignment).where(
                col(Assignment.id).in_([g.parent_id for g in goals if g.parent_id])
            )
        )
    }
    measures = list(
        session.exec(
            select(Measure).where(Measure.review_id == review_id).order_by(col(Measure.id))
        )
    )
    earlier_scores: dict[int, list[Measure]] = {}
    for m in measures:
        assert m.id is not None
        earlier_scores[m.id] = list(
            session.exec(
                select(Measure)
                .where(
                    Measure.client_id == client.id,
                    Measure.instrument == m.instrument,
                    col(Measure.taken_at) < m.taken_at,
                )
                .order_by(col(Measure.taken_at), col(Measure.id))
            )
        )
    recent = _finished_versions(
        session, review.client_id, until=review.session_date, limit=BARRIER_WINDOW
    )
    recent_outcomes: dict[int, list[TaskOutcome]] = {r.id: [] for r in recent if r.id is not None}
    for row in session.exec(
        select(TaskOutcome).where(col(TaskOutcome.review_id).in_(list(recent_outcomes)))
    ):
        recent_outcomes[row.review_id].append(row)
    oldest_first = [recent_outcomes[r.id] for r in reversed(recent) if r.id is not None]
    rates = [metrics.completion(o.outcome for o in rows) for rows in oldest_first]
    this = metrics.completion(o.outcome for o in outcomes)
    rolled = metrics.rolling(rates)[-1] if rates else None
    frequencies = metrics.barrier_frequencies(
        [code for o in rows for code in o.barriers] for rows in oldest_first
    )
    if audited:
        audit.record(session, me, "view", "note", review_id, client_id=client.id)
    risk_pairs, risk_missing = _risk_fields(review)
    return NoteSource(
        client_code=client.code,
        client_name=client.display_name,
        session_date=review.session_date,
        # A signed note keeps the name it was signed with.
        clinician=review.signed_as or (clinician.display_name if clinician else me.display_name),
        status=review.status,
        version=review.version,
        signed_at=review.signed_at,
        signed_by=review.signed_by,
        signed_as=review.signed_as,
        signed_credentials=review.signed_credentials,
        session_minutes=review.session_minutes,
        modality=Modality(review.modality).label if review.modality else "",
        assessment=review.assessment,
        amend_reason=review.amend_reason,
        win_text=review.win_text,
        win_kind=review.win_kind,
        skipped={k: v for k, v in review.skipped.items() if v},
        tasks=tuple(_task_line(o, titles.get(o.assignment_id, "(removed)")) for o in outcomes),
        goals=tuple(
            GoalLine(
                title=g.title,
                supports=parent.title if (parent := parents.get(g.parent_id)) else None,
                smaller=_is_smaller(g, parents.get(g.parent_id)),
                what=g.what,
                when=g.when,
                where=g.where,
                how_often=g.how_often,
                how_long=g.how_long,
                value=values.get(g.value_id) if g.value_id else None,
                confidence=g.confidence,
                kind=KINDS_BY_CODE[g.kind].name if g.kind in KINDS_BY_CODE else "",
                obstacles=tuple(
                    BARRIERS_BY_CODE[c].label for c in g.obstacles if c in BARRIERS_BY_CODE
                ),
                rationale_given=g.rationale_given,
                decided_together=g.decided_together,
                started_in_session=g.started_in_session,
                reminder_set=g.reminder_set,
            )
            for g in goals
        ),
        measures=tuple(_measure_line(m, earlier_scores[m.id or 0]) for m in measures),
        self_harm=_self_harm(session, client.id or 0, measures),
        risk_check=risk_pairs,
        risk_missing=risk_missing,
        risk_due=bool(review_risk_signals(session, review)),
        continuing=_continuing(
            review, outcomes, tasks, {g.parent_id for g in goals if g.parent_id}
        ),
        completion=f"{this.percent()} of {this.scored} scored task(s)",
        rolling="n/a" if rolled is None else f"{round(rolled * 100)}%",
        recurring_barriers=tuple(
            (BARRIERS_BY_CODE[code].label, n)
            for code, n in frequencies
            if n > 1 and code in BARRIERS_BY_CODE
        ),
        reviews_considered=len(recent),
        next_review=review.session_date + timedelta(days=client.review_interval_days),
    )


def note_for(
    session: Session,
    me: Actor,
    review_id: int,
    style: str | None = None,
    *,
    audited: bool = True,
) -> Note:
    """The review's progress note in *style*, or the clinician's own format; audited as
    a view unless *audited* is False (see `note_source`)."""
    chosen = NoteStyle(style) if style else note_style(session, me)
    return build_note(note_source(session, me, review_id, audited=audited), chosen)


def record_note_copy(session: Session, me: Actor, review_id: int) -> None:
    """A note copied to the clipboard has left hwtui: that is audited like an export."""
    review = get_review(session, me, review_id)
    audit.record(session, me, "copy", "note", review_id, client_id=review.client_id)


def save_note(session: Session, me: Actor, review_id: int, path: Path) -> Path:
    """Write the note to a new private file: Markdown for .md, plain text otherwise."""
    note = note_for(session, me, review_id)
    text = render_markdown(note) if path.suffix.lower() == ".md" else render_text(note)
    written = write_private(path, text)
    review = get_review(session, me, review_id)
    audit.record(
        session,
        me,
        "export",
        "note",
        review_id,
        client_id=review.client_id,
        detail=f"file {written.name}",
    )
    return written
