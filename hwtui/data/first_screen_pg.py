"""The launch's first read on PostgreSQL: the caseload through psycopg alone.

The same idea as `first_screen` for SQLite (read it first): on the everyday launch
against the practice server the caseload is read, and its view audited, with psycopg
while Textual loads, and SQLAlchemy, SQLModel, pydantic and Alembic load once the rows
are on screen. The full path took about 650 ms to the caseload on PostgreSQL here, most
of it importing those and checking the schema through Alembic (issue 19).

It acts exactly as the ORM's transaction would: it names the clinician in
`hwtui.clinician` (row-level security then shows their caseload and nothing else, see
migration 0006), runs the caseload's own query (`caseload_rows`), and appends the view
to the audit chain through the schema's `hwtui_audit_append`, as `services.audit` does.

Anything out of the ordinary returns None and the launch takes the full path, which
reports problems in plain words: a server that refuses the connection, a schema that is
not at the head (or older than the append function), a clinician the database does not
know yet, any error of the server's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from hwtui.data.actor import Actor
from hwtui.data.audit_chain import PG_CHAIN_LOCK, ChainHead, EventContent, append
from hwtui.data.caseload_rows import (
    AUDIT_ACTION,
    AUDIT_ENTITY,
    audit_detail,
    caseload_params,
    caseload_rows,
    caseload_sql,
)
from hwtui.data.first_rows import FirstScreen
from hwtui.data.pg_url import conninfo, is_postgres_url
from hwtui.data.revisions import VERSION_TABLE, head_revision

if TYPE_CHECKING:
    import psycopg

__all__ = ["conninfo", "is_postgres_url", "read_first_screen_pg"]

# Seconds to wait for the server before leaving it to the full path (which waits longer,
# and says what went wrong).
CONNECT_TIMEOUT_S = 5


class _Unusual(Exception):
    """Not the everyday launch: the full path takes over."""


def read_first_screen_pg(
    location: str,
    username: str,
    today: date,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FirstScreen | None:
    """The clinician's caseload from the PostgreSQL database at *location*, audited;
    None when the launch must take the full path."""
    try:
        import psycopg
    except ImportError:
        return None  # the full path explains how to install the driver
    try:
        with psycopg.connect(conninfo(location), connect_timeout=CONNECT_TIMEOUT_S) as conn:
            return _read(conn, username, today, now)
    except (_Unusual, psycopg.Error):
        return None


# psycopg takes %(name)s where the shared query (written for sqlite3 and SQLAlchemy's
# text()) has :name; only parameter names follow a colon in it.
_NAMED = re.compile(r"(?<!:):([a-z_]+)\b")


def _pg(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql)


def _read(
    conn: psycopg.Connection[Any], username: str, today: date, now: Callable[[], datetime]
) -> FirstScreen:
    # psycopg begins the transaction at the first statement; leaving `with conn` commits
    # it, or rolls it back on an exception.
    conn.execute("SELECT set_config('hwtui.clinician', %s, true)", (username,))
    found = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()  # noqa: S608
    if found != [(head_revision(),)]:
        raise _Unusual("not at the head schema")
    clinician = conn.execute(
        "SELECT id, username, display_name FROM clinician WHERE username = %s", (username,)
    ).fetchone()
    if clinician is None:
        raise _Unusual("a new clinician")  # the full path adds them, if it may
    actor = Actor(*clinician)
    params: Mapping[str, object] = caseload_params(actor.clinician_id)
    records = conn.execute(_pg(caseload_sql(sqlite=False)), params).fetchall()
    rows = caseload_rows(records, today)
    _audit(conn, actor.username, audit_detail(rows), now())
    return FirstScreen(actor, rows)


def _audit(conn: psycopg.Connection[Any], os_user: str, detail: str, at: datetime) -> None:
    """Append the view as `services.audit.record` does on PostgreSQL: under the chain's
    lock, linked to the head the schema's function reads, appended by its function."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_CHAIN_LOCK,))
    last = conn.execute("SELECT hwtui_audit_head()").fetchone()
    if last is None:
        raise _Unusual("no chain head")
    content = EventContent(at, os_user, AUDIT_ACTION, AUDIT_ENTITY, None, None, detail)
    link = append(ChainHead(0, None, str(last[0])), content)
    conn.execute(
        "SELECT hwtui_audit_append(%(at)s, %(os_user)s, %(action)s, %(entity)s,"
        " %(entity_id)s, %(client_id)s, %(detail)s, %(prev_hash)s, %(hash)s)",
        {**asdict(content), "prev_hash": link.prev_hash, "hash": link.hash},
    )
