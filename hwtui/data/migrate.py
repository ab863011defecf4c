"""Schema migrations with Alembic: status, upgrade, and the safe upgrade on launch.

Every launch checks the schema; few upgrade it. The check compares the `alembic_version`
table with the head recorded in `hwtui.data.revisions`, since importing Alembic would cost
a launch more than everything else it does before the first screen. Alembic is imported
only for a database not at the head: to tell an older one from a newer, and to upgrade.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from hwtui.data import revisions as schema_revisions
from hwtui.data.backup import copy_sqlite
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.revisions import VERSION_TABLE, head_revision
from hwtui.data.sqlite_file import SQLITE_WAL

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    # Looked up at call time: tests point it at a copy with more migrations.
    config.set_main_option("script_location", str(schema_revisions.MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


class SchemaState(StrEnum):
    EMPTY = "empty"
    CURRENT = "current"
    BEHIND = "behind"
    AHEAD = "ahead"  # written by a newer hwtui
    FOREIGN = "foreign"  # tables, but not ours


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None
    head: str


def status(db: Database) -> SchemaStatus:
    head = head_revision()
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        revision = _current_revision(conn) if VERSION_TABLE in tables else None
    if revision is None:
        state = SchemaState.FOREIGN if tables - {VERSION_TABLE} else SchemaState.EMPTY
    elif revision == head:
        state = SchemaState.CURRENT
    else:
        state = SchemaState.BEHIND if _known(revision) else SchemaState.AHEAD
    return SchemaStatus(state, revision, head)


def _known(revision: str) -> bool:
    """Whether one of this hwtui's migrations is *revision* (else a newer hwtui wrote it)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return any(script.revision == revision for script in scripts.walk_revisions())


def _current_revision(conn: Connection) -> str | None:
    """The schema's revision, from Alembic's version table (as Alembic reads it)."""
    found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
    if len(found) > 1:
        raise DatabaseProblem(f"the database is at several schema revisions at once: {found}")
    return found[0] if found else None


def upgrade(db: Database, revision: str = "head") -> None:
    from alembic import command

    # Migrations name no clinician: on PostgreSQL only the schema owner can run them, and
    # it then sees every row (see migration 0006), as a change to existing rows must.
    options = {"hwtui_begin": "IMMEDIATE", "hwtui_clinician": None}
    with db.engine.execution_options(**options).connect() as conn:
        if not db.is_sqlite:
            try:
                with conn.begin():
                    _need_schema_owner(conn)
                    command.upgrade(alembic_config(conn), revision)
            except DBAPIError as exc:
                # Typically a clinician's role: it may use the tables, not change them.
                raise DatabaseProblem(
                    f"cannot upgrade the database schema: {_first_line(exc)}; "
                    "run `hwtui db upgrade` as the role that owns hwtui's tables"
                ) from exc
            return
        # Batch mode rebuilds a table by copy-and-drop, and dropping a table others refer
        # to fails while foreign keys are enforced. SQLite only honours this pragma outside
        # a transaction, so it goes straight to the driver before anything begins.
        raw = conn.connection.driver_connection
        assert raw is not None
        # The write-ahead log is kept by the file: set here, where hwtui makes or upgrades
        # its own database, never when merely opening one (see sqlite_file.SQLITE_PRAGMAS).
        try:
            raw.execute(SQLITE_WAL)
            raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with conn.begin():
                    command.upgrade(alembic_config(conn), revision)
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:  # raising here rolls the whole upgrade back
                        raise DatabaseProblem(
                            f"the upgrade would break {len(broken)} reference(s); "
                            "nothing was changed"
                        )
            finally:
                raw.execute("PRAGMA foreign_keys = ON")
        except DBAPIError as exc:  # a read-only folder, a full disk: say which and what to do
            raise DatabaseProblem(db.explain(exc)) from exc
        except sqlite3.Error as exc:  # from the raw pragmas, before SQLAlchemy wraps it
            raise DatabaseProblem(db.explain_sqlite(exc)) from exc


def _need_schema_owner(conn: Connection) -> None:
    """On PostgreSQL, only the role owning hwtui's tables may upgrade them: checked before
    anything, so a clinician's role is told so even when there is nothing to upgrade
    (it once printed "already at head" and went on as if it could)."""
    owner = conn.execute(
        text(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = :table"
        ),
        {"table": VERSION_TABLE},
    ).scalar()
    if owner is None:
        return  # an empty database: whoever may create tables in it makes them theirs
    if not conn.execute(
        text("SELECT pg_has_role(current_user, :owner, 'USAGE')"), {"owner": owner}
    ).scalar():
        user = conn.execute(text("SELECT current_user")).scalar()
        raise DatabaseProblem(
            f"cannot upgrade the database schema as {user}: run `hwtui db upgrade` as the role "
            f"that owns hwtui's tables ({owner})"
        )


def backup_sqlite(source: Path, dest: Path) -> Path:
    """Copy a live SQLite database with the online backup API into a new 0600 file."""
    copy_sqlite(source, dest)
    return dest


def prepare(db: Database) -> Path | None:
    """Bring the schema to head before the app uses it.

    A new database is created; an older SQLite database is first backed up next to
    itself (the backup's path is returned). Anything else stops with a clear message.
    """
    try:
        st = status(db)
    except DatabaseProblem:
        raise
    except DBAPIError as exc:
        raise DatabaseProblem(f"cannot read the database: {_first_line(exc)}") from exc
    if st.state is SchemaState.CURRENT:
        return None
    if st.state is SchemaState.EMPTY:
        upgrade(db)
        return None
    if st.state is SchemaState.FOREIGN:
        raise DatabaseProblem("this database holds other tables and is not an hwtui database")
    if st.state is SchemaState.AHEAD:
        raise DatabaseProblem(
            f"this database was written by a newer hwtui (schema {st.revision}); upgrade hwtui"
        )
    if db.path is None:
        raise DatabaseProblem(
            f"the database schema ({st.revision}) is older than this hwtui ({st.head}): "
            "back it up with pg_dump, then run `hwtui db upgrade` as the schema owner"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = backup_sqlite(db.path, db.path.with_name(f"{db.path.name}.{st.revision}.{stamp}.bak"))
    upgrade(db)
    return backup


def _first_line(exc: DBAPIError) -> str:
    lines = str(exc.orig).strip().splitlines()
    return lines[0] if lines else "unknown error"
