"""audit chain head

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-26 10:00:00

The chain head (how many audit events there are, and the last one's id and hash) lives
apart from the events, so that deleting the last events is noticed: a walk of the
events alone cannot tell. Existing databases start with a head at their current end.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def upgrade() -> None:
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    conn = op.get_bind()
    events, last_id = conn.execute(sa.text("SELECT count(*), max(id) FROM audit_event")).one()
    last_hash = GENESIS
    if last_id is not None:
        last_hash = conn.execute(
            sa.text("SELECT hash FROM audit_event WHERE id = :id"), {"id": last_id}
        ).scalar_one()
    op.bulk_insert(head, [{"id": 1, "events": events, "last_id": last_id, "last_hash": last_hash}])


def downgrade() -> None:
    op.drop_table("audit_head")
