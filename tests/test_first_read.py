"""The launch's first read in a child process (`launch.FirstRead`): the rows it hands over
are the rows read, the child is always reaped, and whatever goes wrong in it leaves the
launch to the full path; where forking is not safe the read is made in the process itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hwtui import launch
from hwtui.data import demo, migrate
from hwtui.data.actor import Actor, os_username
from hwtui.data.caseload_rows import CaseloadRow
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.first_rows import FirstScreen, decode_first_screen, encode_first_screen
from hwtui.data.first_screen import read_first_screen

HOSTILE = ["[TODO]", "[@click=app.quit]x[/]", "\x1b]52;c;aGk=\x07", "Zoë\u202e", "\x00\n\t"]


def _practice(path: Path) -> Path:
    db = Database(path)
    migrate.upgrade(db)
    demo.generate(db, clinician=os_username(), clients=6, weeks=8, today=date.today())
    db.dispose()
    return path


def _in_a_fresh_process(code: str) -> dict[str, object]:
    """*code* run by a new interpreter (one thread, so the launch may fork); it prints a
    JSON object as its last line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    found: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


_WATCHED = """
import json, os, sys
from datetime import date
from pathlib import Path
from hwtui import launch
from hwtui.data import first_screen
from hwtui.data.actor import os_username
path = Path({path!r})
real = first_screen.read_first_screen
def watched(*args, **kwargs):
    {body}
first_screen.read_first_screen = watched
reading = launch.FirstRead.begin(str(path))
first = reading.result()
try:
    os.waitpid(-1, os.WNOHANG)
    children = "left"
except ChildProcessError:
    children = "none"
here = real(path, os_username(), date.today())
print(json.dumps({{
    "same": first is not None and here is not None and first.rows == here.rows
        and first.actor == here.actor,
    "none": first is None,
    "children": children,
    "parent": os.getpid(),
}}))
"""


def test_the_rows_are_read_in_a_child_and_handed_over_whole(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    marker = tmp_path / "read-by"
    body = f"Path({str(marker)!r}).write_text(str(os.getpid())); return real(*args, **kwargs)"
    seen = _in_a_fresh_process(_WATCHED.format(path=str(path), body=body))
    assert seen["same"] is True
    assert seen["children"] == "none"  # reaped
    assert int(marker.read_text()) != seen["parent"]


@pytest.mark.parametrize(
    "body",
    [
        "raise RuntimeError('a fault of the read')",
        "os.kill(os.getpid(), 9)",
        "os._exit(0)",  # ended before it handed anything over
    ],
    ids=["raises", "killed", "says-nothing"],
)
def test_a_child_that_fails_leaves_the_full_path(tmp_path: Path, body: str) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    seen = _in_a_fresh_process(_WATCHED.format(path=str(path), body=body))
    assert seen["none"] is True
    assert seen["children"] == "none"


def test_with_another_thread_running_the_read_is_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="another")
    other.start()
    try:
        assert launch._may_fork() is False
        monkeypatch.setattr("os.fork", lambda: pytest.fail("forked with another thread"))
        reading = launch.FirstRead.begin(str(path))
        assert reading is not None
        first = reading.result()
    finally:
        stop.set()
        other.join()
    assert first == read_first_screen(path, os_username(), date.today())


def test_a_file_it_may_not_use_is_refused_before_any_child(tmp_path: Path) -> None:
    path = _practice(tmp_path / "hwtui.sqlite3")
    path.chmod(0o644)
    with pytest.raises(DatabaseProblem, match="can be read or written by other users"):
        launch.FirstRead.begin(str(path))


def test_what_is_not_a_first_screen_is_refused() -> None:
    for data in (b'{"actor": [1, "a"]}', b'{"rows": []}', b"[1, 2]", b"not json"):
        with pytest.raises(ValueError, match=r"^not a first screen: "):
            decode_first_screen(data)
    assert decode_first_screen(encode_first_screen(None)) is None


_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
_rows = st.builds(
    CaseloadRow,
    client_id=st.integers(min_value=1, max_value=2**40),
    code=st.one_of(st.sampled_from(HOSTILE), st.text()),
    display_name=st.one_of(st.sampled_from(HOSTILE), st.text()),
    last_review=st.none() | _days,
    next_due=_days,
    active_assignments=st.integers(min_value=0, max_value=500),
    has_draft=st.booleans(),
    archived=st.booleans(),
)


@given(
    actor=st.builds(Actor, st.integers(min_value=1), st.text(), st.text()),
    rows=st.lists(_rows, max_size=20),
)
def test_the_rows_cross_the_pipe_exactly(actor: Actor, rows: list[CaseloadRow]) -> None:
    """Every character of a client's code and name (typed or imported, hostile ones too)
    arrives as it was: they are rendered as text later, never here."""
    first = FirstScreen(actor, rows)
    assert decode_first_screen(encode_first_screen(first)) == first
