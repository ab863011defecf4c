"""Caseload isolation on a real PostgreSQL server (migration 0006).

The databases here are set up as on a practice server: a plain role owns the tables
(it ran the migrations), and each clinician connects as their own login role, a member
of `hwtui_app`, through hwtui's own `Database`. Whatever SQL a clinician sends, they see,
change and add rows of their own caseload only.

The roles belong to the whole server, so they have fixed names and are reused by every
run; the databases are new for each test and dropped after it.
"""

# ruff: noqa: S608  (the SQL here is formatted with table and column names only)

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import hwtui.data.models  # noqa: F401  (registers the tables)
from hwtui.cli import main
from hwtui.data import migrate
from hwtui.data import revisions as schema_revisions
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.services import audit
from hwtui.data.services.caseload import list_caseload
from hwtui.data.services.clients import list_values
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.measures import record_measure
from tests.conftest import TODAY, _drop_database, _pg_admin_url, pg_roles_lock
from tests.helpers import add_assignment, add_client, add_completed_review

pytestmark = pytest.mark.postgres

APP_ROLE = "hwtui_app"
OWNER = "hwtui_rls_owner"
ALICE = "hwtui_rls_alice"
BOB = "hwtui_rls_bob"
PASSWORD = "hwtui_rls"


def client_data_tables() -> set[str]:
    """Every table holding client data: `client`, any table with a client_id, and any
    table that refers (through foreign keys, at any depth) to one of those."""
    tables = SQLModel.metadata.tables
    found = {"client"}
    grew = True
    while grew:
        grew = False
        for name, table in tables.items():
            refers_to = {fk.column.table.name for fk in table.foreign_keys}
            if name not in found and ("client_id" in table.columns or refers_to & found):
                found.add(name)
                grew = True
    return found


# --- the server: roles, a template migrated by the owner, a database per test ---------


def _admin_engine() -> Engine:
    admin = _pg_admin_url()
    assert admin is not None
    url = make_url(admin).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _url(database: str, role: str) -> str:
    admin = _pg_admin_url()
    assert admin is not None
    url = make_url(admin).set(
        drivername="postgresql+psycopg", database=database, username=role, password=PASSWORD
    )
    return url.render_as_string(hide_password=False)


def _login_role(conn: Connection, name: str) -> None:
    """Create the role, or make sure an earlier run's can still log in (autocommit)."""
    try:
        conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{PASSWORD}'")
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in {"42710", "23505"}:  # already there
            raise
        conn.exec_driver_sql(f"ALTER ROLE {name} LOGIN PASSWORD '{PASSWORD}'")


@pytest.fixture(scope="module")
def rls_template(pg_template: str | None) -> Iterator[str]:
    """An empty database migrated to head by OWNER, a plain role (not the test's admin,
    which may be a superuser and so never subject to row-level security)."""
    if pg_template is None or _pg_admin_url() is None:
        pytest.skip("PostgreSQL not available (set HWTUI_TEST_PG_URL)")
    engine = _admin_engine()
    name = f"hwtui_rls_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        may = conn.execute(
            text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if not may:
            message = "the HWTUI_TEST_PG_URL role may not create roles (CREATEROLE)"
            if os.environ.get("HWTUI_TEST_REQUIRE_PG") == "1":
                pytest.fail(message)
            pytest.skip(message)
        with pg_roles_lock(engine):  # other test processes may be setting them up too
            for role in (OWNER, ALICE, BOB):
                _login_role(conn, role)
            # pg_template's migration made sure hwtui_app exists.
            conn.exec_driver_sql(f"GRANT {APP_ROLE} TO {ALICE}, {BOB}")
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    db_engine = create_engine(
        make_url(_pg_admin_url() or "").set(drivername="postgresql+psycopg", database=name),
        isolation_level="AUTOCOMMIT",
    )
    with db_engine.connect() as conn:
        # Owned by the admin (the database's owner); OWNER only needs to create in it.
        conn.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {OWNER}")
    db_engine.dispose()
    owner = Database(_url(name, OWNER))
    migrate.upgrade(owner)
    owner.dispose()
    yield name
    _drop(engine, name)
    engine.dispose()


