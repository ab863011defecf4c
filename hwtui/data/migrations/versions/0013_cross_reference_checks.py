"""cross-references stay inside the client: row security checks what a row points at

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00

Nothing changes on SQLite (one file per clinician; the file's mode is the protection).

Until now the policies of 0006/0008/0010 checked each row's own client only, not the rows
it refers to: with psql, a clinician could point their homework's `value_id` at a
colleague's value, amend a colleague's review (and so take its one amendment), put a
process note on it (and so take its one note), or tie one client's outcome to another
client's homework. hwtui's model wants every reference between a client's rows to stay
inside that client, as `hwtui.data.import_links` already checks for an import:

- `assignment`: `value_id`, `parent_id` (the goal a smaller one supports) and
  `created_in_review_id` name rows of the assignment's own client;
- `review`: `amends_id` names a review of the same client, and `clinician_id` is the
  client's clinician;
- `task_outcome`: its homework (`assignment_id`) is of its review's client;
- `measure`, `process_note`: their `review_id` is a review of their own client.

(`client`, `unsaved_input` and `process_note.clinician_id` were already held to the
clinician's own rows; `audit_event.client_id` is no key, and is checked since 0006.)

How: two more policies on each of these tables, RESTRICTIVE (so they add to the caseload
policies, never widen them), one for INSERT and one for UPDATE, whose WITH CHECK looks up
the client of the row referred to. The look-up runs under the caller's own row security,
so for a clinician it finds their own rows only: "the value's client is this row's
client" is the caseload check and the same-client check at once. The look-ups are three
small functions (`hwtui_client_of_value/_assignment/_review(id)`), not sub-selects
written into the policies, because PostgreSQL refuses a policy that reads its own table
("infinite recursion detected in policy": a goal's parent is an assignment, an
amendment's original a review). They are SECURITY INVOKER on purpose: a clinician reads
through them exactly what a SELECT of theirs would (SECURITY DEFINER would add the owner's
privileges and nothing else, since FORCE filters the owner the same way once a clinician
is named). STABLE, so they read the calling statement's snapshot, and not inlined (their
pinned search_path sees to that), which is what keeps the recursion check out.

WITH CHECK sees the new row only. So that a reference cannot be broken from the other end
either (a value moved to another client, leaving its homework behind), an update of a row
that others refer to (`client_value`, `assignment`, `review`) keeps its `client_id`: the
look-up reads the row as it was, since a statement does not see its own changes. hwtui never
moves a row between clients. This also means the checks hold under concurrency: no
clinician can change a row's client between another transaction's check and its commit
(and a row deleted meanwhile is the foreign key's to refuse).

The schema owner naming no clinician passes, as with every other policy: migrations,
`pg_dump`, maintenance, and imports (checked by `import_links` beforehand; they insert a
table's rows thousands to a statement, where a row referring to another of the same
statement would not yet be visible to a look-up). Named, the owner is held like anyone.
Whoever is held must write parents first, the row referred to in an earlier statement
than the row referring to it: the look-ups see what the transaction's earlier statements
wrote, as hwtui's own writes (one row, or one generation of rows, a statement) need.

Composite foreign keys (`(client_id, value_id)` referring to `client_value(client_id, id)`)
would be the stronger guarantee, binding the owner too; but `task_outcome` has no
`client_id` (its client is its review's), so they would need a new column there, filled
by every writer and carried by every export, and new unique keys and foreign keys in the
models, on SQLite too. The threat here is a clinician's own role; row security is where
the caseload's rules already live.

Rows written before this revision are checked once: the upgrade refuses, naming them, if
any already breaks a rule (a clinician could write them until now).
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted, and constants)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hwtui.data.errors import DatabaseProblem

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, table it refers to): the row referred to is of the same client.
SAME_CLIENT = (
    ("assignment", "value_id", "client_value"),
    ("assignment", "parent_id", "assignment"),
    ("assignment", "created_in_review_id", "review"),
    ("review", "amends_id", "review"),
    ("measure", "review_id", "review"),
    ("process_note", "review_id", "review"),
    ("task_outcome", "assignment_id", "assignment"),
)
# The tables referred to, and the function giving a row's client: an update of one of
# their rows keeps its client.
CLIENT_OF = {
    "client_value": "hwtui_client_of_value",
    "assignment": "hwtui_client_of_assignment",
    "review": "hwtui_client_of_review",
}
TABLES = ("client_value", "assignment", "review", "task_outcome", "measure", "process_note")
INSERT_POLICY = "hwtui_same_client_insert"
UPDATE_POLICY = "hwtui_same_client_update"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    for table, function in CLIENT_OF.items():
        # Pinned search_path: a policy's function must not resolve a name to a table a
        # clinician created elsewhere; it also keeps the function from being inlined.
        bind.exec_driver_sql(
            f"""
            CREATE OR REPLACE FUNCTION {s}.{function}(row_id integer) RETURNS integer
            LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
              SELECT client_id FROM {s}.{table} WHERE id = row_id
            $$
            """
        )
    _refuse_crossed(bind, s)
    for statement in _policies(s):
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    for table in TABLES:
        for policy in (INSERT_POLICY, UPDATE_POLICY):
            bind.exec_driver_sql(f"DROP POLICY IF EXISTS {policy} ON {s}.{table}")
    for function in CLIENT_OF.values():
        bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {s}.{function}(integer)")


def _schema(bind: sa.Connection) -> str:
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    return str(bind.dialect.identifier_preparer.quote_schema(name))


def _rules(s: str) -> list[tuple[str, str, str, str]]:
    """(table, column, the check on a row of the table, what a row failing it is).

    Each check names its own table's columns as `table.column`: in a policy that is the
    new row; in a query `FROM table` (the upgrade's), each existing row.
    """
    rules = []
    for table, column, target in SAME_CLIENT:
        client, other = f"{table}.client_id", "of another client"
        if table == "task_outcome":
            # Its client is its review's. The caseload policy already holds the review
            # to the clinician's own; an unseen one gives NULL here, which fails.
            client = f"{s}.hwtui_client_of_review(task_outcome.review_id)"
            other = "of another client than its review"
        referred = f"{s}.{CLIENT_OF[target]}({table}.{column})"
        check = f"({table}.{column} IS NULL OR {referred} = {client})"
        rules.append((table, column, check, other))
    owner = f"(SELECT c.clinician_id FROM {s}.client c WHERE c.id = review.client_id)"
    rules.append(("review", "clinician_id", f"(review.clinician_id = {owner})", "not its client's"))
    return rules


def _policies(s: str) -> list[str]:
    on_insert: dict[str, list[str]] = {table: [] for table in TABLES}
    for table, _column, check, _other in _rules(s):
        on_insert[table].append(check)
    on_update = {table: list(checks) for table, checks in on_insert.items()}
    for table, function in CLIENT_OF.items():
        # The row as it was before this statement: its client stays.
        on_update[table].append(f"{table}.client_id = {s}.{function}({table}.id)")
    unscoped = f"(SELECT {s}.hwtui_unscoped())"
    statements = []
    for table in TABLES:
        # No USING: which rows a clinician sees and changes stays the caseload policies'.
        for policy, command, checks in (
            (INSERT_POLICY, "INSERT", on_insert[table]),
            (UPDATE_POLICY, "UPDATE", on_update[table]),
        ):
            if checks:
                statements.append(
                    f"CREATE POLICY {policy} ON {s}.{table} AS RESTRICTIVE FOR {command}"
                    f" WITH CHECK ({unscoped} OR ({' AND '.join(checks)}))"
                )
    return statements


def _refuse_crossed(bind: sa.Connection, s: str) -> None:
    """Stop, naming them, if rows already break a rule: the owner fixes them first."""
    found = []
    for table, column, check, other in _rules(s):
        rows = bind.exec_driver_sql(
            f"SELECT {table}.id, {table}.{column} FROM {s}.{table}"
            f" WHERE {check} IS NOT TRUE ORDER BY {table}.id LIMIT 5"
        ).all()
        found += [f"{table} id {row_id} has {column} {value}, {other}" for row_id, value in rows]
    if found:
        raise DatabaseProblem(
            "cannot upgrade: " + "; ".join(found[:5]) + ". Each must refer to a row of its "
            "own client: correct them as the role that owns hwtui's tables, then upgrade again"
        )
