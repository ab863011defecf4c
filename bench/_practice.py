"""The benchmark's practice: a large demo database, written once and cached.

The file is keyed by everything that shapes it (the generator's parameters, the schema
head, the demo generator's source, writer and words, and the clinician it is written
for) and is written again when it is more than a week old, since its dates run back from
the day it was written. Each benchmark run works on its own copy, so the cached file
never changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import col

from hwtui.data import bulk_write, demo, demo_words, migrate
from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.models import Review
from hwtui.data.revisions import head_revision
from hwtui.data.services.identity import os_username

MAX_AGE_DAYS = 7


@dataclass(frozen=True, slots=True)
class PracticeSpec:
    clients: int
    weeks: int
    other_clinicians: int
    seed: int = 7


FULL = PracticeSpec(clients=500, weeks=260, other_clinicians=2)
QUICK = PracticeSpec(clients=100, weeks=52, other_clinicians=1)


@dataclass(frozen=True, slots=True)
class Practice:
    path: Path
    spec: PracticeSpec
    clinician: str
    written_on: date
    rows: dict[str, int]
    generate_seconds: float


def default_workdir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hwtui-bench"


def _key(spec: PracticeSpec, clinician: str, *, schema: bool = True) -> str:
    """What the practice is made from; with the schema's head revision unless not
    *schema* (a PostgreSQL practice is upgraded in place instead, see `_pg_practice`)."""
    parts = [
        json.dumps(asdict(spec), sort_keys=True),
        *([head_revision()] if schema else []),
        *(hashlib.sha256(source).hexdigest() for source in _demo_sources()),
        clinician,
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _demo_sources() -> list[bytes]:
    """What the practice is made from: the generator, its writer, and its words."""
    modules = [Path(module.__file__).read_bytes() for module in (demo, demo_words, bulk_write)]
    corpora = resources.files("hwtui.data").joinpath("corpora")
    words = sorted(corpora.iterdir(), key=lambda entry: entry.name)
    return modules + [entry.read_bytes() for entry in words if entry.name.endswith(".toml")]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def practice(spec: PracticeSpec, workdir: Path) -> Practice:
    """The cached practice for *spec*, written first if missing or stale."""
    clinician = os_username()
    workdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"practice-{spec.clients}c-{spec.weeks}w-{_key(spec, clinician)}"
    path = workdir / f"{name}.sqlite3"
    meta_path = workdir / f"{name}.json"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        written_on = date.fromisoformat(meta["written_on"])
        if (date.today() - written_on).days <= MAX_AGE_DAYS:
            return Practice(
                path, spec, clinician, written_on, meta["rows"], meta["generate_seconds"]
            )
    return _write(spec, clinician, path, meta_path)


def _write(spec: PracticeSpec, clinician: str, path: Path, meta_path: Path) -> Practice:
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    total = spec.clients * (1 + spec.other_clinicians)
    _log(
        f"writing the benchmark practice ({total} clients, {spec.weeks} weeks) to {path} "
        "(once; cached for a week)"
    )
    db = Database(partial)
    try:
        migrate.upgrade(db)
        today = date.today()
        stats = demo.generate(
            db,
            clinician=clinician,
            clients=spec.clients,
            weeks=spec.weeks,
            seed=spec.seed,
            today=today,
            other_clinicians=spec.other_clinicians,
            progress=_Progress(),
        )
        print(file=sys.stderr)
        with db.engine.connect() as conn:
            # One self-contained file: copies of it need no -wal beside them.
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        db.dispose()
    rows = {
        "clients": stats.clients,
        "assignments": stats.assignments,
        "reviews": stats.reviews,
        "outcomes": stats.outcomes,
        "measures": stats.measures,
    }
    partial.replace(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    meta = {
        "spec": asdict(spec),
        "clinician": clinician,
        "written_on": today.isoformat(),
        "rows": rows,
        "generate_seconds": round(stats.seconds, 1),
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    _log(f"  written in {stats.seconds:.0f} s")
    return Practice(path, spec, clinician, today, rows, stats.seconds)


class _Progress:
    """Tells how many clients are written, every couple of seconds."""

    def __init__(self) -> None:
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self.last > 2:
            self.last = now
            print(f"\r  {done}/{total} clients", end="", file=sys.stderr, flush=True)


def working_copy(source: Practice, directory: Path) -> Path:
    """A private copy of the practice for one run (the app writes audit events to it)."""
    dest = directory / "practice.sqlite3"
    shutil.copyfile(source.path, dest)
    dest.chmod(0o600)
    return dest


def longest_history(db: Database, clinician_id: int) -> tuple[int, int]:
    """(client id, finished reviews) of the clinician's client with the most reviews."""
    with db.read() as session:
        row = session.execute(
            select(col(Review.client_id), func.count())
            .where(col(Review.clinician_id) == clinician_id)
            .where(col(Review.status) != ReviewStatus.DRAFT)
            .group_by(col(Review.client_id))
            .order_by(func.count().desc(), col(Review.client_id))
            .limit(1)
        ).one()
    return int(row[0]), int(row[1])
