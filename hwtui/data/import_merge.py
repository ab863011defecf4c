"""Merge import: a JSON export added to the running clinician's caseload, in a database
that may hold theirs and their colleagues' already (`hwtui import FILE --merge`).

The file is checked as for the plain import (`import_file.check_import`), then written in
one transaction as the clinician, through their own connection: on PostgreSQL their own
role, under row-level security, with no privilege beyond the app's. Their clinician row
is made from the file's if they have none yet. A client code of the file that is in
their caseload already refuses the whole file (`CodesTaken`): nothing is written, so a
file merged twice is refused the second time. Every row gets a new id from the database
(`hwtui.data.import_ids` moves every reference, embedded ones too); the sequences are
the database's own business, as for any insert. One "import" audit event says what came
in (`mode=merge`), naming the client when the file holds one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from hwtui.data import bulk_write
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.export_plan import CLIENT, CLINICIAN
from hwtui.data.import_file import (
    CheckedImport,
    ImportStats,
    check_import,
    check_revision,
    record_import,
    remap_clinician,
)
from hwtui.data.import_ids import EMBEDDED, IdMap, embedded_changes, generations, new_references

Row = dict[str, Any]

# PostgreSQL's insufficient_privilege: a missing grant, or a row-level security refusal.
_REFUSED = "42501"


class CodesTaken(HwtuiError):
    """Client codes of the file that are in the clinician's caseload already: nothing
    was written. `codes` lists them all, in the file's order."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        super().__init__(f"{self.headline}: {', '.join(codes[:5])}{self._more(5)}")

    @property
    def headline(self) -> str:
        count = len(self.codes)
        which = "client code" if count == 1 else "client codes"
        return (
            f"{count} {which} of the file {'is' if count == 1 else 'are'} in your caseload "
            "already; nothing was imported (was the file merged before?)"
        )

    def _more(self, shown: int) -> str:
        return f", and {len(self.codes) - shown} more" if len(self.codes) > shown else ""

    def lines(self, limit: int) -> list[str]:
        """The first *limit* codes, one per line, and how many more there are."""
        shown = list(self.codes[:limit])
        if len(self.codes) > limit:
            shown.append(f"... and {len(self.codes) - limit} more")
        return shown


def merge_json(db: Database, data: Any, *, username: str) -> ImportStats:
    """Add an export to *username*'s caseload in *db*, which may hold other caseloads.

    *data* is the file's contents or what `check_import` made of them. *db* acts as
    *username* (on PostgreSQL, a connection that may: their own role).
    """
    checked = data if isinstance(data, CheckedImport) else check_import(data)
    rows = {name: [dict(row) for row in table_rows] for name, table_rows in checked.rows.items()}
    exported = rows.pop(CLINICIAN)[0]  # the checks made sure there is exactly one
    with db.write() as session:
        conn = session.connection()
        check_revision(conn)
        clinician_id, created = _my_clinician(conn, exported, username)
        _refuse_taken_codes(conn, clinician_id, rows[CLIENT], username)
        remap_clinician(rows, clinician_id)
        ids = _insert(conn, rows, username)
        counts = {CLINICIAN: int(created), **{name: len(found) for name, found in rows.items()}}
        client_ids = [ids[CLIENT][row["id"]] for row in rows[CLIENT]]
        record_import(session, username, client_ids, counts, checked.exported_by, mode="merge")
    return ImportStats(counts, clinician_id, exported["id"])


def _my_clinician(conn: Connection, exported: Row, username: str) -> tuple[int, bool]:
    """The id of *username*'s clinician row, made from the file's if there is none; and
    whether it was made."""
    table = _tables()[CLINICIAN]
    with _refused(username, CLINICIAN):
        found = conn.execute(select(table.c.id).where(table.c.username == username)).scalar()
        if found is not None:
            return int(found), False
        row = {k: v for k, v in exported.items() if k != "id"} | {"username": username}
        made = conn.execute(insert(table).values(row).returning(table.c.id)).scalar_one()
    return int(made), True


def _refuse_taken_codes(
    conn: Connection, clinician_id: int, clients: list[Row], username: str
) -> None:
    table = _tables()[CLIENT]
    with _refused(username, CLIENT):
        mine = set(
            conn.execute(select(table.c.code).where(table.c.clinician_id == clinician_id)).scalars()
        )
    taken = [row["code"] for row in clients if row["code"] in mine]
    if taken:
        raise CodesTaken(taken)


def _insert(conn: Connection, rows: dict[str, list[Row]], username: str) -> IdMap:
    """Every table's rows, in the file's (foreign-key) order, with new ids; then the ids
    embedded in other columns put right. The new ids, per table, by the file's ids."""
    ids: IdMap = {}
    for name, table_rows in rows.items():
        table = _tables()[name]
        new = ids.setdefault(name, {})
        with _refused(username, name):
            for generation in generations(table, table_rows):
                values = [new_references(name, row, ids) for row in generation]
                given = bulk_write.insert_returning_ids(conn, name, values)
                new.update(zip((row["id"] for row in generation), given, strict=True))
    for name in EMBEDDED:
        changes = embedded_changes(name, rows.get(name, []), ids)
        if changes:
            table = _tables()[name]
            params = [{"_id": new_id, **_prefixed(values)} for new_id, values in changes]
            with _refused(username, name):
                conn.execute(_update_by_id(table, list(changes[0][1])), params)
    return ids


def _prefixed(values: Row) -> Row:
    # A bound parameter may not take a column's own name in an UPDATE's SET.
    return {f"new_{column}": value for column, value in values.items()}


def _update_by_id(table: Table, columns: list[str]) -> Any:
    return (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in columns})
    )


@contextmanager
def _refused(username: str, table: str) -> Iterator[None]:
    """A database error while writing *table* as one line saying what to do."""
    try:
        yield
    except DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else "?"
        if getattr(exc.orig, "sqlstate", None) == _REFUSED:
            raise HwtuiError(
                f"the database does not let this connection add rows of table {table} to "
                f"the caseload of {username!r} ({detail}): connect as your own PostgreSQL "
                "role, a member of hwtui_app (see the README); nothing was imported"
            ) from None
        raise HwtuiError(
            f"the file's rows in {table} do not fit this database ({detail}); nothing was imported"
        ) from None


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables
