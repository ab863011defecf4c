"""one writer per draft: a lease on each draft, one draft per client, kept words

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:00:00

- `review.lease_*`: the session editing a draft; every save is checked against it.
- At most one draft of a new review per client (an amendment being written is a draft of
  its own, of a signed review) and one version amending each review, as partial unique
  indexes (PostgreSQL and SQLite both have them): two sessions or connections that
  start a review, or amend one, at the same moment cannot make two.
- `unsaved_input`: words that could not be saved where they were typed (a draft taken
  over by another session), kept for the clinician; row-level security on PostgreSQL
  like every table of client data.

A database that already holds two drafts of one client (possible on PostgreSQL before
this revision) is not changed: the upgrade stops and names them, since choosing which
draft is the client's review is a clinician's decision.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hwtui.data.errors import DatabaseProblem
from hwtui.data.models import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "hwtui_app"


def upgrade() -> None:
    bind = op.get_bind()
    _refuse_duplicates(bind)
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("lease_holder", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("lease_at", UtcDateTime(timezone=True), nullable=True))
    draft = sa.text("status = 'draft' AND amends_id IS NULL")
    amending = sa.text("amends_id IS NOT NULL")
    op.create_index(
        "uq_review_one_draft",
        "review",
        ["client_id"],
        unique=True,
        sqlite_where=draft,
        postgresql_where=draft,
    )
    op.create_index(
        "uq_review_one_amendment",
        "review",
        ["amends_id"],
        unique=True,
        sqlite_where=amending,
        postgresql_where=amending,
    )
    op.create_table(
        "unsaved_input",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("saved_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_unsaved_input_client_id_client"
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["clinician.id"], name="fk_unsaved_input_clinician_id_clinician"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_unsaved_input"),
    )
    op.create_index("ix_unsaved_input_clinician_id", "unsaved_input", ["clinician_id"])
    op.create_index("ix_unsaved_input_client_id", "unsaved_input", ["client_id"])
    if bind.dialect.name == "postgresql":
        _isolate(bind)


def downgrade() -> None:
    op.drop_index("ix_unsaved_input_client_id", table_name="unsaved_input")
    op.drop_index("ix_unsaved_input_clinician_id", table_name="unsaved_input")
    op.drop_table("unsaved_input")
    op.drop_index("uq_review_one_amendment", table_name="review")
    op.drop_index("uq_review_one_draft", table_name="review")
    with op.batch_alter_table("review") as batch:
        batch.drop_column("lease_at")
        batch.drop_column("lease_holder")
        batch.drop_column("lease_token")


def _refuse_duplicates(bind: sa.Connection) -> None:
    drafts = bind.execute(
        sa.text(
            "SELECT client_id, count(*) FROM review WHERE status = 'draft' "
            "AND amends_id IS NULL GROUP BY client_id HAVING count(*) > 1 ORDER BY client_id"
        )
    ).all()
    amendments = bind.execute(
        sa.text(
            "SELECT amends_id, count(*) FROM review WHERE amends_id IS NOT NULL "
            "GROUP BY amends_id HAVING count(*) > 1 ORDER BY amends_id"
        )
    ).all()
    if drafts or amendments:
        found = [f"client id {c} has {n} drafts" for c, n in drafts]
        found += [f"review id {r} has {n} amendments" for r, n in amendments]
        raise DatabaseProblem(
            "cannot upgrade: " + "; ".join(found[:5]) + ". Keep one per client or review "
            "(finish or delete the others with the previous hwtui), then upgrade again"
        )


def _isolate(bind: sa.Connection) -> None:
    """Row-level security as in 0006: the clinician's own words about their own clients."""
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    s = str(bind.dialect.identifier_preparer.quote_schema(name))
    t = f"{s}.unsaved_input"
    me = f"(SELECT {s}.hwtui_clinician_id())"
    mine = (
        f"clinician_id = {me} AND (client_id IS NULL OR client_id IN "
        f"(SELECT c.id FROM {s}.client c WHERE c.clinician_id = {me}))"
    )
    unscoped = f"(SELECT {s}.hwtui_unscoped())"
    for statement in (
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY hwtui_maintenance ON {t} USING ({unscoped}) WITH CHECK ({unscoped})",
        f"CREATE POLICY hwtui_caseload ON {t} USING ({mine}) WITH CHECK ({mine})",
    ):
        bind.exec_driver_sql(statement)
    role = bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": APP_ROLE})
    if role.first() is None:
        return  # 0006 created it or stopped; a database without it has no clinicians yet
    bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {APP_ROLE}")
    sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": t})
    found = sequence.scalar_one()
    if found is not None:
        bind.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {found} TO {APP_ROLE}")