@dataclass(frozen=True, slots=True)
class Caseload:
    actor: Actor
    client_id: int
    value_id: int
    assignment_id: int
    review_id: int
    outcome_id: int
    measure_id: int


@dataclass(frozen=True, slots=True)
class Practice:
    name: str
    owner: Database  # names no clinician: sees every row
    alice: Database
    bob: Database
    a: Caseload
    b: Caseload

    def url(self, role: str) -> str:
        return _url(self.name, role)


def _seed(db: Database, username: str, code: str) -> Caseload:
    """A caseload written through hwtui's services, as the clinician's own role."""
    with db.write() as s:
        me = ensure_clinician(s, username)
    client_id = add_client(db, me, code, values=["family"])
    assignment_id = add_assignment(db, me, client_id, f"walk ({code})")
    review_id = add_completed_review(db, me, client_id, TODAY, {assignment_id: "done"})
    with db.write() as s:
        measure = record_measure(s, me, client_id, "scaling", [6], question="how close?")
        [value] = list_values(s, me, client_id)
        outcome_id = s.execute(
            text("SELECT id FROM task_outcome WHERE review_id = :r"), {"r": review_id}
        ).scalar_one()
    assert measure.id is not None
    assert value.id is not None
    return Caseload(me, client_id, value.id, assignment_id, review_id, outcome_id, measure.id)


@pytest.fixture
def practice(rls_template: str) -> Iterator[Practice]:
    engine = _admin_engine()
    name = f"hwtui_rls_t_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{rls_template}"'))
    owner = Database(_url(name, OWNER))
    alice = Database(_url(name, ALICE), clinician=ALICE)
    bob = Database(_url(name, BOB), clinician=BOB)
    try:
        # Interleaved, so that each clinician's audit events follow the other's.
        a = _seed(alice, ALICE, "A1")
        b = _seed(bob, BOB, "B1")
        with alice.write() as s:
            audit.record(s, a.actor, "view", "client", a.client_id, client_id=a.client_id)
        yield Practice(name, owner, alice, bob, a, b)
    finally:
        for db in (owner, alice, bob):
            db.dispose()
        _drop(engine, name)
        engine.dispose()


def _drop(engine: Engine, name: str) -> None:
    # Closed connections take a moment to leave the server, and only a superuser may end
    # other roles' sessions (WITH FORCE): conftest's drop tries again for a while.
    _drop_database(engine, name)


def _ids(db: Database, table: str) -> set[int]:
    with db.read() as s:
        return set(s.execute(text(f"SELECT id FROM {table}")).scalars())


def _mine(c: Caseload) -> dict[str, set[int]]:
    return {
        "clinician": {c.actor.clinician_id},
        "client": {c.client_id},
        "client_value": {c.value_id},
        "assignment": {c.assignment_id},
        "review": {c.review_id},
        "task_outcome": {c.outcome_id},
        "measure": {c.measure_id},
    }


APPEND_FUNCTION = (
    "hwtui_audit_append(timestamptz, text, text, text, integer, integer, text, text, text)"
)

# --- the schema: every table of client data is protected --------------------------------


def test_every_client_data_table_has_forced_row_security_and_a_policy(practice: Practice) -> None:
    tables = client_data_tables()
    # The derivation must find the tables we know of, so it cannot pass by finding none.
    assert tables >= {"client", "client_value", "assignment", "review", "task_outcome"}
    assert tables >= {"measure", "audit_event"}
    with practice.owner.read() as s:
        rows = s.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policies p"
                "   WHERE p.schemaname = n.nspname AND p.tablename = c.relname)"
                " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        ).all()
    state = {name: (enabled, forced, policies) for name, enabled, forced, policies in rows}
    # The clinician table too: a clinician reads and writes their own row only.
    for table in sorted(tables | {"clinician"}):
        enabled, forced, policies = state[table]
        assert (table, enabled, forced) == (table, True, True)
        assert policies >= 1, f"{table} has no row-level security policy"


