"""The schema this hwtui works with: its migrations' head revision, recorded here.

Plain Python: every launch compares the database's revision with the head, and the
everyday one does it before SQLAlchemy is loaded (`hwtui.data.first_screen`). Alembic
would tell (`ScriptDirectory.get_current_head()`), but importing it, with SQLAlchemy,
takes longer than the whole first screen. So the head is written down once, and
`tests/test_migrations.py` checks it against Alembic's: a new migration fails that test
until HEAD names it.
"""

from __future__ import annotations

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps

# The revision no other migration follows. Move it with every new migration.
HEAD = "0016"


def head_revision() -> str:
    """The head revision (read at call time: tests pretend to be a newer hwtui)."""
    return HEAD
