"""What an import file must satisfy before any of it is written.

An export file is outside input: edited by hand, cut short, written by another program.
Whatever it holds must not break hwtui later (a date that date arithmetic overflows, a
review that amends itself, a draft goal the review screen cannot rebuild), so every row
is checked in three passes, and every problem is kept (table, row, field, what is wrong)
so that one run lists them all and nothing is written unless there are none:

1. Columns, generically from the table definitions (`SQLModel.metadata`), so a column
   added later is checked without changes here: the JSON type its SQL type takes, no
   lone surrogates, control characters removed, text within the column's length (or
   `TEXT_MAX`), integers within what the column stores (ids from 1), dates and times
   within `DATE_MIN`..`DATE_MAX`, JSON values no deeper than `JSON_DEPTH_MAX` and no
   container with more than `JSON_ITEMS_MAX` entries.
2. Fields, through the models typed input goes through (`hwtui.data.inputs`), extended
   with what only a stored row has (status, version, total, ...) in `import_rows`, and
   validated with the `IMPORTED` context (a line break in a one-line field is refused,
   not joined). What the models return is what is stored: the clean values typing gives.
3. Rows together (`import_links`): unique ids and keys, every reference to a row of the
   file, a client's rows referring only to that client's, no loops in parents or
   amendments, at most one draft per client and one amendment per review, draft goals
   naming the client's own homework and values.

Later passes skip what an earlier one refused, so one mistake is reported once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Time,
    Uuid,
)
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import SQLModel

from hwtui.data.errors import HwtuiError
from hwtui.data.export_plan import Link
from hwtui.data.import_links import REFUSED, FileRow, check_links
from hwtui.data.import_rows import ROW_MODELS
from hwtui.data.inputs import DATE_MAX, DATE_MIN, IMPORTED, TEXT_MAX, field_problem
from hwtui.data.text import strip_controls

JSON_DEPTH_MAX = 6  # draft goals, the deepest, are 3: a list of goals with lists of codes
JSON_ITEMS_MAX = 1_000  # entries in one JSON list or object
PROBLEMS_SHOWN = 5  # in the one-line message; `ImportRefused.problems` holds them all
_SHOWN_CHARS = 40  # of a value quoted in a problem
_MESSAGE_CHARS = 300  # of one problem's message
_SURROGATE = re.compile("[\ud800-\udfff]")

# Bounds of the integers each SQL type stores (PostgreSQL's; SQLite's INTEGER is wider).
_INT_BITS: tuple[tuple[type[TypeEngine[Any]], int], ...] = (
    (BigInteger, 64),
    (SmallInteger, 16),
    (Integer, 32),
)
_INT64 = (-(2**63), 2**63 - 1)

Row = dict[str, Any]


# --- What is reported -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportProblem:
    table: str
    row: str | None  # "id 7", or "row 3" where the row has no usable id
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"table {self.table}"
        if self.row:
            where += f", {self.row}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class ImportRefused(HwtuiError):
    """The file has problems; `problems` lists every one. Nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        first = "; ".join(str(p) for p in self.problems[:PROBLEMS_SHOWN])
        more = len(self.problems) - PROBLEMS_SHOWN
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(f"{self.headline}: {first}{tail}")

    @property
    def headline(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        return f"the import file has {count} {noun}; nothing was imported"

    def lines(self, limit: int) -> list[str]:
        """The first *limit* problems, one per line, and how many more there are."""
        shown = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(f"... and {len(self.problems) - limit} more")
        return shown


def shown(value: Any) -> str:
    """A value from the file, quoted safely for a message: escaped and cut short."""
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


class _Problems:
    """Problems as they are found, each with a key that puts them in the file's order."""

    def __init__(self, order: Sequence[str]) -> None:
        self._order = {name: n for n, name in enumerate(order)}
        self._found: list[tuple[tuple[int, int], ImportProblem]] = []

    def add(self, table: str, number: int, row: str | None, field: str | None, msg: str) -> None:
        if len(msg) > _MESSAGE_CHARS:
            msg = msg[: _MESSAGE_CHARS - 1] + "…"
        key = (self._order.get(table, len(self._order)), number)
        self._found.append((key, ImportProblem(table, row, field, msg)))

    def __bool__(self) -> bool:
        return bool(self._found)

    def sorted(self) -> list[ImportProblem]:
        return [p for _key, p in sorted(self._found, key=lambda found: found[0])]


# --- The file's rows, pass by pass ---------------------------------------------------------


class _Bad(ValueError):
    """One column's value is wrong; the message says how (without the column's name)."""


def check_tables(tables: Mapping[str, Any], links: Sequence[Link]) -> dict[str, list[Row]]:
    """Every table's rows, typed and cleaned for insert, in the order of *links*; or
    ImportRefused listing every problem of the file."""
    order = [link.table for link in links]
    problems = _Problems(order)
    rows: dict[str, list[FileRow]] = {}
    for name in order:
        rows[name] = _table_rows(name, tables.get(name), problems)

    def report(table: str, row: FileRow | None, field: str | None, message: str) -> None:
        if row is None:
            problems.add(table, 0, None, field, message)
        else:
            problems.add(table, row.number, row.label, field, message)

    check_links(rows, links, report)
    if problems:
        raise ImportRefused(problems.sorted())
    return {name: [row.values for row in table_rows] for name, table_rows in rows.items()}


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables


def _table_rows(name: str, raw: Any, problems: _Problems) -> list[FileRow]:
    if not isinstance(raw, list):
        problems.add(name, 0, None, None, "the file has no list of rows for this table")
        return []
    columns = _tables()[name].c
    expected = set(columns.keys())
    parsed: list[FileRow] = []
    for number, row in enumerate(raw, start=1):
        label = _label(row, number)
        if not isinstance(row, dict):
            problems.add(name, number, label, None, "is not an object of columns")
            continue
        missing = sorted(expected - set(row))
        extra = sorted(shown(k) for k in set(row) - expected)
        if missing:
            problems.add(name, number, label, None, f"lacks {', '.join(missing)}")
        if extra:
            problems.add(name, number, label, None, f"has unknown columns {', '.join(extra)}")
        # The columns it has are checked too (and its id kept, so that what refers to
        # this row is not reported as well).
        values: Row = {}
        for column in columns:
            if column.name not in row:
                values[column.name] = REFUSED
                continue
            try:
                values[column.name] = _column_value(row[column.name], column)
            except _Bad as exc:
                problems.add(name, number, label, column.name, str(exc))
                values[column.name] = REFUSED
        _check_fields(name, number, label, values, problems)
        parsed.append(FileRow(number, values, label))
    return parsed


def _label(row: Any, number: int) -> str:
    value = row.get("id") if isinstance(row, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
        return f"id {value}"
    return f"row {number}"


# --- Pass 1: each column by its SQL type ----------------------------------------------------


def _column_value(value: Any, column: Column[Any]) -> Any:
    """The file's *value* as the Python value of *column*'s type, checked and cleaned."""
    if value is None:
        if not column.nullable:
            raise _Bad("is empty but required")
        return None
    kind = _kind(column.type)
    if isinstance(kind, JSON):
        return _json_value(value, 1)
    if isinstance(kind, DateTime):
        moment = _parsed(datetime.fromisoformat, _expect(value, str, "a date and time"))
        if kind.timezone and moment.tzinfo is None:
            raise _Bad(f"{shown(value)} has no time zone")
        _in_calendar(moment.date())
        return moment
    if isinstance(kind, Date):
        return _in_calendar(_parsed(date.fromisoformat, _expect(value, str, "a date")))
    if isinstance(kind, Time):
        return _parsed(time.fromisoformat, _expect(value, str, "a time"))
    if isinstance(kind, Boolean):
        return _expect(value, bool, "true or false")
    if isinstance(kind, Integer):
        return _integer(_expect(value, int, "a whole number"), column)
    if isinstance(kind, Float):
        number = float(_expect(value, int | float, "a number"))
        if not math.isfinite(number):
            raise _Bad("must be a finite number")
        return number
    if isinstance(kind, Numeric):
        return _decimal(_expect(value, int | float | str, "a number"))
    if isinstance(kind, Uuid):
        return _parsed(UUID, _expect(value, str, "a UUID"), "a UUID")
    if isinstance(kind, String):
        return _text(_expect(value, str, "text"), kind.length or TEXT_MAX)
    raise _Bad(f"has a type this hwtui cannot import ({type(kind).__name__})")


def _kind(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    # UtcDateTime and friends: what they store is what the file holds.
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def _expect(value: Any, kind: Any, what: str) -> Any:
    # bool is an int in Python, but a true/false in the file is never a number here.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _Bad(f"must be {what}, not {_described(value)}")
    return value


def _described(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    if isinstance(value, int | float):
        return f"the number {shown(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _parsed(parse: Any, text: str, form: str = "in ISO 8601 form") -> Any:
    _no_surrogates(text)
    try:
        return parse(text)
    except ValueError:
        raise _Bad(f"{shown(text)} is not {form}") from None


def _in_calendar(day: date) -> date:
    if not DATE_MIN <= day <= DATE_MAX:
        raise _Bad(f"{day.isoformat()} is outside {DATE_MIN.year}-{DATE_MAX.year}")
    return day


def _integer(value: int, column: Column[Any]) -> int:
    kind = _kind(column.type)
    bits = next(b for t, b in _INT_BITS if isinstance(kind, t))
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if column.primary_key or column.foreign_keys:
        low = 1  # ids count from 1
    if not low <= value <= high:
        raise _Bad(f"{shown(value)} is outside {low}..{high}")
    return value


def _decimal(value: int | float | str) -> Decimal:
    if isinstance(value, str):
        _no_surrogates(value)
        if len(value) > _SHOWN_CHARS:
            raise _Bad(f"{shown(value)} is too long for a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _Bad(f"{shown(value)} is not a number") from None
    if not number.is_finite():
        raise _Bad("must be a finite number")
    return number


def _no_surrogates(text: str) -> None:
    if _SURROGATE.search(text):
        raise _Bad("holds a lone surrogate (\\ud800-\\udfff), which is no character")


def _text(text: str, limit: int) -> str:
    _no_surrogates(text)
    cleaned = strip_controls(text)
    if len(cleaned) > limit:
        raise _Bad(f"is too long ({len(cleaned)} characters; the limit is {limit})")
    return cleaned


def _json_value(value: Any, depth: int) -> Any:
    """A JSON value with its strings cleaned; recursion stops at JSON_DEPTH_MAX."""
    if isinstance(value, str):
        return _text(value, TEXT_MAX)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise _Bad(f"holds a number outside 64 bits ({shown(value)})")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Bad("holds a number that is not finite")
        return value
    if not isinstance(value, list | dict):
        raise _Bad(f"holds {_described(value)}, which JSON has not")
    if depth > JSON_DEPTH_MAX:
        raise _Bad(f"is nested more than {JSON_DEPTH_MAX} deep")
    if len(value) > JSON_ITEMS_MAX:
        raise _Bad(f"has more than {JSON_ITEMS_MAX} entries in one list or object")
    if isinstance(value, list):
        return [_json_value(item, depth + 1) for item in value]
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _Bad(f"has a key that is not text ({shown(key)})")
        cleaned[_text(key, TEXT_MAX)] = _json_value(item, depth + 1)
    return cleaned


# --- Pass 2: fields, through the input models ------------------------------------------------


def _check_fields(name: str, number: int, label: str, values: Row, problems: _Problems) -> None:
    """Validate the row's fields with its table's model; store what the model returns."""
    model = ROW_MODELS.get(name)
    if model is None:
        return  # a table without a model is checked by its columns only
    json_columns = {c.name for c in _tables()[name].c if isinstance(_kind(c.type), JSON)}
    given = {
        field: values[field]
        for field in model.model_fields
        if field in values and values[field] is not REFUSED
    }
    try:
        checked = model.model_validate(given, context=IMPORTED)
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            if loc and loc[0] not in given:
                continue  # refused in pass 1, already reported
            problems.add(name, number, label, _path(loc), field_problem(err).message)
            if loc and isinstance(loc[0], str):
                values[loc[0]] = REFUSED
        # The row is refused; its JSON was not shaped by the model, so pass 3 skips it.
        for field in set(given) & json_columns:
            values[field] = REFUSED
        return
    plain = checked.model_dump(include=set(given) - json_columns)
    as_json = checked.model_dump(mode="json", include=set(given) & json_columns)
    for field, value in {**plain, **as_json}.items():
        values[field] = value.value if isinstance(value, Enum) else value


def _path(loc: Sequence[int | str]) -> str | None:
    path = ""
    for part in loc:
        path += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or None
