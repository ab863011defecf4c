"""The client's handout at 80x24: on its own screen from the client overview (h), and in
the client-facing view (c, then h) for the client to read.

Review the SVGs with `pytest tests/test_snapshots_handout.py --snapshot-report` before
accepting a change: the text stays inside 80 columns, the footer shows the keys, and
nothing clinician-only (barrier codes, notes, measures) is on the screen.
"""

from __future__ import annotations

from typing import Any

import pytest

from hwtui.app import build_app
from hwtui.data.db import Database
from tests.conftest import TODAY
from tests.test_snapshots_client import BUSY_CLIENT, CLINICIAN, demo_db, opened

__all__ = ["demo_db"]  # the fixture, shared with the client overview's snapshots


def test_handout_from_the_overview(snap_compare: Any, demo_db: Database) -> None:
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened(BUSY_CLIENT, "h"))


def test_handout_with_no_color(
    snap_compare: Any, demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened(BUSY_CLIENT, "h"))


def test_handout_in_the_client_view(snap_compare: Any, demo_db: Database) -> None:
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened(BUSY_CLIENT, "c", "h"))
