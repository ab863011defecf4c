"""caseload: an index of reviews by client and status

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:00:00

The caseload asks, for each client, whether a review is open as a draft. Without this
index that walks every review the client ever had (years of weekly reviews); with it,
one look-up. (Not a partial index of drafts: declaring one in the models makes
SQLAlchemy load its PostgreSQL dialect at every launch, SQLite's too.)
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_review_client_status", "review", ["client_id", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_review_client_status", table_name="review")
