"""Fuzzing the import: a real export with one field of one row spoilt per example.

Whatever the field becomes (a huge or negative number, a date far away, an empty,
multi-line, path-like, surrogate or 5 MB string, the wrong JSON type, deep nesting, a
reference to itself or to a row of another client, an unknown code), the import either
refuses the file with an error naming the table, and writes nothing, or restores a
caseload whose every screen, review and note opens. Never a traceback, never a hang.
"""

from __future__ import annotations

import copy
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import SQLModel

from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.import_file import import_json
from tests.import_helpers import (
    USER,
    build_export,
    deadline,
    empty_copy,
    migrated_template,
    open_everything,
)

# Runs on every push: about 250 examples in well under a minute. Each example has a
# hard limit besides (a hang fails it), and hypothesis's deadline catches the slow.
FUZZ = settings(
    max_examples=250,
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HARD_LIMIT_S = 30
EXPORTED = sorted(set(SQLModel.metadata.tables) - {"audit_event", "audit_head", "process_note"})

BIG = "x" * 5_000_000
DEEP: Any = "x"
for _ in range(5_000):
    DEEP = [DEEP]

NASTY_FIXED: list[Any] = [
    # numbers
    0,
    -1,
    10**9,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    1.5,
    float("nan"),
    float("inf"),
    True,
    False,
    None,
    # dates and times, near and far
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2201-01-01",
    "2026-02-30",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "2026-11-25T10:00:00",
    # text
    "",
    " ",
    "\n",
    "a\nb",
    "line\r\nbreak",
    "/",
    "a/b",
    "../x",
    "..",
    "C\\1",
    "\ud800",
    "ok \udfff",
    "\x1b[31mred\x1b[0m",
    "[b]x[/b]",
    BIG,
    # codes hwtui does not know
    "bdi",
    "gremlins",
    "lunch",
    "paused",
    # JSON of every shape
    [],
    {},
    ["forgot", "too_big"],
    ["forgot"] * 5_000,
    [{"title": "x"}],
    [{"title": "x", "parent_id": 1}],
    [{}],
    [None],
    ["read"],
    {"win": 1},
    {"win": ["x"]},
    {"thinking": ["x"]},
    {"values": "x" * 30_000},
    {"win": "a\nb"},
    [1, 2, 3],
    [10**30],
    [-1] * 9,
    DEEP,
    [[[[[[[[["x"]]]]]]]]],
]

json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
JSON_VALUES = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
NASTY = st.one_of(
    st.sampled_from(NASTY_FIXED),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=20),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    JSON_VALUES,
)
GOAL_FIELDS = ["title", "kind", "parent_id", "value_id", "obstacles", "confidence", "due_date"]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_export(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fuzz")
    return migrated_template(folder), folder


def _spoil(draw: st.DrawFn, data: dict[str, Any]) -> str:
    """Change one field of one row (two for a loop); return the table."""
    tables = data["tables"]
    # Tables the demo leaves empty (unsaved_input) have no field to spoil.
    name = draw(st.sampled_from([table for table in EXPORTED if tables[table]]))
    rows = tables[name]
    row = draw(st.sampled_from(rows))
    column = draw(st.sampled_from(sorted(row)))
    how = draw(st.sampled_from(["nasty", "nasty", "nasty", "an id", "a loop", "inside"]))
    if how == "an id":
        # Itself, another row of the table, or a row of another table (another client's).
        other = draw(st.sampled_from(EXPORTED))
        row[column] = draw(st.sampled_from([r["id"] for r in tables[other]] + [row["id"]]))
    elif how == "a loop" and column in {"amends_id", "parent_id"}:
        partner = draw(st.sampled_from(rows))
        row[column], partner[column] = partner["id"], row["id"]
    elif how == "inside" and isinstance(row[column], list) and row[column]:
        index = draw(st.integers(0, len(row[column]) - 1))
        item = row[column][index]
        if isinstance(item, dict):
            item[draw(st.sampled_from(GOAL_FIELDS))] = draw(NASTY)
        else:
            row[column][index] = draw(NASTY)
    elif how == "inside" and isinstance(row[column], dict) and row[column]:
        row[column][draw(st.sampled_from(sorted(row[column])))] = draw(NASTY)
    else:
        row[column] = draw(NASTY)
    return name


def _near(name: str) -> set[str]:
    """The table and the tables referring to it (a review's draft goals name homework
    and values by id too)."""
    tables = SQLModel.metadata.tables
    referring = {
        other
        for other in EXPORTED
        if any(fk.column.table.name == name for fk in tables[other].foreign_keys)
    }
    goals = {"review"} if name in {"assignment", "client_value"} else set()
    return {name} | referring | goals


def _rows_in(db: Database) -> int:
    with db.read() as s:
        conn = s.connection()
        return sum(
            conn.execute(select(func.count()).select_from(SQLModel.metadata.tables[t])).scalar_one()
            for t in EXPORTED
            if t != "clinician"
        )


@FUZZ
@given(st.data())
def test_a_spoilt_export_is_refused_or_works(
    good: dict[str, Any], workdir: tuple[Path, Path], data: st.DataObject
) -> None:
    template, folder = workdir
    spoilt = copy.deepcopy(good)
    table = _spoil(data.draw, spoilt)
    db = empty_copy(template, folder)
    try:
        with deadline(HARD_LIMIT_S):
            try:
                import_json(db, spoilt, username=USER)
            except HwtuiError as exc:
                message = str(exc)
                assert "\n" not in message
                # Named where it is, or where it is felt: in a row that refers to this one.
                assert any(f"table {name}" in message for name in _near(table)), message
                assert _rows_in(db) == 0
                event("refused")
                return
            open_everything(db)
            event("restored and opened")
    finally:
        db.dispose()
