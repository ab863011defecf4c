"""Backups: an online copy of the SQLite database, private, checked, and restorable;
PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from hwtui.data import backup as backup_module
from hwtui.data import migrate
from hwtui.data.backup import BackupReport, backup, check_copy, copy_sqlite
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.errors import HwtuiError
from hwtui.data.services import audit
from tests.conftest import TODAY
from tests.helpers import events_after, last_event_id

ALL_TABLES = sorted([*SQLModel.metadata.tables, "alembic_version"])


@pytest.fixture
def practice(sqlite_db: Database) -> Database:
    generate(sqlite_db, clinician="dr_test", clients=3, weeks=5, seed=9, today=TODAY)
    return sqlite_db


def _counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
            for name in ALL_TABLES
        }


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for name, table in SQLModel.metadata.tables.items():
            query = select(table).order_by(*table.primary_key.columns)
            out[name] = [tuple(row) for row in s.connection().execute(query)]
    return out


def _side_files(dest: Path) -> list[Path]:
    return [p for p in dest.parent.iterdir() if p.name.startswith(dest.name) and p != dest]


def test_backup_writes_a_private_checked_copy(practice: Database, tmp_path: Path) -> None:
    assert practice.path is not None
    dest = tmp_path / "backups" / "hwtui-copy.sqlite3"
    dest.parent.mkdir()
    expected = _counts(practice.path)
    report = backup(practice, dest, username="dr_test")
    assert report == BackupReport(dest, "ok", expected)
    assert report.rows == sum(expected.values())
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert _side_files(dest) == []  # one self-contained file
    assert _counts(dest) == expected
    # The backup itself is recorded, after the copy was taken.
    assert _counts(practice.path)["audit_event"] == expected["audit_event"] + 1


def test_a_backup_restores_the_same_data(practice: Database, tmp_path: Path) -> None:
    dest = tmp_path / "copy.sqlite3"
    backup(practice, dest, username="dr_test")
    restored = Database(dest)
    try:
        assert migrate.status(restored).state is migrate.SchemaState.CURRENT
        original, copied = _rows(practice), _rows(restored)
        # The one event the copy cannot hold is the one recording the backup; the
        # copy's chain head ends one event earlier.
        assert original.pop("audit_event")[:-1] == copied.pop("audit_event")
        [(_, events, _, _)] = original.pop("audit_head")
        assert [row[:2] for row in copied.pop("audit_head")] == [(1, events - 1)]
        assert copied == original
        with restored.read() as s:
            assert audit.verify_chain(s).ok
    finally:
        restored.dispose()


def test_backup_is_audited(practice: Database, tmp_path: Path) -> None:
    before = last_event_id(practice)
    report = backup(practice, tmp_path / "copy.sqlite3", username="dr_test")
    [event] = events_after(practice, before)
    assert (event.action, event.entity, event.os_user) == ("backup", "database", "dr_test")
    assert f"rows={report.rows}" in event.detail


def test_the_copy_is_one_moment_while_another_writer_is_busy(
    practice: Database, tmp_path: Path
) -> None:
    """Online: an open write transaction neither blocks the copy nor leaks into it."""
    assert practice.path is not None
    before = _counts(practice.path)
    dest = tmp_path / "copy.sqlite3"
    with closing(sqlite3.connect(practice.path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM measure")
        counts = copy_sqlite(practice.path, dest)
        writer.execute("ROLLBACK")
    assert counts == before
    assert counts["measure"] > 0
    assert check_copy(dest, counts) == "ok"


def test_no_copy_is_kept_if_its_audit_event_cannot_be_written(
    practice: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise HwtuiError("database error: database is locked")

    monkeypatch.setattr(backup_module.audit, "record", refuse)
    dest = tmp_path / "copy.sqlite3"
    with pytest.raises(HwtuiError, match="locked"):
        backup(practice, dest, username="dr_test")
    assert not dest.exists()
    assert _side_files(dest) == []


def test_backup_never_overwrites(practice: Database, tmp_path: Path) -> None:
    dest = tmp_path / "precious.sqlite3"
    dest.write_bytes(b"precious")
    with pytest.raises(HwtuiError, match="already exists; a backup is only written to a new"):
        backup(practice, dest, username="dr_test")
    assert dest.read_bytes() == b"precious"


def test_a_stale_side_file_is_refused(practice: Database, tmp_path: Path) -> None:
    """A leftover DEST-wal would be read as part of the new copy."""
    stale = tmp_path / "copy.sqlite3-wal"
    stale.write_bytes(b"left over")
    with pytest.raises(HwtuiError, match=r"copy\.sqlite3-wal already exists"):
        backup(practice, tmp_path / "copy.sqlite3", username="dr_test")
    assert not (tmp_path / "copy.sqlite3").exists()


def test_backup_into_a_missing_folder(practice: Database, tmp_path: Path) -> None:
    dest = tmp_path / "nowhere" / "copy.sqlite3"
    with pytest.raises(HwtuiError, match="does not exist"):
        backup(practice, dest, username="dr_test")
    assert not dest.parent.exists()


def test_backup_into_a_folder_without_write_permission(
    practice: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests may run as root, who writes anywhere: the refusal is simulated.
    dest = tmp_path / "copy.sqlite3"
    real_open = os.open

    def deny(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        if Path(path) == dest:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(HwtuiError, match=r"cannot write .*copy\.sqlite3: Permission denied"):
        backup(practice, dest, username="dr_test")
    assert not dest.exists()


def test_a_copy_that_fails_its_check_is_removed(
    practice: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(dest: Path, expected: dict[str, int]) -> str:
        raise HwtuiError("the backup failed its integrity check (test), so it was removed")

    monkeypatch.setattr(backup_module, "check_copy", failing)
    dest = tmp_path / "copy.sqlite3"
    before = last_event_id(practice)
    with pytest.raises(HwtuiError, match="integrity check"):
        backup(practice, dest, username="dr_test")
    assert not dest.exists()
    assert _side_files(dest) == []
    assert events_after(practice, before) == []


def test_the_check_finds_a_damaged_copy(practice: Database, tmp_path: Path) -> None:
    assert practice.path is not None
    dest = tmp_path / "copy.sqlite3"
    counts = copy_sqlite(practice.path, dest)
    assert check_copy(dest, counts) == "ok"
    page = 4096
    with dest.open("r+b") as handle:  # scribble over every page but the header
        size = handle.seek(0, 2)
        handle.seek(page)
        handle.write(b"\xa5" * (size - page))
    with pytest.raises(HwtuiError, match="failed its integrity check"):
        check_copy(dest, counts)


def test_the_check_compares_row_counts(practice: Database, tmp_path: Path) -> None:
    assert practice.path is not None
    dest = tmp_path / "copy.sqlite3"
    counts = copy_sqlite(practice.path, dest)
    with pytest.raises(HwtuiError, match=r"row counts differ .*\(table review\)"):
        check_copy(dest, {**counts, "review": counts["review"] + 1})


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgresql_is_pointed_at_pg_dump(db: Database, tmp_path: Path) -> None:
    dest = tmp_path / "copy.dump"
    with pytest.raises(HwtuiError, match=r"pg_dump --format=custom --file=hwtui.dump hwtui_t_"):
        backup(db, dest, username="dr_test")
    assert not dest.exists()
