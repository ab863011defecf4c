"""`hwtui note`: the latest or a given review's note, in each format; errors in one line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hwtui.data.db import Database
from hwtui.data.services.identity import ensure_clinician, os_username
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review
from tests.test_cli import assert_one_line_error, run


@pytest.fixture
def practice(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> tuple[Path, int, int]:
    path = tmp_path / "notes.sqlite3"
    db = migrated_sqlite(path)
    with db.write() as s:
        me = ensure_clinician(s, os_username())  # the CLI acts as the OS user
    client_id = add_client(db, me, code="NT1", display_name="Nat")
    walk = add_assignment(db, me, client_id, "Walk")
    older = add_completed_review(
        db, me, client_id, TODAY.replace(day=18), {walk: "not_done"}, win_text="first week"
    )
    latest = add_completed_review(
        db, me, client_id, TODAY, {walk: "done"}, win_text="[b]Slept[/b] well"
    )
    add_client(db, me, code="EMPTY")
    db.dispose()
    return path, older, latest


def test_the_latest_note_as_text(practice: tuple[Path, int, int]) -> None:
    path, _older, _latest = practice
    result = run("note", "NT1", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Progress note (DAP)")
    assert "“[b]Slept[/b] well”" in result.stdout
    assert "Walk: done" in result.stdout


def test_a_given_review_as_markdown_in_soap(practice: tuple[Path, int, int]) -> None:
    path, older, _latest = practice
    result = run(
        "note",
        "NT1",
        "--review",
        str(older),
        "--format",
        "markdown",
        "--style",
        "soap",
        "--db",
        str(path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Progress note (SOAP)")
    assert "first week" in result.stdout
    assert "## Subjective" in result.stdout


def test_json_has_the_sections_as_fields(practice: tuple[Path, int, int]) -> None:
    path, _older, _latest = practice
    result = run("note", "NT1", "--format", "json", "--db", str(path))
    data = json.loads(result.stdout)
    assert set(data["sections"]) == {"data", "assessment", "plan"}
    assert data["homework"]["win"]["text"] == "[b]Slept[/b] well"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["note", "NOPE"], "no client with code 'NOPE'"),
        (["note", "EMPTY"], "no completed review"),
        (["note", "NT1", "--review", "999"], "no review with id 999"),
        (["note", "NT1", "--format", "pdf"], "invalid choice"),
    ],
)
def test_note_errors_are_one_line(
    practice: tuple[Path, int, int], args: list[str], needle: str
) -> None:
    path, _older, _latest = practice
    assert_one_line_error(run(*args, "--db", str(path)), needle)


def test_the_note_format_is_a_setting_of_the_clinician(practice: tuple[Path, int, int]) -> None:
    path, _older, _latest = practice
    assert run("note-format", "--db", str(path)).stdout.strip() == "dap"
    assert run("note-format", "birp", "--db", str(path)).stdout.strip() == "birp"
    result = run("note", "NT1", "--db", str(path))
    assert result.stdout.startswith("Progress note (BIRP)")
    assert_one_line_error(run("note-format", "narrative", "--db", str(path)), "invalid choice")


def test_the_signature_is_set_once_from_the_command_line(
    practice: tuple[Path, int, int],
) -> None:
    path, _older, _latest = practice
    db = ["--db", str(path)]
    assert run("signature", *db).returncode == 0
    result = run("signature", "--name", "Dr A [b]Smith[/b]\x1b]52;c;aGk=\x07", *db)
    assert result.stdout == "Dr A [b]Smith[/b]]52;c;aGk=\n"  # controls gone, text kept
    result = run("signature", "--credentials", "PhD, licensed psychologist", *db)
    assert result.stdout == "Dr A [b]Smith[/b]]52;c;aGk=, PhD, licensed psychologist\n"
    assert_one_line_error(run("signature", "--name", "  ", *db), "name is needed to sign")


def test_after_the_demo_a_note_from_the_usual_database_points_to_the_demo(
    isolated_home: Path,
) -> None:
    """Issue 17: `hwtui demo` then `hwtui note C0002` said only "no client with code
    'C0002'": the error names the database it looked in and the demo's `--db`, and
    creates no database."""
    from hwtui.config import data_dir

    made = run("demo", "--no-launch", "--clients", "3", "--weeks", "2", "--seed", "1")
    assert made.returncode == 0, made.stderr
    demo = data_dir() / "demo.sqlite3"
    assert demo.is_file()
    usual = data_dir() / "hwtui.sqlite3"

    result = run("note", "C0002")
    assert_one_line_error(result, str(usual), f"hwtui note C0002 --db {demo}")
    assert not usual.exists(), "a read-only command created a database"

    assert run("db", "init").returncode == 0
    result = run("note", "C0002")
    assert_one_line_error(result, "no client with code 'C0002'", f"in {usual}", f"--db {demo}")

    shown = run("note", "C0002", "--db", str(demo))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Progress note")
