"""`hwtui audit verify | tail`: the audit log checked and read from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from hwtui.cli import main
from hwtui.data.db import Database
from hwtui.data.services import audit
from hwtui.data.services.identity import ensure_clinician, os_username
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review, last_event_id
from tests.test_cli import assert_one_line_error, run


@pytest.fixture
def practice(db_url: str) -> str:
    """A database with a few days of work in its audit log, as the OS user."""
    db = Database(db_url)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
    client_id = add_client(db, me, code="AU1", display_name="Audie")
    walk = add_assignment(db, me, client_id, "Walk")
    add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    db.dispose()
    return db_url


def _sql(url: str, statement: str, **params: object) -> None:
    db = Database(url)
    try:
        with db.write() as s:
            s.execute(text(statement), params)
    finally:
        db.dispose()


def _event_ids(url: str) -> list[int]:
    db = Database(url)
    try:
        with db.read() as s:
            return list(s.execute(text("SELECT id FROM audit_event ORDER BY id")).scalars())
    finally:
        db.dispose()


def _verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["audit", "verify", "--db", url])
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hwtui: error: audit log broken")
    return lines[0]


def test_verify_an_intact_log(practice: str, capsys: pytest.CaptureFixture[str]) -> None:
    events = len(_event_ids(practice))
    assert events >= 5
    code, out, err = _verify(practice, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"OK: {events} events (last hash ")
    assert len(out.strip().splitlines()) == 1


def test_verify_finds_an_edited_detail(practice: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _event_ids(practice)
    _sql(practice, "UPDATE audit_event SET detail = 'nothing here' WHERE id = :id", id=ids[2])
    code, out, err = _verify(practice, capsys)
    assert code == 1
    assert out == ""
    line = _one_error_line(err)
    assert f"at event {ids[2]}:" in line
    assert "does not match its hash" in line


def test_verify_finds_a_deleted_event(practice: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _event_ids(practice)
    _sql(practice, "DELETE FROM audit_event WHERE id = :id", id=ids[2])
    code, _, err = _verify(practice, capsys)
    assert code == 1
    line = _one_error_line(err)
    assert f"at event {ids[3]}:" in line  # the first event whose link is now wrong
    assert "link to the previous event is broken" in line


def test_verify_finds_the_last_event_deleted(
    practice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _event_ids(practice)
    _sql(practice, "DELETE FROM audit_event WHERE id = :id", id=ids[-1])
    code, _, err = _verify(practice, capsys)
    assert code == 1
    line = _one_error_line(err)
    assert f"at event {ids[-1]}:" in line
    assert f"event is missing: the chain head records {len(ids)} events" in line


def test_tail_prints_the_last_events_oldest_first(
    practice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(practice)
    with db.write() as s:
        for n in range(25):
            audit.record(s, "alice", "view", "client", n, client_id=n, detail=f"look {n}")
    last = last_event_id(db)
    db.dispose()

    assert main(["audit", "tail", "--db", practice]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20  # the default
    assert [int(line.split()[0]) for line in lines] == list(range(last - 19, last + 1))
    fields = lines[-1].split("  ")
    assert fields[0] == str(last)
    # The server's zone, named (UTC in the tests: conftest.utc_display_zone).
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", fields[1])
    assert fields[2:] == ["alice", "view", "client", "id=24 client=24", "look 24"]

    assert main(["audit", "tail", "-n", "2", "--db", practice]) == 0
    assert [line.split("  ")[-1] for line in capsys.readouterr().out.splitlines()] == [
        "look 23",
        "look 24",
    ]


def test_tail_prints_no_control_characters(
    practice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A detail that reached the log with an escape sequence or a newline in it must not
    act on the terminal, nor forge a second line."""
    db = Database(practice)
    with db.write() as s:
        audit.record(
            s,
            "mal\x1b[2Jlory",
            "export",
            "caseload",
            detail="to=/tmp/x\x1b]52;c;aGk=\x07\nhwtui: forged\x9b31m line\x7f",
        )
    db.dispose()
    assert main(["audit", "tail", "-n", "1", "--db", practice]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out.rstrip("\n"))
    assert "mal[2Jlory  export  caseload  id=- client=-" in out
    assert out.rstrip().endswith("to=/tmp/x]52;c;aGk= hwtui: forged31m line")


