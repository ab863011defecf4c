"""The launch's first read on PostgreSQL (`data.first_screen_pg`, issue 19): the caseload
through psycopg alone, as the clinician's own role under row-level security, audited in
the same chain as the ORM appends to, and out of the way whenever anything is unusual.

The practice (two clinicians' caseloads, an owner) is `test_pg_rls`'s.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from hwtui.data.db import Database
from hwtui.data.first_screen_pg import conninfo, is_postgres_url, read_first_screen_pg
from hwtui.data.services import audit
from hwtui.data.services.caseload import list_caseload
from tests import test_pg_rls
from tests.conftest import TODAY
from tests.test_pg_rls import ALICE, BOB, PASSWORD, Practice

pytestmark = pytest.mark.postgres

# The practice of test_pg_rls, its fixtures shared.
rls_template = test_pg_rls.rls_template
practice = test_pg_rls.practice

AT = datetime(2026, 12, 7, 9, 30, 1, 123456, tzinfo=UTC)


def test_it_reads_the_clinicians_caseload_as_the_orm_does(practice: Practice) -> None:
    first = read_first_screen_pg(practice.url(ALICE), ALICE, TODAY)
    assert first is not None
    assert first.actor == practice.a.actor
    with practice.alice.write() as s:
        assert first.rows == list_caseload(s, practice.a.actor, TODAY)
    assert [row.code for row in first.rows] == ["A1"]  # not bob's B1


def test_its_view_is_chained_like_every_other_event(practice: Practice) -> None:
    read_first_screen_pg(practice.url(BOB), BOB, TODAY, now=lambda: AT)
    with practice.alice.write() as s:  # after it, through the ORM: the chain goes on
        audit.record(s, practice.a.actor, "view", "client", practice.a.client_id)
    with practice.owner.read() as s:
        check = audit.verify_chain(s)
        events = s.execute(
            text("SELECT os_user, action, entity, detail, at FROM audit_event ORDER BY id")
        ).all()
    assert check.ok, check
    assert tuple(events[-2]) == (BOB, "view", "caseload", "1 clients", AT)


def test_it_steps_aside_for_a_clinician_the_database_does_not_know(practice: Practice) -> None:
    # Alice's role naming someone else: row security shows no clinician row at all.
    assert read_first_screen_pg(practice.url(ALICE), "someone_else", TODAY) is None


def test_it_steps_aside_for_a_schema_not_at_the_head(practice: Practice) -> None:
    with practice.owner.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0012'"))
    assert read_first_screen_pg(practice.url(ALICE), ALICE, TODAY) is None


def test_it_steps_aside_when_the_server_refuses_and_writes_nothing(practice: Practice) -> None:
    with practice.owner.read() as s:
        before = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    wrong = practice.url(ALICE).replace(f":{PASSWORD}@", ":not-the-password@")
    assert read_first_screen_pg(wrong, ALICE, TODAY) is None
    with practice.owner.read() as s:
        assert s.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == before


def test_a_launch_on_the_server_paints_the_caseload_before_the_orm_loads(
    practice: Practice,
) -> None:
    """`make_app` on a PostgreSQL URL: the rows come from the first read, and SQLAlchemy
    is not imported until a worker opens the database."""
    code = (
        "import sys\n"
        "import hwtui.data.actor as actor\n"
        f"actor.os_username = lambda: {ALICE!r}\n"
        "from hwtui.launch import make_app\n"
        f"app = make_app({practice.url(ALICE)!r})\n"
        "print(sorted(r.code for r in app._first_rows), app._database.opened,\n"
        "      'sqlalchemy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['A1']", "False", "False"]


def test_the_urls_it_takes() -> None:
    assert is_postgres_url("postgresql:///hwtui?host=/var/run/postgresql")
    assert is_postgres_url(" postgres://u@h/db")
    assert is_postgres_url("postgresql+psycopg://u@h/db")
    assert not is_postgres_url("sqlite:////tmp/x.sqlite3")
    assert not is_postgres_url("/home/me/hwtui.sqlite3")
    assert conninfo("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"
    assert conninfo("postgres://u@h/db") == "postgres://u@h/db"


def test_the_database_it_opens_later_is_the_clinicians(practice: Practice) -> None:
    from hwtui.launch import _open_later

    db: Database = _open_later(practice.url(ALICE), ALICE)
    try:
        with db.write() as s:
            codes = [row.code for row in list_caseload(s, practice.a.actor, TODAY)]
        assert codes == ["A1"]
    finally:
        db.dispose()
