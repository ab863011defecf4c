"""caseload isolation on PostgreSQL: row-level security, the app role and its grants

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:00:00

Nothing changes on SQLite (one file per clinician; the file's mode is the protection).

On PostgreSQL every table of client data gets FORCEd row-level security, so that a
clinician's connection sees, changes and adds rows of their own caseload only, whatever
SQL it sends. Who is acting comes from the transaction's `hwtui.clinician` setting
(hwtui sets it at every BEGIN, see `hwtui.data.db`), and the server believes it only
when it names the connected role itself (peer authentication: role = Unix user) or when
the connection is the schema owner's. The owner with no clinician named sees every row:
that is how migrations, `pg_dump` and maintenance work; FORCE makes the owner obey the
policies like anyone else as soon as it names a clinician (an app run as the owner).

Clinicians' login roles are members of the NOLOGIN group role `hwtui_app`, which gets
the table privileges; the audit log is append-only for it (SELECT and INSERT only).
The audit chain's head (`audit_head`, one row, not client data) has no row security:
every clinician's event moves it, and it is how each event links to the one before,
whoever wrote that.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted, and constants)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hwtui.data.errors import DatabaseProblem

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "hwtui_app"
# Tables of one client's care, and the ones they hang from.
CASELOAD = ("client", "client_value", "assignment", "review", "task_outcome", "measure")
RLS_TABLES = ("clinician", *CASELOAD, "audit_event")
FUNCTIONS = (
    "hwtui_clinician_id()",
    "hwtui_username()",
    "hwtui_unscoped()",
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _schema(bind)
    ensure_group_role(bind, APP_ROLE)
    for statement in _functions(schema):
        bind.exec_driver_sql(statement)
    for statement in _policies(schema):
        bind.exec_driver_sql(statement)
    _grant(bind, schema)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _schema(bind)
    for table in RLS_TABLES:
        t = f"{schema}.{table}"
        for policy in ("hwtui_maintenance", "hwtui_caseload", "hwtui_read_own", "hwtui_append_own"):
            bind.exec_driver_sql(f"DROP POLICY IF EXISTS {policy} ON {t}")
        bind.exec_driver_sql(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
        bind.exec_driver_sql(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    if _role_exists(bind, APP_ROLE):
        # The role itself stays: it is shared by every hwtui database on the server.
        tables = ", ".join(f"{schema}.{t}" for t in (*RLS_TABLES, "audit_head", "alembic_version"))
        bind.exec_driver_sql(f"REVOKE ALL ON {tables} FROM {APP_ROLE}")
        for sequence in _sequences(bind, schema):
            bind.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {sequence} FROM {APP_ROLE}")
    for function in FUNCTIONS:
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.{function}")


def ensure_group_role(bind: sa.Connection, name: str) -> None:
    """Create the NOLOGIN group role if it is missing, or say who must.

    Roles belong to the whole server, so the role that owns hwtui's tables usually may
    not create one; the administrator then creates it once, and the upgrade is re-run.
    """
    if _role_exists(bind, name):
        return
    user, may = bind.execute(
        sa.text(
            "SELECT current_user, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    if not may:
        raise DatabaseProblem(
            f"the PostgreSQL role {name} does not exist and {user} may not create roles: "
            f"run `sudo -u postgres createuser --no-login {name}`, then upgrade again"
        )
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(f"CREATE ROLE {name} NOLOGIN")
    except sa.exc.DBAPIError as exc:
        # Another upgrade (another database on this server) created it meanwhile.
        if getattr(exc.orig, "sqlstate", None) not in {"42710", "23505"}:
            raise


def _role_exists(bind: sa.Connection, name: str) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _schema(bind: sa.Connection) -> str:
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    return str(bind.dialect.identifier_preparer.quote_schema(name))


def _functions(s: str) -> list[str]:
    # The owner of the tables: the one role (with its members; superusers always are)
    # trusted to name any clinician, and to see everything when it names none.
    owner = f"(SELECT relowner FROM pg_catalog.pg_class WHERE oid = '{s}.client'::regclass)"
    # Every function pins its search_path (pg_temp last): a function used by a policy
    # must not resolve a name to a table or function a clinician created elsewhere.
    pinned = "SET search_path = pg_catalog, pg_temp"
    return [
        f"""
        CREATE OR REPLACE FUNCTION {s}.hwtui_unscoped() RETURNS boolean
        LANGUAGE sql STABLE {pinned} AS $$
          SELECT coalesce(current_setting('hwtui.clinician', true), '') = ''
             AND pg_has_role(session_user, {owner}, 'MEMBER')
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION {s}.hwtui_username() RETURNS text
        LANGUAGE sql STABLE {pinned} AS $$
          SELECT CASE WHEN named = session_user::text
                        OR pg_has_role(session_user, {owner}, 'MEMBER')
                      THEN named END
          FROM (SELECT nullif(current_setting('hwtui.clinician', true), '') AS named) AS setting
        $$
        """,
        # Reads clinician under its own policy: a clinician sees their own row only.
        f"""
        CREATE OR REPLACE FUNCTION {s}.hwtui_clinician_id() RETURNS integer
        LANGUAGE sql STABLE {pinned} AS $$
          SELECT id FROM {s}.clinician WHERE username = {s}.hwtui_username()
        $$
        """,
    ]


def _policies(s: str) -> list[str]:
    # Sub-selects around the functions: computed once per query, not once per row.
    me = f"(SELECT {s}.hwtui_clinician_id())"
    my_clients = f"(SELECT c.id FROM {s}.client c WHERE c.clinician_id = {me})"
    of_my_clients = f"client_id IN {my_clients}"
    caseload = {
        "clinician": f"username = (SELECT {s}.hwtui_username())",
        "client": f"clinician_id = {me}",
        "client_value": of_my_clients,
        "assignment": of_my_clients,
        "review": of_my_clients,
        "measure": of_my_clients,
        "task_outcome": (
            f"review_id IN (SELECT r.id FROM {s}.review r WHERE r.client_id IN {my_clients}) "
            f"AND assignment_id IN "
            f"(SELECT a.id FROM {s}.assignment a WHERE a.client_id IN {my_clients})"
        ),
    }
    unscoped = f"(SELECT {s}.hwtui_unscoped())"
    statements = []
    for table in RLS_TABLES:
        t = f"{s}.{table}"
        statements += [
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
            f"CREATE POLICY hwtui_maintenance ON {t} USING ({unscoped}) WITH CHECK ({unscoped})",
        ]
        if table in caseload:
            rule = caseload[table]
            statements.append(
                f"CREATE POLICY hwtui_caseload ON {t} USING ({rule}) WITH CHECK ({rule})"
            )
    # The audit log: each clinician reads and appends their own events; no policy lets
    # anyone but the unscoped owner change or remove one.
    author = f"os_user = (SELECT {s}.hwtui_username())"
    statements += [
        f"CREATE POLICY hwtui_read_own ON {s}.audit_event FOR SELECT USING ({author})",
        f"CREATE POLICY hwtui_append_own ON {s}.audit_event FOR INSERT "
        f"WITH CHECK ({author} AND (client_id IS NULL OR {of_my_clients}))",
    ]
    return statements


def _grant(bind: sa.Connection, s: str) -> None:
    has_usage = bind.execute(
        sa.text("SELECT has_schema_privilege(:r, current_schema(), 'USAGE')"), {"r": APP_ROLE}
    ).scalar_one()
    if not has_usage:
        bind.exec_driver_sql(f"GRANT USAGE ON SCHEMA {s} TO {APP_ROLE}")
    caseload = ", ".join(f"{s}.{t}" for t in CASELOAD)
    bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {caseload} TO {APP_ROLE}")
    # hwtui never deletes a clinician, nor changes or deletes an audit event; every
    # event moves the chain's head (and puts it back if someone removed it).
    bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON {s}.clinician TO {APP_ROLE}")
    bind.exec_driver_sql(f"GRANT SELECT, INSERT ON {s}.audit_event TO {APP_ROLE}")
    bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON {s}.audit_head TO {APP_ROLE}")
    # hwtui checks the schema revision at launch.
    bind.exec_driver_sql(f"GRANT SELECT ON {s}.alembic_version TO {APP_ROLE}")
    # USAGE lets inserts draw ids; not UPDATE, which would let a role move a sequence
    # (setval) below ids it cannot see.
    for sequence in _sequences(bind, s):
        bind.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {sequence} TO {APP_ROLE}")


def _sequences(bind: sa.Connection, s: str) -> list[str]:
    found = []
    for table in RLS_TABLES:
        name = bind.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f"{s}.{table}"}
        ).scalar_one()
        if name is not None:
            found.append(str(name))
    return found
