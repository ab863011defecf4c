"""The app's database, opened on first use (data/lazy_db.py): once, by whichever thread asks
first; a failure is said to that caller, remembered, and the next use tries again."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.lazy_db import LazyDatabase


def test_an_open_database_is_opened() -> None:
    db = object()
    lazy = LazyDatabase.of(db)  # type: ignore[arg-type]
    assert lazy.opened
    assert not lazy.failed
    assert lazy.get() is db


def test_it_opens_once_whoever_asks(tmp_path: Path) -> None:
    calls: list[str] = []
    gate = threading.Event()

    def opener() -> Database:
        calls.append(threading.current_thread().name)
        gate.wait(5)
        return Database(tmp_path / "hwtui.sqlite3")

    lazy = LazyDatabase(opener)
    assert not lazy.opened
    got: list[Database] = []
    threads = [threading.Thread(target=lambda: got.append(lazy.get())) for _ in range(3)]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join(5)
    lazy.close()
    assert len(calls) == 1
    assert len(got) == 3
    assert got[0] is got[1] is got[2]
    assert lazy.opened


def test_a_failure_is_remembered_and_the_next_use_tries_again(tmp_path: Path) -> None:
    tries: list[int] = []

    def opener() -> Database:
        tries.append(1)
        if len(tries) == 1:
            raise DatabaseProblem("cannot open the database: disk I/O error")
        return Database(tmp_path / "hwtui.sqlite3")

    lazy = LazyDatabase(opener)
    with pytest.raises(DatabaseProblem, match="disk I/O"):
        lazy.get()
    assert lazy.failed
    assert not lazy.opened
    db = lazy.get()
    assert (lazy.opened, lazy.failed) == (True, False)
    assert lazy.get() is db
    assert len(tries) == 2
    lazy.close()


def test_closing_what_was_never_opened_opens_nothing() -> None:
    def opener() -> Database:
        raise AssertionError("opened")

    LazyDatabase(opener).close()


def test_it_loads_no_orm() -> None:
    code = "import sys, hwtui.data.lazy_db; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
