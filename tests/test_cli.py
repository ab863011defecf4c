"""The command line: version, errors as one line on stderr, db commands, demo."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hwtui import __version__
from hwtui.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a subprocess (no TTY, so never the TUI)."""
    return subprocess.run(
        [sys.executable, "-m", "hwtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hwtui: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"hwtui {__version__}"


def test_unknown_option_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--frobnicate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--frobnicate" in err[0]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("mysql://u@h/d", "unsupported database"),
        ("sqlite://", "file path"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot open the database"),
    ],
)
def test_bad_database_urls(url: str, needle: str) -> None:
    assert_one_line_error(run("--db", url, "db", "current"), needle)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_bytes(b"this is not sqlite\n" * 100)
    before = junk.read_bytes(), junk.stat().st_mode
    assert_one_line_error(run("--db", str(junk), "db", "current"), "not an SQLite database")
    assert (junk.read_bytes(), junk.stat().st_mode) == before


def test_an_unreadable_database(tmp_path: Path) -> None:
    locked = tmp_path / "locked.sqlite3"
    with sqlite3.connect(locked) as conn:
        conn.execute("CREATE TABLE t (id INTEGER)")
    conn.close()
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything
        pytest.skip("running as root: file permissions are not enforced")
    result = run("--db", str(locked), "db", "current")
    assert_one_line_error(result, "permission denied")


def test_a_database_of_another_program(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    conn.close()
    path.chmod(0o600)  # the clinician's own file, whatever this process's umask
    assert_one_line_error(run("--db", str(path), "db", "upgrade"), "not an hwtui database")


def test_bad_setting_in_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HWTUI_IDLE_MINUTES", "soon")
    assert main(["db", "current"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "idle_minutes" in err[0]


def test_db_init_then_upgrade_then_current(tmp_path: Path) -> None:
    path = tmp_path / "hwtui.sqlite3"
    # A database is never made by a command that only reads or upgrades one.
    for args in (("db", "current"), ("db", "upgrade")):
        assert_one_line_error(run("--db", str(path), *args), "no database", "hwtui db init")
        assert not path.exists()
    init = run("db", "init", "--db", str(path))
    assert init.returncode == 0, init.stderr
    assert init.stdout.startswith("created")
    again = run("db", "upgrade", "--db", str(path))
    assert "already at" in again.stdout
    current = run("--db", str(path), "db", "current")
    assert current.returncode == 0
    assert "(current;" in current.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    twice = run("db", "init", "--db", str(path))
    assert twice.returncode == 0
    assert "already a database" in twice.stdout


def test_default_database_lives_in_the_data_dir(isolated_home: Path) -> None:
    assert main(["db", "init"]) == 0
    expected = isolated_home / "data" / "hwtui" / "hwtui.sqlite3"
    assert expected.exists()
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    assert stat.S_IMODE(expected.parent.stat().st_mode) == 0o700


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("HWTUI_DATABASE_URL", str(path))
    assert main(["db", "init"]) == 0
    assert path.exists()


def test_database_url_from_config_file(isolated_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "configured.sqlite3"
    config = isolated_home / "config" / "hwtui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'database_url = "{path}"\n')
    assert main(["db", "init"]) == 0
    assert path.exists()


def test_demo_no_launch_writes_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    result = run("demo", "--clients", "5", "--weeks", "4", "--db", str(path), "--no-launch")
    assert result.returncode == 0, result.stderr
    assert "5 clients" in result.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM client").fetchone() == (5,)
    conn.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_demo_refuses_to_overwrite_a_file(tmp_path: Path) -> None:
    path = tmp_path / "real.sqlite3"
    path.write_bytes(b"precious")
    assert_one_line_error(run("demo", "--db", str(path), "--no-launch"), "already exists")
    assert path.read_bytes() == b"precious"


@pytest.mark.parametrize("args", [["demo", "--clients", "0"], ["demo", "--weeks", "many"]])
def test_demo_bad_numbers(args: list[str]) -> None:
    assert_one_line_error(run(*args, "--no-launch"))


def test_launch_upgrades_an_older_database_after_backing_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SQLite file at an older revision is copied (0600) before it is upgraded."""
    from hwtui.data import migrate
    from hwtui.data.db import Database

    path = tmp_path / "old.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'base_for_test'")
    db.dispose()
    real_status = migrate.status

    def older(database: Database) -> migrate.SchemaStatus:
        st = real_status(database)
        if st.revision == "base_for_test":
            return migrate.SchemaStatus(migrate.SchemaState.BEHIND, st.revision, st.head)
        return st

    monkeypatch.setattr(migrate, "status", older)
    monkeypatch.setattr(migrate, "upgrade", lambda database, revision="head": _stamp_head(database))
    from hwtui import opening

    opened = opening.open_database(str(path))
    opened.dispose()
    backups = list(tmp_path.glob("old.sqlite3.base_for_test.*.bak"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "base_for_test",
        )
    conn.close()


def _stamp_head(database: object) -> None:
    from hwtui.data.db import Database
    from hwtui.data.revisions import head_revision

    assert isinstance(database, Database)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = ?", (head_revision(),))


def test_demo_help_describes_every_option() -> None:
    """Issue 17: `hwtui demo --help` listed --clients, --weeks and --seed bare."""
    result = run("demo", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--clients N how many made-up clients" in text
    assert "--weeks W weeks of weekly reviews" in text
    assert "--seed S the same seed writes the same practice" in text
