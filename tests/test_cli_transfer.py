"""`hwtui export`, `hwtui import` and `hwtui backup` as a clinician runs them: the real
entry point in a subprocess, the files it leaves, and one clear line for every mistake."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hwtui.data.db import Database
from hwtui.data.services.identity import os_username
from tests.conftest import TODAY
from tests.test_cli import assert_one_line_error, run

TABLES = ["assignment", "client", "client_value", "clinician", "measure", "review"]


@pytest.fixture
def practice(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Path:
    """An SQLite file with my demo caseload (the clinician is whoever runs the tests)."""
    path = tmp_path / "practice.sqlite3"
    demo_sqlite(path, clinician=os_username(), clients=4, weeks=5, seed=3, today=TODAY).dispose()
    return path


def _export(db: Path, *args: str) -> dict[str, Any]:
    result = run("--db", str(db), "export", *args)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_export_then_import_into_a_new_database_gives_back_the_same_data(
    practice: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "caseload.json"
    written = run("--db", str(practice), "export", "--all", "--out", str(exported))
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert "exported 4 clients" in written.stderr
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600

    fresh = tmp_path / "restored.sqlite3"
    restored = run("import", str(exported), "--db", str(fresh))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("imported 4 clients, ")
    assert "  task_outcome" in restored.stdout

    before, after = json.loads(exported.read_text()), _export(fresh, "--all")
    assert after["tables"] == before["tables"]
    assert after["tables"]["review"]


def test_export_one_client_to_stdout(practice: Path) -> None:
    data = _export(practice, "C0002", "--format", "json")
    assert [c["code"] for c in data["tables"]["client"]] == ["C0002"]
    client_id = data["tables"]["client"][0]["id"]
    assert {r["client_id"] for r in data["tables"]["review"]} == {client_id}
    assert data["clinician"] == os_username()


@pytest.mark.parametrize("name", ["csv-folder", "csv.zip"])
def test_csv_export(practice: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = run("export", "--all", "--format", "csv", "--out", str(out), "--db", str(practice))
    assert result.returncode == 0, result.stderr
    assert f"to {out}" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == (0o600 if name.endswith(".zip") else 0o700)
    if name.endswith(".zip"):
        with zipfile.ZipFile(out) as zf:
            names = sorted(zf.namelist())
            header = zf.read("client.csv").decode().splitlines()[0]
    else:
        names = sorted(p.name for p in out.iterdir())
        header = (out / "client.csv").read_text().splitlines()[0]
    assert names == sorted(f"{t}.csv" for t in [*TABLES, "task_outcome", "unsaved_input"])
    assert header.startswith("id,clinician_id,code,")


def test_backup_prints_what_it_checked(practice: Path, tmp_path: Path) -> None:
    dest = tmp_path / "backup.sqlite3"
    result = run("--db", str(practice), "backup", str(dest))
    assert result.returncode == 0, result.stderr
    first, *tables = result.stdout.splitlines()
    assert first.startswith(f"backup written to {dest}: integrity ok, ")
    counts = {line.split()[0]: int(line.split()[1]) for line in tables}
    assert first.endswith(f"{len(counts)} tables, {sum(counts.values())} rows")
    assert counts["client"] == 4
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    # And it opens as a database holding the same caseload.
    assert _export(dest, "--all")["tables"] == _export(practice, "--all")["tables"]


def test_backup_says_it_removed_what_a_killed_backup_left(practice: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    left = folder / ".monday.sqlite3.hwtui-tmp-0123456789abcdef"
    for path in (left, Path(f"{left}-journal")):
        path.write_bytes(b"left by a killed run")
    result = run("--db", str(practice), "backup", str(folder / "tuesday.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (f"hwtui: removed 2 file(s) an interrupted backup left in {folder}\n")
    assert sorted(p.name for p in folder.iterdir()) == ["tuesday.sqlite3"]


# --- Mistakes: one line on stderr, a non-zero exit, nothing written -----------------------

Case = Callable[[Path, Path], list[str]]


def _invalid_json(tmp: Path) -> str:
    path = tmp / "broken.json"
    path.write_text('{"format": "hwtui-export", ')
    return str(path)


def _old_schema(tmp: Path) -> str:
    path = tmp / "old.json"
    path.write_text(json.dumps({"format": "hwtui-export", "version": 1, "schema": "0001"}))
    return str(path)


def _a_zip(tmp: Path) -> str:
    path = tmp / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("client.csv", "id\n")
    return str(path)


def _taken(tmp: Path) -> str:
    path = tmp / "taken"
    path.write_text("precious")
    return str(path)


def _own_export(db: Path, tmp: Path) -> str:
    path = tmp / "mine.json"
    path.write_text(json.dumps(_export(db, "--all")))
    return str(path)


MISTAKES: dict[str, tuple[Case, str]] = {
    "unknown client": (lambda db, tmp: ["export", "C9999"], "no client with code 'C9999'"),
    "client and --all": (lambda db, tmp: ["export", "C0001", "--all"], "not allowed with"),
    "neither": (lambda db, tmp: ["export"], "one of the arguments CLIENT --all is required"),
    "csv to stdout": (lambda db, tmp: ["export", "--all", "--format", "csv"], "give --out"),
    "bad format": (lambda db, tmp: ["export", "--all", "--format", "xml"], "invalid choice"),
    "export over a file": (
        lambda db, tmp: ["export", "--all", "--out", _taken(tmp)],
        "already exists",
    ),
    "export into a missing folder": (
        lambda db, tmp: ["export", "--all", "--out", str(tmp / "no" / "x.json")],
        "does not exist",
    ),
    "import a missing file": (
        lambda db, tmp: ["import", str(tmp / "missing.json")],
        "cannot read",
    ),
    "import a folder": (lambda db, tmp: ["import", str(tmp)], "Is a directory"),
    "import broken json": (lambda db, tmp: ["import", _invalid_json(tmp)], "not valid JSON"),
    "import a csv zip": (lambda db, tmp: ["import", _a_zip(tmp)], "only JSON exports"),
    "import an old schema": (
        lambda db, tmp: ["import", _old_schema(tmp)],
        "from database schema '0001'",
    ),
    "import into a database in use": (
        lambda db, tmp: ["import", _own_export(db, tmp)],
        "import needs an empty database",
    ),
    "backup over a file": (lambda db, tmp: ["backup", _taken(tmp)], "already exists"),
    "backup into a missing folder": (
        lambda db, tmp: ["backup", str(tmp / "no" / "copy.sqlite3")],
        "does not exist",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_one_clear_line(practice: Path, tmp_path: Path, mistake: str) -> None:
    build, needle = MISTAKES[mistake]
    work = tmp_path / "work"
    work.mkdir()
    args = build(practice, work)
    before = sorted(p.name for p in work.iterdir())
    assert_one_line_error(run("--db", str(practice), *args), needle)
    assert sorted(p.name for p in work.iterdir()) == before


def test_a_bad_import_file_creates_no_database(tmp_path: Path) -> None:
    target = tmp_path / "would-be.sqlite3"
    result = run("--db", str(target), "import", _invalid_json(tmp_path))
    assert_one_line_error(result, "not valid JSON")
    assert not target.exists()


def test_a_spoilt_import_lists_every_problem_and_creates_no_database(
    practice: Path, tmp_path: Path
) -> None:
    """The first line says how many problems there are; at most 20 follow, each naming
    its table, row and field; then how many more. No traceback, no new database."""
    data = _export(practice, "--all")
    reviews = data["tables"]["review"]
    for review in reviews:
        review["session_date"] = "9999-12-31"
    data["tables"]["client"][0]["code"] = "../../etc"
    data["tables"]["measure"][-1]["instrument"] = "bdi"
    spoilt = tmp_path / "spoilt.json"
    spoilt.write_text(json.dumps(data))
    target = tmp_path / "would-be.sqlite3"
    result = run("--db", str(target), "import", str(spoilt))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    count = len(reviews) + 2
    assert count > 21
    assert lines[0] == f"hwtui: the import file has {count} problems; nothing was imported"
    assert lines[1] == (
        "  table client, id 1, code: must not contain /, \\ or .. (notes are saved under its name)"
    )
    assert lines[2] == (
        f"  table review, id {reviews[0]['id']}, session_date: 9999-12-31 is outside 1900-2200"
    )
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == f"  ... and {count - 20} more"
    assert not target.exists()


def test_an_import_that_fails_in_the_database_removes_the_database_it_created(
    practice: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hwtui import cli
    from hwtui.data import import_file
    from hwtui.data.errors import HwtuiError

    exported = tmp_path / "caseload.json"
    exported.write_text(json.dumps(_export(practice, "--all")))

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise HwtuiError("the export's rows in review do not fit together")

    monkeypatch.setattr(import_file, "import_json", refuse)
    fresh = tmp_path / "fresh.sqlite3"
    assert cli.main(["--db", str(fresh), "import", str(exported)]) == cli.EXIT_ERROR
    assert "do not fit together" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caseload.json", "practice.sqlite3"]
    # A database that was there before is left as it was.
    before = practice.read_bytes()
    assert cli.main(["--db", str(practice), "import", str(exported)]) == cli.EXIT_ERROR
    assert practice.exists()
    assert len(practice.read_bytes()) == len(before)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_backup_of_postgresql_points_at_pg_dump(db_url: str, tmp_path: Path) -> None:
    dest = tmp_path / "copy.dump"
    assert_one_line_error(run("--db", db_url, "backup", str(dest)), "pg_dump --format=custom")
    assert not dest.exists()


def test_a_reader_that_goes_away_ends_the_export_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`hwtui export --all | head`: no traceback when the pipe closes early."""
    from hwtui import cli

    class ClosedPipe(io.StringIO):
        def __init__(self, fd: int) -> None:
            super().__init__()
            self.fd = fd

        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return self.fd

    with (tmp_path / "stdout").open("w") as sink:
        monkeypatch.setattr(sys, "stdout", ClosedPipe(sink.fileno()))
        assert cli._to_stdout('{"format": "hwtui-export"}\n') == cli.EXIT_ERROR
        # Whatever Python flushes at exit now goes nowhere instead of raising again.
        assert os.path.samestat(os.fstat(sink.fileno()), os.stat(os.devnull))
