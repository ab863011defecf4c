"""CSV export: the rows of a JSON export (`hwtui.data.export`), one CSV file per table,
in a new folder or a .zip, for reading elsewhere (a spreadsheet, a records system).

JSON columns are written as JSON text and empty values as empty cells. CSV is not
imported: only the JSON export keeps every value's type.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel

from hwtui.data.export import Row, check_new_path, collect, record_export
from hwtui.data.files import write_private_folder, write_private_zip
from hwtui.data.services.identity import Actor


@dataclass(frozen=True, slots=True)
class CsvExport:
    path: Path
    tables: dict[str, int]  # rows per table (one file each)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def export_csv(
    session: Session, me: Actor, client_id: int | None, out: Path, *, process_notes: bool = False
) -> CsvExport:
    """The same rows as `export_json`, one CSV file per table, in a new folder or .zip;
    the process notes (`process_note.csv`) only with *process_notes*.

    The folder is created 0700 and each file 0600 (zip entries carry 0600 too); an
    existing path is never overwritten. Records an "export" audit event in *session*.
    """
    check_new_path(out)
    tables = collect(session, me, client_id, process_notes=process_notes)
    record_export(session, me, client_id, "csv", tables)
    files = {f"{name}.csv": _csv_text(name, rows) for name, rows in tables.items()}
    if out.suffix.lower() == ".zip":
        write_private_zip(out, files)
    else:
        write_private_folder(out, files)
    return CsvExport(out, {name: len(rows) for name, rows in tables.items()})


def _csv_text(name: str, rows: list[Row]) -> str:
    columns = [c.name for c in SQLModel.metadata.tables[name].c]
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
