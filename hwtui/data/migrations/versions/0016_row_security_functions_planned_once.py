"""row security's functions in PL/pgSQL: planned once a session, not at every call

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:00:00

Nothing changes on SQLite, and nothing changes in what any function returns.

Row security asks `hwtui_clinician_id()` (and through it `hwtui_username()`) for every
table a statement reaches, `hwtui_unscoped()` for every table's maintenance policy, and
the cross-reference checks of 0013 ask `hwtui_client_of_*` for each row written. They
were SQL functions with a pinned search_path, which PostgreSQL (15 here) cannot inline
and so parses and plans again at every call: about 0.3 ms each, and a look-up of one
client by its id took 0.75 ms where 0.35 ms is the statement itself (issue 19, a
practice of twenty). PL/pgSQL keeps each function's plan for the session, so a call
costs the look-up alone.

The same bodies, the same volatility (STABLE: they read the calling statement's
snapshot), the same pinned search_path, the same SECURITY INVOKER or DEFINER: a
function still hides its table from the policy that calls it (0013's reason for them),
and still runs its query under the caller's own row security.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted, and constants)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PINNED = "SET search_path = pg_catalog, pg_temp"
GENESIS = "0" * 64
# The tables whose rows others refer to, and the function that gives a row's client.
CLIENT_OF = {
    "client_value": "hwtui_client_of_value",
    "assignment": "hwtui_client_of_assignment",
    "review": "hwtui_client_of_review",
}


def upgrade() -> None:
    _replace(plpgsql=True)


def downgrade() -> None:
    _replace(plpgsql=False)


def _replace(*, plpgsql: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    for name, (returns, query) in _functions(s).items():
        arguments = "row_id integer" if name in CLIENT_OF.values() else ""
        definer = " SECURITY DEFINER" if name == "hwtui_audit_head" else ""
        language, body = ("plpgsql", f"BEGIN RETURN ({query}); END") if plpgsql else ("sql", query)
        bind.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {s}.{name}({arguments}) RETURNS {returns}"
            f" LANGUAGE {language} STABLE{definer} {PINNED} AS $$ {body} $$"
        )


def _functions(s: str) -> dict[str, tuple[str, str]]:
    """name: (its return type, the one query it answers) for every function that row
    security calls, as 0006, 0012 and 0013 wrote them."""
    # The owner of the tables: the role (with its members) trusted to name any clinician.
    owner = f"(SELECT relowner FROM pg_catalog.pg_class WHERE oid = '{s}.client'::regclass)"
    functions = {
        "hwtui_unscoped": (
            "boolean",
            "SELECT coalesce(current_setting('hwtui.clinician', true), '') = ''"
            f" AND pg_has_role(session_user, {owner}, 'MEMBER')",
        ),
        "hwtui_username": (
            "text",
            "SELECT CASE WHEN named = session_user::text"
            f" OR pg_has_role(session_user, {owner}, 'MEMBER') THEN named END"
            " FROM (SELECT nullif(current_setting('hwtui.clinician', true), '') AS named)"
            " AS setting",
        ),
        "hwtui_clinician_id": (
            "integer",
            f"SELECT id FROM {s}.clinician WHERE username = {s}.hwtui_username()",
        ),
        "hwtui_audit_head": (
            "text",
            f"SELECT coalesce((SELECT last_hash FROM {s}.audit_head WHERE id = 1),"
            f" (SELECT hash FROM {s}.audit_event ORDER BY id DESC LIMIT 1), '{GENESIS}')",
        ),
    }
    for table, name in CLIENT_OF.items():
        functions[name] = ("integer", f"SELECT client_id FROM {s}.{table} WHERE id = row_id")
    return functions


def _schema(bind: sa.Connection) -> str:
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    return str(bind.dialect.identifier_preparer.quote_schema(name))
