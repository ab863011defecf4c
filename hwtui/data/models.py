"""The tables. Every schema change here needs an Alembic migration (see migrations/).

Conventions: times are aware UTC (`utcnow`, `UtcDateTime`), dates are the clinic's local calendar
date; codes from `catalog` are stored as plain strings and checked by constraints where
the set is closed; lists of codes are JSON arrays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Dialect, Index, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names, so batch migrations on SQLite can find and alter them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _stamp() -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime)


def _maybe_stamp() -> Any:
    return Field(default=None, sa_type=UtcDateTime)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Clinician(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("note_format IN ('dap', 'soap', 'birp')", name="note_format"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=64)
    display_name: str = Field(max_length=120)
    role: str = Field(default="clinician", max_length=20)
    # The progress-note format this clinician's practice uses (see data/notes.py).
    note_format: str = Field(
        default="dap", max_length=10, sa_column_kwargs={"server_default": "dap"}
    )
    # How the clinician signs, after their name: "PhD, licensed psychologist" (0010).
    credentials: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    created_at: datetime = _stamp()


class Client(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("clinician_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(foreign_key="clinician.id", index=True)
    code: str = Field(max_length=20)
    display_name: str = Field(max_length=120)
    review_interval_days: int = Field(default=7)
    archived_at: datetime | None = _maybe_stamp()
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class ClientValue(SQLModel, table=True):
    """A value the client named (e.g. "being a present parent"); homework can link one."""

    __tablename__ = "client_value"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    text: str = Field(max_length=200)
    position: int = 0
    archived_at: datetime | None = _maybe_stamp()


class Assignment(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("status IN ('active', 'completed', 'retired', 'replaced')", name="status"),
        CheckConstraint("confidence IS NULL OR (confidence BETWEEN 0 AND 10)", name="confidence"),
        Index("ix_assignment_client_status", "client_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    title: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    instructions: str = ""
    rationale: str = ""
    what: str = ""
    when: str = Field(default="", max_length=200)
    where: str = Field(default="", max_length=200)
    how_often: str = Field(default="", max_length=200)
    how_long: str = Field(default="", max_length=200)
    value_id: int | None = Field(default=None, foreign_key="client_value.id", index=True)
    obstacles: list[str] = _json_list()
    confidence: int | None = None
    due_date: date | None = None
    rationale_given: bool = False
    decided_together: bool = False
    started_in_session: bool = False
    reminder_set: bool = False
    status: str = Field(default="active", max_length=20)
    status_reason: str = ""
    parent_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)
    created_in_review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    created_at: datetime = _stamp()
    updated_at: datetime = _stamp()


class Review(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'complete', 'signed')", name="status"),
        CheckConstraint(
            "modality IS NULL OR modality IN ('in_person', 'video', 'phone')", name="modality"
        ),
        CheckConstraint(
            "win_kind IS NULL OR win_kind IN ('insight', 'decision', 'process', 'external')",
            name="win_kind",
        ),
        # `catalog.ReviewStep`: a draft's step by code, never by position (migration 0009).
        CheckConstraint(
            "step IN ('outcomes', 'win', 'worked', 'barriers', 'goal', 'summary')", name="step"
        ),
        Index("ix_review_client_date", "client_id", "session_date"),
        # The caseload asks each client "is a draft open?" among years of reviews.
        Index("ix_review_client_status", "client_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    clinician_id: int = Field(foreign_key="clinician.id", index=True)
    session_date: date
    status: str = Field(default="draft", max_length=20)
    win_text: str = ""
    win_kind: str | None = Field(default=None, max_length=20)
    # Where the clinician was in the guided review (a `ReviewStep` code), and steps
    # skipped with a reason (by code), so that a resumed draft opens exactly where it was
    # left, whatever steps are added or moved later.
    step: str = Field(default="outcomes", max_length=20)
    skipped: dict[str, str] = _json_dict()
    # New smaller goals agreed in a review stay here, as entered, until the review is
    # completed; only then do they become assignments.
    draft_goals: list[dict[str, Any]] = _json_list()
    started_at: datetime = _stamp()
    updated_at: datetime = _stamp()
    completed_at: datetime | None = _maybe_stamp()
    signed_at: datetime | None = _maybe_stamp()
    # Recorded at signing (0010): the session's length and how it was held
    # (`catalog.Modality`), and the clinician's own assessment.
    # The signature as printed, frozen when signed: the clinician's name and credentials.
    signed_as: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    signed_credentials: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": ""}
    )
    session_minutes: int | None = None
    modality: str | None = Field(default=None, max_length=20)
    assessment: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # 0011: the risk check (`hwtui.data.risk.RiskCheck`), when one was recorded.
    risk: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    signed_by: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    # A signed review is never edited: an amendment is a new row, the next version,
    # pointing at the one it amends, with the reason for the change.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    amends_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    amend_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # One writer per draft: the session editing it (see `hwtui.data.lease`). Every save
    # is checked against the token, so a session that lost the draft to another never
    # overwrites newer words. Cleared when the session leaves the review.
    lease_token: str | None = Field(default=None, max_length=32)
    lease_holder: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    lease_at: datetime | None = _maybe_stamp()
    # Also on the table, from migration 0008 only (declaring a partial index here would
    # load SQLAlchemy's PostgreSQL dialect at every launch): at most one draft per client
    # (`uq_review_one_draft`) and one version amending each review (`uq_review_one_amendment`).


class TaskOutcome(SQLModel, table=True):
    """How one assignment went, recorded at one review."""

    __tablename__ = "task_outcome"
    __table_args__ = (
        UniqueConstraint("review_id", "assignment_id"),
        CheckConstraint(
            "outcome IN ('done', 'partly', 'not_done', 'no_opportunity')", name="outcome"
        ),
        CheckConstraint("quality IS NULL OR quality BETWEEN 0 AND 4", name="quality"),
        CheckConstraint("difficulty IS NULL OR difficulty BETWEEN 0 AND 4", name="difficulty"),
        CheckConstraint("times_done IS NULL OR times_done >= 0", name="times_done"),
        CheckConstraint("times_planned IS NULL OR times_planned >= 1", name="times_planned"),
    )

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    outcome: str = Field(max_length=20)
    # Was this the task talked through in part two or three of the review?
    discussed: bool = False
    factors: list[str] = _json_list()
    factor_notes: dict[str, str] = _json_dict()
    worked_notes: str = ""
    double_down: str = ""
    barriers: list[str] = _json_list()
    barrier_notes: str = ""
    learned: str = ""
    # 0011: the limiting belief in the client's words; how well it went (0-4 each,
    # `catalog.QUALITY` / `DIFFICULTY`) and how often against plan ("3 of 7").
    belief: str = Field(default="", sa_column_kwargs={"server_default": ""})
    quality: int | None = None
    difficulty: int | None = None
    times_done: int | None = None
    times_planned: int | None = None


class UnsavedInput(SQLModel, table=True):
    """Words a person typed that could not go where they were typed, kept rather than lost.

    E.g. a review draft taken over by another session: what this session had typed since
    its last save is kept here, with where it was typed (`place`) and why it is here.
    """

    __tablename__ = "unsaved_input"

    id: int | None = Field(default=None, primary_key=True)
    clinician_id: int = Field(foreign_key="clinician.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    place: str = Field(max_length=100)
    reason: str = Field(default="", max_length=200)
    # For a person to read (and copy): what was typed, field by field.
    text: str = ""
    # For the screen to offer back exactly: each field's value (and cursor, where kept).
    fields: dict[str, Any] = _json_dict()
    saved_at: datetime = _stamp()


class ProcessNote(SQLModel, table=True):
    """The clinician's private process notes on a review (psychotherapy notes, US 45 CFR
    164.501): apart from the record, never in a progress note, an export (unless asked
    for by its own flag), a handout or the client's view."""

    __tablename__ = "process_note"

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", unique=True)
    clinician_id: int = Field(foreign_key="clinician.id")
    client_id: int = Field(foreign_key="client.id", index=True)
    text: str = ""
    updated_at: datetime = _stamp()


class Measure(SQLModel, table=True):
    __table_args__ = (Index("ix_measure_client_taken", "client_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id")
    review_id: int | None = Field(default=None, foreign_key="review.id", index=True)
    instrument: str = Field(max_length=20)
    items: list[int] = _json_list()
    total: int
    question: str = Field(default="", max_length=200)
    taken_at: datetime = _stamp()
    # A risk alert (PHQ-9 item 9 above 0) stays on screen until a clinician says they saw it.
    acknowledged_at: datetime | None = _maybe_stamp()
    acknowledged_by: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})


class AuditEvent(SQLModel, table=True):
    """Append-only; each row carries the hash of the one before it."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _stamp()
    os_user: str = Field(max_length=64)
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    client_id: int | None = Field(default=None, index=True)
    detail: str = ""
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """Where the audit chain ends: one row, moved forward in the transaction of every event.

    Walking the events finds an edited or a removed event between two others, but not
    that the last ones are gone; the head says how many events there are and which is last.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    events: int = 0
    last_id: int | None = None
    last_hash: str = Field(max_length=64)