def test_the_app_role_may_use_every_table_but_only_append_to_the_audit_log(
    practice: Practice,
) -> None:
    with practice.owner.read() as s:

        def may(table: str, privilege: str) -> bool:
            return bool(
                s.execute(
                    text("SELECT has_table_privilege(:r, :t, :p)"),
                    {"r": APP_ROLE, "t": table, "p": privilege},
                ).scalar_one()
            )

        for table in set(SQLModel.metadata.tables) - {"audit_event", "audit_head"}:
            assert may(table, "SELECT"), f"{APP_ROLE} cannot read {table}"
            assert may(table, "INSERT"), f"{APP_ROLE} cannot add to {table}"
        # The audit log: read (its own events, by policy), appended to only through the
        # schema's function (migration 0012); the chain's head not even read.
        assert may("audit_event", "SELECT")
        for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            assert not may("audit_event", privilege), privilege
        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"):
            assert not may("audit_head", privilege), privilege
        for function in ("hwtui_audit_head()", APPEND_FUNCTION):
            assert s.execute(
                text("SELECT has_function_privilege(:r, :f, 'EXECUTE')"),
                {"r": APP_ROLE, "f": function},
            ).scalar_one(), function
        # Neither owner nor bypassing: the policies hold for the clinicians' roles.
        flags = s.execute(
            text(
                "SELECT rolname, rolsuper, rolbypassrls, pg_has_role(oid, "
                " (SELECT relowner FROM pg_class WHERE oid = 'client'::regclass), 'MEMBER')"
                " FROM pg_roles WHERE rolname IN (:a, :b)"
            ),
            {"a": ALICE, "b": BOB},
        ).all()
    assert sorted(flags) == [(ALICE, False, False, False), (BOB, False, False, False)]


# --- a clinician's own session, hand-written SQL -----------------------------------------


def test_a_clinician_reads_only_their_own_rows(practice: Practice) -> None:
    everything = {t: _ids(practice.owner, t) for t in _mine(practice.a)}
    for table, ids in _mine(practice.a).items():
        assert _ids(practice.alice, table) == ids, table
        assert _ids(practice.bob, table) == _mine(practice.b)[table], table
        assert everything[table] == ids | _mine(practice.b)[table], table
    with practice.alice.read() as s:
        authors = s.execute(text("SELECT DISTINCT os_user FROM audit_event")).scalars().all()
    assert authors == [ALICE]
    # And hwtui's own queries agree.
    with practice.alice.write() as s:
        rows = list_caseload(s, practice.a.actor, TODAY)
    assert [row.code for row in rows] == ["A1"]


@pytest.mark.parametrize(
    ("table", "column", "field"),
    [
        ("client", "display_name", "client_id"),
        ("review", "win_text", "review_id"),
        ("assignment", "title", "assignment_id"),
        ("client_value", "text", "value_id"),
        ("task_outcome", "learned", "outcome_id"),
        ("measure", "question", "measure_id"),
    ],
)
def test_a_clinician_cannot_update_or_delete_anothers_rows(
    practice: Practice, table: str, column: str, field: str
) -> None:
    theirs = getattr(practice.b, field)
    with practice.owner.read() as s:
        before = s.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": theirs}).one()
    with practice.alice.write() as s:
        changed = s.execute(
            text(f"UPDATE {table} SET {column} = 'changed by alice' WHERE id = :id"),
            {"id": theirs},
        )
        assert changed.rowcount == 0
        every = s.execute(text(f"UPDATE {table} SET {column} = {column}"))
        assert every.rowcount == 1  # her own row only
    with practice.alice.write() as s:
        # Children first would be needed for her own rows; for his, nothing is visible.
        gone = s.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": theirs})
        assert gone.rowcount == 0
    with practice.owner.read() as s:
        after = s.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": theirs}).one()
    assert after == before


