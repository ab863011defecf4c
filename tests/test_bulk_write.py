"""The demo's and the import's writer: rows in as given, JSON stored as `json.dumps` writes
it (each distinct value encoded once, never one value's text for another), and on
PostgreSQL the id sequences moved past the ids written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Text, cast, insert, select
from sqlmodel import SQLModel

from hwtui.data import bulk_write
from hwtui.data.bulk_write import _encode_json
from hwtui.data.db import Database
from hwtui.data.services.identity import Actor

# Values equal in Python whose JSON differs (1, True, 1.0; 0.0 and -0.0; [] and {}), and
# values too nested to share a text: each must keep its own.
TRICKY: list[Any] = [
    [1], [True], [1.0], [0.0], [-0.0], [], {}, [None], [[1]], [{"a": 1}],
    {"a": 1}, {"a": True}, {"a": 1.0}, {"a": None}, {"a": [1]}, {"a": [True]},
    {1: "x"}, {True: "x"}, {"1": "x"}, [1, True], [True, 1], ["a"], None, 1, True, "x",
]  # fmt: skip


def test_each_value_gets_its_own_json_text() -> None:
    rows = [{"c": value} for value in TRICKY + TRICKY]
    _encode_json(rows, ["c"])
    assert [row["c"] for row in rows] == [json.dumps(value) for value in TRICKY + TRICKY]


def test_rows_and_json_stored_as_given(
    db: Database, me: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_write, "INSERT_CHUNK", 3)  # several chunks
    fields = [value for value in TRICKY if isinstance(value, dict)]
    stamp = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    rows = [
        {
            "id": 100 + n,
            "clinician_id": me.clinician_id,
            "client_id": None,
            "place": f"place {n}",
            "reason": "",
            "text": "",
            "fields": value,
            "saved_at": stamp,
        }
        for n, value in enumerate(fields)
    ]
    table = SQLModel.metadata.tables["unsaved_input"]
    with db.write() as session:
        conn = session.connection()
        bulk_write.insert_rows(conn, "unsaved_input", rows)
        if conn.dialect.name == "postgresql":
            bulk_write.advance_sequences(conn, ["unsaved_input"])
        after = conn.execute(
            insert(table).values(
                clinician_id=me.clinician_id, place="after", fields={}, saved_at=stamp
            )
        ).inserted_primary_key
    with db.read() as session:
        stored = session.execute(
            select(table.c.id, cast(table.c.fields, Text), table.c.saved_at)
            .where(table.c.place != "after")
            .order_by(table.c.id)
        ).all()
    assert [(row[0], row[1]) for row in stored] == [
        (100 + n, json.dumps(value)) for n, value in enumerate(fields)
    ]
    assert all(row[2] == stamp for row in stored)
    assert after is not None
    assert after[0] > 100 + len(fields) - 1  # the next ordinary insert gets a new id
