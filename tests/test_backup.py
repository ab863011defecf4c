"""Backups: an online copy of the SQLite database, private, checked, and restorable;
PostgreSQL is pointed at pg_dump."""

from __future__ import annotations

import errno
import fcntl
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
from hwtui.data import migrate, staged_file
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


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder for backups alone (the database is in tmp_path)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


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


def _left_in(folder: Path) -> list[str]:
    """Every name in *folder*: a failed backup leaves none, a good one only its file."""
    return sorted(p.name for p in folder.iterdir())


def _rollback_journal(path: Path) -> bool:
    """The file header's read/write versions: 1 is a rollback journal, 2 is WAL."""
    with path.open("rb") as handle:
        header = handle.read(20)
    return header[18:20] == b"\x01\x01"


def test_backup_writes_a_private_checked_copy(practice: Database, tmp_path: Path) -> None:
    assert practice.path is not None
    dest = tmp_path / "backups" / "hwtui-copy.sqlite3"
    dest.parent.mkdir()
    expected = _counts(practice.path)
    report = backup(practice, dest, username="dr_test")
    assert report == BackupReport(dest, "ok", expected)
    assert report.rows == sum(expected.values())
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    # One self-contained file: no temporary, journal or WAL beside it, and none needed.
    assert _left_in(dest.parent) == [dest.name]
    assert _rollback_journal(dest)
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
    dest = tmp_path / "backups" / "copy.sqlite3"
    dest.parent.mkdir()
    with pytest.raises(HwtuiError, match="locked"):
        backup(practice, dest, username="dr_test")
    assert _left_in(dest.parent) == []


def test_backup_never_overwrites(practice: Database, out: Path) -> None:
    dest = out / "precious.sqlite3"
    dest.write_bytes(b"precious")
    before = last_event_id(practice)
    with pytest.raises(HwtuiError, match="already exists; a backup is only written to a new"):
        backup(practice, dest, username="dr_test")
    assert dest.read_bytes() == b"precious"
    assert _left_in(out) == ["precious.sqlite3"]
    assert events_after(practice, before) == []


def test_backup_never_follows_a_symlink_at_dest(practice: Database, out: Path) -> None:
    target = out / "elsewhere.sqlite3"
    (out / "copy.sqlite3").symlink_to(target)  # dangling: nothing is there yet
    with pytest.raises(HwtuiError, match="already exists"):
        backup(practice, out / "copy.sqlite3", username="dr_test")
    assert not target.exists()


