"""The app's database: open already, or opened on first use by whichever thread asks first.

Plain Python, no SQLAlchemy at import: the everyday launch builds the app around one of
these before the ORM is loaded (see `hwtui.launch`), and a worker opens it once the
caseload is on screen. Every other caller (the full launch, the tests, the bench) hands
over a database that is open already.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hwtui.data.db import Database


class LazyDatabase:
    """A `Database`, or the recipe that opens one, opened once under a lock."""

    def __init__(self, open_database: Callable[[], Database]) -> None:
        """*open_database* runs at most once successfully, in the thread that first calls
        `get` (a worker, as a rule: it loads the ORM and may read the disk)."""
        self._open = open_database
        self._db: Database | None = None
        self._failed = False
        self._lock = threading.Lock()

    @classmethod
    def of(cls, db: Database) -> LazyDatabase:
        """A database that is open already."""
        lazy = cls(lambda: db)
        lazy._db = db
        return lazy

    @property
    def opened(self) -> bool:
        return self._db is not None

    @property
    def failed(self) -> bool:
        """The last try to open it failed. The error went to whoever asked (a worker shows
        it); the next `get` tries again, since what failed may be passing (a full disk,
        another process's lock)."""
        return self._failed

    def get(self) -> Database:
        """The database, opened now if it is not yet; threads asking meanwhile wait."""
        db = self._db
        if db is not None:
            return db
        with self._lock:
            if self._db is None:
                try:
                    self._db = self._open()
                except BaseException:
                    self._failed = True
                    raise
                self._failed = False
            return self._db

    def close(self) -> None:
        """Let go of the database's connections, if it was opened (waiting for an opening
        under way). Using it afterwards reconnects, as a disposed engine does."""
        with self._lock:
            if self._db is not None:
                self._db.dispose()
