"""Bringing caseloads to a practice server (issue 18): each clinician exports their own
SQLite caseload and merges it (`hwtui import FILE --merge`) into one shared PostgreSQL
database, through their own role, under row-level security, as in tests/test_pg_rls.py.
Each then sees exactly their own clients, and the owner's audit check still holds."""

# ruff: noqa: S608  (the SQL here is formatted with table names only)

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from hwtui.cli import main
from hwtui.data.db import Database
from hwtui.data.export import export_json, json_text
from hwtui.data.services.identity import ensure_clinician
from tests.conftest import TODAY
from tests.helpers import add_client
from tests.test_import_merge import canonical, combined
from tests.test_pg_rls import (  # noqa: F401  (fixtures)
    ALICE,
    BOB,
    OWNER,
    Practice,
    practice,
    rls_template,
)

pytestmark = pytest.mark.postgres

CLIENTS, WEEKS = 4, 6
Tables = dict[str, list[dict[str, Any]]]


def _export(
    demo_sqlite: Callable[..., Database], folder: Path, username: str
) -> tuple[Path, Tables]:
    """*username*'s demo caseload on SQLite, exported to a JSON file."""
    db = demo_sqlite(
        folder / f"{username}.sqlite3",
        clinician=username,
        clients=CLIENTS,
        weeks=WEEKS,
        today=TODAY,
    )
    try:
        with db.write() as s:
            data = export_json(s, ensure_clinician(s, username), None)
    finally:
        db.dispose()
    path = folder / f"{username}.json"
    path.write_text(json_text(data))
    return path, data["tables"]


def _caseload(db: Database, username: str) -> Tables:
    with db.write() as s:
        return dict(export_json(s, ensure_clinician(s, username), None)["tables"])


def _merge(
    monkeypatch: pytest.MonkeyPatch, server: Practice, role: str, file: Path, as_user: str = ""
) -> int:
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: as_user or role)
    return main(["import", str(file), "--merge", "--db", server.url(role)])


def _everything(server: Practice) -> dict[str, int]:
    with server.owner.read() as s:
        return {
            name: s.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in SQLModel.metadata.tables
        }


def test_two_clinicians_merge_their_caseloads_and_each_sees_exactly_their_own(
    practice: Practice,  # noqa: F811
    demo_sqlite: Callable[..., Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = {who: _export(demo_sqlite, tmp_path, who) for who in (ALICE, BOB)}
    dbs = {ALICE: practice.alice, BOB: practice.bob}
    before = {who: _caseload(dbs[who], who) for who in dbs}
    for who, (file, _tables) in files.items():
        assert _merge(monkeypatch, practice, who, file) == 0, capsys.readouterr().err
        assert f"added {CLIENTS} clients" in capsys.readouterr().out
    for who, db in dbs.items():
        after = _caseload(db, who)
        # Their own clients, and the file's, every row linked as it was; nothing else.
        assert canonical(after) == combined(canonical(before[who]), canonical(files[who][1]))
        codes = sorted(row["code"] for row in after["client"])
        seeded = "A1" if who == ALICE else "B1"
        assert codes == sorted([seeded] + [row["code"] for row in files[who][1]["client"]])
        with db.read() as s:
            owners = set(s.execute(text("SELECT clinician_id FROM client")).scalars())
            seen = {
                name: s.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() for name in after
            }
        assert owners == {after["clinician"][0]["id"]}
        assert seen == {name: len(rows) for name, rows in after.items()}
    with practice.owner.read() as s:
        clients = s.execute(text("SELECT count(*) FROM client")).scalar_one()
        imports = s.execute(
            text("SELECT os_user, detail FROM audit_event WHERE action = 'import' ORDER BY id")
        ).all()
    assert clients == 2 + 2 * CLIENTS
    assert [user for user, _detail in imports] == [ALICE, BOB]
    assert all(f"mode=merge clients={CLIENTS} " in detail for _user, detail in imports)
    # The sequences moved as for any insert: the next client gets a free id.
    add_client(practice.alice, practice.a.actor, "after the merge")
    assert main(["audit", "verify", "--db", practice.url(OWNER)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_merging_again_is_refused_and_writes_nothing(
    practice: Practice,  # noqa: F811
    demo_sqlite: Callable[..., Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file, tables = _export(demo_sqlite, tmp_path, ALICE)
    assert _merge(monkeypatch, practice, ALICE, file) == 0
    capsys.readouterr()
    counts = _everything(practice)
    assert _merge(monkeypatch, practice, ALICE, file) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"hwtui: {CLIENTS} client codes of the file are in your caseload")
    assert err[1:] == [f"  {row['code']}" for row in tables["client"]]
    assert _everything(practice) == counts
    # Bob's caseload holds none of those codes: the same file is his to merge.
    assert _merge(monkeypatch, practice, BOB, file) == 0


def test_a_role_merging_into_anothers_caseload_is_told_in_one_line(
    practice: Practice,  # noqa: F811
    demo_sqlite: Callable[..., Database],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file, _tables = _export(demo_sqlite, tmp_path, ALICE)
    counts = _everything(practice)
    # Alice's role, naming Bob: row-level security shows it nothing of his, nor lets it add.
    assert _merge(monkeypatch, practice, ALICE, file, as_user=BOB) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("hwtui: error: "), err
    assert "connect as your own PostgreSQL role" in err, err
    assert "Traceback" not in err
    assert _everything(practice) == counts
