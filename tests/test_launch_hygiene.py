"""Launch hygiene: hwtui refuses to start with Textual's developer settings (they copy the
screen out of the terminal), runs under umask 077, and a crash report shows no local
variables (they hold client data); screenshots need developer mode."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui import cli, launch
from hwtui.app import HomeworkApp, build_app
from hwtui.data.db import Database
from tests.pty_app import KEYS, PtyApp

REFUSED = [
    ({"TEXTUAL": "devtools"}, "TEXTUAL=devtools"),
    ({"TEXTUAL": "Debug, devtools"}, "TEXTUAL=devtools"),
    ({"TEXTUAL": "debug"}, "TEXTUAL=debug"),
    ({"TEXTUAL_DEBUG": "1"}, "TEXTUAL_DEBUG=1"),
    ({"TEXTUAL_LOG": "textual.log"}, "TEXTUAL_LOG"),
    ({"TEXTUAL_SCREENSHOT": "0"}, "TEXTUAL_SCREENSHOT"),
    ({"TEXTUAL_PRESS": "ctrl+q"}, "TEXTUAL_PRESS"),
]
ALLOWED: list[dict[str, str]] = [
    {},
    {"TEXTUAL": "headless"},
    {"TEXTUAL": ""},
    {"TEXTUAL_LOG": ""},
    {"TEXTUAL_DEBUG": "0"},
    {"TEXTUAL_SCREENSHOT": "-1"},
    {"TEXTUAL_SCREENSHOT": "soon"},  # Textual ignores what is not a number
    {"TEXTUAL_ANIMATIONS": "none", "TEXTUAL_THEME": "textual-light"},
]
SECRET = "Ana said she hides the pills in the garden"


class FakeApp:
    """Stands in for the TUI when a test only cares whether it would have started."""

    return_code = 0
    logged_off = None

    def __init__(self, db: Database) -> None:
        self.db = db

    def run(self) -> None:
        pass

    def flush_drafts(self) -> None:
        pass

    def close_database(self) -> None:
        self.db.dispose()


@pytest.fixture(autouse=True)
def on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As launched from a terminal (pytest's own streams are not one)."""
    monkeypatch.setattr(cli, "_need_terminal", lambda: None)


def _new_database(path: Path) -> str:
    assert cli.main(["db", "init", "--db", str(path)]) == 0
    return str(path)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every app the command line built."""
    calls: list[dict[str, Any]] = []

    def fake_build_app(db: Database, **kwargs: Any) -> FakeApp:
        calls.append(kwargs)
        return FakeApp(db)

    monkeypatch.setattr("hwtui.app.build_app", fake_build_app)
    return calls


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(("env", "named"), REFUSED, ids=[r[1] for r in REFUSED])
def test_textual_developer_settings_refuse_to_start(
    env: dict[str, str],
    named: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    started: list[dict[str, Any]],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    db_path = tmp_path / "practice.sqlite3"
    demo_path = tmp_path / "demo.sqlite3"

    assert cli.main(["--db", str(db_path)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("hwtui: error: refusing to start with ")
    assert named in line
    assert "hwtui --dev" in line

    assert cli.main(["demo", "--db", str(demo_path), "--clients", "1", "--weeks", "1"]) == 1
    assert named in _one_line(capsys.readouterr().err)

    assert started == []
    # Refused before anything was opened or written.
    assert not db_path.exists()
    assert not demo_path.exists()


@pytest.mark.parametrize("env", ALLOWED, ids=[",".join(e) or "none" for e in ALLOWED])
def test_other_textual_settings_are_fine(env: dict[str, str]) -> None:
    assert launch.textual_dev_settings(env) == []


def test_the_list_follows_textual_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every setting refused is one Textual reads (a renamed one would slip through)."""
    import textual.constants

    source = Path(textual.constants.__file__).read_text()
    for env, _ in REFUSED:
        for name in env:
            assert name == "TEXTUAL" or f'"{name}"' in source


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--dev"], {}),
        (["demo", "--dev", "--clients", "1", "--weeks", "1"], {}),
        ([], {"HWTUI_DEV": "1"}),
    ],
    ids=["--dev", "demo --dev", "HWTUI_DEV=1"],
)
def test_developer_mode_starts_anyway_and_says_so(
    args: list[str],
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    started: list[dict[str, Any]],
) -> None:
    for name, value in {"TEXTUAL_LOG": str(tmp_path / "t.log"), **env}.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "dev.sqlite3"
    place = ["--db", str(path) if args[:1] == ["demo"] else _new_database(path)]
    argv = [*args, *place] if args[:1] == ["demo"] else [*place, *args]
    capsys.readouterr()
    assert cli.main(argv) == 0
    assert [call["dev"] for call in started] == [True]
    err = capsys.readouterr().err
    assert "hwtui: developer mode with TEXTUAL_LOG: not for real client data" in err