def _copy_sql(table: str, own_id: int, **changes: Any) -> tuple[str, dict[str, Any]]:
    """Hand-written SQL inserting a copy of one of the caller's own rows, with changes."""
    columns = [c.name for c in SQLModel.metadata.tables[table].columns if c.name != "id"]
    quoted = ", ".join(f'"{c}"' for c in columns)
    values = ", ".join(f":{c}" if c in changes else f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table} ({quoted}) SELECT {values} FROM {table} WHERE id = :own"
    return sql, {"own": own_id, **changes}


def test_a_clinician_cannot_write_into_anothers_caseload(practice: Practice) -> None:
    a, b = practice.a, practice.b
    attempts = {
        "client for his clinician id": _copy_sql(
            "client", a.client_id, clinician_id=b.actor.clinician_id, code="A2"
        ),
        "review of his client": _copy_sql(
            "review", a.review_id, client_id=b.client_id, clinician_id=b.actor.clinician_id
        ),
        "assignment for his client": _copy_sql(
            "assignment", a.assignment_id, client_id=b.client_id, value_id=None
        ),
        "value for his client": _copy_sql("client_value", a.value_id, client_id=b.client_id),
        "measure of his client": _copy_sql("measure", a.measure_id, client_id=b.client_id),
        "outcome on his review": _copy_sql("task_outcome", a.outcome_id, review_id=b.review_id),
        "move her client to him": (
            "UPDATE client SET clinician_id = :him WHERE id = :mine",
            {"him": b.actor.clinician_id, "mine": a.client_id},
        ),
        "move her review to his client": (
            "UPDATE review SET client_id = :his WHERE id = :mine",
            {"his": b.client_id, "mine": a.review_id},
        ),
        "an audit event in his name": (
            "SELECT hwtui_audit_append(now(), :him, 'view', 'client', NULL, NULL, '',"
            " hwtui_audit_head(), :hash)",
            {"him": BOB, "hash": uuid.uuid4().hex},
        ),
    }
    refused = {}
    for what, (sql, params) in attempts.items():
        try:
            with practice.alice.write() as s:
                s.execute(text(sql), params)
        except DatabaseProblem as exc:
            refused[what] = "row-level security" in str(exc)
        else:
            refused[what] = False
    assert refused == dict.fromkeys(attempts, True)
    assert _ids(practice.owner, "client") == {a.client_id, b.client_id}
    assert _ids(practice.bob, "review") == {b.review_id}


def test_naming_another_clinician_by_hand_shows_nothing_of_theirs(practice: Practice) -> None:
    with practice.alice.write() as s:
        s.execute(text("SELECT set_config('hwtui.clinician', :u, true)"), {"u": BOB})
        seen = {t: set(s.execute(text(f"SELECT id FROM {t}")).scalars()) for t in _mine(practice.b)}
        changed = s.execute(text("UPDATE client SET display_name = 'x'")).rowcount
    # The server believes a name only from the role it belongs to (or the owner).
    assert seen == {t: set() for t in _mine(practice.b)}
    assert changed == 0


def test_a_clinician_role_that_names_nobody_sees_nothing(practice: Practice) -> None:
    unnamed = Database(practice.url(ALICE))
    try:
        for table in _mine(practice.a):
            assert _ids(unnamed, table) == set(), table
        with pytest.raises(DatabaseProblem, match="row-level security"), unnamed.write() as s:
            s.execute(
                text(
                    "INSERT INTO client (clinician_id, code, display_name,"
                    " review_interval_days, created_at, updated_at)"
                    " VALUES (:me, 'A3', 'new', 7, now(), now())"
                ),
                {"me": practice.a.actor.clinician_id},
            )
    finally:
        unnamed.dispose()


