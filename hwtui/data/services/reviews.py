"""The session-day review: start, save as a draft, complete."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from hwtui.data import local_time
from hwtui.data.catalog import AssignmentStatus, Modality, Outcome, ReviewStatus, ReviewStep
from hwtui.data.errors import FieldProblem, HwtuiError, InvalidInput, NotFound
from hwtui.data.inputs import GoalInput, ReviewDraftInput, parse
from hwtui.data.lease import Holder, describe, is_gone
from hwtui.data.models import (
    Assignment,
    Client,
    ClientValue,
    Clinician,
    Review,
    TaskOutcome,
    UnsavedInput,
    utcnow,
)
from hwtui.data.review_draft import is_one_off, without_skipped
from hwtui.data.services import audit
from hwtui.data.services.assignments import (
    active_assignments,
    complete_assignment,
    create_assignment,
    get_assignment,
)
from hwtui.data.services.clients import get_client, list_values
from hwtui.data.services.identity import Actor
from hwtui.data.services.review_chain import VERSIONS_MAX
from hwtui.data.services.risk import deteriorations, review_risk_signals, risk_check_missing
from hwtui.data.text import clean_block, clean_line


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    review: Review
    outcomes: list[TaskOutcome]
    goals: list[GoalInput]
    # Assignments created when this review was completed (the new smaller goals).
    created: list[Assignment] = field(default_factory=list)


class DraftInUse(HwtuiError):
    """The draft is open in another session that may still be typing in it."""

    def __init__(self, holder: str, since: datetime | None, saved: datetime) -> None:
        self.holder = describe(holder)
        self.since = since
        self.saved = saved
        when = f" since {local_time.clock(since)}" if since else ""
        super().__init__(
            f"this review is open in another session ({self.holder}){when}, "
            f"last saved {local_time.clock(saved)}"
        )


class DraftLost(HwtuiError):
    """This session may no longer write the draft: another took it over or finished it."""


def get_review(session: Session, me: Actor, review_id: int, *, for_update: bool = False) -> Review:
    """The clinician's review. *for_update*: locked until the transaction ends, and read
    afresh, so that two sessions changing one review (PostgreSQL connections; SQLite
    writers are already one at a time) take turns and the second sees the first's work."""
    query = select(Review).where(Review.id == review_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    review = session.exec(query).first()
    if review is None or review.clinician_id != me.clinician_id:
        raise NotFound(f"no review with id {review_id}")
    get_client(session, me, review.client_id)
    return review


def find_draft(session: Session, me: Actor, client_id: int) -> Review | None:
    get_client(session, me, client_id)
    return session.exec(
        select(Review)
        .where(
            Review.client_id == client_id,
            Review.status == ReviewStatus.DRAFT,
            # An amendment being written is not the session's review.
            col(Review.amends_id).is_(None),
        )
        .order_by(col(Review.updated_at).desc())
    ).first()


def start_review(session: Session, me: Actor, client_id: int, session_date: date) -> Review:
    """Open today's review; an existing draft for the client is returned instead."""
    # Starts for one client take turns (PostgreSQL), so two can't both find no draft;
    # the partial unique index uq_review_one_draft (migration 0008) backs this up.
    session.exec(select(Client.id).where(Client.id == client_id).with_for_update()).first()
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


def save_draft(
    session: Session, me: Actor, review_id: int, *, lease: str | None = None, **draft: Any
) -> Review:
    """Store everything typed so far. Only a draft can be saved this way.

    *lease*: the saving session's token (`hwtui.data.lease`); the save is refused with
    `DraftLost` unless the draft is still this session's and still a draft.
    """
    return _save(session, me, review_id, lease=lease, **draft)[0]


def _save(
    session: Session, me: Actor, review_id: int, *, lease: str | None, **draft: Any
) -> tuple[Review, list[TaskOutcome]]:
    """`save_draft`, and the outcomes it wrote: all the review has now."""
    review = get_review(session, me, review_id, for_update=True)
    if review.status != ReviewStatus.DRAFT:
        done = local_time.clock(review.completed_at or utcnow())
        message = f"this review was completed at {done}"
        if lease is not None:
            raise DraftLost(message + " (in another session); it can no longer be edited")
        raise InvalidInput.one("status", f"this review is {review.status} and cannot be edited")
    if lease is not None and review.lease_token != lease:
        who = describe(review.lease_holder) if review.lease_token else "nobody"
        raise DraftLost(
            f"another session ({who}) took this review over"
            + (f" at {local_time.clock(review.lease_at)}" if review.lease_at else "")
        )
    data = parse(ReviewDraftInput, **draft)
    _check_outcomes(session, me, review, data)
    review.win_text = data.win_text
    review.win_kind = data.win_kind
    review.step = data.step
    review.skipped = dict(data.skipped)
    review.draft_goals = [g.model_dump(mode="json") for g in data.goals]
    review.risk = data.model_dump(mode="json", include={"risk"})["risk"]
    review.updated_at = utcnow()
    session.add(review)
    session.execute(delete(TaskOutcome).where(col(TaskOutcome.review_id) == review_id))
    outcomes = [
        TaskOutcome(review_id=review_id, **item.model_dump(mode="json")) for item in data.outcomes
    ]
    session.add_all(outcomes)
    audit.record(session, me, "update", "review", review_id, client_id=review.client_id)
    session.flush()
    return review, outcomes


def _check_outcomes(session: Session, me: Actor, review: Review, data: ReviewDraftInput) -> None:
    # Every homework named, in one read, not one for each (each a round trip, under row
    # security on PostgreSQL, at every autosave): the session holds them for the checks.
    named = {item.assignment_id for item in data.outcomes}
    named |= {goal.parent_id for goal in data.goals if goal.parent_id is not None}
    if len(named) > 1:
        session.exec(select(Assignment).where(col(Assignment.id).in_(named))).all()
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


def complete_review(
    session: Session, me: Actor, review_id: int, *, lease: str | None = None, **draft: Any
) -> ReviewDetail:
    """Save, check the review is whole, create its new goals, and mark it complete.

    What was typed on a step skipped with a reason is not recorded (`without_skipped`).
    The review row stays locked from the save on, so of two completions at once the
    second finds it complete and is refused, creating nothing.
    """
    # The outcomes as saved: asked of the database again, each would be a round trip
    # more (issue 19).
    review, outcomes = _save(session, me, review_id, lease=lease, **without_skipped(draft))
    skipped = set(review.skipped)
    problems: list[FieldProblem] = []
    if not review.win_text and ReviewStep.WIN not in skipped:
        problems.append(FieldProblem("win_text", "is required, or skip the step with a reason"))
    recorded = {o.assignment_id for o in outcomes}
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
    if review.amends_id is None:
        done = [o.assignment_id for o in outcomes if o.outcome == Outcome.DONE.value]
        _finish_one_offs(session, me, done)
    # The goals now live as assignments (created_in_review_id); don't keep two copies.
    review.draft_goals = []
    review.lease_token, review.lease_holder, review.lease_at = None, "", None
    review.status = ReviewStatus.COMPLETE
    review.completed_at = utcnow()
    review.updated_at = review.completed_at
    session.add(review)
    audit.record(session, me, "complete", "review", review_id, client_id=review.client_id)
    session.flush()
    return ReviewDetail(review, outcomes, [], created)


def _finish_one_offs(session: Session, me: Actor, done: list[int]) -> None:
    """A task meant to be done once ("once", "one time"), marked done (*done*: their
    ids), is finished: it is completed (audited) rather than listed for review again."""
    for assignment_id in done:
        row = get_assignment(session, me, assignment_id)
        if row.status == AssignmentStatus.ACTIVE and is_one_off(row.how_often):
            complete_assignment(session, me, assignment_id)
            row.status_reason = "done once, as meant"
            session.add(row)


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
    # PHQ-9 item 9 above 0 lately (day, score): the review needs a risk check.
    risk_signals: list[tuple[date, int]] = field(default_factory=list)
    # Measures reliably worse than before, in words: to talk about before new homework.
    deteriorations: list[str] = field(default_factory=list)


def open_review(
    session: Session,
    me: Actor,
    review_id: int,
    *,
    lease: Holder | None = None,
    take_over: bool = False,
) -> ReviewContext:
    """Load a review with its client's homework and values. Audited as a view.

    *lease*: open a draft to edit it, as this session. A draft open in another session
    that may still be live raises `DraftInUse`, unless *take_over* (the clinician chose
    to): that session's next save is then refused and its words kept elsewhere.
    """
    review = get_review(session, me, review_id, for_update=lease is not None)
    if lease is not None and review.status == ReviewStatus.DRAFT:
        _take_lease(session, me, review, lease, take_over=take_over)
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
    return ReviewContext(
        client,
        review,
        assignments,
        outcomes,
        values,
        created,
        risk_signals=review_risk_signals(session, review),
        deteriorations=deteriorations(session, review.client_id, review.completed_at),
    )


def _take_lease(
    session: Session, me: Actor, review: Review, lease: Holder, *, take_over: bool
) -> None:
    held = review.lease_token not in (None, lease.token)
    if held and not take_over and not is_gone(review.lease_holder, lease):
        raise DraftInUse(review.lease_holder, review.lease_at, review.updated_at)
    review.lease_token, review.lease_holder, review.lease_at = lease.token, lease.stamp, utcnow()
    session.add(review)
    if held:
        audit.record(
            session,
            me,
            "take over",
            "review",
            review.id,
            client_id=review.client_id,
            detail=f"from {describe(review.lease_holder)}"[:200],
        )


def release_review(session: Session, me: Actor, review_id: int, lease: str) -> None:
    """This session leaves the draft: free it for the next session, if it still holds it."""
    review = get_review(session, me, review_id, for_update=True)
    if review.lease_token == lease:
        review.lease_token, review.lease_holder, review.lease_at = None, "", None
        session.add(review)


def lease_problem(session: Session, me: Actor, review_id: int, lease: str) -> DraftLost | None:
    """Why this session may no longer write the draft, or None while it may.

    Asked every few seconds by an open review, so it reads two columns and is not
    audited (it shows no client data; opening the review was)."""
    row = session.exec(
        select(Review.status, Review.lease_token, Review.lease_holder, Review.lease_at).where(
            Review.id == review_id, Review.clinician_id == me.clinician_id
        )
    ).first()
    if row is None:
        return DraftLost("this review no longer exists")
    status, token, holder, at = row
    if status != ReviewStatus.DRAFT:
        return DraftLost("this review was completed in another session")
    if token != lease:
        who = describe(holder) if token else "nobody"
        when = f" at {local_time.clock(at)}" if at else ""
        return DraftLost(f"another session ({who}) took this review over{when}")
    return None


def record_unsaved_copy(session: Session, me: Actor, review_id: int, kept_id: int | None) -> None:
    """Words copied to the clipboard have left hwtui: audited like an export."""
    review = get_review(session, me, review_id)
    audit.record(session, me, "copy", "unsaved_input", kept_id, client_id=review.client_id)


def keep_unsaved(
    session: Session,
    me: Actor,
    review_id: int,
    text: str,
    reason: str,
    fields: dict[str, Any] | None = None,
) -> UnsavedInput:
    """Keep words this session could not save into the draft (`DraftLost`): *text* to
    read, *fields* the draft's input as it was on screen."""
    review = get_review(session, me, review_id)
    kept = UnsavedInput(
        clinician_id=me.clinician_id,
        client_id=review.client_id,
        place=f"review {review_id}",
        reason=clean_line(reason)[:200],
        text=text,
        fields=fields or {},
    )
    session.add(kept)
    session.flush()
    audit.record(session, me, "create", "unsaved_input", kept.id, client_id=review.client_id)
    return kept


ASSESSMENT_MAX = 4000
SESSION_MINUTES_MAX = 600


def sign_review(
    session: Session,
    me: Actor,
    review_id: int,
    *,
    assessment: str | None = None,
    minutes: int | None = None,
    modality: str | None = None,
) -> Review:
    """Sign a complete review. From now on it is read-only; changes are amendments.

    The clinician's own *assessment* is needed (given now, or stored already); the
    session's length in *minutes* and its *modality* go with the signature when given.
    """
    review = get_review(session, me, review_id, for_update=True)
    if review.status != ReviewStatus.COMPLETE:
        raise InvalidInput.one(
            "status", f"only a complete review can be signed (this is {review.status})"
        )
    problems = []
    if assessment is not None:
        review.assessment = clean_block(assessment)[:ASSESSMENT_MAX]
    if not review.assessment.strip():
        problems.append(
            FieldProblem("assessment", "is needed before signing: your own view of the session")
        )
    if minutes is not None and not 1 <= minutes <= SESSION_MINUTES_MAX:
        problems.append(FieldProblem("minutes", f"must be 1 to {SESSION_MINUTES_MAX} minutes"))
    if modality is not None and modality not in {m.value for m in Modality}:
        problems.append(FieldProblem("modality", "must be in person, video or phone"))
    risk_missing = risk_check_missing(session, review)
    if risk_missing:
        problems.append(
            FieldProblem(
                "risk",
                "check is needed before signing (PHQ-9 item 9 was above 0): still to "
                f"record: {', '.join(risk_missing)}",
            )
        )
    if problems:
        raise InvalidInput(problems)
    if minutes is not None:
        review.session_minutes = minutes
    if modality is not None:
        review.modality = modality
    review.status = ReviewStatus.SIGNED
    review.signed_at = utcnow()
    review.signed_by = me.username
    clinician = session.get(Clinician, me.clinician_id)
    if clinician is not None:
        review.signed_as = clinician.display_name
        review.signed_credentials = clinician.credentials
    session.add(review)
    audit.record(session, me, "sign", "review", review_id, client_id=review.client_id)
    session.flush()
    return review


def amend_review(session: Session, me: Actor, review_id: int, reason: str) -> Review:
    """Open the next version of a signed review, as a draft holding what it said.

    The signed version stays as it was. If an amendment is already open, it is returned.
    """
    original = get_review(session, me, review_id, for_update=True)
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
    if original.version >= VERSIONS_MAX:
        raise InvalidInput.one(
            "status", f"this review has {VERSIONS_MAX} versions, the most hwtui keeps"
        )
    amendment = Review(
        client_id=original.client_id,
        clinician_id=original.clinician_id,
        session_date=original.session_date,
        win_text=original.win_text,
        win_kind=original.win_kind,
        skipped=dict(original.skipped),
        risk=dict(original.risk or {}),
        step=ReviewStep.SUMMARY,  # open on the summary: it shows what the version says
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