def test_without_developer_settings_the_app_starts_in_normal_mode(
    tmp_path: Path, started: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _new_database(tmp_path / "plain.sqlite3")
    capsys.readouterr()
    assert cli.main(["--db", path]) == 0
    assert [call["dev"] for call in started] == [False]
    assert capsys.readouterr().err == ""


def test_the_command_line_runs_under_umask_077(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        cli.main(["db", "current", "--db", str(tmp_path / "u.sqlite3")])
    finally:
        during = os.umask(before)
    assert during == 0o077


# --- Crash reports ------------------------------------------------------------------------


def _crash_report(db: Database, capsys: pytest.CaptureFixture[str], *, dev: bool) -> str:
    def open_the_note() -> None:
        note = SECRET  # a local variable, as a screen holding a draft has
        raise RuntimeError(f"could not show a note of {len(note)} characters")

    async def crash(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        pilot.app.call_later(open_the_note)

    app = build_app(db, username="dr_crash", idle_seconds=None, dev=dev)
    capsys.readouterr()
    app.run(headless=True, size=(100, 30), auto_pilot=crash)
    assert app.return_code == 1
    return capsys.readouterr().err


def test_a_crash_report_shows_no_local_variables(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _crash_report(sqlite_db, capsys, dev=False)
    assert "RuntimeError: could not show a note of 42 characters" in report
    assert "open_the_note" in report  # where it happened is still there
    assert "pills" not in report
    assert SECRET not in report


def test_a_developer_sees_local_variables(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report above would show them, were it Textual's own."""
    report = _crash_report(sqlite_db, capsys, dev=True)
    assert "RuntimeError" in report
    assert "pills" in report


# --- Screenshots --------------------------------------------------------------------------


@pytest.mark.parametrize("dev", [False, True], ids=["normal", "dev"])
async def test_screenshots_only_in_developer_mode(
    sqlite_db: Database, isolated_home: Path, dev: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(isolated_home)
    app = build_app(sqlite_db, username="dr_shot", idle_seconds=None, dev=dev)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert ("Screenshot" in palette) is dev
        assert bool(app.check_action("screenshot", ())) is dev
        # As a `[@click=app.screenshot()]` in a note would try.
        ran = await app.run_action("screenshot('shot.svg', '.')")
        await pilot.pause(0.3)
    assert ran is dev
    assert list(isolated_home.rglob("*.svg")) == ([isolated_home / "shot.svg"] if dev else [])


# --- On a real terminal -------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_command_refuses_with_textual_log(tmp_path: Path) -> None:
    log = tmp_path / "textual.log"
    app = PtyApp(["--db", str(tmp_path / "p.sqlite3")], env={"TEXTUAL_LOG": str(log)})
    try:
        assert app.wait_exit(timeout=20) == 1
        app.wait_for("refusing to start with TEXTUAL_LOG", timeout=5)
    finally:
        app.close()
    assert not log.exists()
    assert not (tmp_path / "p.sqlite3").exists()


@pytest.mark.slow
def test_in_developer_mode_even_the_log_is_private(tmp_path: Path) -> None:
    """Under a permissive umask, the log Textual writes in developer mode is 0600."""
    log = tmp_path / "textual.log"
    before = os.umask(0o022)
    try:
        app = PtyApp(
            ["--dev", "--db", _new_database(tmp_path / "p.sqlite3")],
            env={"TEXTUAL_LOG": str(log), "HWTUI_IDLE_MINUTES": "5"},
        )
    finally:
        os.umask(before)
    try:
        app.wait_for("Caseload")
        app.send(KEYS["ctrl+q"])
        assert app.wait_exit(timeout=20) == 0
    finally:
        app.close()
    assert log.exists()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_build_app_defaults_to_normal_mode(sqlite_db: Database) -> None:
    app = build_app(sqlite_db, username="dr_default")
    assert isinstance(app, HomeworkApp)
    assert app.dev is False
