"""Export and import: a clinician's caseload, or one client, as JSON or CSV.

What is exported is the complete data of the chosen clients of the exporting clinician,
built from the table definitions (`SQLModel.metadata`), so a new column or a new table
of client data is exported and imported without changes here:

- `clinician`: the one row of the exporting clinician;
- `client`: the clinician's clients (all of them, or the one chosen);
- every other table by how its rows hang off those: a `client_id` (any foreign key to
  `client`), or a foreign key to a table already in the export (`review_id`,
  `assignment_id`, ...); a table that points only at `clinician` holds the clinician's
  own rows (settings), exported with the whole caseload but not with one client. A
  table linked to neither is a programming error, reported when the export is planned
  (and by a test).

Not exported: the audit trail (`audit_event`, `audit_head`) and `alembic_version`. The
audit trail is the system's own log of who read or changed what, not client data: it
stays with the database it describes (`hwtui backup` copies it), and an import starts
the target's trail with an "import" event instead of replaying events that happened
elsewhere.

JSON keeps every value: dates and times as ISO 8601 text, JSON columns as they are, ids
as they were. `import_json` restores such a file into an empty database (same ids, so a
round trip gives back equal rows). CSV is for reading elsewhere (one file per table,
JSON columns as JSON text) and is not imported.

Every export records an audit event before any data leaves the database.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    ColumnElement,
    Connection,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from hwtui.data import import_checks
from hwtui.data import revisions as schema_revisions
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.files import write_private
from hwtui.data.models import Client, Clinician
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.text import strip_controls

FORMAT = "hwtui-export"
VERSION = 1
# The system's log and Alembic's bookkeeping: see the module docstring. And the
# clinician's private process notes, which are not part of the record (45 CFR 164.501).
NOT_EXPORTED = frozenset({"audit_event", "audit_head", "alembic_version", "process_note"})
CLINICIAN = str(Clinician.__tablename__)
CLIENT = str(Client.__tablename__)
# Rows per executemany call when importing.
INSERT_CHUNK = 5_000

Row = dict[str, Any]


# --- Which rows belong to a client ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """How the rows of *table* belong to the exporting clinician.

    A row belongs when its `column` refers (at `parent_column`) to a row of `parent`
    that belongs; `clinician` itself has no link. `client_data` is True for `client`
    and everything hanging off it, False for the clinician's own rows.
    """

    table: str
    column: str | None
    parent: str | None
    parent_column: str | None
    client_data: bool


def plan(metadata: MetaData | None = None) -> list[Link]:
    """Every exported table in foreign-key order (each after the tables it points at)."""
    meta = metadata if metadata is not None else SQLModel.metadata
    links: dict[str, Link] = {}
    for table in meta.sorted_tables:
        if table.name not in NOT_EXPORTED:
            links[table.name] = _link(table, links)
    if CLINICIAN not in links or CLIENT not in links:
        raise RuntimeError("the schema has no clinician or client table to export from")
    return list(links.values())


def _link(table: Table, known: Mapping[str, Link]) -> Link:
    if table.name == CLINICIAN:
        return Link(table.name, None, None, None, client_data=False)

    def target(fk: ForeignKey) -> str:
        return fk.column.table.name

    # Only keys to tables planned before this one: that leaves out self-references (an
    # amendment's `amends_id`), which say nothing about whose row it is.
    keys = [fk for fk in table.foreign_keys if target(fk) in known]
    if table.name == CLIENT:
        by_client = []
        by_clinician = [fk for fk in keys if target(fk) == CLINICIAN]
    else:
        by_client = [fk for fk in keys if known[target(fk)].client_data]
        by_clinician = [fk for fk in keys if not known[target(fk)].client_data]
    # A direct client_id first; then a non-null key, which every row has (rows with a
    # null in a nullable one would belong to no one); the name only makes it stable.
    by_client.sort(key=lambda fk: (target(fk) != CLIENT, fk.parent.nullable, fk.parent.name))
    by_clinician.sort(key=lambda fk: (target(fk) != CLINICIAN, fk.parent.nullable, fk.parent.name))
    chosen = (by_client or by_clinician)[:1]
    if not chosen:
        raise RuntimeError(
            f"table {table.name!r} is linked to neither a client nor a clinician: "
            "teach hwtui.data.transfer whose data it is"
        )
    fk = chosen[0]
    is_client_data = table.name == CLIENT or bool(by_client)
    return Link(table.name, fk.parent.name, target(fk), fk.column.name, is_client_data)


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


def _collect(session: Session, me: Actor, client_id: int | None) -> dict[str, list[Row]]:
    """The exported rows per table, in foreign-key order, as JSON-safe dicts."""
    if client_id is not None:
        get_client(session, me, client_id)  # another clinician's client is not found
    links = plan()
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


def _record_export(
    session: Session, me: Actor, client_id: int | None, fmt: str, tables: Mapping[str, list[Row]]
) -> None:
    rows = sum(len(t) for t in tables.values())
    detail = f"format={fmt} clients={len(tables[CLIENT])} rows={rows}"
    if client_id is None:
        audit.record(session, me, "export", "caseload", None, detail=detail)
    else:
        audit.record(session, me, "export", "client", client_id, client_id=client_id, detail=detail)


# --- JSON export --------------------------------------------------------------------------


def export_json(session: Session, me: Actor, client_id: int | None) -> dict[str, Any]:
    """Everything of one client of *me*'s caseload (or the whole caseload when None).

    Records an "export" audit event in *session*: run it in a write transaction and
    let the data leave only after that commits.
    """
    tables = _collect(session, me, client_id)
    _record_export(session, me, client_id, "json", tables)
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


# --- CSV export ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvExport:
    path: Path
    tables: dict[str, int]  # rows per table (one file each)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def export_csv(session: Session, me: Actor, client_id: int | None, out: Path) -> CsvExport:
    """The same rows as `export_json`, one CSV file per table, in a new folder or .zip.

    The folder is created 0700 and each file 0600 (zip entries carry 0600 too); an
    existing path is never overwritten. Records an "export" audit event in *session*.
    """
    check_new_path(out)
    tables = _collect(session, me, client_id)
    _record_export(session, me, client_id, "csv", tables)
    files = {f"{name}.csv": _csv_text(name, rows) for name, rows in tables.items()}
    if out.suffix.lower() == ".zip":
        _write_zip(out, files)
    else:
        _write_folder(out, files)
    return CsvExport(out, {name: len(rows) for name, rows in tables.items()})


def _csv_text(name: str, rows: list[Row]) -> str:
    columns = [c.name for c in _tables()[name].c]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_csv_cell(row[c]) for c in columns] for row in rows)
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        # A spreadsheet would run "=HYPERLINK(...)" typed by anyone as a formula (CSV
        # injection); the apostrophe makes it text. The JSON export keeps it as typed.
        return "'" + value
    return str(value)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _write_folder(out: Path, files: Mapping[str, str]) -> None:
    try:
        out.mkdir(mode=0o700)
    except OSError as exc:
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None
    out.chmod(0o700)  # whatever the umask
    try:
        for name, text in files.items():
            write_private(out / name, text)
    except HwtuiError:
        _remove_folder(out, files)
        raise


def _remove_folder(out: Path, files: Mapping[str, str]) -> None:
    # Only what this export created: the folder was new, so these are its only files.
    for name in files:
        (out / name).unlink(missing_ok=True)
    out.rmdir()


def _write_zip(out: Path, files: Mapping[str, str]) -> None:
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HwtuiError(f"{out} already exists; choose another name") from None
    except OSError as exc:
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None
    stamp = datetime.now().timetuple()[:6]  # zip times are local and have no zone
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in files.items():
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                # Unzipping keeps the mode: the extracted files stay private too.
                info.external_attr = (stat.S_IFREG | 0o600) << 16
                zf.writestr(info, text.encode("utf-8"))
    except OSError as exc:
        out.unlink(missing_ok=True)
        raise HwtuiError(f"cannot write {out}: {exc.strerror}") from None


# --- JSON import --------------------------------------------------------------------------


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
    links = plan()
    tables = _export_tables(data, links)
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
    links = plan()
    rows = {name: [dict(row) for row in table_rows] for name, table_rows in checked.rows.items()}
    exported = rows.pop(CLINICIAN)[0]  # the checks made sure there is exactly one
    exported_id = exported["id"]
    with db.write() as session:
        conn = session.connection()
        _check_target(conn, links)
        clinician_id = _place_clinician(conn, exported, username)
        _remap_clinician(rows, clinician_id)
        _insert(conn, rows)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, [link.table for link in links])
        counts = {CLINICIAN: 1, **{name: len(table_rows) for name, table_rows in rows.items()}}
        _record_import(session, username, rows[CLIENT], counts, checked.exported_by)
    remapped = exported_id if exported_id != clinician_id else None
    return ImportStats(counts, clinician_id, remapped)


def _export_tables(data: Any, links: list[Link]) -> Mapping[str, Any]:
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
    known = {link.table for link in links}
    unknown = sorted(import_checks.shown(name) for name in set(tables) - known)
    if unknown:
        raise HwtuiError(f"this export has tables this hwtui does not know: {', '.join(unknown)}")
    return tables


def _check_target(conn: Connection, links: list[Link]) -> None:
    revision = MigrationContext.configure(conn).get_current_revision()
    head = schema_revisions.head_revision()
    if revision != head:
        raise HwtuiError(
            f"the database is at schema {revision!r}, not {head!r}: run `hwtui db upgrade` first"
        )
    clients = conn.execute(select(func.count()).select_from(_tables()[CLIENT])).scalar_one()
    if clients:
        raise HwtuiError(
            f"import needs an empty database; this one already holds {_clients(clients)}: "
            "import into a new database"
        )
    for link in links:
        if link.table in (CLINICIAN, CLIENT):
            continue  # other clinicians may use the database; the caseload is what matters
        table = _tables()[link.table]
        if conn.execute(select(func.count()).select_from(table)).scalar_one():
            raise HwtuiError(
                f"import needs an empty database; this one already holds rows in {link.table}: "
                "import into a new database"
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


def _remap_clinician(rows: dict[str, list[Row]], clinician_id: int) -> None:
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
        table = _tables()[name]
        table_rows = _parents_first(table, unordered)
        for start in range(0, len(table_rows), INSERT_CHUNK):
            try:
                conn.execute(insert(table), table_rows[start : start + INSERT_CHUNK])
            except DBAPIError as exc:
                detail = str(exc.orig).strip().splitlines()[0] if exc.orig else "?"
                raise HwtuiError(
                    f"the export's rows in {name} do not fit together ({detail}); "
                    "nothing was imported"
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


def _advance_sequences(conn: Connection, names: list[str]) -> None:
    # The ids came from the file, so the serial sequences never moved; without this the
    # next ordinary insert would be handed an id that is already taken.
    for name in names:
        keys = list(_tables()[name].primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        last = select(func.max(keys[0])).scalar_subquery()
        conn.execute(select(func.setval(func.pg_get_serial_sequence(name, keys[0].name), last)))


def _record_import(
    session: Session,
    username: str,
    clients: list[Row],
    counts: Mapping[str, int],
    exported_by: str,
) -> None:
    # The exporting clinician's name comes from the file: cleaned and cut to size.
    source = " ".join(strip_controls(exported_by).split())[:64]
    detail = f"format=json clients={len(clients)} rows={sum(counts.values())} from={source}"
    if len(clients) == 1:
        entity, entity_id = "client", clients[0]["id"]
    else:
        entity, entity_id = "caseload", None
    audit.record(session, username, "import", entity, entity_id, client_id=entity_id, detail=detail)
