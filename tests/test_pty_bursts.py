"""Keys that arrive in one burst, as over a slow or busy SSH link: written to a real pty in
a single `write()`, they must store exactly what the same keys store typed slowly, and
what was meant: nothing in the wrong field, nothing lost, nothing typed twice."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import demo_practice
from tests.pty_app import KEYS, PtyApp

pytestmark = pytest.mark.slow

DOWN, PGDN, TAB, ENTER, CTRL_S = KEYS["down"], KEYS["pagedown"], "\t", "\r", "\x13"
SLOW = 0.25  # seconds between keys, as a person types: the reference

# The whole review of the first client due (C0002 in this practice): three outcomes, a win
# and its kind, a factor with its note, a barrier found by searching, a confidence.
REVIEW = [
    ENTER, "s", "d", "n", "p", PGDN,
    *"Sang in the choir", TAB, DOWN, ENTER, PGDN,
    " ", TAB, *"wrote it down", PGDN,
    *"forgot", TAB, DOWN, " ", PGDN,
    ENTER, "9", PGDN, "c",  # Enter in the goal goes to its confidence (issue 17)
]  # fmt: skip
# Two new clients, one after the other, from the caseload.
CLIENTS = [
    "a", *"BX-01", TAB, *"Burst Name1", TAB, *"v1; v2", CTRL_S,
    "a", *"BX-02", TAB, *"Burst Name2", TAB, *"v3", CTRL_S,
]  # fmt: skip
# New homework from the client overview, field after field.
ASSIGNMENT = [
    ENTER, "n", *"Walk to the shop", TAB, TAB, *"Walk slowly", TAB, *"Fresh air", TAB,
    *"walk there", TAB, *"after lunch", TAB, *"the park", TAB, *"twice", TAB,
    *"10 minutes", CTRL_S,
]  # fmt: skip


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_practice(tmp_path_factory.mktemp("bursts") / "practice.sqlite3")


def _copy(practice: Path, to: Path) -> Path:
    shutil.copy(practice, to)
    return to


def _type(db: Path, keys: list[str], *, burst: bool, done: str | Callable[[Path], bool]) -> None:
    app = PtyApp(["--db", str(db)])
    try:
        app.wait_for("C0001")
        time.sleep(0.5)  # the app is idle, as when a person starts typing
        if burst:
            app.send("".join(keys), pause=0)
        else:
            for key in keys:
                app.send(key, pause=SLOW)
        if isinstance(done, str):
            app.wait_for(done, timeout=30)
        else:
            deadline = time.monotonic() + 30
            while not done(db):
                assert time.monotonic() < deadline, f"never done; the screen shows:\n{app.text()}"
                time.sleep(0.1)
        time.sleep(0.5)
        app.send(KEYS["ctrl+q"], pause=0)
        assert app.wait_exit(10) == 0
    finally:
        app.close()


def _rows(db: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(query).fetchall()
    conn.close()
    return rows


def _both(
    practice: Path, tmp_path: Path, keys: list[str], done: str | Callable[[Path], bool]
) -> tuple[Path, Path]:
    slow = _copy(practice, tmp_path / "slow.sqlite3")
    fast = _copy(practice, tmp_path / "fast.sqlite3")
    _type(slow, keys, burst=False, done=done)
    _type(fast, keys, burst=True, done=done)
    return slow, fast


REVIEW_ROWS = (
    "SELECT r.status, r.win_text, r.win_kind, r.skipped, o.assignment_id, o.outcome,"
    " o.factors, o.factor_notes, o.barriers FROM review r JOIN task_outcome o"
    " ON o.review_id = r.id WHERE r.session_date = date('now', 'localtime')"
    " ORDER BY o.assignment_id"
)
GOAL_ROWS = (
    "SELECT title, what, how_long, confidence, parent_id FROM assignment"
    " WHERE created_in_review_id IS NOT NULL ORDER BY id DESC LIMIT 1"
)


def test_a_whole_review_typed_in_one_burst(practice: Path, tmp_path: Path) -> None:
    slow, fast = _both(practice, tmp_path, REVIEW, done="Progress note")
    stored = _rows(fast, REVIEW_ROWS)
    assert stored == _rows(slow, REVIEW_ROWS)
    assert [row[5] for row in stored] == ["done", "not_done", "partly"]
    assert {row[:3] for row in stored} == {("complete", "Sang in the choir", "decision")}
    assert '"wrote it down"' in stored[0][7]
    assert stored[1][8] == '["forgot"]'
    assert _rows(fast, GOAL_ROWS) == _rows(slow, GOAL_ROWS)
    assert _rows(fast, GOAL_ROWS)[0][3] == 9


CLIENT_ROWS = (
    "SELECT c.code, c.display_name, group_concat(v.text, '|') FROM client c"
    " LEFT JOIN client_value v ON v.client_id = c.id WHERE c.code LIKE 'BX%'"
    " GROUP BY c.id ORDER BY c.code"
)


def test_two_new_clients_typed_in_one_burst(practice: Path, tmp_path: Path) -> None:
    slow, fast = _both(practice, tmp_path, CLIENTS, done="BX-02")
    assert _rows(fast, CLIENT_ROWS) == [
        ("BX-01", "Burst Name1", "v1|v2"),
        ("BX-02", "Burst Name2", "v3"),
    ]
    assert _rows(slow, CLIENT_ROWS) == _rows(fast, CLIENT_ROWS)


ASSIGNMENT_ROWS = (
    'SELECT title, instructions, rationale, what, "when", "where", how_often, how_long'
    " FROM assignment WHERE title LIKE 'Walk to%'"
)


def test_new_homework_typed_in_one_burst(practice: Path, tmp_path: Path) -> None:
    slow, fast = _both(
        practice, tmp_path, ASSIGNMENT, done=lambda db: bool(_rows(db, ASSIGNMENT_ROWS))
    )
    assert _rows(fast, ASSIGNMENT_ROWS) == [
        (
            "Walk to the shop",
            "Walk slowly",
            "Fresh air",
            "walk there",
            "after lunch",
            "the park",
            "twice",
            "10 minutes",
        )
    ]
    assert _rows(slow, ASSIGNMENT_ROWS) == _rows(fast, ASSIGNMENT_ROWS)


def test_keys_at_the_first_frame_wait_for_the_database(practice: Path, tmp_path: Path) -> None:
    """The caseload is painted before the ORM has loaded (first_screen.py); a dialog
    opened by the very first key must neither crash on a half-imported module nor lose
    what is typed into it. Tried on several launches: it was a race."""
    for attempt in range(3):
        db = _copy(practice, tmp_path / f"first-{attempt}.sqlite3")
        app = PtyApp(["--db", str(db)])
        try:
            app.wait_for("C0001")
            app.send("a" + "FF-0" + str(attempt), pause=0)
            shown = app.wait_for("FF-0" + str(attempt))
            assert "Add a client" in shown
        finally:
            app.close()
