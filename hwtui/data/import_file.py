"""Import: a JSON export (`hwtui.data.export`) restored into an empty database.

The file is outside input. It is read (`read_json`), then checked completely without a
database (`check_import`, by `hwtui.data.import_checks`), and only a file with no problem
at all is written (`import_json`): every table `export_plan` names (the process notes
too when the file has them: an export made with `--process-notes`), with the file's ids,
in one transaction, through the writer the demo uses too (`hwtui.data.bulk_write`). The
target's audit trail starts with one "import" event; the file's history stays with the
database it came from. A database holding data already takes a file the other way: into
the running clinician's caseload, with new ids (`hwtui.data.import_merge`, `--merge`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from hwtui.data import bulk_write, import_checks
from hwtui.data import revisions as schema_revisions
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.export_plan import CLIENT, CLINICIAN, FORMAT, PROCESS_NOTE, VERSION, Link, plan
from hwtui.data.services import audit
from hwtui.data.text import strip_controls

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportStats:
    tables: dict[str, int]  # rows imported per table
    clinician_id: int  # the importing clinician's row
    remapped_from: int | None  # the exported clinician's id, when it was not kept

    @property
    def clients(self) -> int:
        return self.tables.get(CLIENT, 0)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def read_json(path: Path) -> Any:
    """The parsed contents of an export file, or a clear error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HwtuiError(f"cannot read {path}: {exc.strerror}") from None
    if raw.startswith(b"PK\x03\x04"):
        raise HwtuiError(f"{path} is a zip file (a CSV export?); only JSON exports can be imported")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise HwtuiError(f"{path} is not valid JSON: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise HwtuiError(
            f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise HwtuiError(f"{path} is not an hwtui export: it is nested too deeply") from None


@dataclass(frozen=True, slots=True)
class CheckedImport:
    """An export file whose every row passed `hwtui.data.import_checks`, ready to write."""

    rows: dict[str, list[Row]]  # per table, in foreign-key order, typed and cleaned
    exported_by: str  # the exporting clinician's username, as the file says


def check_import(data: Any) -> CheckedImport:
    """The export *data*, checked completely without a database: ImportRefused lists
    every problem of its rows; a file that is no export at all is one HwtuiError."""
    tables = _export_tables(data)
    # The process notes are in a file only when asked for (`hwtui export --process-notes`).
    links = plan(private=PROCESS_NOTE in tables)
    rows = import_checks.check_tables(tables, links)
    exported_by = data.get("clinician", "")
    return CheckedImport(rows, exported_by if isinstance(exported_by, str) else "")


def import_json(db: Database, data: Any, *, username: str) -> ImportStats:
    """Restore an export into an empty database, as *username*'s caseload.

    The file is checked completely before anything is written (*data* may be the file's
    contents or what `check_import` made of them); the rows then go in with their ids, in
    foreign-key order, in one write transaction, so an import happens entirely or not at
    all. The exported clinician becomes *username*'s row: an existing row of *username*
    is kept (and the file's clinician ids are mapped to it); otherwise the exported row
    is inserted for *username*, with its id if free.
    """
    checked = data if isinstance(data, CheckedImport) else check_import(data)
    links = plan(private=True)  # the target must hold no process notes either
    rows = {name: [dict(row) for row in table_rows] for name, table_rows in checked.rows.items()}
    exported = rows.pop(CLINICIAN)[0]  # the checks made sure there is exactly one
    exported_id = exported["id"]
    with db.write() as session:
        conn = session.connection()
        _check_target(conn, links)
        clinician_id = _place_clinician(conn, exported, username)
        remap_clinician(rows, clinician_id)
        _insert(conn, rows)
        if conn.dialect.name == "postgresql":
            bulk_write.advance_sequences(conn, [link.table for link in links])
        counts = {CLINICIAN: 1, **{name: len(table_rows) for name, table_rows in rows.items()}}
        client_ids = [row["id"] for row in rows[CLIENT]]
        record_import(session, username, client_ids, counts, checked.exported_by)
    remapped = exported_id if exported_id != clinician_id else None
    return ImportStats(counts, clinician_id, remapped)


def _export_tables(data: Any) -> Mapping[str, Any]:
    """The file's "tables", once it is known to be an export this hwtui can read."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise HwtuiError(f'this is not an hwtui export (it has no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise HwtuiError(
            f"this export is in format version {import_checks.shown(data.get('version'))}; "
            f"this hwtui reads version {VERSION}"
        )
    head = schema_revisions.head_revision()
    if data.get("schema") != head:
        raise HwtuiError(
            f"this export is from database schema {import_checks.shown(data.get('schema'))} "
            f"and this hwtui is at {head!r}: import it with the hwtui that wrote it, or "
            "export it again"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise HwtuiError('this export has no "tables"')
    known = {link.table for link in plan(private=True)}
    unknown = sorted(import_checks.shown(name) for name in set(tables) - known)
    if unknown:
        raise HwtuiError(f"this export has tables this hwtui does not know: {', '.join(unknown)}")
    return tables


def check_revision(conn: Connection) -> None:
    """The database must be at this hwtui's schema, the one the file's rows fit."""
    revision = MigrationContext.configure(conn).get_current_revision()
    head = schema_revisions.head_revision()
    if revision != head:
        raise HwtuiError(
            f"the database is at schema {revision!r}, not {head!r}: run `hwtui db upgrade` first"
        )


def _check_target(conn: Connection, links: list[Link]) -> None:
    check_revision(conn)
    clients = conn.execute(select(func.count()).select_from(_tables()[CLIENT])).scalar_one()
    if clients:
        raise HwtuiError(
            f"import needs an empty database; this one already holds {_clients(clients)}: "
            "import into a new database, or add the file to your caseload with "
            "`hwtui import FILE --merge`"
        )
    for link in links:
        if link.table in (CLINICIAN, CLIENT):
            continue  # other clinicians may use the database; the caseload is what matters
        table = _tables()[link.table]
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise HwtuiError(
                f"import needs an empty database; this one already holds rows in {link.table}: "
                "import into a new database, or add the file to your caseload with "
                "`hwtui import FILE --merge`"
            )


def _clients(count: int) -> str:
    return f"{count} client" if count == 1 else f"{count} clients"


def _place_clinician(conn: Connection, exported: Row, username: str) -> int:
    """The id of *username*'s clinician row, which the exported clinician becomes."""
    table = _tables()[CLINICIAN]
    existing = conn.execute(select(table.c.id).where(table.c.username == username)).scalar()
    if existing is not None:
        return int(existing)
    row = {**exported, "username": username}
    if conn.execute(select(table.c.id).where(table.c.id == row["id"])).scalar() is not None:
        del row["id"]
    inserted = conn.execute(insert(table).values(row)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def remap_clinician(rows: dict[str, list[Row]], clinician_id: int) -> None:
    """Point every clinician reference at the importing clinician's row (the checks made
    sure each one names the file's one clinician)."""
    for name, table_rows in rows.items():
        columns = [
            fk.parent.name
            for fk in _tables()[name].foreign_keys
            if fk.column.table.name == CLINICIAN
        ]
        for row in table_rows:
            for column in columns:
                if row[column] is not None:
                    row[column] = clinician_id


def _insert(conn: Connection, rows: dict[str, list[Row]]) -> None:
    for name, unordered in rows.items():
        try:
            bulk_write.insert_rows(conn, name, _parents_first(_tables()[name], unordered))
        except DBAPIError as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else "?"
            raise HwtuiError(
                f"the export's rows in {name} do not fit together ({detail}); nothing was imported"
            ) from None


def _parents_first(table: Table, rows: list[Row]) -> list[Row]:
    """*rows* with each row after the row of the same table it refers to (a goal's
    parent, the review an amendment amends): the database checks a reference as each
    row goes in, and ids say nothing about the order rows were made in.

    The checks refused loops; the guard only keeps a bug from looping here too.
    """
    keys = [
        (fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table
    ]
    if not keys:
        return rows
    found = {(column, row[column]): row for _own, column in keys for row in rows}
    ordered: list[Row] = []
    placed: set[int] = set()
    for row in rows:
        stack = [row]
        while stack:
            if len(stack) > len(rows):
                raise HwtuiError(f"the export's rows in {table.name} refer to each other in a loop")
            top = stack[-1]
            if id(top) in placed:
                stack.pop()
                continue
            parents = [found.get((column, top[own])) for own, column in keys]
            waiting = [p for p in parents if p is not None and id(p) not in placed]
            if waiting:
                stack.extend(waiting)
            else:
                placed.add(id(top))
                ordered.append(top)
                stack.pop()
    return ordered


def record_import(
    session: Session,
    username: str,
    client_ids: list[int],
    counts: Mapping[str, int],
    exported_by: str,
    *,
    mode: str = "",
) -> None:
    """The "import" audit event: how many rows, from whom, and the client if only one."""
    # The exporting clinician's name comes from the file: cleaned and cut to size.
    source = " ".join(strip_controls(exported_by).split())[:64]
    how = f" mode={mode}" if mode else ""
    detail = f"format=json{how} clients={len(client_ids)} rows={sum(counts.values())} from={source}"
    if len(client_ids) == 1:
        entity, entity_id = "client", client_ids[0]
    else:
        entity, entity_id = "caseload", None
    audit.record(session, username, "import", entity, entity_id, client_id=entity_id, detail=detail)


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables
