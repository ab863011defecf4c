"""caseload: a partial index of draft reviews

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 23:00:00

The caseload asks, for each client, whether a review is open as a draft. Without this
index that walks every review the client ever had (years of weekly reviews); with it,
a look-up among the few drafts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFT = sa.text("status = 'draft'")


def upgrade() -> None:
    op.create_index(
        "ix_review_client_draft",
        "review",
        ["client_id"],
        unique=False,
        sqlite_where=DRAFT,
        postgresql_where=DRAFT,
    )


def downgrade() -> None:
    op.drop_index("ix_review_client_draft", table_name="review")
