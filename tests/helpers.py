"""Small builders shared by the data-core tests: each runs one service call in its own
transaction and returns plain ids, so tests read as a sequence of user actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, func, select

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput
from hwtui.data.models import AuditEvent
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import complete_review, start_review

# One service call inside a transaction, for tests that try the same thing several ways.
Attempt = Callable[[Session], object]

# Escape sequences a hostile paste could carry, and what must be left of them once
# stored: every control character gone, the printable rest kept as text.
HOSTILE = "a\x1b]52;c;aGk=\x07b\x9b31mc\x7fd\x1b[2Je"
HOSTILE_CLEAN = "a]52;c;aGk=b31mcd[2Je"
MARKUP_LIKE = ("[TODO]", "[b]x[/b]", "[@click=app.quit]x[/]", "path\\")


def rejection(
    db: Database, action: Callable[..., object], *args: Any, **kwargs: Any
) -> list[tuple[str, str]] | None:
    """The (field, message) problems `action(session, *args, **kwargs)` is refused with,
    or None if it was accepted. Tests compare a whole table of cases in one assert."""
    try:
        with db.write() as s:
            action(s, *args, **kwargs)
    except InvalidInput as exc:
        return [(p.field, p.message) for p in exc.problems]
    return None


def add_client(db: Database, me: Actor, code: str = "C01", **fields: Any) -> int:
    fields.setdefault("display_name", f"Client {code}")
    with db.write() as s:
        client_id = create_client(s, me, code=code, **fields).id
    assert client_id is not None
    return client_id


def add_assignment(db: Database, me: Actor, client_id: int, title: str, **fields: Any) -> int:
    with db.write() as s:
        assignment_id = create_assignment(s, me, client_id, title=title, **fields).id
    assert assignment_id is not None
    return assignment_id


def add_completed_review(
    db: Database,
    me: Actor,
    client_id: int,
    day: date,
    outcomes: dict[int, str] | None = None,
    *,
    win_text: str = "slept better",
    **draft: Any,
) -> int:
    """A completed review on *day* with the given outcome per assignment id."""
    with db.write() as s:
        review_id = start_review(s, me, client_id, day).id
        assert review_id is not None
        complete_review(
            s,
            me,
            review_id,
            win_text=win_text,
            outcomes=[
                {"assignment_id": aid, "outcome": outcome}
                for aid, outcome in (outcomes or {}).items()
            ],
            **draft,
        )
    return review_id


@dataclass(frozen=True, slots=True)
class Event:
    action: str
    entity: str
    entity_id: int | None
    client_id: int | None
    os_user: str
    detail: str


def last_event_id(db: Database) -> int:
    with db.read() as s:
        return _last_event_id(s)


def _last_event_id(s: Session) -> int:
    return s.exec(select(func.max(AuditEvent.id))).one() or 0


def events_after(db: Database, after_id: int) -> list[Event]:
    """The audit events written since *after_id*, oldest first."""
    with db.read() as s:
        rows = s.exec(
            select(AuditEvent).where(col(AuditEvent.id) > after_id).order_by(col(AuditEvent.id))
        ).all()
    return [Event(r.action, r.entity, r.entity_id, r.client_id, r.os_user, r.detail) for r in rows]


def demo_practice(path: Path, *, clients: int = 5, weeks: int = 4, seed: int = 7) -> Path:
    """A small demo practice at *path* for the OS user, at the head schema: the same
    caseload every time (dated back from today), for tests that drive the real app."""
    from hwtui.data import demo, migrate
    from hwtui.data.services.identity import os_username

    db = Database(path)
    migrate.upgrade(db)
    demo.generate(
        db, clinician=os_username(), clients=clients, weeks=weeks, seed=seed, today=date.today()
    )
    db.dispose()
    return path


@contextmanager
def selects_from(db: Database, table: str) -> Iterator[list[str]]:
    """The SELECT statements reading *table* that *db* runs within the block: a read
    each is a round trip (under row security on PostgreSQL), so tests count them."""
    reads: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().startswith(("SELECT", "WITH")) and f"FROM {table}" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield reads
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
