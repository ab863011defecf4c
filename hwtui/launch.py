"""The launch: from `hwtui` on the command line to the app, built and ready to run.

Why there are two ways. SQLAlchemy, SQLModel, pydantic and Alembic take longer to import
than Textual and the whole first paint together, and a clinician opens hwtui while a
client waits. So the launch makes a plan:

- **first read** (the everyday launch: an SQLite file named by a path, or the practice
  server's `postgresql://` URL): a child process (`FirstRead`) reads the caseload with
  `sqlite3` alone (`data.first_screen`) or psycopg alone (`data.first_screen_pg`),
  audited in the same chain, while Textual and the app load; the app starts with those rows and a
  `LazyDatabase` that a worker opens once they are on screen. If the read finds anything
  unusual (a new or older schema, a new clinician, a held lock, a server that refuses)
  it steps aside and the launch goes the full way;
- **full path** (an SQLite URL, or what the first read left): open the database, create
  or upgrade its schema (`opening.open_database`), then the app.

Both end in `app.build_app`, the factory the tests and the bench use too. Everything the
first read needs besides its `data` modules is here: the child, the choice, and the
recipe that opens the database later. Garbage collection around all of it: `heap.loading`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from hwtui import heap, opening
from hwtui.config import load_settings
from hwtui.data.lazy_db import LazyDatabase

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp
    from hwtui.config import Defaults
    from hwtui.data.db import Database
    from hwtui.data.first_rows import FirstScreen
    from hwtui.settings import Settings


def make_app(location: str | None, *, dev: bool = False) -> HomeworkApp:
    """The app over the database *location* names (None: the settings', else the default
    file), at the head schema, for the clinician running hwtui. *dev*: `--dev` given (see
    `developer_mode`)."""
    with heap.loading():
        dev = developer_mode(dev)  # before the database is opened
        settings = load_settings()
        if settings.time_zone is not None:
            # Before the first read, whose due dates count from the clinic's day. (Only
            # when set: with none, the zone library is not loaded before the fork.)
            from hwtui.data import local_time

            local_time.use_zone(settings.time_zone)
        reading = FirstRead.begin(location if location is not None else settings.database_url)
        # Textual and the app load while the child process reads; `_build` uses it.
        import hwtui.app  # noqa: F401

        first = reading.result() if reading is not None else None
        if reading is None or first is None:
            return _build(opening.open_database(location, settings), settings, dev=dev)
        return _build(reading.database_later(), settings, dev=dev, first=first)


def app_over(db: Database, *, dev: bool) -> HomeworkApp:
    """The app over *db*, open and at the head schema (`hwtui demo`, which just wrote it)."""
    with heap.loading(collect_first=True):
        return _build(db, load_settings(), dev=dev)


def developer_mode(asked: bool) -> bool:
    """Refuse to open the app with Textual's developer settings, unless in developer mode
    (*asked* with `--dev`, or HWTUI_DEV=1); True in developer mode."""
    from hwtui.data.errors import HwtuiError

    dev = asked or os.environ.get("HWTUI_DEV") == "1"
    found = textual_dev_settings(os.environ)
    if found and not dev:
        raise HwtuiError(
            f"refusing to start with {', '.join(found)}: Textual would copy client data out "
            "of the terminal; unset it (developers: hwtui --dev, never with real client data)"
        )
    if dev:
        extra = f" with {', '.join(found)}" if found else ""
        print(f"hwtui: developer mode{extra}: not for real client data", file=sys.stderr)
    return dev


def textual_dev_settings(environ: Mapping[str, str]) -> list[str]:
    """The Textual developer settings in *environ* that copy what is on screen (client
    data) out of the terminal, or act on the app by themselves, as Textual reads them
    (textual/constants.py, textual/features.py): the devtools console (which may be on
    another host), debug mode, a log file of every event and keystroke, timed
    screenshots to a file, and keys pressed on nobody's behalf."""
    found = []
    if environ.get("TEXTUAL"):
        # Textual's own parser, imported only when there is something to parse: importing
        # Textual here would hold back the first read, which must begin after this check.
        from textual.features import parse_features

        features = parse_features(environ["TEXTUAL"])
        found = [f"TEXTUAL={name}" for name in ("devtools", "debug") if name in features]
    if environ.get("TEXTUAL_DEBUG") == "1":
        found.append("TEXTUAL_DEBUG=1")
    if environ.get("TEXTUAL_LOG"):
        found.append("TEXTUAL_LOG")
    try:
        screenshot = int(environ.get("TEXTUAL_SCREENSHOT", "-1"))
    except ValueError:
        screenshot = -1
    if screenshot >= 0:
        found.append("TEXTUAL_SCREENSHOT")
    if environ.get("TEXTUAL_PRESS"):
        found.append("TEXTUAL_PRESS")
    return found


