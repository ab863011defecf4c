"""The caseload's rows: one SQL query and what its records become.

Plain Python: the same statement runs through the ORM's session (`services.caseload`)
and, at launch, through `sqlite3` alone (`first_screen`), before SQLAlchemy is loaded.
It is written in the SQL both SQLite and PostgreSQL take, with named parameters, which
both `sqlite3` and SQLAlchemy's `text()` bind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

# What viewing the caseload writes to the audit trail (with `audit_detail`).
AUDIT_ACTION = "view"
AUDIT_ENTITY = "caseload"


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    client_id: int
    code: str
    display_name: str
    last_review: date | None
    next_due: date
    active_assignments: int
    has_draft: bool
    archived: bool

    def is_due(self, today: date) -> bool:
        return self.next_due <= today


# A client's completion (0-1) at each of their most recent reviews, oldest first; None
# where nothing could be scored.
Trend = tuple[float | None, ...]

# One indexed look-up per client for each column, however long the history: the newest
# finished review walks back along ix_review_client_date and stops at the first that is
# not a draft; the draft is one look-up in ix_review_client_status.
# On SQLite `+r.clinician_id` (the same value) keeps the planner from reaching the reviews
# through ix_review_clinician_id instead, every review of the clinician's for each client:
# without statistics it chose that for the draft on some files and not others (by the
# order a file's indexes were made in), and the caseload of 500 clients with five years of
# reviews took 10 s, not 0.15 s. PostgreSQL plans by its statistics, and the `+` there
# made the caseload twenty times slower (200-500 ms, not 10 ms), so it is SQLite's alone.
_CASELOAD_SQL = """
SELECT c.id, c.code, c.display_name, c.review_interval_days, c.archived_at,
    (SELECT r.session_date FROM review AS r
        WHERE r.client_id = c.id AND {reviewer} = :me AND r.status != :draft
        ORDER BY r.session_date DESC LIMIT 1),
    (SELECT count(*) FROM assignment AS a
        WHERE a.client_id = c.id AND a.status = :active),
    EXISTS (SELECT 1 FROM review AS r
        WHERE r.client_id = c.id AND {reviewer} = :me AND r.status = :draft)
FROM client AS c
WHERE c.clinician_id = :me"""


def caseload_sql(*, sqlite: bool, include_archived: bool = False) -> str:
    """The caseload's query, for SQLite or (not *sqlite*) PostgreSQL."""
    sql = _CASELOAD_SQL.replace("{reviewer}", "+r.clinician_id" if sqlite else "r.clinician_id")
    if include_archived:
        return sql
    return sql + " AND c.archived_at IS NULL"


def caseload_params(clinician_id: int) -> dict[str, object]:
    # Here, not at the top: the caseload screen imports this module for its rows, and
    # the catalog's hundred-odd enum members take longer to build than the rows (the
    # launch reads them in a child process, see `launch.FirstRead`).
    from hwtui.data.catalog import AssignmentStatus, ReviewStatus

    return {
        "me": clinician_id,
        "draft": ReviewStatus.DRAFT.value,
        "active": AssignmentStatus.ACTIVE.value,
    }


def caseload_rows(records: Iterable[Sequence[Any]], today: date) -> list[CaseloadRow]:
    """The query's records as rows, those due (today or overdue) first, then by code.

    SQLite hands back dates as ISO text and booleans as 0/1, PostgreSQL as dates and
    booleans: both become the same rows.
    """
    rows = []
    for client_id, code, name, interval, archived_at, last, active, draft in records:
        last_day = _day(last)
        rows.append(
            CaseloadRow(
                client_id=int(client_id),
                code=code,
                display_name=name,
                last_review=last_day,
                next_due=last_day + timedelta(days=interval) if last_day else today,
                active_assignments=int(active or 0),
                has_draft=bool(draft),
                archived=archived_at is not None,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.is_due(today),
            r.next_due if r.is_due(today) else date.min,
            r.code.casefold(),
        )
    )
    return rows


def audit_detail(rows: Sequence[CaseloadRow]) -> str:
    return f"{len(rows)} clients"


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
