"""Many rows at once: the demo's and the imports' writer.

The demo and the plain import write whole tables of rows whose ids they already know (the
demo assigns them, an import keeps the file's); a merge import (`hwtui.data.import_merge`)
lets the database assign them and is told which (`insert_returning_ids`). Thousands at a
time, in one transaction the caller owns. The ORM per row would cost more than making the
rows, so each table goes in with SQLAlchemy Core's executemany, in chunks, rows in the
order given: parents first is the caller's job (tables in foreign-key order; within a
table, a row after the row it refers to).

The caller also records the audit event, in the same transaction or right after it: a
bulk write is one change the trail names ("generate" a demo, "import" a file), not an
event per row (`hwtui.data.services.audit`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Hashable, Iterable
from typing import Any

from sqlalchemy import (
    JSON,
    BindParameter,
    Column,
    ColumnElement,
    Connection,
    Dialect,
    Integer,
    MetaData,
    Table,
    TableClause,
    Text,
    cast,
    column,
    func,
    insert,
    select,
    table,
)
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

Row = dict[str, Any]

# Rows per executemany call: memory for the statement's parameters stays bounded however
# many rows a table has.
INSERT_CHUNK = 10_000


def insert_rows(conn: Connection, name: str, rows: list[Row]) -> None:
    """Insert *rows* into the table *name*, in the order given, ids and all.

    The values of JSON columns are replaced in *rows* by their JSON text.
    """
    _encode_json(rows, _json_columns(name))
    stmt = insert(_insert_target(name, conn.dialect.name))
    for start in range(0, len(rows), INSERT_CHUNK):
        conn.execute(stmt, rows[start : start + INSERT_CHUNK])


def insert_returning_ids(conn: Connection, name: str, rows: list[Row]) -> list[int]:
    """Insert *rows* (without ids) into the table *name*; the ids the database gave them,
    in the order of *rows*.

    One statement per chunk of rows on PostgreSQL (SQLAlchemy's "insertmanyvalues", its
    RETURNING sorted back into the order of the parameters); SQLite, in process, takes
    them one by one. The values of JSON columns are replaced in *rows* by their JSON text.
    """
    _encode_json(rows, _json_columns(name))
    target = _returning_target(name)
    stmt = insert(target).returning(target.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        ids.extend(conn.execute(stmt, rows[start : start + INSERT_CHUNK]).scalars())
    return ids


def advance_sequences(conn: Connection, names: Iterable[str]) -> None:
    """Move PostgreSQL's id sequences of the tables *names* past the largest id in each.

    The ids were chosen by the caller, so the serial sequences never moved; without
    this the next ordinary insert would be handed an id that is already taken.
    """
    for name in names:
        keys = list(_table(name).primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        last = select(func.max(keys[0])).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(name, keys[0].name), last)))


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


class _JsonText(TypeDecorator[str]):
    """JSON already encoded to text, cast to JSON inside the statement (PostgreSQL)."""

    impl = Text
    cache_ok = True

    def bind_expression(self, bindvalue: BindParameter[str]) -> ColumnElement[str]:
        return cast(bindvalue, JSON)


@functools.cache
def _json_columns(name: str) -> tuple[str, ...]:
    return tuple(c.name for c in _table(name).c if isinstance(c.type, JSON))


@functools.cache
def _insert_target(name: str, dialect: str) -> TableClause:
    """The table with its JSON columns taking pre-encoded text.

    Encoding JSON in SQLAlchemy's bind processing costs a json.dumps per value, about
    a third of a demo's run at full size; most values repeat ([] or the same codes), so
    `_encode_json` encodes each distinct value once, with the same `json.dumps` the JSON
    type would use. SQLite stores JSON as text anyway; PostgreSQL needs the cast. Every
    other column keeps its model type.
    """
    as_text: TypeEngine[Any] = _JsonText() if dialect == "postgresql" else Text()
    json_columns = _json_columns(name)
    return table(
        name,
        *(column(c.name, as_text if c.name in json_columns else c.type) for c in _table(name).c),
    )


class _EncodedJson(TypeDecorator[Any]):
    """JSON already encoded to text, passed through as it is: the column stays JSON in
    the statement, which the sorted RETURNING form needs (it casts each value to the
    column's type, where `_JsonText` would be cast back to text)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


@functools.cache
def _returning_target(name: str) -> Table:
    """`_insert_target` as a Table of its own: RETURNING in parameter order needs one,
    with the integer primary key the database fills in."""
    json_columns = _json_columns(name)
    return Table(
        name,
        MetaData(),
        *(
            Column(
                c.name,
                _EncodedJson() if c.name in json_columns else c.type,
                primary_key=c.primary_key,
            )
            for c in _table(name).c
        ),
    )


def _encode_json(rows: list[Row], columns: Iterable[str]) -> None:
    """Replace the values in *columns* by their JSON text, in place."""
    for name in columns:
        seen: dict[Hashable, str] = {}
        for row in rows:
            value = row[name]
            key = _same_text_key(value)
            if key is None:
                row[name] = json.dumps(value)
                continue
            encoded = seen.get(key)
            if encoded is None:
                encoded = seen[key] = json.dumps(value)
            row[name] = encoded


# Types whose equal values always have the same JSON text. Not float (0.0 == -0.0), and
# the types are part of a key because 1 == True in Python but not in JSON.
_PLAIN = frozenset((str, int, bool, type(None)))


def _same_text_key(value: Any) -> Hashable | None:
    """A key that only values with the same JSON text share; None if it is not worth one.

    Flat lists and dicts of plain values (codes, item scores, notes by code) are what
    repeats; anything else is encoded each time. Types are compared with `map(type, ...)`
    rather than a loop in Python: this runs once a value, millions of times in a demo.
    """
    kind = type(value)
    if kind is list:
        if not value:
            return list  # the commonest values of all: [] and {}
        types = tuple(map(type, value))
        if _PLAIN.issuperset(types):
            return (list, types, *value)
    elif kind is dict:
        if not value:
            return dict
        key_types = tuple(map(type, value))
        types = tuple(map(type, value.values()))
        if _PLAIN.issuperset(key_types) and _PLAIN.issuperset(types):
            return (dict, key_types, types, *value.items())
    return None
