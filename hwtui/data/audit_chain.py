"""How an audit event is chained: the digest of its content and the hash before it.

Plain Python: the ORM's audit service (`services.audit`) and the launch's first read
(`first_screen`) append to the same chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64
# The one row of `audit_head`.
HEAD_ID = 1


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
