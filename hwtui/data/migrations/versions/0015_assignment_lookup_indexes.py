"""homework: indexes of the review that set it and the value it serves

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:05:00

Opening a review looks up the homework set in it (`created_in_review_id`), and a value's
homework is found by `value_id`. Neither had an index: on a practice of twenty five-year
caseloads (a million assignments) each was a scan of every assignment, with row security
asked of each row on PostgreSQL, about two seconds (bench/run.py --postgres, issue 19).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_assignment_created_in_review_id": "created_in_review_id",
    "ix_assignment_value_id": "value_id",
}


def upgrade() -> None:
    for name, column in INDEXES.items():
        op.create_index(name, "assignment", [column], unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="assignment")
