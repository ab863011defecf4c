"""The first screen's rows (`first_screen`, `first_screen_pg`), and the bytes they cross
from the launch's child process to the app in (see `launch.FirstRead`): plain, so the
app's process imports nothing of the read's (sqlite3, psycopg, the audit chain's)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from hwtui.data.actor import Actor
from hwtui.data.caseload_rows import CaseloadRow


@dataclass(frozen=True, slots=True)
class FirstScreen:
    actor: Actor
    rows: list[CaseloadRow]


def encode_first_screen(first: FirstScreen | None) -> bytes:
    """*first* as bytes for `decode_first_screen`."""
    if first is None:
        return b"null"
    actor = first.actor
    rows = [
        [
            row.client_id,
            row.code,
            row.display_name,
            None if row.last_review is None else row.last_review.isoformat(),
            row.next_due.isoformat(),
            row.active_assignments,
            row.has_draft,
            row.archived,
        ]
        for row in first.rows
    ]
    found = {"actor": [actor.clinician_id, actor.username, actor.display_name], "rows": rows}
    return json.dumps(found).encode()


def decode_first_screen(data: bytes) -> FirstScreen | None:
    """What `encode_first_screen` made, as it was (a ValueError for anything else)."""
    try:
        found = json.loads(data)
        if found is None:
            return None
        return FirstScreen(
            Actor(*found["actor"]),
            [
                CaseloadRow(
                    int(client_id),
                    str(code),
                    str(name),
                    None if last is None else date.fromisoformat(last),
                    date.fromisoformat(due),
                    int(active),
                    bool(draft),
                    bool(archived),
                )
                for client_id, code, name, last, due, active, draft, archived in found["rows"]
            ],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a first screen: {exc}") from None
