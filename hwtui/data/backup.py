"""Backups of the SQLite database: an online copy that is checked before it is trusted.

The copy is taken with SQLite's online backup API while hwtui may be in use: the pages
are read inside one read transaction on the source, so the copy is one consistent
moment even if a review is being saved meanwhile, and the row counts it is checked
against are counted inside that same transaction. The copy is a new file, created
0600, never an existing one; then `PRAGMA integrity_check` must say "ok" and every
table must hold as many rows as the source did. A copy that fails is removed, so a
file that exists is a good backup.

PostgreSQL databases are backed up with `pg_dump` (see the README); hwtui does not
wrap it, because the dump must run as a role that can read every clinician's rows.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.services import audit
from hwtui.data.services.identity import os_username
from hwtui.data.text import strip_controls

# What SQLite may keep next to a database file; a stale one would be read as part of
# the new copy, so none may exist beforehand.
SIDE_FILES = ("-journal", "-wal", "-shm")


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    integrity: str  # what `PRAGMA integrity_check` said about the copy: "ok"
    tables: dict[str, int]  # rows per table, equal in the database and the copy

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def backup(db: Database, dest: Path, *, username: str | None = None) -> BackupReport:
    """Copy the database to *dest* (a new file, 0600), check the copy, audit it.

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
    try:
        counts = copy_sqlite(db.path, dest)
    except OSError as exc:
        raise HwtuiError(f"cannot write {dest}: {exc.strerror}") from None
    except sqlite3.Error as exc:
        raise HwtuiError(f"the backup to {dest} failed: {exc}") from None
    try:
        integrity = check_copy(dest, counts)
    except HwtuiError:
        remove_copy(dest)
        raise
    detail = f"to={strip_controls(str(dest))} tables={len(counts)} rows={sum(counts.values())}"
    try:
        with db.write() as session:
            audit.record(session, username or os_username(), "backup", "database", detail=detail)
    except HwtuiError:
        remove_copy(dest)  # no copy of client data without its audit event
        raise
    return BackupReport(dest, integrity, counts)


def _check_new(dest: Path) -> None:
    for path in (dest, *(Path(f"{dest}{suffix}") for suffix in SIDE_FILES)):
        if path.exists() or path.is_symlink():
            raise HwtuiError(f"{path} already exists; a backup is only written to a new file")
    if not dest.parent.is_dir():
        raise HwtuiError(f"cannot write {dest}: the folder {dest.parent} does not exist")


def copy_sqlite(source: Path, dest: Path) -> dict[str, int]:
    """Copy the live database *source* into the new file *dest* (0600).

    Returns the source's rows per table at the moment copied. Raises FileExistsError
    if *dest* exists; on any failure the partial copy is removed.
    """
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        # mode=rw: never create an empty database where the source should be.
        uri = f"{source.absolute().as_uri()}?mode=rw"
        with (
            closing(sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)) as src,
            closing(sqlite3.connect(dest, isolation_level=None)) as dst,
        ):
            src.execute("BEGIN")
            # The first read fixes the snapshot; the backup below copies that same
            # snapshot, because it runs inside this open read transaction.
            counts = count_rows(src)
            src.backup(dst)
            src.execute("COMMIT")
            # One self-contained file: the copy keeps no -wal to be lost beside it.
            dst.execute("PRAGMA journal_mode = DELETE")
    except BaseException:
        remove_copy(dest)
        raise
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


def check_copy(dest: Path, expected: dict[str, int]) -> str:
    """ "ok", or an HwtuiError saying what is wrong with the copy."""
    try:
        with closing(sqlite3.connect(dest, isolation_level=None)) as conn:
            result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            counts = count_rows(conn)
    except sqlite3.DatabaseError as exc:  # too damaged to even be checked
        result, counts = [str(exc)], {}
    if result != ["ok"]:
        raise HwtuiError(
            f"the backup failed its integrity check ({result[0]}), so it was removed; "
            "the database itself may be damaged"
        )
    if counts != expected:
        differ = sorted(set(counts) ^ set(expected)) or [
            name for name in expected if counts[name] != expected[name]
        ]
        raise HwtuiError(
            f"the backup's row counts differ from the database's (table {differ[0]}), "
            "so it was removed"
        )
    return "ok"


def remove_copy(dest: Path) -> None:
    """Remove a copy that failed, and whatever SQLite left beside it."""
    for path in (dest, *(Path(f"{dest}{suffix}") for suffix in SIDE_FILES)):
        path.unlink(missing_ok=True)