def test_tail_of_an_empty_log(tmp_path: Path) -> None:
    assert run("db", "init", "--db", str(tmp_path / "new.sqlite3")).returncode == 0
    result = run("audit", "tail", "--db", str(tmp_path / "new.sqlite3"))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_real_command_verifies(practice: str) -> None:
    result = run("audit", "verify", "--db", practice)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["audit"], "required"), (["audit", "tail", "-n", "0"], "must be from 1 to 100000")],
)
def test_audit_usage_errors(args: list[str], needle: str) -> None:
    assert_one_line_error(run(*args), needle)


def test_a_hash_kept_elsewhere_finds_a_chain_rewritten_end_to_end(
    practice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18: someone able to rewrite every event and the head after an edit leaves a
    chain that verifies on its own; the head's hash kept elsewhere (`audit head`) does not
    match it any more. More events since are fine: the kept hash is still in the chain."""
    assert main(["audit", "head", "--db", practice]) == 0
    kept = capsys.readouterr().out.split()[0]
    assert re.fullmatch(r"[0-9a-f]{64}", kept)
    db = Database(practice)
    with db.write() as s:  # normal use goes on
        me = ensure_clinician(s, os_username())
        audit.record(s, me, "view", "client", 1, client_id=1)
    db.dispose()
    code, out, err = _verify_expecting(practice, kept, capsys)
    assert (code, err) == (0, "")
    assert f"holds {kept[:12]}… at event" in out
    _rewrite_from(practice, 2)
    assert _verify(practice, capsys)[0] == 0  # consistent on its own
    code, out, err = _verify_expecting(practice, kept, capsys)
    assert code == 1
    assert err.strip() == (
        f"hwtui: error: audit log rewritten: the hash kept elsewhere ({kept[:12]}…) is not in it"
    )


def test_expect_takes_only_a_hash(practice: str) -> None:
    assert_one_line_error(
        run("audit", "verify", "--expect", "abc", "--db", practice), "64 hex digits"
    )


def _verify_expecting(
    url: str, digest: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(["audit", "verify", "--expect", digest.upper(), "--db", url])
    out, err = capsys.readouterr()
    return code, out, err


def _rewrite_from(url: str, position: int) -> None:
    """Change the detail of the event at *position* and re-hash every event after it, and
    the head, as a forger with write access to both tables could."""
    from hwtui.data.audit_chain import GENESIS, EventContent
    from hwtui.data.models import AuditEvent

    db = Database(url)
    try:
        with db.write() as s:
            rows = s.execute(
                text(
                    "SELECT id, at, os_user, action, entity, entity_id, client_id, detail"
                    " FROM audit_event ORDER BY id"
                )
            ).all()
            prev = GENESIS
            for index, row in enumerate(rows):
                detail = "forged" if index == position else row.detail
                event = s.get(AuditEvent, row.id)  # its time as the ORM reads it
                assert event is not None
                at = event.at
                content = EventContent(
                    at, row.os_user, row.action, row.entity, row.entity_id, row.client_id, detail
                )
                digest = content.digest(prev)
                s.execute(
                    text(
                        "UPDATE audit_event SET detail = :d, prev_hash = :p, hash = :h"
                        " WHERE id = :id"
                    ),
                    {"d": detail, "p": prev, "h": digest, "id": row.id},
                )
                prev = digest
            s.execute(text("UPDATE audit_head SET last_hash = :h"), {"h": prev})
    finally:
        db.dispose()
