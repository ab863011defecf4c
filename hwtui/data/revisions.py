"""The migrations' revisions, read from their files as Alembic reads them, without Alembic.

Plain Python: the launch compares the database's revision with the head before anything
heavier is loaded (see `hwtui.data.first_screen` and `hwtui.data.migrate`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
_REVISION_LINES = re.compile(r"^(?:revision|down_revision)\b.*$", re.MULTILINE)


def revisions() -> dict[str, tuple[str, ...]]:
    """Each migration's revision and the revisions it follows, as Alembic reads them from
    the `revision` and `down_revision` of the files in migrations/versions."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        values = _revision_constants(path)
        revision = values.get("revision")
        if not isinstance(revision, str):
            continue  # not a migration
        down = values.get("down_revision")  # None, one revision, or a merge's several
        if isinstance(down, str):
            graph[revision] = (down,)
        elif isinstance(down, tuple | list):
            graph[revision] = tuple(str(d) for d in down)
        else:
            graph[revision] = ()
    return graph


def head_revision() -> str:
    """The revision no other follows: the schema this hwtui works with."""
    graph = revisions()
    followed = {down for downs in graph.values() for down in downs}
    heads = sorted(set(graph) - followed)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have one head, not {heads}")
    return heads[0]


def _revision_constants(path: Path) -> dict[str, object]:
    """A migration's top-level `revision` and `down_revision`, read without running it."""
    source = path.read_text(encoding="utf-8")
    # Only the lines that may assign them are parsed (a whole migration takes longer),
    # unless a value goes on over several lines.
    try:
        tree = ast.parse("\n".join(m.group(0) for m in _REVISION_LINES.finditer(source)))
    except SyntaxError:
        tree = ast.parse(source, filename=str(path))
    found: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in {"revision", "down_revision"}:
            found[target.id] = ast.literal_eval(value)
    return found
