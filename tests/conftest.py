"""Shared fixtures: an isolated home for every test, and databases on SQLite and PostgreSQL.

PostgreSQL tests use the server named by HWTUI_TEST_PG_URL (a role that may CREATE
DATABASE). Without it they are skipped, unless HWTUI_TEST_REQUIRE_PG=1 (CI), where a
missing server is a failure.

A database at the head schema is migrated once per run and copied for each test: a file
on SQLite (`sqlite_template`, `migrated_sqlite`), a template database on PostgreSQL
(`pg_template`). The migrations themselves are tested from empty (`empty_db_url`,
tests/test_migrations.py).
"""

from __future__ import annotations

import gc
import os
import shutil
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from hwtui.data import local_time, migrate
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.services.identity import Actor, ensure_clinician

TODAY = date(2026, 11, 25)
PG_ENV = "HWTUI_TEST_PG_URL"
# The advisory lock the tests take while they create or change PostgreSQL roles.
PG_ROLES_LOCK = 0x68777475  # "hwtu"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (pyproject's addopts): two test processes a CPU, at most eight. A pilot
    test spends most of its time waiting (for the app to go idle after each key, for its
    threads), so one process a CPU leaves the CPUs half idle."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cpus or 1), 8)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A snapshot comparison that fails gets one more try, in a new app.

    A screenshot is taken once the app is idle, but on a loaded CI machine (tests in
    parallel) an idle app has now and then been caught a frame early — a scrollbar's
    thumb a cell apart — and one such capture in some 300 made the whole run fail. A
    screen that really changed fails both tries, so the check keeps its teeth; the retry
    is reported (`-ra` lists it as RERUN), so a flake is seen, not hidden.
    """
    for item in items:
        if item.path.name.startswith("test_snapshots"):
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.fixture(autouse=True)
def gc_as_it_was() -> Iterator[None]:
    """A launch tunes the collector for its process (hwtui/heap.py); not for the tests'."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """Every test starts with the usual umask (022), as a clinician's shell has it: the
    command line sets 077 for its process (`hwtui.cli.main`), and a test calling it in
    process must not decide the mode of files later tests make (hwtui refuses a database
    file others can read, so that would make tests depend on their order)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture(autouse=True)
def utc_display_zone() -> Iterator[None]:
    """Times shown to a person are in the server's zone (`hwtui.data.local_time`): every
    test runs with the server in UTC and no `time_zone` setting, so screens, notes and
    the audit tail read the same on any machine (tests/test_local_time.py tries others).
    Set in the environment too: hwtui run as a subprocess inherits it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    local_time.use_zone(None)
    yield
    local_time.use_zone(None)
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep the developer's own data, config and HWTUI_* settings out of every test."""
    home = tmp_path_factory.mktemp("home")
    _isolate(monkeypatch, home)
    monkeypatch.delenv("TEXTUAL", raising=False)
    monkeypatch.delenv("TEXTUAL_LOG", raising=False)
    # Scrolls that animate can be caught half-way by a snapshot on a busy machine.
    import textual.constants

    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")
    return home


