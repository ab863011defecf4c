"""The launch's first read (data/first_screen.py): the caseload from SQLite without the ORM.

It must agree with the ORM's service row for row, write the same audit event into the
same chain, and step aside (None) whenever the launch needs the full path.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite
from sqlmodel import col, select

from hwtui.data import first_screen
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.first_screen import read_first_screen
from hwtui.data.models import AuditEvent
from hwtui.data.services import audit
from hwtui.data.services.caseload import list_caseload
from hwtui.data.services.clients import archive_client
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.reviews import save_draft, start_review
from tests.conftest import TODAY
from tests.helpers import add_client

ME = "dr_first"


@pytest.fixture
def practice(
    tmp_path: Path, demo_sqlite: Callable[..., Database]
) -> Iterator[tuple[Database, Actor]]:
    """A demo practice: this clinician's caseload beside a colleague's, with a draft, an
    archived client and a client with hostile text in its name."""
    db = demo_sqlite(
        tmp_path / "hwtui.sqlite3",
        clinician=ME,
        clients=12,
        weeks=20,
        today=TODAY,
        other_clinicians=1,
    )
    with db.write() as s:
        me = ensure_clinician(s, ME)
    hostile = add_client(db, me, "X1", display_name="[@click=app.quit]x[/] [TODO]")
    gone = add_client(db, me, "GONE")
    with db.write() as s:
        archive_client(s, me, gone)
        start_review(s, me, hostile, TODAY)
    yield db, me
    db.dispose()


def _orm_rows(db: Database, me: Actor) -> list[object]:
    with db.write() as s:
        return list(list_caseload(s, me, TODAY))


def test_the_rows_are_the_services_rows(practice: tuple[Database, Actor]) -> None:
    db, me = practice
    assert db.path is not None
    first = read_first_screen(db.path, ME, TODAY)
    assert first is not None
    assert first.actor == me
    assert first.rows == _orm_rows(db, me)
    codes = [row.code for row in first.rows]
    assert "GONE" not in codes  # archived
    hostile = next(row for row in first.rows if row.code == "X1")
    assert hostile.has_draft
    assert hostile.display_name.startswith("[@click=app.quit]")
    assert len(first.rows) == 13  # 12 demo clients and the hostile one, no colleague's


def test_the_view_is_audited_in_the_same_chain(practice: tuple[Database, Actor]) -> None:
    db, me = practice
    assert db.path is not None
    at = datetime(2026, 11, 26, 8, 30, 0, 123456, tzinfo=UTC)
    assert read_first_screen(db.path, ME, TODAY, now=lambda: at) is not None
    _orm_rows(db, me)  # the ORM's own event follows it in the chain
    with db.read() as s:
        check = audit.verify_chain(s)
        quick, orm = s.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(2)).all()[
            ::-1
        ]
    assert check.ok, check
    assert quick.at == at
    assert (quick.os_user, quick.action, quick.entity, quick.entity_id, quick.client_id) == (
        ME,
        "view",
        "caseload",
        None,
        None,
    )
    assert (quick.action, quick.entity, quick.detail) == (orm.action, orm.entity, orm.detail)
    assert orm.prev_hash == quick.hash


def test_a_missing_database_is_refused_and_not_made(tmp_path: Path) -> None:
    path = tmp_path / "new" / "hwtui.sqlite3"
    with pytest.raises(DatabaseProblem, match=r"there is no database at .*hwtui db init"):
        read_first_screen(path, ME, TODAY)
    assert not path.exists()
    assert not path.parent.exists()


def test_an_older_schema_is_left_to_the_full_path(practice: tuple[Database, Actor]) -> None:
    db, _ = practice
    assert db.path is not None
    with sqlite3.connect(db.path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0005'")
    before = _events(db.path)
    assert read_first_screen(db.path, ME, TODAY) is None
    assert _events(db.path) == before  # nothing written, nothing audited


def test_an_unknown_clinician_is_left_to_the_full_path(practice: tuple[Database, Actor]) -> None:
    db, _ = practice
    assert db.path is not None
    assert read_first_screen(db.path, "dr_new", TODAY) is None


def test_a_missing_chain_head_is_left_to_the_full_path(practice: tuple[Database, Actor]) -> None:
    db, _ = practice
    assert db.path is not None
    with sqlite3.connect(db.path) as conn:
        conn.execute("DELETE FROM audit_head")
    before = _events(db.path)
    assert read_first_screen(db.path, ME, TODAY) is None
    assert _events(db.path) == before  # rolled back


def test_a_file_that_is_not_a_database_is_refused_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a database\n" * 200)
    with pytest.raises(DatabaseProblem, match="not an SQLite database"):
        read_first_screen(path, ME, TODAY)
    assert path.read_bytes() == b"not a database\n" * 200


def test_a_held_write_lock_is_left_to_the_full_path(
    practice: tuple[Database, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = practice
    assert db.path is not None
    monkeypatch.setattr(first_screen, "LOCK_WAIT_SECONDS", 0.05)
    holder = sqlite3.connect(db.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert read_first_screen(db.path, ME, TODAY) is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_file_others_can_read_is_refused_before_anything_is_read(
    practice: tuple[Database, Actor],
) -> None:
    db, _ = practice
    assert db.path is not None
    db.path.chmod(0o644)
    with pytest.raises(DatabaseProblem, match="can be read or written by other users"):
        read_first_screen(db.path, ME, TODAY)
    assert stat.S_IMODE(os.stat(db.path).st_mode) == 0o644  # left as it was


def test_a_draft_saved_by_the_orm_shows_as_open(practice: tuple[Database, Actor]) -> None:
    db, me = practice
    assert db.path is not None
    first = read_first_screen(db.path, ME, TODAY)
    assert first is not None
    row = next(r for r in first.rows if not r.has_draft)
    with db.write() as s:
        review = start_review(s, me, row.client_id, TODAY)
        assert review.id is not None
        save_draft(s, me, review.id, win_text="walked")
    again = read_first_screen(db.path, ME, TODAY)
    assert again is not None
    assert next(r for r in again.rows if r.client_id == row.client_id).has_draft


def _events(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM audit_event").fetchone()[0])


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 26, 8, 30, 0, 123456, tzinfo=UTC),
        datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2026, 6, 1, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-7))),
    ],
)
def test_the_time_is_stored_as_the_orm_stores_it(at: datetime) -> None:
    """The first read writes `audit_event.at` itself; the ORM reads it back and the chain
    hashes what it reads, so the text must be SQLAlchemy's, for the same column."""
    dialect = sqlite.dialect()
    column_type = AuditEvent.__table__.c.at.type  # type: ignore[attr-defined]
    store = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert first_screen.sqlite_datetime(at) == store(at)


