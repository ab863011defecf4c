"""How an audit event is chained: the digest of its content and the hash before it, and
where the chain's head moves when one is appended.

Plain Python: the ORM's audit service (`services.audit`) and the launch's first read
(`first_screen`, with `sqlite3` alone) append to the same chain, both through `append`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64
# The one row of `audit_head`.
HEAD_ID = 1
# Any constant: the advisory lock that serialises appends to the chain across PostgreSQL
# connections (`services.audit`, `first_screen_pg`).
PG_CHAIN_LOCK = 0x68777475


@dataclass(frozen=True, slots=True)
class EventContent:
    """What an event says, in the order its digest takes it."""

    at: datetime
    os_user: str
    action: str
    entity: str
    entity_id: int | None
    client_id: int | None
    detail: str

    def digest(self, prev_hash: str) -> str:
        """The event's hash: its content chained to the hash of the event before it."""
        payload = json.dumps(
            [
                prev_hash,
                self.at.isoformat(),
                self.os_user,
                self.action,
                self.entity,
                self.entity_id,
                self.client_id,
                self.detail,
            ],
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where the chain ends (the `audit_head` row): how many events, the last one's id and
    hash."""

    events: int
    last_id: int | None
    last_hash: str


@dataclass(frozen=True, slots=True)
class Link:
    """A new event's place in the chain: the hash it follows and its own."""

    prev_hash: str
    hash: str

    def moved(self, head: ChainHead, event_id: int) -> ChainHead:
        """The head once the event, stored with *event_id*, is appended."""
        return ChainHead(head.events + 1, event_id, self.hash)


def append(head: ChainHead, content: EventContent) -> Link:
    """Where *content* goes: after the head, not after whatever event is last now, so that
    if the last events were deleted, the next event's link shows where."""
    return Link(head.last_hash, content.digest(head.last_hash))
