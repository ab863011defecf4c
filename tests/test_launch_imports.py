"""What a launch does before the caseload is on screen: import only what the caseload
needs, and collect no garbage while it loads.

Speed itself is measured by bench/run.py, never here; these keep the heavy modules that
the first screen does not use from creeping back onto its path.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from hwtui.data.db import Database

# Each is loaded when first needed: upgrading the schema, another screen, the charts.
NOT_AT_LAUNCH = (
    "alembic",
    "hwtui.screens.client",
    "hwtui.screens.add_client",
    "hwtui.screens.trends",
    "textual_plotext",
    # What Practice answers other screens with; the catalog's enums (the caseload's
    # query needs two of them, in the launch's child process that reads it).
    "hwtui.data.practice_views",
    "hwtui.data.catalog",
    "plotext",
    # FHIR models: only `hwtui export --format fhir` (hwtui.data.fhir.bundle) loads them.
    "fhir",
    "fhir_core",
)


def test_the_first_screen_imports_only_what_it_shows() -> None:
    code = (
        "import sys, hwtui.cli, hwtui.data.migrate, hwtui.app;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {NOT_AT_LAUNCH!r}"
        f" or m in {NOT_AT_LAUNCH!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_garbage_collection_while_hwtui_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off while the database is opened and the app built; on, with what loading made set
    aside (frozen), once the app runs."""
    from hwtui import cli, opening
    from hwtui.app import HomeworkApp

    seen: dict[str, bool | int] = {}
    real_open = opening.open_database

    def open_database(location: str | None, *args: object) -> Database:
        seen["collecting while opening"] = gc.isenabled()
        return real_open(location, *args)  # type: ignore[arg-type]

    def run(app: HomeworkApp, *args: object, **kwargs: object) -> None:
        seen["collecting while running"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()

    monkeypatch.setattr(opening, "open_database", open_database)
    monkeypatch.setattr(HomeworkApp, "run", run)
    monkeypatch.setattr(cli, "_need_terminal", lambda: None)
    path = str(tmp_path / "hwtui.sqlite3")
    assert cli.main(["db", "init", "--db", path]) == 0  # no clinician yet: the full path
    try:
        assert cli.main(["--db", path]) == 0
    finally:
        gc.unfreeze()  # the test process's own objects
    assert seen["collecting while opening"] is False
    assert seen["collecting while running"] is True
    assert seen["frozen"] > 0
    assert gc.isenabled()


def test_garbage_collection_is_back_on_when_a_launch_fails(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database\n" * 200)
    from hwtui import cli

    assert cli.main(["--db", str(path)]) == 1
    assert gc.isenabled()


def test_no_garbage_collection_while_the_caseload_is_read_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on the everyday launch, where the caseload is read before the ORM loads
    (here, not in a child process: the read is watched from this one)."""
    from datetime import date

    from hwtui import cli, heap, launch
    from hwtui.app import HomeworkApp
    from hwtui.data import demo, first_screen, migrate
    from hwtui.data.actor import os_username

    path = tmp_path / "hwtui.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    demo.generate(db, clinician=os_username(), clients=3, weeks=4, today=date.today())
    db.dispose()
    seen: dict[str, bool | int] = {}
    real_read = first_screen.read_first_screen

    def reading(*args: object, **kwargs: object) -> object:
        seen["collecting while reading"] = gc.isenabled()
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    def run(app: HomeworkApp, *args: object, **kwargs: object) -> None:
        seen["read first"] = app._first_rows is not None
        seen["young threshold"] = gc.get_threshold()[0]
        seen["collecting while running"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        # Opened by a worker once the caseload is on screen: its ORM set aside too.
        worker = threading.Thread(target=lambda: app.db, name="worker")
        worker.start()
        worker.join(30)
        seen["frozen after opening"] = gc.get_freeze_count() > seen["frozen"]
        seen["collecting after opening"] = gc.isenabled()
        app.close_database()

    switched: list[str] = []  # the threads that turned collection off or on

    def switch(real: Callable[[], None]) -> Callable[[], None]:
        def turn() -> None:
            switched.append(threading.current_thread().name)
            real()

        return turn

    monkeypatch.setattr(gc, "disable", switch(gc.disable))
    monkeypatch.setattr(gc, "enable", switch(gc.enable))
    monkeypatch.setattr(first_screen, "read_first_screen", reading)
    monkeypatch.setattr(launch, "_may_fork", lambda: False)
    monkeypatch.setattr(HomeworkApp, "run", run)
    monkeypatch.setattr(cli, "_need_terminal", lambda: None)
    try:
        assert cli.main(["--db", str(path)]) == 0
    finally:
        gc.unfreeze()
    assert seen == {
        "collecting while reading": False,
        "read first": True,
        "collecting while running": True,
        "frozen": seen["frozen"],
        "frozen after opening": True,
        "collecting after opening": True,
        "young threshold": heap.YOUNG_THRESHOLD,
    }
    assert seen["frozen"] > 0
    # Only the launch turns collection off and on, on the main thread: never a worker.
    assert set(switched) == {threading.main_thread().name}
