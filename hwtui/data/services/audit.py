"""The audit trail: one append-only, hash-chained event per read or change of client data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlmodel import Session, col, select

from hwtui.data import local_time
from hwtui.data.audit_chain import (
    GENESIS,
    HEAD_ID,
    PG_CHAIN_LOCK,
    ChainHead,
    EventContent,
    append,
)
from hwtui.data.models import AuditEvent, AuditHead, utcnow
from hwtui.data.services.identity import Actor
from hwtui.data.text import clean_line

__all__ = [
    "GENESIS",
    "HEAD_ID",
    "ChainCheck",
    "chain_head",
    "describe",
    "event_with_hash",
    "last_events",
    "record",
    "verify_chain",
]


def _digest(event: AuditEvent) -> str:
    content = EventContent(
        event.at,
        event.os_user,
        event.action,
        event.entity,
        event.entity_id,
        event.client_id,
        event.detail,
    )
    return content.digest(event.prev_hash)


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    client_id: int | None = None,
    detail: str = "",
) -> AuditEvent | None:
    """Record an event. Call inside the write transaction of the action it records: the
    event is kept if and only if that transaction commits.

    SQLite appends it now (a write transaction holds the file's only write lock anyway)
    and returns it. PostgreSQL appends it as the transaction commits (`_append_pending`)
    and returns None: the chain is one line for the whole practice, so whoever appends
    holds its lock until they commit. Taken at the first event, that lock was held
    through the rest of the transaction, the progress read after a brief's event or the
    writes of a review's save after its first, and every other session's audited
    transaction queued behind it (issue 19: the practice of twenty's p95s)."""
    content = EventContent(
        utcnow(),
        actor if isinstance(actor, str) else actor.username,
        action,
        entity,
        entity_id,
        client_id,
        detail,
    )
    if session.get_bind().dialect.name == "postgresql":
        _pending(session).append(content)
        return None
    return _append_direct(session, content)


# Where a transaction keeps the events it will append as it commits (`Session.info`).
_PENDING = "hwtui_audit_pending"


def _pending(session: Session) -> list[EventContent]:
    # Begun here if no statement has yet: the commit would begin another transaction,
    # and these events would be taken for an ended one's and never appended.
    transaction = session.get_transaction() or session.begin()
    kept = session.info.get(_PENDING)
    if kept is None or kept[0] is not transaction:  # none yet, or an ended transaction's
        kept = session.info[_PENDING] = (transaction, [])
    events: list[EventContent] = kept[1]
    return events


@sa_event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """The transaction's events, appended last: its own writes are flushed first, so the
    chain's lock is held only for the appends and the commit."""
    kept = session.info.pop(_PENDING, None)
    if kept is None or kept[0] is not session.get_transaction() or not kept[1]:
        return
    session.flush()
    contents: list[EventContent] = kept[1]
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_CHAIN_LOCK})
    if _has_append_function(session):
        # Read in a statement of its own, after the lock: a statement sees what was
        # committed when it began, and in the lock's own statement that was before the
        # wait for the lock, so the head read there could be one moved since.
        head = session.execute(text("SELECT hwtui_audit_head()")).scalar_one()
        _append_through_function(session, contents, str(head))
        return
    # A schema part-way through its upgrades (before 0012): rows and head directly.
    for content in contents:
        _append_direct(session, content)


def _append_direct(session: Session, content: EventContent) -> AuditEvent:
    """The event and the moved head, written as rows: SQLite, and a PostgreSQL schema
    from before `hwtui_audit_append` (under the chain's lock, taken by the caller)."""
    head = _head(session)
    chain = ChainHead(head.events, head.last_id, head.last_hash)
    link = append(chain, content)
    event_row = AuditEvent(**asdict(content), prev_hash=link.prev_hash, hash=link.hash)
    session.add(event_row)
    session.flush()
    assert event_row.id is not None
    moved = link.moved(chain, event_row.id)
    head.events, head.last_id, head.last_hash = moved.events, moved.last_id, moved.last_hash
    session.add(head)
    session.flush()
    return event_row


def _has_append_function(session: Session) -> bool:
    """Whether the schema appends through `hwtui_audit_append` (PostgreSQL, migration
    0012 on): a database part-way through its upgrades still appends directly.

    Once found, remembered on the server connection (`Connection.info` lives as long as
    the pooled connection): a schema does not lose the function while hwtui runs, and a
    review's save appends half a dozen events. Not found is asked again every time, since
    an upgrade may add it."""
    info = session.connection().info
    if info.get("hwtui_audit_append"):
        return True
    found = session.execute(text("SELECT to_regproc('hwtui_audit_append') IS NOT NULL"))
    has = bool(found.scalar_one())
    if has:
        info["hwtui_audit_append"] = True
    return has


# `hwtui_audit_append`'s arguments, in its order.
_APPEND_ARGS = (
    "at",
    "os_user",
    "action",
    "entity",
    "entity_id",
    "client_id",
    "detail",
    "prev_hash",
    "hash",
)


