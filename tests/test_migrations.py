"""Migrations: the schema they build is the models' schema; launch-time upgrade is safe."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

import hwtui.data.models  # noqa: F401  (registers the tables)
from hwtui.data import migrate
from hwtui.data import revisions as schema_revisions
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.migrate import SchemaState
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.review_steps import STEPS
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.reviews import open_review, save_draft, start_review
from tests.conftest import TODAY

SECOND_REVISION = '''"""a later schema, for tests"""

import sqlalchemy as sa
from alembic import op

revision = "9000_probe"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("hwtui_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("hwtui_probe")
'''


@pytest.fixture
def empty_db(empty_db_url: str) -> Iterator[Database]:
    database = Database(empty_db_url)
    yield database
    database.dispose()


@pytest.fixture
def newer_hwtui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Pretend this hwtui ships one more migration than the database has seen."""
    scripts = tmp_path / "migrations"
    shutil.copytree(
        schema_revisions.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = schema_revisions.head_revision()
    (scripts / "versions" / "9000_probe.py").write_text(SECOND_REVISION.replace("{head}", head))
    monkeypatch.setattr(schema_revisions, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(schema_revisions, "HEAD", "9000_probe")
    return "9000_probe"


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _add_some_data(db: Database) -> None:
    with db.write() as s:
        me = ensure_clinician(s, "dr_test")
        create_client(s, me, code="C01", display_name="Ana", values=["family"])


def test_upgrade_builds_exactly_the_models_schema(empty_db: Database) -> None:
    assert _tables(empty_db) == set()
    migrate.upgrade(empty_db)
    assert _tables(empty_db) == set(SQLModel.metadata.tables) | {"alembic_version"}
    with empty_db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _declared_in_models}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


# Partial unique indexes made by migration 0008 and not declared in the models (see the
# comment on `Review`); the test below checks they are there.
MIGRATION_ONLY_INDEXES = {"uq_review_one_draft", "uq_review_one_amendment"}


def _declared_in_models(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def test_upgrade_makes_the_partial_unique_indexes(empty_db: Database) -> None:
    migrate.upgrade(empty_db)
    with empty_db.engine.connect() as conn:
        names = {ix["name"] for ix in sa_inspect(conn).get_indexes("review")}
    assert names >= MIGRATION_ONLY_INDEXES


def test_upgrade_twice_is_harmless(empty_db: Database) -> None:
    migrate.upgrade(empty_db)
    _add_some_data(empty_db)
    migrate.upgrade(empty_db)
    with empty_db.read() as s:
        assert s.execute(text("SELECT count(*) FROM client")).scalar_one() == 1


def test_downgrade_to_base_removes_every_table(empty_db: Database) -> None:
    migrate.upgrade(empty_db)
    with empty_db.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "base")
    assert _tables(empty_db) == {"alembic_version"}
    assert migrate.status(empty_db).state is SchemaState.EMPTY


def test_prepare_creates_a_new_database(empty_db: Database) -> None:
    head = schema_revisions.head_revision()
    assert migrate.status(empty_db) == migrate.SchemaStatus(SchemaState.EMPTY, None, head)
    assert migrate.prepare(empty_db) is None
    assert migrate.status(empty_db) == migrate.SchemaStatus(SchemaState.CURRENT, head, head)
    # Preparing a current database changes nothing and makes no backup.
    assert migrate.prepare(empty_db) is None
    if empty_db.path is not None:
        assert list(empty_db.path.parent.glob("*.bak")) == []


def test_a_foreign_database_is_left_alone(empty_db: Database) -> None:
    with empty_db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)"))
    assert migrate.status(empty_db).state is SchemaState.FOREIGN
    with pytest.raises(DatabaseProblem, match="not an hwtui database"):
        migrate.prepare(empty_db)
    assert _tables(empty_db) == {"invoices"}


