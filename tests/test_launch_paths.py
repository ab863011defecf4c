"""Which way a launch goes: the caseload read without the ORM, or the full path.

The everyday launch (an SQLite file at head, a known clinician, nothing in the settings
to parse) shows the caseload read by `data.first_screen` and opens the ORM database once,
after the first frame. Everything else goes the full way: create, upgrade, validate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Static

from hwtui import cli, config
from hwtui.app import HomeworkApp, build_app
from hwtui.config import DEFAULTS, ENV_PREFIX, SETTING_NAMES, nothing_set
from hwtui.data import demo, migrate
from hwtui.data.actor import os_username
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem, HwtuiError
from hwtui.data.first_screen import read_first_screen
from hwtui.data.lazy_db import LazyDatabase
from hwtui.settings import Settings
from tests.conftest import TODAY

# Loaded after the first frame, never before it, on the everyday launch.
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "pydantic_settings", "alembic", "plotext")


def _practice(path: Path) -> Path:
    db = Database(path)
    migrate.upgrade(db)
    demo.generate(db, clinician=os_username(), clients=6, weeks=8, today=TODAY)
    db.dispose()
    return path


def _launch_in_subprocess(db_path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Launch hwtui as `hwtui --db PATH` does, but record what the app was given and what
    was imported when it would start running, instead of running it."""
    code = f"""
import json, sys
from hwtui import cli
from hwtui.app import HomeworkApp, build_app
def run(self, *a, **k):
    heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})
    print(json.dumps({{
        "heavy": sorted({{m.split('.')[0] for m in heavy}}),
        "opened": self._database.opened,
        "first_rows": None if self._first_rows is None else len(self._first_rows),
        "idle_seconds": self.idle_seconds,
        "autosave_seconds": self.autosave_seconds,
    }}))
HomeworkApp.run = run
cli._need_terminal = lambda: None  # a pipe here, a terminal for real
sys.exit(cli.main(["--db", {str(db_path)!r}]))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_the_everyday_launch_paints_the_caseload_before_loading_the_orm(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    seen = _launch_in_subprocess(path)
    assert seen["heavy"] == []
    assert seen["opened"] is False
    assert seen["first_rows"] == 6
    assert seen["idle_seconds"] == DEFAULTS.idle_minutes * 60
    assert seen["autosave_seconds"] == DEFAULTS.autosave_seconds


def test_a_new_database_takes_the_full_path(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    assert cli.main(["db", "init", "--db", str(path)]) == 0  # no clinician in it yet
    seen = _launch_in_subprocess(path)
    assert seen["opened"] is True
    assert seen["first_rows"] is None
    assert "sqlalchemy" in seen["heavy"]


def test_settings_to_read_are_read_by_pydantic_settings(tmp_path: Path) -> None:
    """A settings file (or an HWTUI_<setting> variable) is validated as ever, and its
    values are used, on the caseload-first launch too."""
    path = _practice(tmp_path / "hwtui.sqlite3")
    toml = tmp_path / "config.toml"
    toml.write_text("idle_minutes = 2\n")
    env = {**_clean_env(), "HWTUI_CONFIG": str(toml), "hwtui_autosave_seconds": "5"}
    seen = _launch_in_subprocess(path, env)
    assert seen["idle_seconds"] == 120
    assert seen["autosave_seconds"] == 5
    assert seen["first_rows"] == 6
    assert "pydantic_settings" in seen["heavy"]


def test_a_bad_setting_still_stops_the_launch_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    monkeypatch.setenv("HWTUI_IDLE_MINUTES", "-3")
    monkeypatch.setattr(cli, "_need_terminal", lambda: None)
    assert cli.main(["--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hwtui: error: bad setting idle_minutes:")
    assert len(err.strip().splitlines()) == 1


def _clean_env() -> dict[str, str]:
    # The test's own system settings file stays: never this machine's /etc/hwtui.
    keep = {"HWTUI_SYSTEM_CONFIG"}
    return {k: v for k, v in os.environ.items() if k in keep or not k.upper().startswith("HWTUI_")}


# -- the settings' defaults without pydantic -----------------------------------------------


def test_the_defaults_are_the_settings_defaults() -> None:
    assert set(Settings.model_fields) == SETTING_NAMES
    settings = Settings()  # no file, no HWTUI_* (see conftest.isolated_home)
    for name in SETTING_NAMES:
        assert getattr(settings, name) == getattr(DEFAULTS, name), name


# A value other than the default for each setting, as the environment would give it.
NOT_DEFAULT = {
    "database_url": "/srv/hwtui/practice.sqlite3",
    "idle_minutes": "7",
    "autosave_seconds": "9",
    "time_zone": "Asia/Kolkata",
    "fhir_identifier_system": "urn:oid:1.2.3.4.5",
}
# What pydantic-settings would refuse, were it to read it.
REFUSED = {
    "database_url": "",
    "idle_minutes": "-3",
    "autosave_seconds": "soon",
    "time_zone": "Mars/Base",
    "fhir_identifier_system": "not a uri",
}


def test_every_setting_has_probes() -> None:
    assert set(NOT_DEFAULT) == set(REFUSED) == SETTING_NAMES


@pytest.mark.parametrize("name", sorted(SETTING_NAMES))
@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.title, str.swapcase])
def test_nothing_set_sees_each_variable_pydantic_settings_reads(
    name: str, spelling: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked of pydantic-settings itself: it reads HWTUI_<setting> in any case."""
    variable = spelling(f"{ENV_PREFIX}{name}")
    monkeypatch.setenv(variable, NOT_DEFAULT[name])
    assert getattr(Settings(), name) != getattr(DEFAULTS, name), variable
    assert not nothing_set(os.environ)