def _append_through_function(session: Session, contents: list[EventContent], head: str) -> None:
    """The events linked one after another from the chain's *head* and appended, in
    order, by the schema's own function, the only way a clinician's role may move the
    chain (migration 0012), in one statement: each call reads the row of the one before
    it, so they run in order. Were a link ever wrong, the function refuses it and the
    transaction fails, never mis-chains."""
    params: dict[str, object] = {}
    steps = []
    prev = head
    for n, content in enumerate(contents):
        link = append(ChainHead(0, None, prev), content)
        prev = link.hash
        values = {**asdict(content), "prev_hash": link.prev_hash, "hash": link.hash}
        params.update({f"{name}_{n}": values[name] for name in _APPEND_ARGS})
        args = ", ".join(f":{name}_{n}" for name in _APPEND_ARGS)
        after = f" FROM e{n - 1}" if n else ""
        steps.append(f"e{n} AS MATERIALIZED (SELECT hwtui_audit_append({args}) AS id{after})")
    # Only indices and the constant argument names are formatted in.
    statement = f"WITH {', '.join(steps)} SELECT id FROM e{len(contents) - 1}"  # noqa: S608
    session.execute(text(statement), params).scalar_one()


def _head(session: Session) -> AuditHead:
    """The chain head, read afresh; a new one if it is missing (verify_chain reports that)."""
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    if head is None:
        # The migration writes the head; it is missing only if someone removed it. Start
        # a new one at the last event: its count no longer matches, which verify reports.
        last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1))
        event = last.first()
        head = AuditHead(
            id=HEAD_ID,
            events=0,
            last_id=event.id if event else None,
            last_hash=event.hash if event else GENESIS,
        )
        session.add(head)
    return head


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    events: int
    first_bad_id: int | None = None
    reason: str = ""
    # The last event's hash when the chain is intact: worth keeping somewhere else.
    last_hash: str = field(default="", compare=False)


def verify_chain(session: Session) -> ChainCheck:
    """Walk the chain in order; report the first event whose link or hash is wrong, then
    check the walk ends where the chain head says (so deleted last events are found)."""
    if session.get_bind().dialect.name == "postgresql":
        # Shared: no event is appended between reading the events and reading the head.
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": PG_CHAIN_LOCK})
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    prev = GENESIS
    count = 0
    last_id: int | None = None
    head_seen: bool | None = None  # the event the head names: not seen, seen, matching
    after_head: int | None = None  # the first event after it
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(False, count, event.id, "link to the previous event is broken")
        if _digest(event) != event.hash:
            return ChainCheck(False, count, event.id, "event content does not match its hash")
        if head_seen and after_head is None:
            after_head = event.id
        if head is not None and event.id == head.last_id:
            head_seen = event.hash == head.last_hash
        prev = event.hash
        last_id = event.id
    if head is None:
        return ChainCheck(False, count, None, "the chain head is missing")
    if (head.events, head.last_id, head.last_hash) == (count, last_id, prev):
        return ChainCheck(True, count, last_hash=prev)
    if head_seen and after_head is not None:
        return ChainCheck(
            False, count, after_head, "event is past the chain head: not written by hwtui"
        )
    if head_seen is None and head.last_id is not None:
        return ChainCheck(
            False,
            count,
            head.last_id,
            f"event is missing: the chain head records {head.events} events "
            f"ending with it, {count} found",
        )
    if head_seen is False:
        return ChainCheck(False, count, head.last_id, "event does not match the chain head")
    return ChainCheck(
        False, count, None, f"the chain head records {head.events} events, {count} found"
    )


def chain_head(session: Session) -> ChainHead | None:
    """The chain's head as stored: to keep somewhere else (`hwtui audit head`)."""
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    return None if head is None else ChainHead(head.events, head.last_id, head.last_hash)


def event_with_hash(session: Session, digest: str) -> int | None:
    """The id of the event whose hash is *digest*, if the chain holds one. Each hash
    covers every event before it, so in a chain that verifies, finding a hash kept
    elsewhere proves nothing up to it was changed or removed since."""
    found = session.exec(select(AuditEvent.id).where(AuditEvent.hash == digest.lower()))
    return found.first()


def last_events(session: Session, n: int) -> Sequence[AuditEvent]:
    """The last *n* events, oldest first."""
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(n)).all()
    return rows[::-1]


def describe(event: AuditEvent) -> str:
    """One line: id, time (the display zone's, named: `local_time.log_stamp`), OS user,
    action, entity, ids, detail, two spaces apart; no control characters.

    Every text field is cleaned: a detail or a user name holding an escape sequence or a
    newline must not act on the terminal or forge a second line.
    """
    ids = f"id={_or_dash(event.entity_id)} client={_or_dash(event.client_id)}"
    fields = [
        str(event.id),
        local_time.log_stamp(event.at),
        clean_line(event.os_user),
        clean_line(event.action),
        clean_line(event.entity),
        ids,
        clean_line(event.detail),
    ]
    return "  ".join(fields).rstrip()


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)
