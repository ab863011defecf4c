"""row security, the same rules checked row by row: one index look-up, not the caseload

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:00:00

Nothing changes on SQLite, and nothing changes in who may see or write what.

The caseload policies of 0006, 0008 and 0010 said "the row's client is one of mine" as
`client_id IN (SELECT c.id FROM client c WHERE c.clinician_id = me)`, and a task outcome's
as "its review is one of my clients' reviews and its homework one of my clients'
homework". PostgreSQL plans a sub-select in a policy as a hashed set built for each
statement: every statement touching `task_outcome` read all of the clinician's reviews
and homework (a sequential scan of `review` and of `assignment`, the whole practice's) to
check the few rows it wanted. On a practice of twenty five-year caseloads that is two
million reviews per statement, and the review's save and the client overview were each
hundreds of milliseconds on the server (issue 19).

Here each rule is the same statement asked of the row itself, and asked of the one policy
that says which clients are the clinician's, the client table's own (`clinician_id = me`):
a row of a client's care is mine when `EXISTS (SELECT 1 FROM client c WHERE c.id =
<row>.client_id)` finds its client, which the client's policy shows me only if it is
mine; a task outcome is mine when its review and its homework can be found, which their
own policies allow only for my clients'. Each is one look-up in a primary key. The
planner still reaches the rows a statement asks for through their indexes first (the
comparisons there are leakproof), then asks each row found.

`OFFSET 0` keeps each look-up one: without it PostgreSQL turns such an EXISTS into a
hashed set of every client's id (a scan of the whole practice's clients, for each
statement and table), which it prefers by its estimates, wrongly for the few rows the
app's statements touch (a client's last scores: 3.3 ms with the set, 1.3 ms without).

Policies apply inside policies (a policy's sub-select on another table sees that table
through its own policies, for the owner too, since every table's security is forced), so
these rules say exactly what the old ones said. Leaning on them also asks for
`hwtui_clinician_id()` once per table a statement reaches rather than once per rule that
spells it out: it reads `clinician` under that table's policy, about 0.4 ms a call on
PostgreSQL 15, which plans a SQL function's query at every call.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted, and constants)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CASELOAD = "hwtui_caseload"
APPEND = "hwtui_append_own"


def upgrade() -> None:
    _alter(_rules(new=True))


def downgrade() -> None:
    _alter(_rules(new=False))


def _alter(rules: list[tuple[str, str, str, bool]]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    s = _schema(bind)
    for table, policy, rule, using in rules:
        rule = rule.replace("{s}", s)
        clauses = f"USING ({rule}) WITH CHECK ({rule})" if using else f"WITH CHECK ({rule})"
        bind.exec_driver_sql(f"ALTER POLICY {policy} ON {s}.{table} {clauses}")


def _schema(bind: sa.Connection) -> str:
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    return str(bind.dialect.identifier_preparer.quote_schema(name))


def _rules(*, new: bool) -> list[tuple[str, str, str, bool]]:
    """(table, policy, its rule, whether the rule is its USING too) for every policy that
    says "of my clients": the rules of 0014 if *new*, else those of 0006/0008/0010."""
    me = "(SELECT {s}.hwtui_clinician_id())"

    def mine(column: str) -> str:
        if new:
            return f"EXISTS (SELECT 1 FROM {{s}}.client c WHERE c.id = {column} OFFSET 0)"
        unqualified = column.split(".")[1]
        return f"{unqualified} IN (SELECT c.id FROM {{s}}.client c WHERE c.clinician_id = {me})"

    if new:
        outcome = (
            "EXISTS (SELECT 1 FROM {s}.review r WHERE r.id = task_outcome.review_id OFFSET 0)"
            " AND EXISTS"
            " (SELECT 1 FROM {s}.assignment a WHERE a.id = task_outcome.assignment_id OFFSET 0)"
        )
    else:
        my_clients = f"(SELECT c.id FROM {{s}}.client c WHERE c.clinician_id = {me})"
        outcome = (
            f"review_id IN (SELECT r.id FROM {{s}}.review r WHERE r.client_id IN {my_clients})"
            " AND assignment_id IN"
            f" (SELECT a.id FROM {{s}}.assignment a WHERE a.client_id IN {my_clients})"
        )
    rules = [
        (table, CASELOAD, mine(f"{table}.client_id"), True)
        for table in ("client_value", "assignment", "review", "measure")
    ]
    rules += [
        ("task_outcome", CASELOAD, outcome, True),
        (
            "process_note",
            CASELOAD,
            f"process_note.clinician_id = {me} AND {mine('process_note.client_id')}",
            True,
        ),
        (
            "unsaved_input",
            CASELOAD,
            f"unsaved_input.clinician_id = {me}"
            f" AND (unsaved_input.client_id IS NULL OR {mine('unsaved_input.client_id')})",
            True,
        ),
        (
            "audit_event",
            APPEND,
            "audit_event.os_user = (SELECT {s}.hwtui_username())"
            f" AND (audit_event.client_id IS NULL OR {mine('audit_event.client_id')})",
            False,
        ),
    ]
    return rules
