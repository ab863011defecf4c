"""Backups of the SQLite database: an online copy that is checked before it is trusted,
and that appears at its destination whole or not at all.

The copy is taken with SQLite's online backup API while hwtui may be in use: the pages
are read inside one read transaction on the source, so the copy is one consistent
moment even if a review is being saved meanwhile, and the row counts it is checked
against are counted inside that same transaction.

The copy is written to a private temporary beside the destination (`staged_file`), made
one standalone file (rollback journal, nothing beside it), checked (`PRAGMA
integrity_check` must say "ok" and every table must hold as many rows as the source
did), fsynced, and only then linked into place, never over an existing file. The audit
event is committed before that link: a process killed at any moment leaves either no
file, or an event without a file, but never a copy of client data without its event.
Whatever a killed run leaves behind, the next backup into that folder removes.

PostgreSQL databases are backed up with `pg_dump` (see the README); hwtui does not
wrap it, because the dump must run as a role that can read every clinician's rows.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from hwtui.data import staged_file
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.services import audit
from hwtui.data.services.identity import os_username
from hwtui.data.staged_file import SIDE_FILES
from hwtui.data.text import strip_controls

_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}
_SQLITE_FULL = 13  # sqlite3.Error.sqlite_errorcode (primary code) of a full disk


class CheckFailed(HwtuiError):
    """The copy is not what was copied; the message says how."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    integrity: str  # what `PRAGMA integrity_check` said about the copy: "ok"
    tables: dict[str, int]  # rows per table, equal in the database and the copy
    # Leftovers of interrupted backups removed from the folder first.
    removed: tuple[Path, ...] = ()

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backup(db: Database, dest: Path, *, username: str | None = None) -> BackupReport:
    """Copy the database to *dest* (a new file, 0600), check the copy, audit it, put it
    in place. On any failure *dest* is not created and no temporary is left.

    PostgreSQL: an HwtuiError saying how to use pg_dump instead.
    """
    if db.path is None:
        name = db.url.database or "hwtui"
        raise HwtuiError(
            "hwtui backup copies SQLite databases; back up PostgreSQL with pg_dump as the "
            f"schema owner, e.g. `pg_dump --format=custom --file=hwtui.dump {name} "
            "--enable-row-security` (see the README, Backups)"
        )
    dest = dest.expanduser()
    _check_new(dest)
    removed = tuple(staged_file.remove_stale(dest.parent))
    try:
        with staged_file.staged(dest) as tmp:
            counts = copy_into(db.path, tmp.path)
            integrity = check_copy(tmp.path, counts)
            staged_file.sync(tmp)
            _record(db, dest, counts, username)
            _check_new(dest)  # a stale DEST-journal appearing now would be applied to it
            staged_file.publish(tmp)
    except CheckFailed as exc:
        raise HwtuiError(f"no backup written to {dest}: {exc}") from None
    except FileExistsError as exc:
        if exc.filename != str(dest):
            raise HwtuiError(_cannot_write(dest, exc)) from None
        raise HwtuiError(f"{dest} already exists; a backup is only written to a new file") from None
    except OSError as exc:
        raise HwtuiError(_cannot_write(dest, exc)) from None
    except sqlite3.Error as exc:
        raise HwtuiError(_copy_failed(dest, exc)) from None
    return BackupReport(dest, integrity, counts, removed)


def _record(db: Database, dest: Path, counts: dict[str, int], username: str | None) -> None:
    """The audit event, committed before the copy is put in place (so no copy exists
    without it); if the run stops in between, the event names a file that never appeared."""
    where = strip_controls(str(dest.absolute()))
    detail = (
        f"to={where} tables={len(counts)} rows={sum(counts.values())}, "
        "put in place after this event"
    )
    with db.write() as session:
        audit.record(session, username or os_username(), "backup", "database", detail=detail)


