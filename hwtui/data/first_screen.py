"""The launch's first read: the caseload from an SQLite file, before the ORM is loaded.

SQLAlchemy, SQLModel and pydantic take longer to import than Textual and the whole first
paint together, and a clinician opens hwtui while a client waits. On the everyday launch
(an SQLite file already at the head schema, the clinician known to it) the caseload is
read here with `sqlite3` alone, through the same query as `services.caseload`, and the
view is audited in the same transaction, chained like every other event. The ORM loads
once the rows are on screen.

Anything out of the ordinary returns None, and the launch takes the full path, which
creates, upgrades, waits for locks and reports problems in plain words: a new or older
database, an unknown clinician, PostgreSQL, a lock held for long, a damaged file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

from hwtui.data.actor import Actor
from hwtui.data.audit_chain import HEAD_ID, ChainHead, EventContent, append
from hwtui.data.caseload_rows import (
    AUDIT_ACTION,
    AUDIT_ENTITY,
    audit_detail,
    caseload_params,
    caseload_rows,
    caseload_sql,
)
from hwtui.data.first_rows import FirstScreen
from hwtui.data.revisions import VERSION_TABLE, head_revision
from hwtui.data.sqlite_file import SQLITE_PRAGMAS, protect_sqlite_file

# How long to wait for another process's write lock before leaving it to the full path
# (whose waiting is fairer, see `db._begin_immediate`).
LOCK_WAIT_SECONDS = 1.0
# How SQLAlchemy stores a datetime in SQLite (see `sqlite_datetime`).
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


class _Unusual(Exception):
    """Not the everyday launch: the full path takes over."""


def read_first_screen(
    path: Path,
    username: str,
    today: date,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FirstScreen | None:
    """The clinician's caseload from the SQLite file at *path*, audited; None when the
    launch must take the full path (see the module's docstring)."""
    protect_sqlite_file(path, create=False)  # its errors are the clinician's to read
    try:
        with closing(_connect(path)) as conn:
            return _read(conn, username, today, now)
    except (_Unusual, sqlite3.Error):
        return None


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit: the transaction below is begun and ended here, as the engine does.
    conn = sqlite3.connect(path, timeout=LOCK_WAIT_SECONDS, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        conn.execute(pragma)
    return conn


def _read(
    conn: sqlite3.Connection, username: str, today: date, now: Callable[[], datetime]
) -> FirstScreen:
    conn.execute("BEGIN IMMEDIATE")  # a write, as every audited read is
    try:
        found = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()  # noqa: S608
        if found != [(head_revision(),)]:
            raise _Unusual("not at the head schema")
        clinician = conn.execute(
            "SELECT id, username, display_name FROM clinician WHERE username = :u",
            {"u": username},
        ).fetchone()
        if clinician is None:
            raise _Unusual("a new clinician")
        actor = Actor(*clinician)
        records = conn.execute(caseload_sql(sqlite=True), caseload_params(actor.clinician_id))
        rows = caseload_rows(records, today)
        _audit(conn, actor.username, audit_detail(rows), now())
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return FirstScreen(actor, rows)


def _audit(conn: sqlite3.Connection, os_user: str, detail: str, at: datetime) -> None:
    """Append the view to the audit chain and move its head, by the same rules as
    `services.audit.record` (`audit_chain.append`); only the statements differ."""
    found = conn.execute(
        "SELECT events, last_id, last_hash FROM audit_head WHERE id = :id", {"id": HEAD_ID}
    ).fetchone()
    if found is None:
        raise _Unusual("no chain head")  # the full path starts one, and verify reports it
    head = ChainHead(*found)
    content = EventContent(at, os_user, AUDIT_ACTION, AUDIT_ENTITY, None, None, detail)
    link = append(head, content)
    stored = {
        **asdict(content),
        "at": sqlite_datetime(at),
        "prev_hash": link.prev_hash,
        "hash": link.hash,
    }
    cursor = conn.execute(
        "INSERT INTO audit_event"
        " (at, os_user, action, entity, entity_id, client_id, detail, prev_hash, hash)"
        " VALUES (:at, :os_user, :action, :entity, :entity_id, :client_id, :detail,"
        " :prev_hash, :hash)",
        stored,
    )
    assert cursor.lastrowid is not None
    moved = link.moved(head, cursor.lastrowid)
    conn.execute(
        "UPDATE audit_head SET events = :events, last_id = :last_id, last_hash = :last_hash"
        " WHERE id = :id",
        {**asdict(moved), "id": HEAD_ID},
    )


def sqlite_datetime(at: datetime) -> str:
    """*at* as the ORM stores it in SQLite (naive UTC, `models.UtcDateTime`, in
    SQLAlchemy's text form): the chain hashes the value read back, so it must be the same
    text. A test holds this to SQLAlchemy's own."""
    return at.astimezone(UTC).strftime(SQLITE_DATETIME)
