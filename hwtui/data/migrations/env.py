"""Alembic environment. Run through `hwtui db upgrade` (hwtui.data.migrate), which
passes the connection in `config.attributes["connection"]`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import hwtui.data.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through hwtui.data.migrate, not the alembic CLI")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