def test_a_database_from_a_newer_hwtui_is_refused(empty_db: Database) -> None:
    migrate.upgrade(empty_db)
    with empty_db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    st = migrate.status(empty_db)
    assert (st.state, st.revision) == (SchemaState.AHEAD, "9999_future")
    with pytest.raises(DatabaseProblem, match=r"newer hwtui \(schema 9999_future\)"):
        migrate.prepare(empty_db)
    assert migrate.status(empty_db).revision == "9999_future"


def test_an_older_database_is_backed_up_then_upgraded(empty_db: Database, newer_hwtui: str) -> None:
    with empty_db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), f"{newer_hwtui}-1")  # today's head ...
    old = migrate.status(empty_db).revision
    assert old is not None
    assert old != newer_hwtui  # ... is older than the pretend newer hwtui's
    _add_some_data(empty_db)
    st = migrate.status(empty_db)
    assert (st.state, st.revision, st.head) == (SchemaState.BEHIND, old, newer_hwtui)

    if empty_db.path is None:
        # PostgreSQL: the schema owner upgrades by hand, after pg_dump.
        with pytest.raises(DatabaseProblem, match="pg_dump"):
            migrate.prepare(empty_db)
        assert migrate.status(empty_db).revision == old
        return

    backup = migrate.prepare(empty_db)
    assert backup is not None
    assert backup.parent == empty_db.path.parent
    assert backup.name.startswith(f"{empty_db.path.name}.{old}.")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    # The backup is a whole, readable copy of the old schema with the data in it.
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (old,)
        assert copy.execute("SELECT code FROM client").fetchall() == [("C01",)]
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "hwtui_probe" not in tables
    # And the database itself is now at the new head, data intact.
    assert migrate.status(empty_db).state is SchemaState.CURRENT
    assert "hwtui_probe" in _tables(empty_db)
    with empty_db.read() as s:
        assert s.execute(text("SELECT code FROM client")).scalars().all() == ["C01"]


def test_backup_sqlite_copies_every_row_into_a_private_file(
    sqlite_db: Database, tmp_path: Path
) -> None:
    _add_some_data(sqlite_db)  # still in the WAL file: the backup must include it
    assert sqlite_db.path is not None
    dest = tmp_path / "copy.sqlite3"
    assert migrate.backup_sqlite(sqlite_db.path, dest) == dest
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    # Table names come from the models, not from input.
    count = 'SELECT count(*) FROM "{}"'
    counts: dict[str, int] = {}
    with sqlite_db.read() as s:
        for table in [*SQLModel.metadata.tables, "alembic_version"]:
            counts[table] = s.execute(text(count.format(table))).scalar_one()
    assert counts["client"] == 1
    assert counts["audit_event"] >= 1
    with closing(sqlite3.connect(dest)) as copy:
        copied = {table: copy.execute(count.format(table)).fetchone()[0] for table in counts}
    assert copied == counts
    # An existing file is never overwritten.
    with pytest.raises(FileExistsError):
        migrate.backup_sqlite(sqlite_db.path, dest)


def test_prepare_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are not the tables you are looking for\n" * 200)
    with pytest.raises(DatabaseProblem, match="not an SQLite database"):
        migrate.prepare(Database(path))


