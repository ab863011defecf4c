"""review steps by code: `review.current_step` (a position) becomes `review.step` (a code)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 12:00:00

A draft resumes on the step it was left on. Stored as a position, a step added to the
guided review would have moved every open draft onto the wrong step; stored as the
step's code (`catalog.ReviewStep`), the steps can change order freely. The column is
renamed as well as retyped, so anything still reading `current_step` fails loudly
instead of comparing a code with a number.

Positions 0-5 become the steps in their order at this revision: outcomes, win, worked,
barriers, goal, summary. Any other number becomes "summary": the app accepted positions
up to 50 and opened anything past the last step on the summary, the page that shows
the whole review and leads back to every step. The downgrade turns the codes back into
positions (anything unknown to it into 5, the summary).

The codes are written out here rather than taken from the catalog: this revision
describes the schema as it was, whatever later code adds. Row-level security on
PostgreSQL is by `client_id` and is untouched.
"""

# ruff: noqa: S608  (no input is formatted in: only the codes and positions below)

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The guided review's steps at this revision, in order: a draft's old position indexes it.
CODES = ("outcomes", "win", "worked", "barriers", "goal", "summary")
FALLBACK = "summary"
_KNOWN = "step IN (" + ", ".join(f"'{code}'" for code in CODES) + ")"

# 0008's partial unique indexes. SQLite's batch mode copies the table, and whether the
# copy keeps an index's WHERE depends on how well SQLAlchemy reflects it (without it:
# one review per client, ever); they are dropped first and made again after instead.
_PARTIAL = (
    ("uq_review_one_draft", "client_id", "status = 'draft' AND amends_id IS NULL"),
    ("uq_review_one_amendment", "amends_id", "amends_id IS NOT NULL"),
)


def upgrade() -> None:
    _drop_partial_indexes()
    with op.batch_alter_table("review") as batch:
        batch.add_column(
            sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
    cases = " ".join(f"WHEN {n} THEN '{code}'" for n, code in enumerate(CODES))
    op.execute(f"UPDATE review SET step = CASE current_step {cases} ELSE '{FALLBACK}' END")
    with op.batch_alter_table("review") as batch:
        batch.alter_column(
            "step", existing_type=sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        )
        batch.create_check_constraint("step", _KNOWN)
        batch.drop_column("current_step")
    _create_partial_indexes()


def downgrade() -> None:
    _drop_partial_indexes()
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("current_step", sa.Integer(), nullable=True))
    cases = " ".join(f"WHEN '{code}' THEN {n}" for n, code in enumerate(CODES))
    fallback = CODES.index(FALLBACK)
    op.execute(f"UPDATE review SET current_step = CASE step {cases} ELSE {fallback} END")
    with op.batch_alter_table("review") as batch:
        batch.alter_column("current_step", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(op.f("ck_review_step"), type_="check")
        batch.drop_column("step")
    _create_partial_indexes()


def _drop_partial_indexes() -> None:
    for name, _, _ in _PARTIAL:
        op.drop_index(name, table_name="review")


def _create_partial_indexes() -> None:
    for name, column, where in _PARTIAL:
        op.create_index(
            name,
            "review",
            [column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
