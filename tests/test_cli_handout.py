"""`hwtui handout CODE` as a clinician runs it: formats, private files, one-line errors,
and an audit event for every handout made."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from hwtui.data.db import Database
from hwtui.data.services.identity import os_username
from tests.conftest import TODAY
from tests.helpers import events_after, last_event_id
from tests.test_cli import assert_one_line_error, run


@pytest.fixture
def practice(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Path:
    path = tmp_path / "practice.sqlite3"
    demo_sqlite(path, clinician=os_username(), clients=4, weeks=5, seed=3, today=TODAY).dispose()
    return path


def _events(practice: Path, after: int) -> list[tuple[str, str, str]]:
    db = Database(f"sqlite:///{practice}")
    try:
        return [(e.action, e.entity, e.detail) for e in events_after(db, after)]
    finally:
        db.dispose()


def _last(practice: Path) -> int:
    db = Database(f"sqlite:///{practice}")
    try:
        return last_event_id(db)
    finally:
        db.dispose()


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_text_and_markdown_go_to_stdout_and_are_audited(practice: Path, fmt: str) -> None:
    before = _last(practice)
    result = run("--db", str(practice), "handout", "C0001", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert "Your homework" in result.stdout
    assert "\x1b" not in result.stdout
    assert any(
        a == "export" and e == "handout" and f"format={fmt}" in d
        for a, e, d in _events(practice, before)
    )


def test_pdf_and_ics_are_private_new_files(practice: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "sheet.pdf"
    result = run("--db", str(practice), "handout", "C0001", "--format", "pdf", "--out", str(pdf))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) == 1
    ics = tmp_path / "sheet.ics"
    result = run(
        "--db", str(practice), "handout", "C0001", "--format", "ics", "--out", str(ics),
        "--at", "19:30",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    assert ics.read_bytes().startswith(b"BEGIN:VCALENDAR")
    # Never overwritten: one line, the file as it was.
    before = pdf.read_bytes()
    again = run("--db", str(practice), "handout", "C0001", "--format", "pdf", "--out", str(pdf))
    assert_one_line_error(again, "already exists")
    assert pdf.read_bytes() == before


def test_mistakes_are_one_line(practice: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("--db", str(practice), "handout", "NOPE"), "NOPE")
    assert_one_line_error(
        run("--db", str(practice), "handout", "C0001", "--format", "pdf"), "--out"
    )
    assert_one_line_error(
        run("--db", str(practice), "handout", "C0001", "--at", "25:99", "--format", "ics"),
        "HH:MM",
    )
    missing = tmp_path / "nowhere" / "x.txt"
    assert_one_line_error(
        run("--db", str(practice), "handout", "C0001", "--out", str(missing)), "does not exist"
    )


def test_an_ics_without_times_names_the_tasks(practice: Path, tmp_path: Path) -> None:
    """The demo leaves about half the tasks without a time: the error names them."""
    for code in ("C0001", "C0002", "C0003", "C0004"):
        out = tmp_path / f"{code}.ics"
        result = run("--db", str(practice), "handout", code, "--format", "ics", "--out", str(out))
        if result.returncode != 0:
            assert_one_line_error(result, "no time of day for “", "--at HH:MM")
            assert not out.exists()
            return
    pytest.skip("every demo task here has a time of day")


def test_the_files_name_says_its_format_unless_format_does(practice: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "by-name.pdf"
    result = run("--db", str(practice), "handout", "C0001", "--out", str(pdf))
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    md = tmp_path / "by-name.md"
    assert run("--db", str(practice), "handout", "C0001", "--out", str(md)).returncode == 0
    assert md.read_text(encoding="utf-8").startswith("# Your homework")
    forced = tmp_path / "forced.pdf"
    result = run(
        "--db", str(practice), "handout", "C0001", "--format", "text", "--out", str(forced)
    )
    assert result.returncode == 0, result.stderr
    assert forced.read_text(encoding="utf-8").startswith("Your homework")