def test_the_owner_obeys_the_policies_once_it_names_a_clinician(practice: Practice) -> None:
    # FORCE: an app run as the owner's role is still held to one caseload.
    as_alice = Database(practice.url(OWNER), clinician=ALICE)
    try:
        for table, ids in _mine(practice.a).items():
            assert _ids(as_alice, table) == ids, table
    finally:
        as_alice.dispose()
    # Naming no one, the owner sees every row: migrations, pg_dump, maintenance.
    assert _ids(practice.owner, "client") == {practice.a.client_id, practice.b.client_id}


def test_a_role_cannot_act_as_another_clinician(practice: Practice) -> None:
    wrong = Database(practice.url(ALICE), clinician=BOB)
    try:
        refused = pytest.raises(DatabaseProblem, match=f"act as clinician '{BOB}'.*role '{BOB}'")
        with refused, wrong.write() as s:
            ensure_clinician(s, BOB)
    finally:
        wrong.dispose()


# --- the audit log -------------------------------------------------------------------------


def test_the_audit_log_is_append_only_for_a_clinician(practice: Practice) -> None:
    with practice.owner.read() as s:
        before = s.execute(text("SELECT * FROM audit_event ORDER BY id")).all()
    for sql in (
        "UPDATE audit_event SET detail = 'rewritten' WHERE os_user = :me",
        "DELETE FROM audit_event WHERE os_user = :me",
    ):
        refused = pytest.raises(DatabaseProblem, match="permission denied for table audit_event")
        with refused, practice.alice.write() as s:
            s.execute(text(sql), {"me": ALICE})
    with practice.owner.read() as s:
        assert s.execute(text("SELECT * FROM audit_event ORDER BY id")).all() == before


def test_a_clinician_cannot_move_the_chain_to_blame_a_colleague(practice: Practice) -> None:
    """Issue 18: Bob's `UPDATE audit_head` made verify report Alice's next event as
    broken. The head and the events are now out of reach but through the schema's
    function; what Bob can still do, append a forged event, is reported in his name."""
    for sql in (
        "UPDATE audit_head SET last_hash = repeat('0', 64)",
        "SELECT events FROM audit_head",
        "INSERT INTO audit_event (at, os_user, action, entity, detail, prev_hash, hash)"
        " VALUES (now(), 'bob', 'view', 'client', '', '', 'x')",
        "SELECT nextval(pg_get_serial_sequence('audit_event', 'id'))",
    ):
        with pytest.raises(DatabaseProblem, match="permission denied"), practice.bob.write() as s:
            s.execute(text(sql))
    with practice.alice.write() as s:
        audit.record(s, practice.a.actor, "view", "client", practice.a.client_id)
    with practice.owner.read() as s:
        assert audit.verify_chain(s).ok
    # A forged hash, in his own name: the chain breaks there, and says whose it is.
    with practice.bob.write() as s:
        forged = s.execute(
            text(
                "SELECT hwtui_audit_append(now(), :me, 'view', 'client', NULL, NULL, 'x',"
                " hwtui_audit_head(), repeat('f', 64))"
            ),
            {"me": BOB},
        ).scalar_one()
    with practice.owner.read() as s:
        check = audit.verify_chain(s)
        author = s.execute(
            text("SELECT os_user FROM audit_event WHERE id = :id"), {"id": forged}
        ).scalar_one()
    assert (check.ok, check.first_bad_id, author) == (False, forged, BOB)


def test_the_audit_chain_runs_through_every_clinicians_events(practice: Practice) -> None:
    # Each clinician sees only their own events, yet each event links to the one before
    # it, whoever wrote that.
    with practice.owner.read() as s:
        authors = s.execute(text("SELECT os_user FROM audit_event ORDER BY id")).scalars().all()
        check = audit.verify_chain(s)
    runs = [who for i, who in enumerate(authors) if i == 0 or authors[i - 1] != who]
    assert runs == [ALICE, BOB, ALICE]
    assert check.ok, check


