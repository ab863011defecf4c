"""New ids for a merge import's rows (`hwtui.data.import_merge`), and every reference moved.

In a database that already holds caseloads the file's ids are taken (a colleague's rows
have them, and a clinician may not even see which), so the database gives every row a
new id as it goes in, and each reference to a row of the file is pointed at the new one:

- foreign keys, generically from the table definitions: a table's rows go in after the
  tables they point at (`export_plan`'s order), and rows pointing at rows of their own
  table (a goal's parent, the review an amendment amends) in generations, parents first;
- ids kept inside other columns, which no foreign key describes (`EMBEDDED`): a draft
  review's new goals name the missed task they support and a value; a form's kept words
  (`unsaved_input`) name the form's place ("review 12", "homework 7") and the ids its
  fields held. Their rows go in first and are put right once every table has its ids
  (`embedded_changes`): a draft's goals name tasks, which go in after reviews.

An id the file does not hold (which the checks allow only in kept words) becomes none
(None, or "?" in a place): it would name some other row of the target.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel

from hwtui.data.errors import HwtuiError
from hwtui.data.export_plan import CLINICIAN
from hwtui.data.import_links import ASSIGNMENT, CLIENT, REVIEW, VALUE

Row = dict[str, Any]
# Per table, the file's id -> the id the database gave the row.
IdMap = dict[str, dict[int, int]]

UNSAVED = "unsaved_input"
# The nouns a kept form's place names an id with, and the table of each.
PLACE_NOUNS = {"client": CLIENT, "review": REVIEW, "homework": ASSIGNMENT}
_PLACE_ID = re.compile(r"\b(client|review|homework) (\d+)\b")
PLACE_MAX = 100  # unsaved_input.place's length
# Keys of a kept form's fields that hold an id, and the table of each.
FIELD_KEYS = {
    "client_id": CLIENT,
    "review_id": REVIEW,
    "assignment_id": ASSIGNMENT,
    "parent_id": ASSIGNMENT,
    "value_id": VALUE,
}
# A draft goal's ids (what `import_links` checks them against).
GOAL_KEYS = {"parent_id": ASSIGNMENT, "value_id": VALUE}


def new_references(name: str, row: Row, ids: IdMap) -> Row:
    """*row* without its id, each foreign key (but the clinician's, already the importing
    clinician's) pointing at the new id of the row it names."""
    values = {column: value for column, value in row.items() if column != "id"}
    for fk in _tables()[name].foreign_keys:
        target = fk.column.table.name
        column = fk.parent.name
        if target == CLINICIAN or values[column] is None:
            continue
        if fk.column.name != "id":
            raise RuntimeError(f"{name}.{column} refers to {target}.{fk.column.name}, not an id")
        values[column] = ids[target][values[column]]  # the checks: it is in the file
    return values


def generations(table: Table, rows: list[Row]) -> list[list[Row]]:
    """*rows* in generations: rows referring to no row of their own table first, then
    the rows referring only to those, and so on (the checks refused loops; the guard
    keeps a bug from looping here)."""
    keys = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not keys:
        return [rows]
    ids = {row["id"] for row in rows}
    placed: set[int] = set()
    waiting = rows
    found: list[list[Row]] = []
    while waiting:
        ready = [
            row
            for row in waiting
            if all(row[k] is None or row[k] not in ids or row[k] in placed for k in keys)
        ]
        if not ready:
            raise HwtuiError(f"the export's rows in {table.name} refer to each other in a loop")
        found.append(ready)
        placed.update(row["id"] for row in ready)
        ready_ids = {id(row) for row in ready}
        waiting = [row for row in waiting if id(row) not in ready_ids]
    return found


def embedded_changes(name: str, rows: list[Row], ids: IdMap) -> list[tuple[int, Row]]:
    """For the file's *rows* of table *name*, those whose embedded ids change: the row's
    new id, and every `EMBEDDED` column of the table with its new value."""
    fixers = EMBEDDED.get(name, {})
    changes = []
    for row in rows:
        renewed = {column: fix(row[column], ids) for column, fix in fixers.items()}
        if any(renewed[column] != row[column] for column in renewed):
            changes.append((ids[name][row["id"]], renewed))
    return changes


def _new_id(table: str, value: Any, ids: IdMap) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return ids.get(table, {}).get(value)


def _draft_goals(goals: Any, ids: IdMap) -> Any:
    if not isinstance(goals, list):
        return goals
    return [_keyed_ids(goal, GOAL_KEYS, ids, deep=False) for goal in goals]


def _fields(fields: Any, ids: IdMap) -> Any:
    return _keyed_ids(fields, FIELD_KEYS, ids, deep=True)


def _keyed_ids(value: Any, keys: Mapping[str, str], ids: IdMap, *, deep: bool) -> Any:
    """*value* with the ids under *keys* renewed (in nested lists and objects too, if
    *deep*)."""
    if isinstance(value, list):
        return [_keyed_ids(item, keys, ids, deep=deep) for item in value] if deep else value
    if not isinstance(value, dict):
        return value
    renewed: dict[str, Any] = {}
    for key, item in value.items():
        if key in keys and item is not None:
            renewed[key] = _new_id(keys[key], item, ids)
        elif deep:
            renewed[key] = _keyed_ids(item, keys, ids, deep=True)
        else:
            renewed[key] = item
    return renewed


def _place(place: Any, ids: IdMap) -> Any:
    if not isinstance(place, str):
        return place

    def renew(match: re.Match[str]) -> str:
        noun, number = match.group(1), int(match.group(2))
        new = _new_id(PLACE_NOUNS[noun], number, ids)
        return f"{noun} {new if new is not None else '?'}"

    return _PLACE_ID.sub(renew, place)[:PLACE_MAX]


# Columns holding ids no foreign key describes: per table, per column, how to renew them.
EMBEDDED: dict[str, dict[str, Callable[[Any, IdMap], Any]]] = {
    REVIEW: {"draft_goals": _draft_goals},
    UNSAVED: {"place": _place, "fields": _fields},
}


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables
