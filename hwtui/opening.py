"""Opening the database a command or the app names: found, checked, at the head schema.

Shared by the command line's commands and the launch (`hwtui.launch`). Light to import:
the ORM and the migrations load when a database is opened, not before, since the
everyday launch imports this module before it knows whether it needs them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hwtui.config import Defaults
    from hwtui.data.db import Database
    from hwtui.settings import Settings


def connect(
    location: str | None,
    settings: Settings | Defaults | None = None,
    *,
    create: bool = False,
    tidy: bool = True,
) -> Database:
    """The database named by *location* (else the settings, else the default file).

    A missing SQLite file is an error unless *create* (`db init`, `demo`, `import`): a
    mistyped path must not quietly become a new, empty caseload. Not *tidy*: a read-only
    look, which leaves the file's mode as it is."""
    from hwtui.config import load_settings
    from hwtui.data.db import Database, default_url, resolve_url
    from hwtui.data.errors import DatabaseProblem
    from hwtui.data.services.identity import os_username

    # The settings are read (and validated) only if the location is not given, once.
    chosen = location if location is not None else (settings or load_settings()).database_url
    url = resolve_url(chosen) if chosen is not None else default_url()
    try:
        # On PostgreSQL every transaction names the clinician; row-level security holds.
        db = Database(url, clinician=os_username(), create=create, tidy=tidy)
    except DatabaseProblem:
        if chosen is None and not Path(str(url.database)).exists():
            raise DatabaseProblem(first_use(str(url.database))) from None
        raise
    db.check()
    return db


def open_database(
    location: str | None,
    settings: Settings | Defaults | None = None,
    *,
    writes_schema: bool = True,
    create: bool = False,
) -> Database:
    """Open and, if needed, upgrade the database (backing up an older SQLite file first).

    Not *writes_schema* (the read-only commands): a database that would need its schema
    made or changed is refused with what to run instead."""
    from hwtui.data import migrate
    from hwtui.data.errors import DatabaseProblem

    db = connect(location, settings, create=create)
    try:
        if not writes_schema:
            state = migrate.status(db).state
            if state is migrate.SchemaState.EMPTY:
                raise DatabaseProblem(
                    f"{where(db)} holds no hwtui data yet: create it with `hwtui db init`"
                )
            if state is migrate.SchemaState.BEHIND:
                raise DatabaseProblem(
                    f"{where(db)} is from an older hwtui: run `hwtui db upgrade` first"
                )
        backup = migrate.prepare(db)
    except BaseException:
        db.dispose()  # a server keeps the connection otherwise, until the process ends
        raise
    if backup is not None:
        print(f"hwtui: upgraded the database; the previous version is in {backup}", file=sys.stderr)
    return db


def first_use(path: str) -> str:
    return (
        f"there is no hwtui database yet at {path}: start your caseload with `hwtui db init`, "
        "or try hwtui on made-up clients with `hwtui demo`"
    )


def where(db: Database) -> str:
    return str(db.path) if db.path is not None else "the database"