def test_a_file_appearing_at_dest_meanwhile_is_kept(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refused at the last moment too: linking into place never replaces a file."""
    dest = out / "copy.sqlite3"
    real_publish = staged_file.publish

    def racing(tmp: staged_file.Staged) -> None:
        dest.write_bytes(b"someone else's")
        real_publish(tmp)

    monkeypatch.setattr(staged_file, "publish", racing)
    with pytest.raises(HwtuiError, match=r"copy\.sqlite3 already exists"):
        backup(practice, dest, username="dr_test")
    assert dest.read_bytes() == b"someone else's"
    assert _left_in(out) == ["copy.sqlite3"]


def test_the_audit_event_is_committed_before_the_copy_appears(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a run killed at any moment never leaves a copy without its event."""
    dest = out / "copy.sqlite3"
    before = last_event_id(practice)
    seen: list[tuple[bool, list[str]]] = []
    real_publish = staged_file.publish

    def watched(tmp: staged_file.Staged) -> None:
        # Another connection sees the event already: it is committed, not pending.
        seen.append((dest.exists(), [e.detail for e in events_after(practice, before)]))
        real_publish(tmp)

    monkeypatch.setattr(staged_file, "publish", watched)
    report = backup(practice, dest, username="dr_test")
    [(existed, details)] = seen
    assert not existed
    [detail] = details
    assert detail.startswith(f"to={dest} tables={len(report.tables)} rows={report.rows}")
    assert "after this event" in detail


def test_the_copy_is_synced_before_it_is_published(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_fsync = os.fsync
    real_link = os.link

    def fsync(fd: int) -> None:
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        calls.append(f"fsync {kind}")
        real_fsync(fd)

    def link(src: Any, dst: Any, **kwargs: Any) -> None:
        calls.append("link")
        real_link(src, dst, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "link", link)
    backup(practice, out / "copy.sqlite3", username="dr_test")
    assert calls[-3:] == ["fsync file", "link", "fsync folder"]


def test_without_hard_links_the_copy_is_renamed_into_place(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT and exFAT (many USB drives) have no hard links."""

    def no_links(src: Any, dst: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", str(src))

    monkeypatch.setattr(os, "link", no_links)
    dest = out / "copy.sqlite3"
    report = backup(practice, dest, username="dr_test")
    assert _counts(dest) == report.tables
    assert _left_in(out) == ["copy.sqlite3"]


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


def test_a_copy_not_known_to_be_on_disk_is_taken_back(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder's fsync fails after the link: the run fails and leaves no file, only the
    audit event (which says the file comes after it)."""
    real_fsync = os.fsync

    def failing_folder(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_folder)
    before = last_event_id(practice)
    with pytest.raises(HwtuiError, match=r"Input/output error; nothing was written, check"):
        backup(practice, out / "copy.sqlite3", username="dr_test")
    assert _left_in(out) == []
    assert [e.action for e in events_after(practice, before)] == ["backup"]


def test_a_temporary_taken_by_another_runs_clean_up_is_made_again(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between creating its temporary and locking it, another run may remove it as stale."""
    real_flock = fcntl.flock
    taken: list[str] = []

    def racing(fd: int, operation: int) -> None:
        if not taken:
            [name] = os.listdir(out)
            taken.append(name)
            staged_file.remove_stale(out)  # unlocked yet: taken for a dead run's
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", racing)
    backup(practice, out / "copy.sqlite3", username="dr_test")
    assert taken[0].startswith(".copy.sqlite3.hwtui-tmp-")
    assert _left_in(out) == ["copy.sqlite3"]


def test_backup_into_a_folder_without_write_permission(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests may run as root, who writes anywhere: the refusal is simulated.
    dest = out / "copy.sqlite3"
    real_open = os.open

    def deny(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        if Path(path).parent == out and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    with pytest.raises(HwtuiError) as caught:
        backup(practice, dest, username="dr_test")
    assert str(caught.value) == (
        f"cannot write {dest}: Permission denied; nothing was written, "
        "choose a folder you can write to"
    )
    assert _left_in(out) == []


def test_a_full_disk_leaves_nothing(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = out / "copy.sqlite3"

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    before = last_event_id(practice)
    with pytest.raises(HwtuiError, match=r"No space left on device; nothing was written, free"):
        backup(practice, dest, username="dr_test")
    assert _left_in(out) == []
    assert events_after(practice, before) == []


def test_a_full_disk_while_copying_leaves_nothing(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: Path, target: Path) -> dict[str, int]:
        target.write_bytes(b"half a page")
        Path(f"{target}-journal").write_bytes(b"hot")
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(backup_module, "copy_into", full)
    with pytest.raises(HwtuiError, match=r"disk is full; nothing was written, free some space"):
        backup(practice, out / "copy.sqlite3", username="dr_test")
    assert _left_in(out) == []


def test_a_very_long_name_still_gets_a_temporary(practice: Database, out: Path) -> None:
    # 249 bytes (255 is the most a name may hold); cut short, the temporary splits an é.
    dest = out / ("x" + "é" * 120 + ".sqlite3")
    backup(practice, dest, username="dr_test")
    assert _left_in(out) == [dest.name]


def test_a_copy_that_fails_its_check_is_removed(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(dest: Path, expected: dict[str, int]) -> str:
        raise HwtuiError("the backup failed its integrity check (test), so it was removed")

    monkeypatch.setattr(backup_module, "check_copy", failing)
    dest = out / "copy.sqlite3"
    before = last_event_id(practice)
    with pytest.raises(HwtuiError, match="integrity check"):
        backup(practice, dest, username="dr_test")
    assert _left_in(out) == []  # neither the copy nor its temporary
    assert events_after(practice, before) == []


def test_a_copy_with_wrong_row_counts_is_not_published(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_copy = backup_module.copy_into

    def miscounted(source: Path, target: Path) -> dict[str, int]:
        counts = real_copy(source, target)
        return {**counts, "review": counts["review"] + 1}

    monkeypatch.setattr(backup_module, "copy_into", miscounted)
    dest = out / "copy.sqlite3"
    with pytest.raises(HwtuiError) as caught:
        backup(practice, dest, username="dr_test")
    assert str(caught.value).startswith(
        f"no backup written to {dest}: the copy's row counts differ from the database's "
        "(table review)"
    )
    assert _left_in(out) == []


def _leftover(folder: Path, dest_name: str, *sides: str) -> list[Path]:
    main = folder / staged_file.temporary_name(folder / dest_name)
    paths = [main, *(Path(f"{main}{side}") for side in sides)]
    for path in paths:
        path.write_bytes(b"left by a killed run")
    return paths


def test_leftovers_of_killed_runs_are_removed_by_the_next(practice: Database, out: Path) -> None:
    mine = _leftover(out, "copy.sqlite3", "-journal")
    other_dest = _leftover(out, "monday.sqlite3", "-wal", "-shm")
    [orphan_main, orphan] = _leftover(out, "tuesday.sqlite3", "-journal")
    orphan_main.unlink()  # a journal whose temporary is gone
    report = backup(practice, out / "copy.sqlite3", username="dr_test")
    assert sorted(report.removed) == sorted([*mine, *other_dest, orphan])
    assert _left_in(out) == ["copy.sqlite3"]


def test_what_is_not_a_dead_runs_leftover_is_kept(practice: Database, out: Path) -> None:
    [running, running_journal] = _leftover(out, "copy.sqlite3", "-journal")
    precious = out / "precious.sqlite3"
    precious.write_bytes(b"precious")
    # Symlinks named like leftovers: neither removed nor followed.
    link = out / staged_file.temporary_name(out / "copy.sqlite3")
    link.symlink_to(precious)
    Path(f"{link}-journal").symlink_to(precious)
    unlike = [out / ".copy.sqlite3.hwtui-tmp-notmine", out / "copy.sqlite3.hwtui-tmp"]
    for path in unlike:
        path.write_bytes(b"not hwtui's")
    (out / staged_file.temporary_name(out / "copy.sqlite3")).mkdir()
    kept = _left_in(out)
    # A temporary whose writer is alive is locked (flock: per open file, so this one
    # conflicts even within the process).
    with open(running, "rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        report = backup(practice, out / "new.sqlite3", username="dr_test")
    assert report.removed == ()
    assert _left_in(out) == sorted([*kept, "new.sqlite3"])
    assert precious.read_bytes() == b"precious"
    assert running_journal.read_bytes() == b"left by a killed run"


def test_another_users_leftovers_are_kept(
    practice: Database, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = _leftover(out, "copy.sqlite3", "-journal")
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 4242)
    report = backup(practice, out / "new.sqlite3", username="dr_test")
    assert report.removed == ()
    assert all(path.exists() for path in theirs)


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
    with pytest.raises(HwtuiError, match="the copy failed its integrity check"):
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