ORDER_OF_THE_SLOW_FILE = (
    "uq_review_one_draft",
    "uq_review_one_amendment",
    "ix_review_client_status",
    "ix_review_client_date",
    "ix_review_clinician_id",
    "ix_review_amends_id",
)


@pytest.mark.parametrize("include_archived", [False, True])
def test_the_caseload_query_finds_reviews_by_client_whatever_order_the_indexes_were_made(
    migrated_sqlite: Callable[[Path], Database], tmp_path: Path, include_archived: bool
) -> None:
    """Without statistics SQLite picks among equal-looking indexes by the order a file's
    indexes were made in: on one file it looked for each client's draft through every
    review of the clinician's (a 10 s caseload, 500 clients of five years). Made in that
    file's order too, the query reaches a client's reviews through that client's own."""
    from hwtui.data.caseload_rows import caseload_params, caseload_sql

    db = migrated_sqlite(tmp_path / "order.sqlite3")
    db.dispose()
    conn = sqlite3.connect(tmp_path / "order.sqlite3")
    try:
        made = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
        # Made again in the order the slow file had them (a practice written at 0016).
        for name in ORDER_OF_THE_SLOW_FILE:
            conn.execute(f"DROP INDEX {name}")
        for name in ORDER_OF_THE_SLOW_FILE:
            conn.execute(made[name])
        plan = [
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN "
                + caseload_sql(sqlite=True, include_archived=include_archived),
                caseload_params(1),
            )
        ]
    finally:
        conn.close()
    reviews = [step for step in plan if step.startswith("SEARCH r ")]
    assert reviews == [
        "SEARCH r USING INDEX ix_review_client_date (client_id=?)",
        "SEARCH r USING INDEX ix_review_client_status (client_id=? AND status=?)",
    ], plan


def test_only_sqlite_is_kept_off_the_clinicians_review_index() -> None:
    """PostgreSQL plans by its statistics, and `+r.clinician_id` there made its caseload
    twenty times slower: the unary plus is SQLite's form alone."""
    from hwtui.data.caseload_rows import caseload_sql

    assert caseload_sql(sqlite=True).count("+r.clinician_id = :me") == 2
    assert "+" not in caseload_sql(sqlite=False)
