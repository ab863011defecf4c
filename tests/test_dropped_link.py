"""A dropped SSH link (SIGHUP) or a stop (SIGTERM) mid-review keeps every word typed.

These drive the real `hwtui` command on a pseudo-terminal, the way a clinician's SSH
session runs it, and read the screen through a terminal emulator.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlmodel import select

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.models import Review
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician, os_username
from tests.pty_app import KEYS, PtyApp

pytestmark = pytest.mark.slow


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "practice.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
        client = create_client(s, me, code="HUP1", display_name="Hana U")
        assert client.id is not None
        create_assignment(s, me, client.id, title="Evening walk", when="after dinner")
    db.dispose()
    return path


def _draft(path: Path) -> Review | None:
    db = Database(path)
    try:
        with db.read() as s:
            return s.exec(select(Review).where(Review.status == "draft")).first()
    finally:
        db.dispose()


def _type_a_win_then(path: Path, sig: int, words: str) -> PtyApp:
    # A long autosave delay: only the signal handler can have saved the words.
    app = PtyApp(["--db", str(path)], env={"HWTUI_AUTOSAVE_SECONDS": "600"})
    app.type_a_win("HUP1", words)
    app.kill(sig)
    return app


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_mid_review_saves_the_draft_and_exits(db_path: Path, sig: int) -> None:
    words = "I asked my sister for help [b]really[/b]"
    app = _type_a_win_then(db_path, sig, words)
    try:
        assert app.wait_exit(timeout=5) == 0
    finally:
        app.close()
    draft = _draft(db_path)
    assert draft is not None
    assert draft.win_text == words
    assert draft.step == "win"


def test_after_a_hangup_relaunching_resumes_the_draft_with_the_text(db_path: Path) -> None:
    words = "Slept through twice"
    first = _type_a_win_then(db_path, signal.SIGHUP, words)
    try:
        first.wait_exit(timeout=5)
    finally:
        first.close()
    again = PtyApp(["--db", str(db_path)])
    try:
        again.wait_for("draft open")
        again.send(KEYS["enter"])
        again.wait_for("Resume draft")
        again.send("r")
        shown = again.wait_for("step 2 of 6")
        assert words in shown
        again.send(KEYS["ctrl+q"])
        assert again.wait_exit(timeout=10) == 0
    finally:
        again.close()


@pytest.mark.parametrize("busy", [False, True], ids=["quiet", "screen-changing"])
def test_a_real_hangup_mid_review_saves_the_draft_and_the_process_ends(
    db_path: Path, busy: bool
) -> None:
    """The terminal itself goes away (not a signal sent by hand): writes to it fail from
    then on. A session that hung on its way out once stayed for good, holding its
    database connection, on a server."""
    words = "Walked after dinner twice"
    app = PtyApp(["--db", str(db_path)], env={"HWTUI_AUTOSAVE_SECONDS": "600"}, controlling=True)
    try:
        app.type_a_win("HUP1", words)
        if busy:
            # Keys still on their way when the link drops: the screen keeps changing
            # while the terminal is gone, filling the queue of writes to it.
            os.write(app.master, b" and once more" * 8)
        app.hang_up_terminal()
        assert app.wait_exit(timeout=15) == 0
    finally:
        app.close()
    draft = _draft(db_path)
    assert draft is not None
    assert draft.win_text is not None
    assert draft.win_text.startswith(words)
