"""The SQLite file: where it is by default, how it is protected, how it is opened.

Plain Python and `sqlite3`: shared by the ORM's engine (`hwtui.data.db`) and the launch's
first read (`hwtui.data.first_screen`), which runs before SQLAlchemy is loaded.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from hwtui.data.errors import DatabaseProblem

DB_FILENAME = "hwtui.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Run on every new connection: a commit is on disk when it returns, and references are
# enforced. The write-ahead log is a property of the file, set once when hwtui creates or
# upgrades it (`SQLITE_WAL`): opening someone else's file must not change it.
SQLITE_PRAGMAS = (
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)
SQLITE_WAL = "PRAGMA journal_mode = WAL"
SQLITE_HEADER = b"SQLite format 3\x00"


def default_sqlite_path() -> Path:
    from hwtui.config import data_dir

    return data_dir() / DB_FILENAME


def protect_sqlite_file(
    path: Path, *, create: bool = True, make_parent: bool = False, tidy: bool = True
) -> bool:
    """Check *path* is a database file hwtui may use, before SQLite opens it; make it 0600.

    hwtui touches only what it made or has checked is an SQLite database of its user: a
    symbolic link, a device, a folder or a file that is not SQLite is refused as it is,
    never created, changed or chmod-ed. A missing file is created (0600) only with
    *create*, in an existing folder (or, with *make_parent*, the platform data folder it
    makes 0700). Every refusal is one line naming the path and what to do. A file of
    another user's, or one other users can read or write, is refused (`_refuse_shared`).
    True when the file was made here. Not *tidy* (a read-only command): the checks only,
    no chmod. SQLite gives its -wal and -shm files the main file's mode, so those follow.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise DatabaseProblem(os_problem(path, exc)) from None
    if info is None:
        if not create:
            raise DatabaseProblem(
                f"there is no database at {path}: check the path, or create one with "
                f"`hwtui db init --db {path}`"
            )
        _create(path, make_parent=make_parent)
        return True
    if stat.S_ISLNK(info.st_mode):
        raise DatabaseProblem(
            f"{path} is a symbolic link: give the path of the database file itself"
        )
    if not stat.S_ISREG(info.st_mode):
        raise DatabaseProblem(f"{path} is not a regular file, so it cannot be a database")
    if not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseProblem(f"cannot read and write {path}: permission denied")
    if info.st_size == 0:
        if not create:  # a file hwtui began and never finished, or someone else's
            raise DatabaseProblem(
                f"{path} is empty, not a database: create one with `hwtui db init --db {path}`"
            )
    elif not _is_sqlite(path):
        raise DatabaseProblem(f"{path} is not an SQLite database (hwtui left it as it was)")
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseProblem(
            f"cannot use {path}: its folder {folder} is read-only for you, and SQLite keeps "
            "its -wal and -shm files there; use a folder you can write"
        )
    _refuse_shared(path, info)
    if tidy and stat.S_IMODE(info.st_mode) != 0o600:
        os.chmod(path, 0o600, follow_symlinks=False)  # e.g. 0400: hwtui writes it
    return False


# Where the README explains the practice server.
SHARED_PRACTICE = "to share a practice, use PostgreSQL (README: PostgreSQL for a practice server)"


def _refuse_shared(path: Path, info: os.stat_result) -> None:
    """An SQLite file is one clinician's own: one that belongs to another user, or that
    other users can read or write, is refused as it is (issue 18). Making it 0600 at every
    open locked colleagues out of a file an administrator had shared on purpose, while
    the sharing let each of them read every other's clients with `sqlite3`."""
    if info.st_uid != os.getuid():
        raise DatabaseProblem(
            f"{path} belongs to another user ({_user(info.st_uid)}): an SQLite database "
            f"is one clinician's own; {SHARED_PRACTICE}"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise DatabaseProblem(
            f"{path} can be read or written by other users (mode {mode:04o}): keep it "
            f"yours with `chmod 600 {path}`; {SHARED_PRACTICE}"
        )


def _user(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def remove_new_database(path: Path) -> None:
    """Remove a database file this process made (and SQLite's files beside it), after
    what it was made for failed: a failed `import` leaves nothing behind."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _is_sqlite(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise DatabaseProblem(os_problem(path, exc)) from None
    try:
        return os.read(fd, len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError as exc:
        raise DatabaseProblem(os_problem(path, exc)) from None
    finally:
        os.close(fd)


def _create(path: Path, *, make_parent: bool) -> None:
    folder = path.parent
    if not folder.is_dir():
        if not make_parent:
            raise DatabaseProblem(
                f"cannot create {path}: the folder {folder} does not exist (hwtui creates "
                "only the file; check the path)"
            )
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise DatabaseProblem(os_problem(folder, exc)) from None
        folder.chmod(0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise DatabaseProblem(os_problem(path, exc)) from None
    os.close(fd)


def os_problem(path: Path | str, exc: OSError) -> str:
    """An OS error about *path* as one line a person can act on."""
    cause = exc.strerror or str(exc)
    hint = {
        errno.ENOENT: "check the path",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EACCES: "you may not use it or a folder on the way to it",
        errno.EPERM: "you may not use it",
        errno.ENOSPC: "the disk is full; free some space and try again",
        errno.EROFS: "that file system is read-only",
        errno.ELOOP: "it is a symbolic link; give the file's own path",
        errno.EISDIR: "it is a folder",
    }.get(exc.errno or 0)
    return f"cannot use {path}: {cause}" + (f" ({hint})" if hint else "")
