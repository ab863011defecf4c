"""signable notes: the signature's details, the clinician's assessment, process notes apart

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 19:00:00

- `clinician.credentials`: how the clinician signs ("PhD, licensed psychologist"), set once.
- `review.signed_as`, `review.signed_credentials`: the signature as printed (the name and
  the credentials), frozen when signed, so a later change of name leaves signed notes be.
- `review.session_minutes`, `review.modality`: the session's length and how it was held
  (in person, video, phone), recorded when the review is signed and printed with the
  signature.
- `review.assessment`: the clinician's own assessment, typed (or confirmed from a
  suggestion) before signing; signing needs it.
- `process_note`: the clinician's private psychotherapy ("process") notes on a review,
  kept apart from the record (US: 45 CFR 164.501): never in a progress note, an export
  (unless asked for by its own flag), a handout or the client's view. Row-level security
  on PostgreSQL: only the clinician who wrote it, about their own client.
"""

# ruff: noqa: S608  (only identifiers are formatted in: the schema's, quoted)

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hwtui.data.models import UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "hwtui_app"
MODALITIES = "modality IS NULL OR modality IN ('in_person', 'video', 'phone')"


def upgrade() -> None:
    with op.batch_alter_table("clinician") as batch:
        batch.add_column(
            sa.Column("credentials", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("review") as batch:
        batch.add_column(
            sa.Column("signed_as", sa.String(length=120), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column(
                "signed_credentials", sa.String(length=200), nullable=False, server_default=""
            )
        )
        batch.add_column(sa.Column("session_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("modality", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("assessment", sa.String(), nullable=False, server_default=""))
        batch.create_check_constraint("modality", MODALITIES)
    op.create_table(
        "process_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["review.id"], name="fk_process_note_review_id_review"
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["clinician.id"], name="fk_process_note_clinician_id_clinician"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name="fk_process_note_client_id_client"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_process_note"),
        sa.UniqueConstraint("review_id", name="uq_process_note_review_id"),
    )
    op.create_index("ix_process_note_client_id", "process_note", ["client_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _isolate(bind)


def downgrade() -> None:
    op.drop_index("ix_process_note_client_id", table_name="process_note")
    op.drop_table("process_note")
    with op.batch_alter_table("review") as batch:
        batch.drop_constraint("modality", type_="check")
        batch.drop_column("assessment")
        batch.drop_column("modality")
        batch.drop_column("session_minutes")
        batch.drop_column("signed_credentials")
        batch.drop_column("signed_as")
    with op.batch_alter_table("clinician") as batch:
        batch.drop_column("credentials")


def _isolate(bind: sa.Connection) -> None:
    """Row-level security as in 0006/0008: the clinician's own notes on their own clients."""
    name = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    s = str(bind.dialect.identifier_preparer.quote_schema(name))
    t = f"{s}.process_note"
    me = f"(SELECT {s}.hwtui_clinician_id())"
    mine = (
        f"clinician_id = {me} AND client_id IN "
        f"(SELECT c.id FROM {s}.client c WHERE c.clinician_id = {me})"
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
        return
    bind.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {APP_ROLE}")
    sequence = bind.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": t})
    found = sequence.scalar_one()
    if found is not None:
        bind.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {found} TO {APP_ROLE}")