def _isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith("HWTUI_") and name not in {PG_ENV, "HWTUI_TEST_REQUIRE_PG"}:
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    for var, sub in [
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ]:
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HWTUI_CONFIG", str(home / "config" / "hwtui" / "config.toml"))
    # Not the machine's /etc/hwtui (a practice server's, or .ci/server-check's).
    monkeypatch.setenv("HWTUI_SYSTEM_CONFIG", str(home / "etc" / "hwtui" / "config.toml"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once per run (and per xdist worker); tests get a
    copy of it (`migrated_sqlite`) instead of running the migrations again."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, tmp_path_factory.mktemp("template-home"))
        db = Database(path)
        migrate.upgrade(db)
        db.dispose()
    # Closing the last connection checkpoints the write-ahead log into the file itself.
    assert not Path(f"{path}-wal").exists(), "the template's write-ahead log was not merged"
    return path


def copy_sqlite_file(source: Path, dest: Path) -> Path:
    """Copy a closed SQLite file (no -wal beside it) to *dest*, private as hwtui makes it."""
    shutil.copyfile(source, dest)
    os.chmod(dest, 0o600)
    return dest


@pytest.fixture
def migrated_sqlite(sqlite_template: Path) -> Callable[[Path], Database]:
    """`migrated_sqlite(path)`: a new SQLite database at *path*, at the head schema (a copy
    of `sqlite_template`, as if `migrate.upgrade` had just run on it). The caller disposes."""

    def make(path: Path) -> Database:
        return Database(copy_sqlite_file(sqlite_template, path))

    return make


@pytest.fixture(scope="session")
def demo_templates(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Callable[..., Path]:
    """`demo_templates(**arguments)`: an SQLite file with `demo.generate(db, **arguments)`
    written into it, made once per run for each set of arguments (the demo writes the
    same rows for the same arguments)."""
    built: dict[tuple[tuple[str, Any], ...], Path] = {}

    def get(**arguments: Any) -> Path:
        key = tuple(sorted(arguments.items()))
        if key not in built:
            path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite3"
            with pytest.MonkeyPatch.context() as monkeypatch:
                _isolate(monkeypatch, tmp_path_factory.mktemp("template-home"))
                db = Database(copy_sqlite_file(sqlite_template, path))
                generate(db, **arguments)
                db.dispose()
            assert not Path(f"{path}-wal").exists()
            built[key] = path
        return built[key]

    return get


@pytest.fixture
def demo_sqlite(demo_templates: Callable[..., Path]) -> Callable[..., Database]:
    """`demo_sqlite(path, **arguments)`: a new SQLite database at *path* holding the demo
    practice `demo.generate(db, **arguments)` writes (a copy of one made once per run).
    The caller disposes."""

    def make(path: Path, **arguments: Any) -> Database:
        return Database(copy_sqlite_file(demo_templates(**arguments), path))

    return make


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("HWTUI_TEST_REQUIRE_PG") == "1":
            pytest.fail(f"{PG_ENV} is not set but HWTUI_TEST_REQUIRE_PG=1")
        return None
    return url


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """A database migrated to head once per run; each test copies it (fast)."""
    admin = _pg_admin_url()
    if admin is None:
        yield None
        return
    name = f"hwtui_tmpl_{uuid.uuid4().hex[:8]}"
    engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(drivername="postgresql+psycopg", database=name)
    db = Database(url)
    with pg_roles_lock(engine):  # the migration creates the server's hwtui_app role
        migrate.upgrade(db)
    db.dispose()
    yield name
    _drop_database(engine, name)
    engine.dispose()


@contextmanager
def pg_roles_lock(engine: Engine) -> Iterator[None]:
    """Roles belong to the whole server, and PostgreSQL fails one of two sessions that
    create, alter or grant the same role at once ("tuple concurrently updated"): while
    this is held (an advisory lock in the admin database), no other test process (an
    xdist worker, another checkout's run) changes roles."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_ROLES_LOCK})
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_ROLES_LOCK})


def _fresh_pg(template: str | None, *, empty: bool = False) -> Iterator[str]:
    admin = _pg_admin_url()
    if admin is None or template is None:
        pytest.skip(f"PostgreSQL not available (set {PG_ENV})")
    name = f"hwtui_t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(
        make_url(admin).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    source = "template0" if empty else f'"{template}"'
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {source}'))
    try:
        yield (
            make_url(admin)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        _drop_database(engine, name)
        engine.dispose()


def _drop_database(engine: Engine, name: str) -> None:
    """Drop a test database. As a non-superuser (CI), FORCE cannot end a connection
    another role still holds for a moment (a test's clinician role closing, autovacuum),
    so try a few times; a leftover throwaway database is not worth failing a run for."""
    for attempt in range(10):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            time.sleep(0.2 * (attempt + 1))
    warnings.warn(f"could not drop the test database {name}", stacklevel=2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    pg_template: str | None,
) -> Iterator[str]:
    """A URL to a database already at the head schema, on each backend."""
    if request.param == "sqlite":
        path = copy_sqlite_file(sqlite_template, tmp_path / "test.sqlite3")
        yield f"sqlite+pysqlite:///{path}"
    else:
        yield from _fresh_pg(pg_template)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_template: str | None
) -> Iterator[str]:
    """A URL to an empty database (no tables), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        yield from _fresh_pg(pg_template, empty=True)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Iterator[Database]:
    """An SQLite database at head, for tests that need only one backend."""
    database = migrated_sqlite(tmp_path / "hwtui.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def me(db: Database) -> Actor:
    with db.write() as session:
        return ensure_clinician(session, "dr_test")


@pytest.fixture
def other(db: Database) -> Actor:
    """A second clinician on the same database."""
    with db.write() as session:
        return ensure_clinician(session, "dr_other")