def test_events_of_one_transaction_lock_read_the_head_and_append_once(
    practice: Practice,
) -> None:
    """A save records several events; as it commits they are appended together: the
    chain's lock, its head, then every event in one statement, in the order they were
    recorded. A commit ends the lock, so the next transaction takes it again, and
    another clinician's events in between keep the chain whole."""
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    a, b = practice.a, practice.b
    with practice.owner.read() as s:
        before = s.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
    engine = practice.alice.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with practice.alice.write() as s:
            for n in range(4):
                audit.record(
                    s, a.actor, "view", "client", a.client_id, client_id=a.client_id, detail=f"{n}"
                )
            s.commit()
            with practice.bob.write() as other:
                audit.record(other, b.actor, "view", "client", b.client_id, client_id=b.client_id)
            audit.record(
                s, a.actor, "view", "client", a.client_id, client_id=a.client_id, detail="4"
            )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    locks = [q for q in statements if "pg_advisory_xact_lock" in q]
    heads = [q for q in statements if "hwtui_audit_head()" in q]
    appends = [q.count("hwtui_audit_append(") for q in statements if "hwtui_audit_append(" in q]
    assert (len(locks), len(heads), appends) == (2, 2, [4, 1])
    with practice.owner.read() as s:
        rows = s.execute(
            text("SELECT os_user, detail FROM audit_event WHERE id > :id ORDER BY id"),
            {"id": before},
        ).all()
        check = audit.verify_chain(s)
    assert [tuple(r) for r in rows] == [
        *((ALICE, f"{n}") for n in range(4)),
        (BOB, ""),
        (ALICE, "4"),
    ]
    assert check.ok, check


def test_many_sessions_appending_at_once_are_never_refused(practice: Practice) -> None:
    """Sessions committing audited transactions at once each wait for the chain's lock
    and then read the head others left: none is refused for a stale head, and the chain
    verifies. (A head read in the same statement as the lock was read as things stood
    before the wait: under load most appends were refused.)"""
    from concurrent.futures import ThreadPoolExecutor

    a, b = practice.a, practice.b
    with practice.owner.read() as s:
        before = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()

    def work(n: int) -> None:
        db, who = (practice.alice, a) if n % 2 else (practice.bob, b)
        for _ in range(15):
            with db.write() as s:
                s.execute(text("SELECT 1"))
                for _ in range(2):
                    audit.record(
                        s, who.actor, "view", "client", who.client_id, client_id=who.client_id
                    )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))  # any refusal is raised here
    with practice.owner.read() as s:
        after = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
        check = audit.verify_chain(s)
    assert after == before + 8 * 15 * 2
    assert check.ok, check


def test_a_transaction_takes_the_chains_lock_only_as_it_commits(practice: Practice) -> None:
    """Every audited transaction appends to one chain, under one lock. Taken at the first
    event, it was held through the rest of the transaction (a review's save, a brief's
    chart read) and every other session queued behind it. Bob's event, recorded and
    committed while Alice's transaction is still open after recording one, must not
    wait for her; both are appended, in the order they committed."""
    a, b = practice.a, practice.b
    with practice.owner.read() as s:
        before = s.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
    with practice.alice.write() as s:
        audit.record(s, a.actor, "view", "client", a.client_id, client_id=a.client_id)
        s.execute(text("SELECT 1"))  # her transaction is under way, not merely begun
        with practice.bob.write() as other:
            # Were Alice's transaction holding the lock, this would fail, not wait.
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            audit.record(other, b.actor, "view", "client", b.client_id, client_id=b.client_id)
    with practice.owner.read() as s:
        authors = (
            s.execute(
                text("SELECT os_user FROM audit_event WHERE id > :id ORDER BY id"), {"id": before}
            )
            .scalars()
            .all()
        )
        check = audit.verify_chain(s)
    assert authors == [BOB, ALICE]
    assert check.ok, check


