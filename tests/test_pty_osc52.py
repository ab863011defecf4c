"""A stored escape sequence never reaches the terminal: checked on the wire.

The real `hwtui` runs on a pseudo-terminal over a database whose client name, homework
title and review (win, notes) hold escape sequences, written behind the services' back
as an import or an older version might have left them. Every byte the app writes is
captured: the sequences' printable rest is on the screen as text, and not one of them
arrives with its ESC (or BEL) in front, so the terminal never acts on it. OSC 52 would
set the clinician's clipboard; OSC 0 the window title; CSI 2J clears the screen.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from hwtui.data import migrate
from hwtui.data.catalog import FACTORS
from hwtui.data.db import Database
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician, os_username
from hwtui.data.services.reviews import complete_review, start_review
from hwtui.data.text import strip_controls
from tests.conftest import TODAY
from tests.pty_app import KEYS, PtyApp

pytestmark = pytest.mark.slow

OSC52 = "\x1b]52;c;aGFjaw==\x07"  # "hack" onto the clipboard
WIN = f"Slept well {OSC52}then \x1b[31mred\x1b[0m done"
NAME = "Hana \x1b]0;pwned\x07U"
TITLE = "Walk \x1b[2Jdaily \x9b31mnow"
NOTE = f"asked her sister {OSC52}for help"

# What must never be written: each sequence with its introducer (7-bit and 8-bit).
FORBIDDEN = [
    b"\x1b]52;c;aGFjaw==",
    b"aGFjaw==\x07",
    b"\x1b[31mred",
    b"\x1b[0m done",
    b"\x1b]0;pwned",
    b"pwned\x07",
    b"\x1b[2Jdaily",
    "\x9b31mnow".encode(),
]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "practice.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    factor = FACTORS[0].code
    with db.write() as s:
        me = ensure_clinician(s, os_username())
        client = create_client(s, me, code="OSC1", display_name="Hana U")
        assert client.id is not None
        walk = create_assignment(s, me, client.id, title="Walk daily now", when="after dinner")
        assert walk.id is not None
        review = start_review(s, me, client.id, TODAY - timedelta(days=7))
        assert review.id is not None
        outcome = {"assignment_id": walk.id, "outcome": "done", "discussed": True}
        outcome |= {"factors": [factor], "factor_notes": {factor: "x"}, "worked_notes": "x"}
        complete_review(s, me, review.id, win_text="x", outcomes=[outcome])
    with db.write() as s:  # as imported or legacy data: not through the services
        run = s.connection().execute
        run(sql("UPDATE client SET display_name = :v"), {"v": NAME})
        run(sql("UPDATE assignment SET title = :v"), {"v": TITLE})
        run(sql("UPDATE review SET win_text = :v"), {"v": WIN})
        run(sql("UPDATE task_outcome SET worked_notes = :v"), {"v": NOTE})
        run(sql("UPDATE task_outcome SET factor_notes = :v"), {"v": json.dumps({factor: NOTE})})
    db.dispose()
    return path


def visible(text: str) -> str:
    """What a person should see of *text*: it without its control characters."""
    return strip_controls(text)


def test_stored_escape_sequences_never_reach_the_terminal(db_path: Path) -> None:
    app = PtyApp(["--db", str(db_path)], size=(120, 40))
    try:
        app.wait_for("OSC1")
        app.wait_for(visible(NAME))  # the caseload
        app.send(KEYS["enter"])
        app.wait_for("Past reviews")  # the client overview: the win, the homework
        app.wait_for(visible(WIN))
        app.wait_for(visible(TITLE))
        app.wait_for("Past reviews (1)")  # the last part of the overview to be filled
        time.sleep(0.5)  # a tab typed while the lists are being refilled is lost
        app.send(KEYS["tab"])  # to the past reviews
        app.send(KEYS["enter"])
        app.wait_for("Note/summary")  # the review, read-only: its summary
        app.wait_for(visible(NOTE))
        app.send("v")  # its progress note
        app.wait_for("Progress note")
        app.wait_for(visible(WIN))
        app.wait_for("]52;c;aGFjaw==for help")  # the note wraps at 78 columns
        app.send(KEYS["ctrl+q"])
        assert app.wait_exit(timeout=10) == 0
    finally:
        app.close()
    wire = bytes(app.raw)
    assert b"]52;c;aGFjaw==" in wire  # the printable rest went out, as text
    for sequence in FORBIDDEN:
        assert sequence not in wire, sequence
