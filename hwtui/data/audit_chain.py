"""How an audit event is chained: the digest of its content and the hash before it.

Plain Python: the ORM's audit service (`services.audit`) and the launch's first read
(`first_screen`) append to the same chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64
# The one row of `audit_head`.
HEAD_ID = 1


def digest(
    *,
    prev_hash: str,
    at: datetime,
    os_user: str,
    action: str,
    entity: str,
    entity_id: int | None,
    client_id: int | None,
    detail: str,
) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), os_user, action, entity, entity_id, client_id, detail],
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()