def test_upgrading_a_populated_first_schema_keeps_every_row(empty_db: Database) -> None:
    """Real data written by the first release survives every later migration."""
    from datetime import date

    from hwtui.data.demo import generate

    with empty_db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0001")
    # Rows as the first release would have written them (only the 0001 columns).
    with empty_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clinician (id, username, display_name, role, created_at) "
                "VALUES (1, 'dr_old', 'Dr Old', 'clinician', '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO client (id, clinician_id, code, display_name, review_interval_days, "
                "created_at, updated_at) VALUES (1, 1, 'OLD1', 'Old client', 7, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO review (id, client_id, clinician_id, session_date, status, win_text, "
                "current_step, skipped, draft_goals, started_at, updated_at) VALUES "
                "(1, 1, 1, '2025-01-08', 'complete', 'kept', 5, '{}', '[]', "
                "'2025-01-08 10:00:00', '2025-01-08 10:00:00')"
            )
        )
    migrate.upgrade(empty_db)
    assert migrate.status(empty_db).state is SchemaState.CURRENT
    with empty_db.read() as s:
        assert s.execute(text("SELECT code FROM client")).scalars().all() == ["OLD1"]
        row = s.execute(text("SELECT win_text, version, signed_by FROM review")).one()
        assert tuple(row) == ("kept", 1, "")
        assert s.execute(text("SELECT note_format FROM clinician")).scalar_one() == "dap"
    if empty_db.is_sqlite:
        with empty_db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    # And the upgraded database takes new data as usual.
    generate(empty_db, clinician="dr_old", clients=2, weeks=2, today=date(2026, 11, 25))


# Positions a review could hold before 0009 and the step it opens on after: the order of
# the steps then for 0-5; any other number (the app took up to 50, and opened anything past
# the end on the summary) the summary.
STEP_BY_POSITION = {
    0: "outcomes",
    1: "win",
    2: "worked",
    3: "barriers",
    4: "goal",
    5: "summary",
    6: "summary",
    50: "summary",
    -1: "summary",
}


def _review_row(
    conn: Connection, review_id: int, client_id: int, position: int, **more: Any
) -> None:
    row = {
        "id": review_id,
        "client_id": client_id,
        "status": "draft",
        "current_step": position,
        "amends_id": None,
        "version": 1,
        "signed_by": "",
        "signed_at": None,
        **more,
    }
    conn.execute(
        text(
            "INSERT INTO review (id, client_id, clinician_id, session_date, status, win_text, "
            "current_step, skipped, draft_goals, started_at, updated_at, completed_at, "
            "signed_at, signed_by, version, amends_id) VALUES (:id, :client_id, 1, "
            "'2026-11-10', :status, 'typed', :current_step, '{}', '[]', "
            "'2026-11-10 10:00:00', '2026-11-10 10:00:00', :completed_at, :signed_at, "
            ":signed_by, :version, :amends_id)"
        ),
        {"completed_at": None if row["status"] == "draft" else "2026-11-10 11:00:00", **row},
    )


def _populate_0008(db: Database) -> dict[int, int]:
    """Reviews as the hwtui of schema 0008 left them: a draft at every position, a
    complete and a signed review and the amendment open on it, by id with the position."""
    positions: dict[int, int] = {}
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clinician (id, username, display_name, role, created_at) "
                "VALUES (1, 'dr_old', 'Dr Old', 'clinician', '2025-01-01 00:00:00')"
            )
        )
        # One client per draft (0008 allows no more), and one with finished reviews.
        for client_id in [*range(1, len(STEP_BY_POSITION) + 1), 99]:
            conn.execute(
                text(
                    "INSERT INTO client (id, clinician_id, code, display_name, "
                    "review_interval_days, created_at, updated_at) VALUES (:id, 1, :code, "
                    "'Client', 7, '2025-01-01 00:00:00', '2025-01-01 00:00:00')"
                ),
                {"id": client_id, "code": f"OLD{client_id}"},
            )
        for n, position in enumerate(STEP_BY_POSITION, start=1):
            _review_row(conn, n, n, position)
            positions[n] = position
        signed = {"status": "signed", "signed_by": "dr_old", "signed_at": "2026-11-10 12:00:00"}
        _review_row(conn, 100, 99, 3, status="complete")
        _review_row(conn, 101, 99, 5, **signed)
        # amend_review opened an amendment on the summary: position len(ReviewStep) - 1.
        _review_row(conn, 102, 99, 5, amends_id=101, version=2)
        positions |= {100: 3, 101: 5, 102: 5}
    return positions


