"""No typed word lost on any screen: type into a form, drop the SSH link (SIGHUP), launch
again, come back to the same place: the words are there, with a note saying so.

Real ptys, the real `hwtui` command; each screen that takes text has its walk here."""

from __future__ import annotations

import shutil
import signal
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import demo_practice
from tests.pty_app import KEYS, PtyApp

pytestmark = pytest.mark.slow

ENTER, PGDN, F2 = KEYS["enter"], KEYS["pagedown"], KEYS["f2"]
F5 = "\x1b[15~"
BROUGHT_BACK = "Brought back what you typed"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_practice(tmp_path_factory.mktemp("kept") / "practice.sqlite3")


@dataclass(frozen=True)
class Walk:
    """Keys (and what to wait for after each) that reach a form from the caseload."""

    to_form: list[tuple[str, str]]
    words: str


def _go(app: PtyApp, steps: list[tuple[str, str]]) -> None:
    app.wait_for("C0001")
    for keys, then in steps:
        app.send(keys, pause=0.3)
        if then:
            app.wait_for(then)


WALKS: dict[str, Walk] = {
    "add client": Walk([("a", "Add a client")], "KT-01"),
    "new homework": Walk([(ENTER, "Homework to review"), ("n", "Assign homework")], "Kept title"),
    "values": Walk([(ENTER, "Homework to review"), ("v", "Values of")], "; kept value"),
    "measure": Walk([(ENTER, "Homework to review"), ("m", "Record a measure"), ("\t", "")], "1230"),
    "retire reason": Walk(
        [(ENTER, "Homework to review"), (ENTER, "Goal chain"), ("r", "Why is it being retired")],
        "moved house",
    ),
    "skip reason": Walk(
        [(ENTER, "Homework to review"), ("s", "step 1 of 6"), (F2, "Why does this step")],
        "client in crisis",
    ),
}


@pytest.mark.parametrize("name", list(WALKS))
def test_words_typed_in_a_form_survive_a_dropped_link(
    name: str, template: Path, tmp_path: Path
) -> None:
    walk = WALKS[name]
    db = tmp_path / "practice.sqlite3"
    shutil.copy(template, db)
    app = PtyApp(["--db", str(db)], env={"HWTUI_AUTOSAVE_SECONDS": "600"})
    try:
        _go(app, walk.to_form)
        app.type(walk.words)
        app.wait_for(walk.words)
        app.kill(signal.SIGHUP)  # the link drops before any autosave
        assert app.wait_exit(10) == 0
    finally:
        app.close()
    again = PtyApp(["--db", str(db)])
    try:
        steps = list(walk.to_form)
        if name == "skip reason":  # the review itself is resumed first
            steps[1] = ("r", "step 1 of 6")
        _go(again, steps)
        shown = again.wait_for(BROUGHT_BACK)
        assert walk.words in shown
    finally:
        again.close()


def test_words_in_the_goal_editor_go_into_the_review(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "practice.sqlite3"
    shutil.copy(template, db)
    app = PtyApp(["--db", str(db)], env={"HWTUI_AUTOSAVE_SECONDS": "600"})
    try:
        _go(
            app,
            [
                (ENTER, "Homework to review"),
                ("s", "step 1 of 6"),
                ("n", ""),
                ("n", ""),
                ("n", ""),
                (PGDN, "step 2 of 6"),
                (PGDN, "step 3 of 6"),
                (PGDN, "step 4 of 6"),
                (PGDN, "step 5 of 6"),
                ("9", ""),
                (F5, "The review's new goal"),
            ],
        )
        app.type(" on Sundays")  # the title field has the focus, after its text
        app.wait_for("on Sundays")
        app.kill(signal.SIGHUP)
        assert app.wait_exit(10) == 0
    finally:
        app.close()
    goals = _draft_goals(db)
    assert any(goal.endswith(" on Sundays") for goal in goals), goals


def _draft_goals(db: Path) -> list[str]:
    import json

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT draft_goals FROM review WHERE status = 'draft'").fetchall()
    conn.close()
    return [goal["title"] for (goals,) in rows for goal in json.loads(goals)]