def test_an_event_recorded_before_any_statement_is_appended(practice: Practice) -> None:
    # A transaction that records before it has run anything begins as it records: the
    # event is the commit's to append, not taken for an ended transaction's and dropped.
    a = practice.a
    with practice.owner.read() as s:
        before = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    with practice.alice.write() as s:
        audit.record(s, a.actor, "export", "client", a.client_id, client_id=a.client_id)
    with practice.alice.write() as s:
        audit.record(s, a.actor, "view", "client", a.client_id, client_id=a.client_id)
        s.rollback()  # and one rolled back is not appended
    with practice.owner.read() as s:
        after = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
        check = audit.verify_chain(s)
    assert after == before + 1
    assert check.ok, check


def test_only_the_owner_checks_the_whole_audit_log(
    practice: Practice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A clinician sees only their own events: a walk of those would report every link
    # to someone else's event as broken. The command says who can check the chain.
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: ALICE)
    for action in ("verify", "tail"):
        assert main(["audit", action, "--db", practice.url(ALICE)]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err == (
            f"hwtui: error: hwtui audit {action} needs every clinician's rows: on PostgreSQL, "
            "run it as the role that owns hwtui's tables\n"
        )
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: "maintainer")
    assert main(["audit", "verify", "--db", practice.url(OWNER)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_a_clinician_cannot_import_into_a_database_they_cannot_see_whole(
    practice: Practice,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # An import needs an empty database; a clinician's view of a shared one always is.
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: ALICE)
    export = tmp_path / "caseload.json"
    assert main(["export", "--all", "--out", str(export), "--db", practice.url(ALICE)]) == 0
    capsys.readouterr()
    assert main(["import", str(export), "--db", practice.url(ALICE)]) == 1
    assert "hwtui import needs every clinician's rows" in capsys.readouterr().err
    assert _ids(practice.owner, "client") == {practice.a.client_id, practice.b.client_id}


# --- the app and the command line name the clinician -------------------------------------


def test_the_app_acts_as_the_clinician(practice: Practice) -> None:
    from hwtui.app import build_app

    db = Database(practice.url(ALICE))
    try:
        app = build_app(db, username=ALICE)
        assert app.actor.clinician_id == practice.a.actor.clinician_id
        assert _ids(app.db, "client") == {practice.a.client_id}
    finally:
        db.dispose()


def test_the_command_line_acts_as_the_unix_user(
    practice: Practice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: ALICE)
    assert main(["note-format", "soap", "--db", practice.url(ALICE)]) == 0
    assert capsys.readouterr().out == "soap\n"
    with practice.owner.read() as s:
        formats = dict(s.execute(text("SELECT username, note_format FROM clinician")).all())
    assert formats == {ALICE: "soap", BOB: "dap"}


def test_a_clinician_role_cannot_upgrade_the_schema_and_is_told_so_in_one_line(
    practice: Practice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with practice.owner.write() as s:
        s.execute(text("UPDATE alembic_version SET version_num = '0003'"))
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: ALICE)
    monkeypatch.setattr("hwtui.cli._need_terminal", lambda: None)
    for argv, needle in [
        (["--db", practice.url(ALICE)], "run `hwtui db upgrade` as the schema owner"),
        (["db", "upgrade", "--db", practice.url(ALICE)], "as the role that owns hwtui's tables"),
    ]:
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("hwtui: error: "), err
        assert needle in err, err
    assert migrate.status(practice.owner).revision == "0003"


def test_a_clinician_role_at_head_is_told_it_cannot_upgrade_not_that_all_is_well(
    practice: Practice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 18: bob once got "already at 0007 (head)", exit 0, as if he could upgrade.
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: ALICE)
    assert main(["db", "upgrade", "--db", practice.url(ALICE)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        f"hwtui: error: cannot upgrade the database schema as {ALICE}: run `hwtui db upgrade` "
        f"as the role that owns hwtui's tables ({OWNER})"
    ), err
    assert main(["db", "upgrade", "--db", practice.url(OWNER)]) == 0
    assert "(head)" in capsys.readouterr().out


ROW_SECURITY_FUNCTIONS = (
    "hwtui_unscoped",
    "hwtui_username",
    "hwtui_clinician_id",
    "hwtui_audit_head",
    "hwtui_client_of_value",
    "hwtui_client_of_assignment",
    "hwtui_client_of_review",
)


def _functions(db: Database) -> dict[str, tuple[str, str, bool, list[str]]]:
    with db.read() as s:
        rows = s.execute(
            text(
                "SELECT p.proname, l.lanname, p.provolatile, p.prosecdef, p.proconfig"
                " FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
                " WHERE p.proname = ANY(:names)"
            ),
            {"names": list(ROW_SECURITY_FUNCTIONS)},
        ).all()
    return {name: (lang, vol, definer, config) for name, lang, vol, definer, config in rows}


def _answers(db: Database, c: Caseload) -> tuple[object, ...]:
    with db.read() as s:
        return tuple(
            s.execute(
                text(
                    "SELECT hwtui_unscoped(), hwtui_username(), hwtui_clinician_id(),"
                    " hwtui_client_of_value(:v), hwtui_client_of_assignment(:a),"
                    " hwtui_client_of_review(:r)"
                ),
                {"v": c.value_id, "a": c.assignment_id, "r": c.review_id},
            ).one()
        )


def test_row_security_functions_are_planned_once_and_answer_as_before(
    practice: Practice,
) -> None:
    """0016 made them PL/pgSQL (a plan kept per session, not one made per call); they
    keep their volatility, security and pinned search_path, and answer the same as the
    SQL functions they replace, which a downgrade brings back."""
    a = practice.a
    now = _functions(practice.owner)
    assert set(now) == set(ROW_SECURITY_FUNCTIONS)
    for name, (language, volatility, definer, config) in now.items():
        assert (language, volatility) == ("plpgsql", "s"), name
        assert definer == (name == "hwtui_audit_head"), name
        assert config == ["search_path=pg_catalog, pg_temp"], name
    answers = _answers(practice.alice, a)
    assert answers == (False, ALICE, a.actor.clinician_id, a.client_id, a.client_id, a.client_id)
    # Bob's role finds none of Alice's rows through them, as with the SQL functions.
    assert _answers(practice.bob, a)[3:] == (None, None, None)
    with practice.owner.engine.connect() as conn, conn.begin():
        command.downgrade(migrate.alembic_config(conn), "0015")
    assert {lang for lang, *_ in _functions(practice.owner).values()} == {"sql"}
    assert _answers(practice.alice, a) == answers
    assert _answers(practice.bob, a)[3:] == (None, None, None)
    migrate.upgrade(practice.owner)
    assert _functions(practice.owner) == now


def test_the_upgrade_says_who_must_create_the_group_role(practice: Practice) -> None:
    path = schema_revisions.MIGRATIONS_DIR / "versions" / "0006_caseload_isolation.py"
    spec = importlib.util.spec_from_file_location("hwtui_migration_0006", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    # OWNER owns the tables but may not create roles, like a schema owner on a server.
    with practice.owner.engine.connect() as conn:
        with pytest.raises(DatabaseProblem) as caught:
            migration.ensure_group_role(conn, "hwtui_rls_no_such_group")
        migration.ensure_group_role(conn, APP_ROLE)  # it exists: nothing to do
    assert str(caught.value) == (
        f"the PostgreSQL role hwtui_rls_no_such_group does not exist and {OWNER} may not "
        "create roles: run `sudo -u postgres createuser --no-login hwtui_rls_no_such_group`, "
        "then upgrade again"
    )