def _resumed_steps(db: Database, review_ids: Iterable[int]) -> dict[int, str]:
    """The step each review opens on, as the review screen opens it."""
    steps: dict[int, str] = {}
    with db.write() as s:
        me = ensure_clinician(s, "dr_old")
        for review_id in review_ids:
            ctx = open_review(s, me, review_id)
            draft = ReviewDraft.from_saved(
                ctx.review, ctx.assignments, ctx.outcomes, ctx.review.draft_goals
            )
            steps[review_id] = draft.step.value
    return steps


def _downgrade(db: Database, revision: str) -> None:
    """As `migrate.upgrade` runs migrations: SQLite's batch copies need foreign keys off."""
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if db.is_sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                command.downgrade(migrate.alembic_config(conn), revision)
        finally:
            if db.is_sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


def test_review_steps_by_code_every_draft_resumes_on_its_step(empty_db: Database) -> None:
    """0009 turns the stored step position into its code: every draft, signed review and
    amendment opens on the step it did before; the downgrade gives the positions back."""
    with empty_db.engine.begin() as conn:
        command.upgrade(migrate.alembic_config(conn), "0008")
    positions = _populate_0008(empty_db)
    expected = {review_id: STEP_BY_POSITION[at] for review_id, at in positions.items()}

    migrate.upgrade(empty_db)
    assert _resumed_steps(empty_db, expected) == expected
    with empty_db.read() as s:
        stored = dict(s.execute(text("SELECT id, step FROM review")).all())
    assert stored == expected

    _downgrade(empty_db, "0008")
    with empty_db.read() as s:
        back = dict(s.execute(text("SELECT id, current_step FROM review")).all())
    # Every position a step had comes back; the ones past the end come back as the summary.
    assert back == {review_id: at if 0 <= at <= 5 else 5 for review_id, at in positions.items()}
    with empty_db.engine.connect() as conn:
        indexes = {ix["name"] for ix in sa_inspect(conn).get_indexes("review")}
    assert indexes >= MIGRATION_ONLY_INDEXES

    migrate.upgrade(empty_db)  # and up again: the same steps
    assert _resumed_steps(empty_db, expected) == expected


def test_the_database_takes_every_review_step_and_nothing_else(db: Database, me: Actor) -> None:
    """A step added to the catalog needs a migration that lets the database store it."""
    with db.write() as s:
        client = create_client(s, me, code="C01", display_name="Ana")
        assert client.id is not None
        review_id = start_review(s, me, client.id, TODAY).id
        assert review_id is not None
    for step in STEPS:
        with db.write() as s:
            save_draft(s, me, review_id, step=step)
        with db.read() as s:
            assert s.execute(text("SELECT step FROM review")).scalar_one() == step.value
    with pytest.raises(DatabaseProblem, match="ck_review_step"), db.write() as s:
        s.execute(text("UPDATE review SET step = 'coda'"))


# --- The check at launch knows the head without Alembic ---------------------------------


def test_the_recorded_head_is_alembics() -> None:
    """A new migration must move `revisions.HEAD` along: every launch compares with it."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_heads() == [schema_revisions.HEAD]
    assert schema_revisions.head_revision() == scripts.get_current_head()


def test_a_database_at_two_revisions_is_refused(empty_db: Database) -> None:
    migrate.upgrade(empty_db)
    with empty_db.engine.begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001')"))
    with pytest.raises(DatabaseProblem, match="several schema revisions"):
        migrate.prepare(empty_db)


def test_opening_a_current_database_does_not_import_alembic(sqlite_db: Database) -> None:
    """Alembic is imported to upgrade, not on every launch."""
    code = (
        "import sys;"
        "from hwtui.data import migrate;"
        "from hwtui.data.db import Database;"
        f"db = Database({str(sqlite_db.path)!r});"
        "assert migrate.prepare(db) is None;"
        "assert migrate.status(db).state is migrate.SchemaState.CURRENT;"
        "db.dispose();"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