@pytest.mark.parametrize(
    "pattern",
    ["HWTUI_DEV", "HWTUI_TEST_PG_URL", "HWTUI_IDLE", "HWTUI_{}_", "XHWTUI_{}", "HWTUI__{}", "{}"],
)
def test_nothing_set_ignores_what_pydantic_settings_ignores(
    pattern: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each set to a value pydantic-settings would refuse, were it to read it."""
    for name in SETTING_NAMES:
        monkeypatch.setenv(pattern.format(name.upper()), REFUSED[name])
    assert nothing_set(os.environ)
    assert Settings() == Settings.model_validate(asdict(DEFAULTS))


def test_a_settings_file_counts_as_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "config.toml"
    monkeypatch.setenv("HWTUI_CONFIG", str(toml))
    assert nothing_set({})
    toml.write_text("")
    assert not nothing_set({})
    assert config.config_path() == toml


def test_the_practices_settings_file_is_everyones_default_and_the_users_own_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "etc" / "config.toml"
    user = tmp_path / "user" / "config.toml"
    monkeypatch.setenv("HWTUI_SYSTEM_CONFIG", str(system))
    monkeypatch.setenv("HWTUI_CONFIG", str(user))
    assert nothing_set({})
    system.parent.mkdir()
    system.write_text('database_url = "postgresql:///hwtui"\nidle_minutes = 20\n')
    assert not nothing_set({})  # the everyday launch must read it, not skip to defaults
    loaded = config.load_settings()
    assert (loaded.database_url, loaded.idle_minutes) == ("postgresql:///hwtui", 20)
    user.parent.mkdir()
    user.write_text('database_url = "/home/me/mine.sqlite3"\n')
    loaded = config.load_settings()
    assert (loaded.database_url, loaded.idle_minutes) == ("/home/me/mine.sqlite3", 20)
    monkeypatch.setenv("HWTUI_DATABASE_URL", "postgresql:///other")
    assert config.load_settings().database_url == "postgresql:///other"
    assert config.system_config_path() == system


def test_a_bad_value_in_the_practices_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "config.toml"
    system.write_text("idle_minutes = -1\n")
    monkeypatch.setenv("HWTUI_SYSTEM_CONFIG", str(system))
    with pytest.raises(HwtuiError, match=r"^bad setting idle_minutes: "):
        config.load_settings()


# -- the app over a database it opens itself -----------------------------------------------


def _first_app(path: Path, opener: Callable[[], Database]) -> HomeworkApp:
    first = read_first_screen(path, os_username(), TODAY)
    assert first is not None
    return build_app(LazyDatabase(opener), first=first, today=lambda: TODAY, idle_seconds=None)


async def test_the_first_rows_show_and_the_database_opens_once_after(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    opened: list[Database] = []

    def opener() -> Database:
        db = Database(path).for_clinician(os_username())
        opened.append(db)
        return db

    app = _first_app(path, opener)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DataTable)
        assert table.row_count == 6  # before any worker ran
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(opened) == 1  # the trends' worker opened it
        assert app.db is opened[0]
        assert app.screen.trends  # type: ignore[attr-defined]
        await pilot.press("enter")  # a client opens through the same database
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ClientScreen"
        assert len(opened) == 1
    app.close_database()


async def test_a_database_that_cannot_be_opened_is_said_so(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")

    def opener() -> Database:
        raise DatabaseProblem("cannot open the database: disk I/O error")

    app = _first_app(path, opener)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("disk I/O error" in m for m in messages), messages
        # The rows already shown stay, with their summary.
        assert app.screen.query_one(DataTable).row_count == 6
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "6 clients" in summary


def test_opening_in_two_threads_opens_once(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    calls: list[int] = []
    gate = threading.Event()

    def opener() -> Database:
        calls.append(1)
        gate.wait(5)
        return Database(path)

    app = _first_app(path, opener)
    got: list[Database] = []
    threads = [threading.Thread(target=lambda: got.append(app.db)) for _ in range(3)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    app.close_database()
    assert calls == [1]
    assert len(got) == 3
    assert got[0] is got[1] is got[2]
