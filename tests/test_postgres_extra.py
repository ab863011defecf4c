"""PostgreSQL's driver comes with an extra (`pip install 'hwtui[postgres]'`); SQLite needs
nothing more. A postgresql:// URL without the driver gets one line saying what to install."""

from __future__ import annotations

import sys

import pytest

from hwtui import cli
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem

URL = "postgresql://alice@localhost/hwtui"


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails


@pytest.mark.usefixtures("no_psycopg")
def test_a_postgresql_url_without_the_driver_says_what_to_install() -> None:
    with pytest.raises(DatabaseProblem, match=r"pip install 'hwtui\[postgres\]'"):
        Database(URL)


@pytest.mark.usefixtures("no_psycopg")
def test_the_command_line_says_it_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", URL, "db", "current"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == (
        "hwtui: error: PostgreSQL needs the psycopg driver, which is not installed: "
        "pip install 'hwtui[postgres]' (or use an SQLite file)\n"
    )