def _build(
    db: Database | LazyDatabase,
    settings: Settings | Defaults,
    *,
    dev: bool,
    first: FirstScreen | None = None,
) -> HomeworkApp:
    from hwtui.app import build_app
    from hwtui.data import local_time

    try:
        local_time.use_zone(settings.time_zone)  # checked by the settings already
        return build_app(
            db,
            first=first,
            autosave_seconds=settings.autosave_seconds,
            idle_seconds=settings.idle_minutes * 60,
            dev=dev,
        )
    except BaseException:
        if isinstance(db, LazyDatabase):
            db.close()  # not opened yet, as a rule: then nothing to close
        else:
            db.dispose()
        raise


class FirstRead:
    """The first read (`data.first_screen`, or `data.first_screen_pg` on the practice
    server), begun before the app's modules are imported, in a child process forked for
    it: it runs on another core while this process imports Textual and the app, and
    hands the rows over through a pipe.

    Why not a thread: the read is Python too (psycopg's import alone is most of the read
    on PostgreSQL, and the rows are made in Python on both), so a thread and the imports
    took turns on the one interpreter lock; on SQLite the launch was 50 ms slower with
    the thread than with the read done first, here. Where a fork is not safe (another
    thread already runs) or not Linux, the read is done here, first: it takes 15 ms on
    SQLite. Either way the checks that refuse a file (`protect_sqlite_file`) are made
    here, so their message is the clinician's to read; anything else going wrong in the
    child leaves the launch to the full path, which says what is wrong.
    """

    def __init__(self, location: str | Path) -> None:
        from hwtui.data.actor import os_username

        self.location = location  # a Path: an SQLite file; a str: a PostgreSQL URL
        self.username = os_username()
        self._result: FirstScreen | None = None
        self._child: tuple[int, int] | None = None  # its pid, and the pipe's end to read

    @classmethod
    def begin(cls, location: str | None) -> FirstRead | None:
        """The read of the SQLite file at *location* (None: the default file) or of the
        PostgreSQL database its URL names, begun; None for an SQLite URL, which takes the
        full path."""
        from hwtui.data.pg_url import is_postgres_url
        from hwtui.data.sqlite_file import default_sqlite_path

        if location is not None and is_postgres_url(location):
            reading = cls(location.strip())
        elif location is not None and ("://" in location or not location.strip()):
            return None
        else:
            path = Path(location).expanduser().absolute() if location else default_sqlite_path()
            cls._check_file(path)
            reading = cls(path)
        if _may_fork():
            reading._fork()
        else:
            reading._result = reading._read()
        return reading

    @staticmethod
    def _check_file(path: Path) -> None:
        from hwtui.data.errors import DatabaseProblem
        from hwtui.data.sqlite_file import default_sqlite_path, protect_sqlite_file

        if path == default_sqlite_path() and not path.exists():
            raise DatabaseProblem(opening.first_use(str(path)))
        protect_sqlite_file(path, create=False)

    def _read(self) -> FirstScreen | None:
        from hwtui.data import local_time

        if isinstance(self.location, Path):
            from hwtui.data.first_screen import read_first_screen

            return read_first_screen(self.location, self.username, local_time.today())
        from hwtui.data.first_screen_pg import read_first_screen_pg

        return read_first_screen_pg(self.location, self.username, local_time.today())

    def _fork(self) -> None:
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: read, hand over, and leave without running any exit code
            status = 1
            try:
                os.close(readable)
                from hwtui.data.first_rows import encode_first_screen

                data = encode_first_screen(self._read())
                with os.fdopen(writable, "wb") as pipe:
                    pipe.write(data)
                status = 0
            except BaseException:  # noqa: S110 - the parent takes the full path
                pass
            finally:
                os._exit(status)
        os.close(writable)
        self._child = (pid, readable)

    def result(self) -> FirstScreen | None:
        """The caseload as read, or None: the launch must take the full path."""
        if self._child is None:
            return self._result
        pid, readable = self._child
        self._child = None
        with os.fdopen(readable, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        from hwtui.data.first_rows import decode_first_screen

        try:
            return decode_first_screen(data)
        except ValueError:
            return None

    def database_later(self) -> LazyDatabase:
        """The database just read, to be opened through the ORM by the first worker that
        needs it, once the caseload is on screen."""
        return LazyDatabase(partial(_open_later, str(self.location), self.username))


def _may_fork() -> bool:
    """A fork copies only the thread that makes it: safe while it is the only one. Linux
    only (the practice server): elsewhere a fork without an exec is not safe once some
    system libraries are loaded."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _open_later(location: str, username: str) -> Database:
    """Runs in a worker (see `LazyDatabase.get`). At the head schema a moment ago:
    `open_database` checks again, and upgrades nothing.

    Loading the ORM makes next to no garbage, and what it makes lives as long as the
    process: set aside like the launch's own loading, so that no collection in the middle
    of a review walks it. `gc.freeze` is safe from this thread (see `heap`). Collection is
    not turned off meanwhile: that switch is the whole process's, and the UI thread goes
    on making garbage while this runs; the young collections it allows cost the opening
    about 20 ms of its 300 (measured on 2 cores), after the caseload is on screen."""
    try:
        return opening.open_database(location).for_clinician(username)
    finally:
        heap.set_aside_what_loaded()