def _check_new(dest: Path) -> None:
    # A stale DEST-journal or DEST-wal would be read as part of the new copy.
    for path in (dest, *(Path(f"{dest}{suffix}") for suffix in SIDE_FILES)):
        if os.path.lexists(path):
            raise HwtuiError(f"{path} already exists; a backup is only written to a new file")
    if not dest.parent.is_dir():
        raise HwtuiError(f"cannot write {dest}: the folder {dest.parent} does not exist")


def _cannot_write(dest: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    # The temporary's name says nothing to a person; any other file (the folder) does.
    where = os.fsdecode(exc.filename) if exc.filename else ""
    if where and where != str(dest) and staged_file.MARK not in Path(where).name:
        reason = f"{reason} ({where})"
    if exc.errno in _NO_SPACE:
        advice = "free some space there or choose another place"
    elif exc.errno in _NOT_ALLOWED:
        advice = "choose a folder you can write to"
    else:
        advice = "check the folder and try again"
    return f"cannot write {dest}: {reason}; nothing was written, {advice}"


def _copy_failed(dest: Path, exc: sqlite3.Error) -> str:
    if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL:
        advice = "free some space there or choose another place"
    else:
        advice = "try again; if it fails again, check the database and the folder"
    return f"the backup to {dest} failed: {exc}; nothing was written, {advice}"


def copy_sqlite(source: Path, dest: Path) -> dict[str, int]:
    """Copy the live database *source* into the new file *dest* (0600).

    Returns the source's rows per table at the moment copied. Raises FileExistsError
    if *dest* exists; on any failure the partial copy is removed. (Unstaged: a process
    killed meanwhile leaves a partial file; `backup` stages its copy instead.)
    """
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    try:
        return copy_into(source, dest)
    except BaseException:
        staged_file.remove_with_side_files(dest)
        raise


def copy_into(source: Path, target: Path) -> dict[str, int]:
    """Copy the live database *source* into *target*, an empty file, as one standalone
    database (rollback journal, no file beside it).

    Returns the source's rows per table at the moment copied.
    """
    # mode=rw: never create an empty database where the source should be.
    uri = f"{source.absolute().as_uri()}?mode=rw"
    with (
        closing(sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)) as src,
        closing(sqlite3.connect(target, isolation_level=None)) as dst,
    ):
        src.execute("BEGIN")
        # The first read fixes the snapshot; the backup below copies that same
        # snapshot, because it runs inside this open read transaction.
        counts = count_rows(src)
        src.backup(dst)
        src.execute("COMMIT")
        # The pages copied say WAL; the copy is one self-contained file instead, with
        # no -wal to be lost beside it.
        dst.execute("PRAGMA journal_mode = DELETE")
    for suffix in SIDE_FILES:  # all closed: SQLite removed them, or something is wrong
        if os.path.lexists(f"{target}{suffix}"):
            raise sqlite3.OperationalError(f"the copy left {target.name}{suffix} beside it")
    return counts


def count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of the database, by table name."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # The names come from the database's own catalogue; quoting keeps odd ones whole.
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: conn.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608
        for name in names
    }


def check_copy(path: Path, expected: dict[str, int]) -> str:
    """ "ok", or CheckFailed saying what is wrong with the copy at *path*.

    Opened read-only: the check changes nothing and leaves nothing beside the copy.
    """
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            counts = count_rows(conn)
    except sqlite3.DatabaseError as exc:  # too damaged to even be checked
        result, counts = [str(exc)], {}
    if result != ["ok"]:
        raise CheckFailed(
            f"the copy failed its integrity check ({result[0]}); "
            "the database itself may be damaged, check it with `PRAGMA integrity_check`"
        )
    if counts != expected:
        differ = sorted(set(counts) ^ set(expected)) or [
            name for name in expected if counts[name] != expected[name]
        ]
        raise CheckFailed(
            f"the copy's row counts differ from the database's (table {differ[0]}); "
            "try again, and if it fails again check the database"
        )
    return "ok"
