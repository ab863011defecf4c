"""What an export holds: the file format's name and version, and which tables go in it,
in foreign-key order, with how each table's rows belong to the exporting clinician.

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

Exported only when asked for (`plan(private=True)`, `hwtui export --process-notes`): the
clinician's private process notes (`process_note`), which are not part of the record
(psychotherapy notes, US 45 CFR 164.501). They then go in as a table of their own, like
any other (a `client_id`), and an import takes them from a file that has them.

The export (`hwtui.data.export`, `export_csv`) and the import (`hwtui.data.import_file`)
both follow this plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ForeignKey, MetaData, Table
from sqlmodel import SQLModel

from hwtui.data.models import Client, Clinician

FORMAT = "hwtui-export"
VERSION = 1
# The system's log and Alembic's bookkeeping: see the module docstring.
# And the clinician's private process notes, not part of the record (45 CFR 164.501).
NOT_EXPORTED = frozenset({"audit_event", "audit_head", "alembic_version", "process_note"})
# Of those, what an export holds when asked for by its own flag (`plan(private=True)`).
PROCESS_NOTE = "process_note"
PRIVATE = frozenset({PROCESS_NOTE})
CLINICIAN = str(Clinician.__tablename__)
CLIENT = str(Client.__tablename__)


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


def plan(metadata: MetaData | None = None, *, private: bool = False) -> list[Link]:
    """Every exported table in foreign-key order (each after the tables it points at);
    with *private*, the process notes too (`PRIVATE`)."""
    meta = metadata if metadata is not None else SQLModel.metadata
    skipped = NOT_EXPORTED - PRIVATE if private else NOT_EXPORTED
    links: dict[str, Link] = {}
    for table in meta.sorted_tables:
        if table.name not in skipped:
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
            "teach hwtui.data.export_plan whose data it is"
        )
    fk = chosen[0]
    is_client_data = table.name == CLIENT or bool(by_client)
    return Link(table.name, fk.parent.name, target(fk), fk.column.name, is_client_data)
