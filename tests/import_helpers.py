"""A small real export to spoil, empty databases to import it into, and everything a
clinician can open afterwards: what the import tests and the import fuzz share."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from hwtui.data import migrate
from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.export import export_json, json_text
from hwtui.data.first_screen import read_first_screen
from hwtui.data.models import Assignment, Review
from hwtui.data.notes import NoteStyle, render_markdown, render_text, to_dict
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.services.assignment_detail import assignment_detail
from hwtui.data.services.caseload import caseload_trend, client_brief, list_caseload
from hwtui.data.services.clients import archive_client, find_client, list_values
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.notes import note_for
from hwtui.data.services.progress import client_progress, open_alerts, wins_bank
from hwtui.data.services.reviews import (
    amend_review,
    load_review,
    open_review,
    review_versions,
    save_draft,
    sign_review,
    start_review,
)
from hwtui.data.services.trends import caseload_trends
from tests.conftest import TODAY, copy_sqlite_file
from tests.helpers import add_assignment, add_client, add_completed_review

USER = "dr_test"


def build_export(folder: Path) -> dict[str, Any]:
    """A small demo caseload plus what the demo does not make: a signed review and its
    amendment, a draft holding new goals, a PHQ-9 with a risk answer, an archived client.
    Exported and read back through JSON text, as a file is."""
    db = Database(folder / "source.sqlite3")
    migrate.upgrade(db)
    generate(db, clinician=USER, clients=2, weeks=3, seed=5, today=TODAY)
    with db.write() as s:
        me = ensure_clinician(s, USER)
    client_id = add_client(db, me, "H1", values=["being a present parent", "health"])
    walk = add_assignment(db, me, client_id, "Walk", what="a walk", obstacles=["forgot"])
    signed = add_completed_review(db, me, client_id, TODAY, {walk: "not_done"})
    with db.write() as s:
        sign_review(s, me, signed, assessment="Engaged; homework reviewed.")
        amend_review(s, me, signed, "typo in the win")
        record_measure(s, me, client_id, "phq9", [1, 2, 0, 1, 3, 0, 1, 2, 1], review_id=signed)
        archive_client(s, me, find_client(s, me, "C0002").id or 0)
    other = add_client(db, me, "H2", values=["rest"])
    task = add_assignment(db, me, other, "Read a chapter")
    with db.write() as s:
        value = list_values(s, me, other)[0].id
        draft = start_review(s, me, other, TODAY)
        assert draft.id is not None
        save_draft(
            s,
            me,
            draft.id,
            win_text="slept through",
            skipped={"worked": "no time"},
            outcomes=[{"assignment_id": task, "outcome": "not_done", "barriers": ["too_big"]}],
            goals=[{"title": "Read a page", "parent_id": task, "value_id": value, "confidence": 9}],
        )
        data = export_json(s, me, None)
    db.dispose()
    parsed: dict[str, Any] = json.loads(json_text(data))
    return parsed


def migrated_template(folder: Path) -> Path:
    """An empty SQLite database at the head schema, to copy for each import."""
    path = folder / "template.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    db.dispose()
    return path


def empty_copy(template: Path, folder: Path, name: str = "target.sqlite3") -> Database:
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    # Private, as hwtui makes its files: a copy is 0644 under the usual umask, which
    # hwtui refuses (another user could read it).
    copy_sqlite_file(template, path)
    return Database(path)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail with TimeoutError instead of hanging (an endless loop in Python code)."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def open_everything(db: Database, username: str = USER, today: date = TODAY) -> int:
    """Every read a clinician can make of every client and review, as the screens and
    `hwtui note` make them; a resumed draft is rebuilt and saved again. Returns how many
    notes were rendered. Anything but a clean return is a failure."""
    notes = 0
    if db.path is not None:
        first = read_first_screen(db.path, username, today)
        assert first is not None
    with db.write() as s:
        me = ensure_clinician(s, username)
        rows = list_caseload(s, me, today, include_archived=True)
        caseload_trend(s, me, today)
        caseload_trends(s, me, today)
        for row in rows:
            assert find_client(s, me, row.code).id == row.client_id
            client_brief(s, me, row.client_id)
            client_progress(s, me, row.client_id)
            wins_bank(s, me, row.client_id, "the")
            open_alerts(s, me, row.client_id)
            for assignment_id in s.exec(
                select(Assignment.id).where(Assignment.client_id == row.client_id)
            ):
                assert assignment_id is not None
                assignment_detail(s, me, assignment_id)
            reviews = s.exec(
                select(Review.id, Review.status)
                .where(Review.client_id == row.client_id)
                .order_by(col(Review.id))
            ).all()
            for review_id, status in reviews:
                assert review_id is not None
                ctx = open_review(s, me, review_id)
                load_review(s, me, review_id)
                review_versions(s, me, review_id)
                if status == ReviewStatus.DRAFT:
                    draft = ReviewDraft.from_saved(
                        ctx.review, ctx.assignments, ctx.outcomes, ctx.review.draft_goals
                    )
                    draft.problems()
                    save_draft(s, me, review_id, **draft.to_input())  # the autosave
                    continue
                for style in NoteStyle:
                    note = note_for(s, me, review_id, style)
                    render_text(note)
                    render_markdown(note)
                    json.dumps(to_dict(note))
                    notes += 1
    return notes
