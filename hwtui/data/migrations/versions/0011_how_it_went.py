"""how homework went, the limiting belief, and the review's risk check

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:40:00

- `task_outcome.belief`: a limiting belief found as a barrier, in the client's words
  (the article's third part: "the belief itself, as the client says it").
- `task_outcome.quality`, `difficulty` (0-4), `times_done`, `times_planned`: how well the
  task went, beside how much of it was done. Quality of homework and what was learned
  predict outcome more than completion counts (Kazantzis et al.); the 0-4 scales and
  their words are the app's own (`catalog.QUALITY`, `catalog.DIFFICULTY`).
- `review.risk`: the review's risk check when PHQ-9 item 9 is above 0 now or lately
  (`hwtui.data.risk.RiskCheck`): what was asked, ideation / plan / intent / means, the
  clinician's risk level, the safety plan and the follow-up. Signing needs it then.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCALES = {
    "quality": "quality IS NULL OR quality BETWEEN 0 AND 4",
    "difficulty": "difficulty IS NULL OR difficulty BETWEEN 0 AND 4",
    "times_done": "times_done IS NULL OR times_done >= 0",
    "times_planned": "times_planned IS NULL OR times_planned >= 1",
}


def upgrade() -> None:
    with op.batch_alter_table("task_outcome") as batch:
        batch.add_column(sa.Column("belief", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("quality", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("difficulty", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("times_done", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("times_planned", sa.Integer(), nullable=True))
        for name, check in SCALES.items():
            batch.create_check_constraint(name, check)
    with op.batch_alter_table("review") as batch:
        batch.add_column(
            sa.Column("risk", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.drop_column("risk")
    with op.batch_alter_table("task_outcome") as batch:
        for name in SCALES:
            batch.drop_constraint(name, type_="check")
        for name in ("times_planned", "times_done", "difficulty", "quality", "belief"):
            batch.drop_column(name)
