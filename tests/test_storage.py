"""Storage: URLs, file protection, SQLite pragmas, IMMEDIATE writes, and constraints."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import select

import hwtui.data.db
from hwtui.data import migrate
from hwtui.data.db import SQLITE_BUSY_TIMEOUT_MS, Database, resolve_url
from hwtui.data.errors import DatabaseProblem
from hwtui.data.models import Assignment, AuditEvent, Client, TaskOutcome
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import Actor, ensure_clinician
from tests.helpers import add_client


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def other_connection(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """A second, independent connection that gives up at once on a lock."""
    assert sqlite_db.path is not None
    conn = sqlite3.connect(sqlite_db.path, timeout=0, isolation_level=None)
    yield conn
    conn.close()


# --- URLs ---


def test_a_path_means_an_absolute_sqlite_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = resolve_url("data/hwtui.sqlite3")
    assert url.drivername == "sqlite+pysqlite"
    assert url.database == str(tmp_path / "data" / "hwtui.sqlite3")
    assert resolve_url(tmp_path / "x.db").database == str(tmp_path / "x.db")
    assert resolve_url("~/h.db").database == str(Path.home() / "h.db")


@pytest.mark.parametrize(
    "given", ["postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg2://u@h/d"]
)
def test_postgresql_uses_psycopg3(given: str) -> None:
    url = resolve_url(given)
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.host, url.database) == ("u", "h", "d")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("mysql://x", "unsupported database 'mysql'"),
        ("   ", "empty"),
        ("sqlite://", "needs a file path"),
        ("sqlite:///:memory:", "needs a file path"),
        ("://nothing", "not a database URL"),
    ],
)
def test_unusable_urls(given: str, message: str) -> None:
    with pytest.raises(DatabaseProblem, match=message):
        resolve_url(given)


def test_passwords_stay_out_of_messages() -> None:
    db = Database("postgresql://u:s3cret@localhost/d")
    try:
        assert "s3cret" not in repr(db)
    finally:
        db.dispose()
    with pytest.raises(DatabaseProblem) as excinfo:
        resolve_url("oracle://u:s3cret@h/d")
    assert "s3cret" not in str(excinfo.value)


# --- SQLite files ---


def test_new_database_is_private(tmp_path: Path) -> None:
    path = tmp_path / "hwtui.sqlite3"
    db = Database(path)
    try:
        assert _mode(path) == 0o600
        migrate.upgrade(db)
        with db.write() as s:
            ensure_clinician(s, "dr_test")
        for suffix in ("-wal", "-shm"):
            sidecar = path.with_name(path.name + suffix)
            assert sidecar.exists(), suffix
            assert _mode(sidecar) == 0o600, suffix
    finally:
        db.dispose()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o660, 0o606])
def test_a_file_other_users_can_read_or_write_is_refused_as_it_is(
    tmp_path: Path, mode: int
) -> None:
    """Issue 18: not made 0600 behind an administrator's back (that locked colleagues
    out), not used either (any of them could read every client with `sqlite3`)."""
    path = tmp_path / "shared.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(mode)
    with pytest.raises(DatabaseProblem) as excinfo:
        Database(path)
    assert str(excinfo.value) == (
        f"{path} can be read or written by other users (mode {mode:04o}): keep it yours "
        f"with `chmod 600 {path}`; to share a practice, use PostgreSQL (README: PostgreSQL "
        "for a practice server)"
    )
    assert _mode(path) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_another_users_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "theirs.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o600)
    os.chown(path, 54321, -1)
    with pytest.raises(DatabaseProblem, match=r"belongs to another user \(uid 54321\)"):
        Database(path)


def test_an_own_read_only_file_is_made_writable_for_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "mine.sqlite3"
    sqlite3.connect(path).close()
    path.chmod(0o400)
    if os.geteuid() != 0:  # root may write it anyway; others are told
        with pytest.raises(DatabaseProblem, match="permission denied"):
            Database(path)
        return
    Database(path).dispose()
    assert _mode(path) == 0o600


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file_is_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    path.touch(mode=0o000)
    with pytest.raises(DatabaseProblem, match="permission denied"):
        Database(path)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(bytes(range(256)) * 64)
    path.chmod(0o644)
    with pytest.raises(DatabaseProblem) as excinfo:
        Database(path)
    assert str(excinfo.value) == f"{path} is not an SQLite database (hwtui left it as it was)"
    assert path.read_bytes() == bytes(range(256)) * 64  # left as it was
    assert _mode(path) == 0o644


def test_check_passes_on_a_good_database(sqlite_db: Database) -> None:
    sqlite_db.check()


# --- SQLite connection settings and locking ---


def test_pragmas_on_every_connection(sqlite_db: Database) -> None:
    for open_session in (sqlite_db.read, sqlite_db.write):
        with open_session() as s:
            pragma = {
                name: s.execute(text(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        assert pragma["journal_mode"] == "wal"
        assert pragma["synchronous"] == 2  # FULL
        assert pragma["busy_timeout"] >= 5000
        assert pragma["busy_timeout"] == SQLITE_BUSY_TIMEOUT_MS
        assert pragma["foreign_keys"] == 1


def test_a_write_takes_the_lock_at_begin(
    sqlite_db: Database, other_connection: sqlite3.Connection
) -> None:
    with sqlite_db.write() as s:
        # Only a read so far: a DEFERRED transaction would not hold the lock yet.
        s.execute(text("SELECT count(*) FROM client")).scalar_one()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other_connection.execute("BEGIN IMMEDIATE")
    # Once committed, the lock is free again.
    other_connection.execute("BEGIN IMMEDIATE")
    other_connection.execute("ROLLBACK")


def test_a_read_does_not_take_the_write_lock(
    sqlite_db: Database, other_connection: sqlite3.Connection
) -> None:
    with sqlite_db.read() as s:
        s.execute(text("SELECT count(*) FROM client")).scalar_one()
        other_connection.execute("BEGIN IMMEDIATE")
        other_connection.execute("ROLLBACK")


def test_write_waits_for_another_writer_then_fails_clearly(
    sqlite_db: Database, other_connection: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short wait keeps the test fast; the real timeout is 10 s.
    monkeypatch.setattr(hwtui.data.db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    impatient = Database(sqlite_db.url)
    other_connection.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseProblem, match="database is locked"), impatient.write() as s:
            s.execute(text("SELECT 1"))
    finally:
        other_connection.execute("ROLLBACK")
        impatient.dispose()
    with impatient.write() as s:  # free again
        s.execute(text("SELECT 1"))


def test_write_rolls_back_on_error(db: Database, me: Actor) -> None:
    def crash_mid_action() -> None:
        with db.write() as s:
            create_client(s, me, code="C01", display_name="Ana")
            raise RuntimeError("the screen crashed")

    with pytest.raises(RuntimeError):
        crash_mid_action()
    with db.read() as s:
        assert s.exec(select(Client)).all() == []
        assert s.exec(select(AuditEvent)).all() == []


# --- constraints, on both backends ---


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(DatabaseProblem, match=r"(?i)foreign key"), db.write() as s:
        s.add(TaskOutcome(review_id=424242, assignment_id=424242, outcome="done"))
    with db.read() as s:
        assert s.exec(select(TaskOutcome)).all() == []


def test_check_constraints_are_enforced(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    for bad in (
        {"confidence": 11},
        {"status": "abandoned"},
    ):
        with pytest.raises(DatabaseProblem, match=r"(?i)check"), db.write() as s:
            s.add(Assignment(client_id=client_id, title="x", kind="custom", **bad))


def test_code_is_unique_per_clinician_in_the_schema(db: Database, me: Actor) -> None:
    add_client(db, me, "C01")
    with pytest.raises(DatabaseProblem, match=r"(?i)unique|duplicate"), db.write() as s:
        s.add(Client(clinician_id=me.clinician_id, code="C01", display_name="Bypass"))


def test_times_come_back_as_aware_utc(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    plus_five = timezone(timedelta(hours=5))
    when = datetime(2026, 11, 25, 14, 30, 15, 123456, tzinfo=plus_five)
    with db.write() as s:
        client = s.get(Client, client_id)
        assert client is not None
        client.archived_at = when
    with db.read() as s:
        stored = s.get(Client, client_id)
    assert stored is not None
    assert stored.archived_at is not None
    assert stored.archived_at.tzinfo is not None
    assert stored.archived_at.utcoffset() == timedelta(0)
    assert stored.archived_at == when.astimezone(UTC)


def test_naive_times_are_refused(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)

    def archive_with_local_time() -> None:
        with db.write() as s:
            client = s.get(Client, client_id)
            assert client is not None
            client.archived_at = datetime(2026, 11, 25, 9, 0)

    with pytest.raises(StatementError, match="naive datetime"):
        archive_with_local_time()
