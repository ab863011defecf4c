"""The audit trail: one append-only, hash-chained event per read or change of client data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from hwtui.data.models import AuditEvent, utcnow
from hwtui.data.services.identity import Actor

GENESIS = "0" * 64
# Any constant: serialises appends to the chain across PostgreSQL connections.
_PG_CHAIN_LOCK = 0x68777475


def _digest(event: AuditEvent) -> str:
    payload = json.dumps(
        [
            event.prev_hash,
            event.at.isoformat(),
            event.os_user,
            event.action,
            event.entity,
            event.entity_id,
            event.client_id,
            event.detail,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    client_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append an event. Call inside the write transaction of the action it records."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    last = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1))
    prev = last.first() or GENESIS
    event = AuditEvent(
        at=utcnow(),
        os_user=actor if isinstance(actor, str) else actor.username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        client_id=client_id,
        detail=detail,
        prev_hash=prev,
        hash="",
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    events: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainCheck:
    """Walk the chain in order; report the first event whose link or hash is wrong."""
    prev = GENESIS
    count = 0
    for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(False, count, event.id, "link to the previous event is broken")
        if _digest(event) != event.hash:
            return ChainCheck(False, count, event.id, "event content does not match its hash")
        prev = event.hash
    return ChainCheck(True, count)
