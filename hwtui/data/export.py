"""Export: a clinician's caseload, or one client, read as plain rows and written as JSON.

The rows are the complete data `export_plan` names, read in one transaction; the
clinician's private process notes only when asked for (*process_notes*), as a table of
their own. JSON keeps every value: dates and times as ISO 8601 text, JSON columns as they
are, ids as they were, so `hwtui.data.import_file` restores such a file into an empty
database and a round trip gives back equal rows. `hwtui.data.export_csv` writes the same
rows as CSV, for reading elsewhere.

Every export records an audit event before any data leaves the database; it says when
process notes are in it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, select
from sqlmodel import Session, SQLModel

from hwtui.data import revisions as schema_revisions
from hwtui.data.errors import HwtuiError
from hwtui.data.export_plan import CLIENT, CLINICIAN, FORMAT, PROCESS_NOTE, VERSION, Link, plan
from hwtui.data.files import write_private
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor

Row = dict[str, Any]


# --- The rows of an export --------------------------------------------------------------


def _tables() -> Mapping[str, Table]:
    return SQLModel.metadata.tables


def _belongs(
    link: Link, links: Mapping[str, Link], me: Actor, client_id: int | None
) -> ColumnElement[bool]:
    """A condition on *link*'s table: the row is the clinician's (and the client's, if given).

    Nested subqueries rather than lists of ids, so each table is read in one statement.
    """
    table = _tables()[link.table]
    if link.column is None:
        return table.c.id == me.clinician_id
    assert link.parent is not None
    assert link.parent_column is not None
    if link.parent == CLINICIAN:
        mine = table.c[link.column] == me.clinician_id
        if link.table == CLIENT and client_id is not None:
            return mine & (table.c.id == client_id)
        return mine
    parent = _tables()[link.parent]
    owned = select(parent.c[link.parent_column]).where(
        _belongs(links[link.parent], links, me, client_id)
    )
    return table.c[link.column].in_(owned)


def collect(
    session: Session, me: Actor, client_id: int | None, *, process_notes: bool = False
) -> dict[str, list[Row]]:
    """The exported rows per table, in foreign-key order, as JSON-safe dicts: all of
    *me*'s caseload, or only what belongs to *client_id*; with *process_notes*, the
    clinician's private process notes too (table `process_note`), never without."""
    if client_id is not None:
        get_client(session, me, client_id)  # another clinician's client is not found
    links = plan(private=process_notes)
    by_name = {link.table: link for link in links}
    conn = session.connection()
    tables: dict[str, list[Row]] = {}
    # Children before parents: on PostgreSQL each statement sees the latest commits, so
    # a row read first can only point at parents that exist when those are read later.
    # (SQLite reads the whole export from one snapshot anyway.)
    for link in reversed(links):
        if client_id is not None and not link.client_data and link.table != CLINICIAN:
            tables[link.table] = []  # the clinician's own settings are not the client's
            continue
        table = _tables()[link.table]
        query = (
            select(table)
            .where(_belongs(link, by_name, me, client_id))
            .order_by(*table.primary_key.columns)
        )
        tables[link.table] = [_plain_row(row._asdict()) for row in conn.execute(query)]
    return {link.table: tables[link.table] for link in links}


def _plain_row(row: Mapping[str, Any]) -> Row:
    return {name: _plain(value) for name, value in row.items()}


def _plain(value: Any) -> Any:
    """A value JSON can hold: times as ISO 8601 text; JSON columns are already plain."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def record_export(
    session: Session,
    me: Actor,
    client_id: int | None,
    fmt: str,
    tables: Mapping[str, list[Any]],
    *,
    extra: str = "",
) -> None:
    """The "export" audit event, in *session*: committed before the data leaves. It
    says whether the export holds process notes (`process_notes=N`, how many); *extra*
    is added to its detail as it is (a FHIR export's `since=...`)."""
    rows = sum(len(t) for t in tables.values())
    detail = f"format={fmt} clients={len(tables[CLIENT])} rows={rows}"
    if PROCESS_NOTE in tables:
        detail += f" process_notes={len(tables[PROCESS_NOTE])}"
    if extra:
        detail += f" {extra}"
    if client_id is None:
        audit.record(session, me, "export", "caseload", None, detail=detail)
    else:
        audit.record(session, me, "export", "client", client_id, client_id=client_id, detail=detail)


# --- JSON export --------------------------------------------------------------------------


def export_json(
    session: Session, me: Actor, client_id: int | None, *, process_notes: bool = False
) -> dict[str, Any]:
    """Everything of one client of *me*'s caseload (or the whole caseload when None);
    the process notes only with *process_notes*.

    Records an "export" audit event in *session*: run it in a write transaction and
    let the data leave only after that commits.
    """
    tables = collect(session, me, client_id, process_notes=process_notes)
    record_export(session, me, client_id, "json", tables)
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": schema_revisions.head_revision(),
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "clinician": me.username,
        "tables": tables,
    }


def json_text(data: Mapping[str, Any]) -> str:
    """The export as text. ASCII only: no raw control or escape bytes reach a terminal."""
    return json.dumps(data, ensure_ascii=True, indent=2) + "\n"


def write_json(data: Mapping[str, Any], out: Path) -> Path:
    """Write the export to a new private file (0600); an existing file is never replaced."""
    return write_private(out, json_text(data))


def check_new_path(path: Path) -> None:
    """Fail early, before anything is read, if *path* cannot be a new export."""
    if path.exists() or path.is_symlink():
        raise HwtuiError(f"{path} already exists; choose another name")
    if not path.parent.is_dir():
        raise HwtuiError(f"cannot write {path}: the folder {path.parent} does not exist")
