"""Bad input at the command line and in paths: one clear line on stderr, a non-zero exit,
no traceback, and every file as it was (bytes and mode), bystanders behind links too."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from hwtui.cli import main
from hwtui.data import migrate
from hwtui.data.db import Database

Tree = dict[str, tuple[bytes | None, int]]


def snapshot(*roots: Path) -> Tree:
    """Every file under *roots*: its bytes (None for a folder or a link) and its mode."""
    seen: Tree = {}
    for root in roots:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            info = path.lstat()
            data = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
            seen[str(path)] = (data, info.st_mode)
    return seen


def one_line_error(code: int, err: str) -> str:
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hwtui: error: ")
    return lines[0]


@pytest.fixture
def bystander(tmp_path: Path) -> Path:
    """A clinician's ordinary file, mode 0644, that a link may point at."""
    path = tmp_path / "mine" / "notes.txt"
    path.parent.mkdir()
    path.write_text("my own notes\n")
    path.chmod(0o644)
    return path


@pytest.fixture
def real_db(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Path:
    path = tmp_path / "real.sqlite3"
    migrated_sqlite(path).dispose()
    return path


def _run_main(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    return one_line_error(code, capsys.readouterr().err)


# -- paths given with --db ------------------------------------------------------------------

PathCase = Callable[[Path, Path], list[str]]


def _link_to_text(tmp: Path, bystander: Path) -> list[str]:
    link = tmp / "link.sqlite3"
    link.symlink_to(bystander)
    return ["--db", str(link), "db", "current"]


def _link_to_db(tmp: Path, bystander: Path) -> list[str]:
    link = tmp / "link-to-db.sqlite3"
    target = tmp / "target.sqlite3"
    db = Database(target)
    migrate.upgrade(db)
    db.dispose()
    target.chmod(0o640)
    link.symlink_to(target)
    return ["--db", str(link), "note", "C1"]


PATH_CASES: dict[str, tuple[PathCase, str]] = {
    "symlink to a text file": (_link_to_text, "symbolic link"),
    "symlink to a database": (_link_to_db, "symbolic link"),
    "a mistyped folder": (
        lambda tmp, _: ["--db", str(tmp / "typo" / "dir" / "x.sqlite3"), "db", "current"],
        "no database",
    ),
    "a missing file for the app": (
        lambda tmp, _: ["--db", str(tmp / "missing.sqlite3"), "audit", "verify"],
        "hwtui db init",
    ),
    "a missing file to upgrade": (
        lambda tmp, _: ["--db", str(tmp / "missing.sqlite3"), "db", "upgrade"],
        "no database",
    ),
    "an empty location": (lambda tmp, _: ["--db", "", "db", "current"], "empty"),
    "an empty sub-command location": (lambda tmp, _: ["db", "current", "--db", ""], "empty"),
    "a file as a folder": (
        lambda tmp, b: ["--db", str(b / "x" / "y.db"), "db", "current"],
        "not a folder",
    ),
    "a text file": (lambda tmp, b: ["--db", str(b), "db", "current"], "not an SQLite database"),
    "a folder": (lambda tmp, _: ["--db", str(tmp), "db", "current"], "not a regular file"),
    "a proc file": (lambda tmp, _: ["--db", "/proc/self/status", "db", "current"], "empty"),
    "a device": (lambda tmp, _: ["--db", "/dev/null", "db", "upgrade"], "not a regular file"),
    "a missing file to back up": (
        lambda tmp, _: ["--db", str(tmp / "missing.sqlite3"), "backup", str(tmp / "b.db")],
        "no database",
    ),
}


@pytest.mark.parametrize("case", list(PATH_CASES))
def test_a_bad_database_path_is_one_line_and_changes_nothing(
    case: str, tmp_path: Path, bystander: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, needle = PATH_CASES[case]
    args = build(tmp_path, bystander)
    before = snapshot(tmp_path)
    devnull = os.stat("/dev/null")
    line = _run_main(capsys, *args)
    assert needle in line
    assert snapshot(tmp_path) == before
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_uid) == (devnull.st_mode, devnull.st_uid)


def test_a_read_only_command_leaves_a_foreign_sqlite_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "recipes.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    conn.close()
    path.chmod(0o600)
    before = snapshot(tmp_path)
    assert main(["--db", str(path), "db", "current"]) == 1
    capsys.readouterr()
    assert snapshot(tmp_path) == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_a_folder_that_cannot_be_entered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root enters every folder")
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0)
    try:
        line = _run_main(capsys, "--db", str(closed / "demo.sqlite3"), "audit", "verify")
    finally:
        closed.chmod(0o700)
    assert "Permission denied" in line


# -- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["note", "C1", "--review", "99999999999999999999999"],
        ["note", "C1", "--review", "0"],
        ["audit", "tail", "-n", "99999999999999999999"],
        ["demo", "--weeks", "200000", "--no-launch"],
        ["demo", "--clients", "-1", "--no-launch"],
        ["demo", "--seed", "1e9", "--no-launch"],
    ],
)
def test_numbers_out_of_bounds_are_usage_errors(
    args: list[str], real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(real_db.parent)
    line = _run_main(capsys, *args, *(["--db", str(real_db)] if args[0] != "demo" else []))
    assert "must be from" in line or "not a whole number" in line
    assert snapshot(real_db.parent) == before


# -- streams, terminals and what SQLite says ------------------------------------------------


def _hwtui(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hwtui", *args],
        capture_output="stdout" not in kw,
        text=True,
        timeout=120,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize("command", [["export", "--all"], ["audit", "tail"], ["note-format"]])
def test_a_full_disk_on_standard_output_is_one_line(command: list[str], real_db: Path) -> None:
    with open("/dev/full", "w") as full:
        result = _hwtui("--db", str(real_db), *command, stdout=full, stderr=subprocess.PIPE)
    line = one_line_error(result.returncode, result.stderr)
    assert "standard output" in line
    assert "No space left on device" in line


def test_the_app_without_a_terminal_says_so(real_db: Path) -> None:
    result = _hwtui("--db", str(real_db), stdin=subprocess.DEVNULL)
    assert "needs a terminal" in one_line_error(result.returncode, result.stderr)


def test_a_failed_import_leaves_no_new_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "hwtui-export", "version": 1, "schema": "nope"}))
    target = tmp_path / "new.sqlite3"
    result = _hwtui("import", str(bad), "--db", str(target))
    one_line_error(result.returncode, result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def _sqlite_error(message: str) -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("said", "needles"),
    [
        ("attempt to write a readonly database", ["read-only for you", "check their permissions"]),
        ("disk I/O error", ["disk may be full", "free some space"]),
        ("database or disk is full", ["disk may be full"]),
        ("unable to open database file", ["check the file and its folder"]),
    ],
)
def test_what_sqlite_says_becomes_what_to_do(said: str, needles: list[str], real_db: Path) -> None:
    db = Database(real_db)
    try:
        message = db.explain(_sqlite_error(said))
    finally:
        db.dispose()
    assert str(real_db) in message
    for needle in needles:
        assert needle in message


def test_the_first_launch_says_how_to_start(isolated_home: Path) -> None:
    # As if on a terminal: the missing database is what stops it.
    code = (
        "import sys; from hwtui import cli; cli._need_terminal = lambda: None; "
        "sys.exit(cli.main([]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = one_line_error(result.returncode, result.stderr)
    assert "hwtui db init" in line
    assert "hwtui demo" in line
    assert not (isolated_home / "data" / "hwtui").exists()


def test_a_shared_database_is_refused_in_one_line_and_left_as_it_was(
    real_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_db.chmod(0o640)
    for command in (["db", "current"], ["note-format"], ["export", "--all"]):
        assert main(["--db", str(real_db), *command]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.count("\n") == 1
        assert "can be read or written by other users (mode 0640)" in err
        assert "PostgreSQL" in err
    assert stat.S_IMODE(real_db.stat().st_mode) == 0o640
