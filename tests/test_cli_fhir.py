"""`hwtui export --format fhir` as a clinician runs it: the real entry point in a
subprocess, the files it leaves (0600, never over an existing path), the audit event, and
one clear line for every mistake."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from hwtui.data.db import Database
from hwtui.data.services.identity import os_username
from tests.conftest import TODAY
from tests.test_cli import assert_one_line_error, run

Case = Callable[[Path], list[str]]


@pytest.fixture
def practice(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Path:
    """An SQLite file with my demo caseload (the clinician is whoever runs the tests)."""
    path = tmp_path / "practice.sqlite3"
    demo_sqlite(path, clinician=os_username(), clients=3, weeks=5, seed=3, today=TODAY).dispose()
    return path


def _bundle(db: Path, *args: str) -> dict[str, Any]:
    result = run("--db", str(db), "export", "--format", "fhir", *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_one_client_to_stdout_is_a_valid_bundle_the_same_each_time(practice: Path) -> None:
    first = run("--db", str(practice), "export", "C0002", "--format", "fhir")
    assert first.returncode == 0, first.stderr
    second = run("--db", str(practice), "export", "C0002", "--format", "fhir")
    assert first.stdout == second.stdout
    bundle = json.loads(first.stdout)
    get_fhir_model_class("Bundle").model_validate(bundle)
    (patient,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert patient["identifier"][0]["value"] == "C0002"
    assert "name" not in patient


def test_with_names_and_the_identifier_system_setting(
    practice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWTUI_FHIR_IDENTIFIER_SYSTEM", "urn:oid:1.2.3.{clinician}")
    bundle = _bundle(practice, "C0001", "--with-names")
    patient = bundle["entry"][0]["resource"]
    assert patient["identifier"][0]["system"] == f"urn:oid:1.2.3.{os_username()}"
    assert patient["name"][0]["text"]


def test_a_bad_identifier_system_setting_is_one_line(
    practice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HWTUI_FHIR_IDENTIFIER_SYSTEM", "client codes")
    result = run("--db", str(practice), "export", "C0001", "--format", "fhir")
    assert_one_line_error(result, "fhir_identifier_system", "not an absolute URI")


def test_one_client_to_a_private_file(practice: Path, tmp_path: Path) -> None:
    out = tmp_path / "c1.json"
    result = run("--db", str(practice), "export", "C0001", "--format", "fhir", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"to {out}" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text()) == _bundle(practice, "C0001")


def test_the_caseload_one_file_per_client_in_a_folder_or_zip(
    practice: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ehr"
    result = run("--db", str(practice), "export", "--all", "--format", "fhir", "--out", str(folder))
    assert result.returncode == 0, result.stderr
    assert "exported 3 clients" in result.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["C0001.json", "C0002.json", "C0003.json"]
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads((folder / "C0003.json").read_text()) == _bundle(practice, "C0003")

    archive = tmp_path / "ehr.zip"
    result = run(
        "--db", str(practice), "export", "--all", "--format", "fhir", "--out", str(archive)
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == names
        assert zf.read("C0001.json") == (folder / "C0001.json").read_bytes()
        for info in zf.infolist():
            assert stat.S_IMODE(info.external_attr >> 16) == 0o600


def test_since_and_the_audit_event(practice: Path) -> None:
    everything = _bundle(practice, "C0001")
    later = _bundle(practice, "C0001", "--since", "2099-01-01")
    assert [e["resource"]["resourceType"] for e in later["entry"]] == ["Patient"]
    assert len(everything["entry"]) > 1
    tail = run("--db", str(practice), "audit", "tail", "-n", "2")
    assert tail.returncode == 0, tail.stderr
    lines = tail.stdout.strip().splitlines()
    assert "export" in lines[-1]
    assert "format=fhir clients=1 rows=1 since=2099-01-01 names=no" in lines[-1]


def _taken(tmp: Path) -> str:
    path = tmp / "taken"
    path.write_text("precious")
    return str(path)


MISTAKES: dict[str, tuple[Case, str]] = {
    "bad --since": (lambda tmp: ["C0001", "--since", "last week"], "not a date (YYYY-MM-DD)"),
    "impossible --since": (lambda tmp: ["C0001", "--since", "2026-02-30"], "not a date"),
    "--all to stdout": (lambda tmp: ["--all"], "give --out FOLDER"),
    "--all to one json": (lambda tmp: ["--all", "--out", str(tmp / "x.json")], "one bundle per"),
    "over a file": (lambda tmp: ["C0001", "--out", _taken(tmp)], "already exists"),
    "--all over a file": (lambda tmp: ["--all", "--out", _taken(tmp)], "already exists"),
    "into a missing folder": (
        lambda tmp: ["C0001", "--out", str(tmp / "no" / "x.json")],
        "does not exist",
    ),
    "process notes": (lambda tmp: ["C0001", "--process-notes"], "leaves them out"),
    "unknown client": (lambda tmp: ["C9999"], "no client with code 'C9999'"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_mistakes_are_one_clear_line(practice: Path, tmp_path: Path, mistake: str) -> None:
    build, needle = MISTAKES[mistake]
    work = tmp_path / "work"
    work.mkdir()
    args = build(work)
    before = sorted((p.name, p.read_bytes()) for p in work.iterdir())
    result = run("--db", str(practice), "export", "--format", "fhir", *args)
    assert_one_line_error(result, needle)
    assert sorted((p.name, p.read_bytes()) for p in work.iterdir()) == before


def test_since_and_names_are_for_fhir_only(practice: Path) -> None:
    result = run("--db", str(practice), "export", "C0001", "--since", "2026-01-01")
    assert_one_line_error(result, "go with --format fhir")
    assert (
        run("--db", str(practice), "export", "--format", "fhir", "C0001", "--since", "x").returncode
        == 2
    )
