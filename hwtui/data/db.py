"""Opening the database: URLs, file protection, SQLite pragmas and transactions.

Nothing here runs at import time; the app and every command build a `Database` from a URL.
"""

from __future__ import annotations

import copy
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import Session

from hwtui.data.errors import DatabaseProblem
from hwtui.data.sqlite_file import (
    SQLITE_BUSY_TIMEOUT_MS,
    SQLITE_PRAGMAS,
    default_sqlite_path,
    protect_sqlite_file,
)

# The longest a writer sleeps between tries for SQLite's write lock (see _begin_immediate).
SQLITE_WRITE_RETRY_MAX_S = 0.002


def resolve_url(value: str | os.PathLike[str], *, default_dir: Path | None = None) -> URL:
    """Turn what the user gave (`--db`, HWTUI_DATABASE_URL) into a checked URL.

    A plain path means an SQLite file. `postgresql://` means psycopg 3.
    """
    text = os.fspath(value).strip()
    if not text:
        raise DatabaseProblem("the database location is empty")
    if "://" not in text:
        return sqlite_url(Path(text).expanduser())
    try:
        url = make_url(text)
    except ArgumentError:
        raise DatabaseProblem(f"not a database URL: {_redact(text)}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseProblem("an SQLite URL needs a file path, e.g. sqlite:////path/db")
        return sqlite_url(Path(url.database).expanduser())
    if backend in {"postgresql", "postgres"}:
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseProblem(
        f"unsupported database {backend!r}: use an SQLite path or a postgresql:// URL"
    )


def sqlite_url(path: Path) -> URL:
    return URL.create("sqlite+pysqlite", database=str(path.absolute()))


def default_url() -> URL:
    return sqlite_url(default_sqlite_path())


def _redact(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text.split("@")[-1] if "@" in text else text


class Database:
    """One engine, and the two kinds of transaction the app uses."""

    def __init__(
        self,
        url: URL | str | os.PathLike[str],
        *,
        clinician: str | None = None,
        create: bool = True,
        tidy: bool = True,
    ) -> None:
        """*clinician*: on PostgreSQL, the username every transaction acts as (row-level
        security shows it that clinician's caseload only); None names nobody, which only
        the schema owner may use (it then sees every row: migrations, maintenance).

        *create*: a missing SQLite file may be created (in an existing folder; the
        platform data folder is made if it is the default location). Without it a
        missing file is refused, as the command line does for everything but creating.
        Not *tidy*: a read-only look, which leaves the file's mode as it is."""
        self.url = url if isinstance(url, URL) else resolve_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            assert self.url.database
            self.path: Path | None = Path(self.url.database)
            # Only the platform data folder is made for a new file; any other folder named
            # must exist (a mistyped path is an error, not a new tree of folders).
            in_data_dir = self.path.parent == default_sqlite_path().parent
            self.created = protect_sqlite_file(
                self.path, create=create, make_parent=create and in_data_dir, tidy=tidy
            )
        else:
            self.path = None
            self.created = False
        self._root = _make_engine(self.url)
        self._use_clinician(clinician)

    def for_clinician(self, username: str | None) -> Database:
        """The same database (and connection pool), every transaction acting as *username*
        (None: naming nobody, see `sees_every_row`)."""
        scoped = copy.copy(self)
        scoped._use_clinician(username)
        return scoped

    def _use_clinician(self, username: str | None) -> None:
        self.clinician = username
        self.engine: Engine = self._root.execution_options(hwtui_clinician=username)
        # SQLite: a write takes the lock up front so read-then-write races can't happen.
        self._write_engine = self.engine.execution_options(hwtui_begin="IMMEDIATE")

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._session(self.engine) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction committed on success and rolled back on any error."""
        with self._session(self._write_engine) as session:
            yield session
            session.commit()

    @contextmanager
    def _session(self, engine: Engine) -> Iterator[Session]:
        try:
            with _HoldingSession(engine, expire_on_commit=False) as session:
                yield session
        except DBAPIError as exc:
            raise DatabaseProblem(self.explain(exc)) from exc

    def explain(self, exc: DBAPIError) -> str:
        """A database error as one line a person can act on: SQLite's own words say
        neither which file nor what to do."""
        return self.explain_sqlite(exc.orig)

    def explain_sqlite(self, exc: BaseException | None) -> str:
        said = _first_line(exc)
        if self.path is None:
            return f"database error: {said}"  # PostgreSQL names the server and the cause
        lowered = said.lower()
        if "readonly" in lowered or "read-only" in lowered:
            return (
                f"cannot write the database {self.path}: the file or its folder "
                f"{self.path.parent} is read-only for you (SQLite writes -wal and -shm files "
                "beside it); check their permissions"
            )
        if "disk is full" in lowered or "disk i/o error" in lowered:
            return (
                f"cannot write the database {self.path}: {said}; the disk may be full: "
                "free some space and try again (nothing was saved by this step)"
            )
        if "unable to open" in lowered:
            return f"cannot open the database {self.path}: {said}; check the file and its folder"
        return f"database error in {self.path}: {said}"

    def check(self) -> None:
        """Fail with a clear message if the database cannot be opened."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1").all()
                if self.is_sqlite:
                    conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").all()
        except DBAPIError as exc:
            if self.path is None:
                raise DatabaseProblem(f"cannot open the database: {_first_line(exc.orig)}") from exc
            raise DatabaseProblem(self.explain(exc)) from exc

    def sees_every_row(self) -> bool:
        """Whether this database shows every clinician's rows, as a command about the whole
        database needs: SQLite always; PostgreSQL to the schema owner naming no clinician."""
        if self.is_sqlite:
            return True
        with self.read() as session:
            return bool(session.execute(text("SELECT hwtui_unscoped()")).scalar_one())

    def dispose(self) -> None:
        self._root.dispose()


class _HoldingSession(Session):
    """A session that holds every row it has loaded or written until it closes.

    SQLAlchemy's identity map keeps only weak references, so a row a service reads to
    check (the client whose caseload this is, the homework an outcome names) and lets go
    of is read again by the next check: a query each, under row security on PostgreSQL,
    about a dozen more per review saved (issue 19). Each of hwtui's sessions is one
    transaction, so holding its rows costs no more than the transaction read."""


# By id(): SQLModel's rows compare by value and cannot be hashed.
def _hold(session: Session, instance: object) -> None:
    session.info.setdefault("hwtui_held", {})[id(instance)] = instance


def _let_go(session: Session, instance: object) -> None:
    session.info.get("hwtui_held", {}).pop(id(instance), None)


for _name in ("loaded_as_persistent", "pending_to_persistent", "detached_to_persistent"):
    event.listen(_HoldingSession, _name, _hold)
for _name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
    event.listen(_HoldingSession, _name, _let_go)


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc is not None and str(exc).strip() else "?"


def _begin_immediate(conn: Any) -> None:
    """BEGIN IMMEDIATE, waiting up to the busy timeout for the write lock, but often.

    SQLite's own busy handler sleeps longer and longer between tries (100 ms at most),
    so while other processes commit one transaction after another, a waiting writer
    keeps missing the moments the lock is free: four processes writing reviews to one
    file saw single waits of 5 to 9 s, close to the 10 s timeout and "database is
    locked" (tests/test_concurrency.py). Trying again every millisecond or two instead
    (a few microseconds of work each) keeps the longest wait well under a second.
    """
    raw = conn.connection.dbapi_connection
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = SQLITE_WRITE_RETRY_MAX_S / 8
    raw.execute("PRAGMA busy_timeout = 0")  # each try fails at once; we do the waiting
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:  # any BUSY_* too
                    break  # not a lock: the last try below reports it
            time.sleep(random.uniform(delay / 2, delay))  # jitter: waiters don't march
            delay = min(delay * 2, SQLITE_WRITE_RETRY_MAX_S)
        # Out of time (or another error): once more through SQLAlchemy, so that a
        # failure comes out as a DBAPIError ("database is locked") like any other.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return _make_pg_engine(url)
    # hide_parameters: an error's text (shown, or in a crash report) never carries the
    # values of a statement, which are client data.
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit BEGIN is always DEFERRED).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            for pragma in SQLITE_PRAGMAS:
                cur.execute(pragma)
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("hwtui_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            _begin_immediate(conn)
        else:
            conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _make_pg_engine(url: URL) -> Engine:
    try:
        import psycopg  # noqa: F401  (the driver comes with the `postgres` extra)
    except ImportError:
        raise DatabaseProblem(
            "PostgreSQL needs the psycopg driver, which is not installed: "
            "pip install 'hwtui[postgres]' (or use an SQLite file)"
        ) from None
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Row-level security (migration 0006) shows a transaction the caseload of the
        # clinician named here, if the connected role may act as them. Set in every
        # transaction, to nobody too: a pooled connection must not keep an earlier name.
        username = conn.get_execution_options().get("hwtui_clinician") or ""
        conn.exec_driver_sql("SELECT set_config('hwtui.clinician', %(u)s, true)", {"u": username})

    return engine
