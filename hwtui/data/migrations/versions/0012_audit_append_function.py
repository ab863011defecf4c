"""the audit chain moves only through a function clinicians cannot bypass (PostgreSQL)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:20:00

Until now a clinician's role could INSERT audit events and UPDATE the chain's head
(`audit_head`) directly. Row security kept the events in their own name, but the head is
shared: one `UPDATE audit_head` by Bob made `hwtui audit verify` report Alice's next event
as broken (issue 18). It also let any clinician read the practice-wide event count.

Now, on PostgreSQL, the app role may only call two SECURITY DEFINER functions, owned by
the schema's owner:

- `hwtui_audit_head()`: the last event's hash, which the next event links to (nothing
  else: no count, no ids);
- `hwtui_audit_append(...)`: under the chain's advisory lock, checks the event follows the
  head, inserts it and moves the head, in one step. Row security still applies inside (it
  looks at `session_user`): an event is written in the caller's own name only, about
  their own clients.

The app role loses INSERT on `audit_event`, every privilege on `audit_head` and the use of
the events' id sequence. What a clinician can still do is append an event of their own
with a wrong hash; `hwtui audit verify` then names that event, in their name.

SQLite is unchanged: one file per clinician, protected by its mode.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted, and constants)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "hwtui_app"
# The advisory lock that serialises appends (`hwtui.data.audit_chain.PG_CHAIN_LOCK`).
CHAIN_LOCK = 0x68777475
GENESIS = "0" * 64
APPEND_ARGS = "timestamptz, text, text, text, integer, integer, text, text, text"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    pinned = "SET search_path = pg_catalog, pg_temp"
    bind.exec_driver_sql(
        f"""
        CREATE OR REPLACE FUNCTION {s}.hwtui_audit_head() RETURNS text
        LANGUAGE sql STABLE SECURITY DEFINER {pinned} AS $$
          SELECT coalesce(
            (SELECT last_hash FROM {s}.audit_head WHERE id = 1),
            -- No head (someone removed it): the next event starts a new one after the
            -- last event, as the app always did; its count is wrong, verify says so.
            (SELECT hash FROM {s}.audit_event ORDER BY id DESC LIMIT 1),
            '{GENESIS}'
          )
        $$
        """
    )
    bind.exec_driver_sql(
        f"""
        CREATE OR REPLACE FUNCTION {s}.hwtui_audit_append(
          p_at timestamptz, p_os_user text, p_action text, p_entity text,
          p_entity_id integer, p_client_id integer, p_detail text,
          p_prev_hash text, p_hash text
        ) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER {pinned} AS $$
        DECLARE
          head_hash text;
          new_id integer;
        BEGIN
          PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
          SELECT last_hash INTO head_hash FROM {s}.audit_head WHERE id = 1 FOR UPDATE;
          IF NOT FOUND THEN
            INSERT INTO {s}.audit_head (id, events, last_id, last_hash)
            VALUES (1, 0, NULL, p_prev_hash);
            head_hash := p_prev_hash;
          END IF;
          IF p_prev_hash IS DISTINCT FROM head_hash THEN
            RAISE EXCEPTION 'the audit event does not follow the chain head'
              USING ERRCODE = '40001';
          END IF;
          INSERT INTO {s}.audit_event
            (at, os_user, action, entity, entity_id, client_id, detail, prev_hash, hash)
          VALUES
            (p_at, p_os_user, p_action, p_entity, p_entity_id, p_client_id, p_detail,
             p_prev_hash, p_hash)
          RETURNING id INTO new_id;
          UPDATE {s}.audit_head
             SET events = events + 1, last_id = new_id, last_hash = p_hash
           WHERE id = 1;
          RETURN new_id;
        END
        $$
        """
    )
    functions = f"{s}.hwtui_audit_head(), {s}.hwtui_audit_append({APPEND_ARGS})"
    bind.exec_driver_sql(f"REVOKE EXECUTE ON FUNCTION {functions} FROM PUBLIC")
    if not _role_exists(bind, APP_ROLE):
        return
    bind.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {functions} TO {APP_ROLE}")
    bind.exec_driver_sql(f"REVOKE INSERT ON {s}.audit_event FROM {APP_ROLE}")
    bind.exec_driver_sql(f"REVOKE ALL ON {s}.audit_head FROM {APP_ROLE}")
    sequence = _events_sequence(bind, s)
    if sequence is not None:
        bind.exec_driver_sql(f"REVOKE ALL ON SEQUENCE {sequence} FROM {APP_ROLE}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    if _role_exists(bind, APP_ROLE):
        bind.exec_driver_sql(f"GRANT INSERT ON {s}.audit_event TO {APP_ROLE}")
        bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON {s}.audit_head TO {APP_ROLE}")
        sequence = _events_sequence(bind, s)
        if sequence is not None:
            bind.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {sequence} TO {APP_ROLE}")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {s}.hwtui_audit_append({APPEND_ARGS})")
    bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {s}.hwtui_audit_head()")


def _schema(bind: sa.Connection) -> str:
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    return str(bind.dialect.identifier_preparer.quote_schema(name))


def _role_exists(bind: sa.Connection, name: str) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _events_sequence(bind: sa.Connection, s: str) -> str | None:
    name = bind.execute(
        sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f"{s}.audit_event"}
    ).scalar_one()
    return None if name is None else str(name)
