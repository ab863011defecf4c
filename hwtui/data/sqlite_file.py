"""The SQLite file: where it is by default, how it is protected, how it is opened.

Plain Python and `sqlite3`: shared by the ORM's engine (`hwtui.data.db`) and the launch's
first read (`hwtui.data.first_screen`), which runs before SQLAlchemy is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

from hwtui.data.errors import DatabaseProblem

DB_FILENAME = "hwtui.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Run on every new connection: write-ahead log, a commit is on disk when it returns, and
# references are enforced.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)


def default_sqlite_path() -> Path:
    from hwtui.config import data_dir

    return data_dir() / DB_FILENAME


def protect_sqlite_file(path: Path) -> None:
    """Create the file's directory 0700 and the file itself 0600 before SQLite opens it.

    SQLite gives its -wal and -shm files the main file's mode, so those follow.
    """
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True)
        parent.chmod(0o700)
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise DatabaseProblem(f"cannot create {path}: {exc.strerror}") from None
        else:
            os.close(fd)
    elif not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseProblem(f"cannot read and write {path}: permission denied")
    if path.stat().st_uid == os.getuid():
        path.chmod(0o600)
