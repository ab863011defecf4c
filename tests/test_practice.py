"""`Practice`, the one way screens reach the record: each question one transaction, every
view of client data audited, the draft's one writer kept, and no screen around it."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

import hwtui
from hwtui.data.actor import Actor
from hwtui.data.assignment_form import AssignmentForm, EditorTarget
from hwtui.data.catalog import AssignmentStatus
from hwtui.data.db import Database
from hwtui.data.lease import Holder
from hwtui.data.models import Assignment, AuditEvent, Review
from hwtui.data.practice import Practice
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import DraftInUse, DraftLost
from tests.conftest import TODAY

CLINICIAN = "dr_practice"


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=6, weeks=8, seed=5, today=TODAY
    )
    yield db
    db.dispose()


def practice_of(db: Database, holder: Holder | None = None) -> Practice:
    with db.write() as session:
        actor: Actor = ensure_clinician(session, CLINICIAN)
    return Practice(lambda: db, actor, lambda: TODAY, holder or Holder.this_process())


def audit_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def a_client(practice: Practice) -> int:
    return practice.caseload()[0].client_id


def a_finished_review(db: Database, client_id: int) -> int:
    with db.read() as session:
        review_id = session.exec(
            select(Review.id).where(Review.client_id == client_id, Review.status != "draft")
        ).first()
    assert review_id is not None
    return review_id


# Each view, given a client and one of their finished reviews.
VIEWS: dict[str, Callable[[Practice, int, int], Any]] = {
    "caseload": lambda p, client, review: p.caseload(),
    "caseload trends": lambda p, client, review: p.caseload_trends(),
    "client overview": lambda p, client, review: p.client_overview(client, history=10),
    "earlier homework": lambda p, client, review: p.earlier_homework(client),
    "client facing": lambda p, client, review: p.client_facing(client, wins=3),
    "progress": lambda p, client, review: p.progress(client),
    "wins": lambda p, client, review: p.wins(client),
    "homework": lambda p, client, review: p.assignment_detail(a_task(p, client)),
    "record": lambda p, client, review: p.record_view(review),
    "peek": lambda p, client, review: p.peek_review(review),
}


def a_task(practice: Practice, client_id: int) -> int:
    return practice.client_facing(client_id, wins=0).goals[0].id or 0


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_every_view_of_client_data_is_audited(demo_db: Database, view: str) -> None:
    practice = practice_of(demo_db)
    client_id = a_client(practice)
    review_id = a_finished_review(demo_db, client_id)
    before = audit_count(demo_db)
    VIEWS[view](practice, client_id, review_id)
    after = audit_count(demo_db)
    # The homework view first looks the task up through a view of its own.
    assert after > before + (1 if view == "homework" else 0)


def test_a_draft_has_one_writer_until_it_is_released(demo_db: Database) -> None:
    mine, theirs = practice_of(demo_db), practice_of(demo_db)
    # A session on another host: never assumed gone (see lease.is_gone).
    theirs.holder = Holder("t" * 32, "laptop.practice.lan", 4242, "pts/9")
    client_id = a_client(mine)
    review_id = mine.start_review(client_id)
    mine.open_review(review_id)
    with pytest.raises(DraftInUse):
        theirs.open_review(review_id)
    mine.save_draft(review_id, {"win_text": "walked twice"})
    mine.save_draft(review_id, None, release=True)
    ctx = theirs.open_review(review_id)
    assert ctx.review.win_text == "walked twice"
    with pytest.raises(DraftLost):
        mine.save_draft(review_id, {"win_text": "overwritten?"})
    assert mine.lease_problem(review_id) is not None
    assert theirs.lease_problem(review_id) is None


def test_a_smaller_step_replaces_the_task_it_supports(demo_db: Database) -> None:
    practice = practice_of(demo_db)
    client_id = a_client(practice)
    with demo_db.read() as session:
        task = session.exec(
            select(Assignment).where(
                Assignment.client_id == client_id, Assignment.status == AssignmentStatus.ACTIVE
            )
        ).first()
    assert task is not None
    assert task.id is not None
    target = EditorTarget.smaller(client_id, task.id)
    setup = practice.editor_setup(target, None)
    assert setup.chain
    assert setup.chain[-1] == task.title
    assert isinstance(setup.form, AssignmentForm)
    new_id = practice.save_assignment(target, [{"title": "Walk to the corner once"}], {})
    with demo_db.read() as session:
        old = session.get(Assignment, task.id)
        new = session.get(Assignment, new_id)
    assert old is not None
    assert old.status == AssignmentStatus.REPLACED
    assert new is not None
    assert new.parent_id == task.id
    assert new.title == "Walk to the corner once"


def test_kept_typing_is_found_and_forgotten(demo_db: Database) -> None:
    practice = practice_of(demo_db)
    fields = {"code": {"text": "[@click=app.quit]x[/]", "cursor": 3}}
    practice.keep_typing("add client", fields, "code: [TODO]", client_id=None)
    kept = practice.typed("add client")
    assert kept is not None
    assert kept.fields == fields
    practice.forget_typing("add client")
    assert practice.typed("add client") is None


def _screen_sources() -> Iterator[Path]:
    root = Path(hwtui.__file__).parent
    yield root / "app.py"
    for folder in ("screens", "widgets"):
        yield from sorted((root / folder).rglob("*.py"))


def test_no_screen_opens_a_transaction_or_reads_the_database_itself() -> None:
    """Screens ask `app.practice` (through `screens/asking.py`); only the app's factory
    touches `db`. Caught here as well as by import-linter, which cannot see
    `self.app.db.write()` (an attribute, not an import)."""
    offenders = []
    for path in _screen_sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"read", "write"}:
                inner = node.value
                if isinstance(inner, ast.Attribute) and inner.attr == "db":
                    offenders.append(f"{path.name}:{node.lineno}")
            elsewhere = path.name != "asking.py"
            if isinstance(node, ast.Attribute) and node.attr == "run_worker" and elsewhere:
                offenders.append(f"{path.name}:{node.lineno} run_worker")
            if isinstance(node, ast.Name) and node.id == "work" and elsewhere:
                offenders.append(f"{path.name}:{node.lineno} @work")
    assert offenders == []


def test_views_stay_in_their_clinicians_caseload(demo_db: Database) -> None:
    practice = practice_of(demo_db)
    with demo_db.read() as session:
        clients = session.exec(select(func.max(col(Review.client_id)))).one()
    assert clients is not None
    from hwtui.data.errors import NotFound

    with pytest.raises(NotFound):
        practice.progress(clients + 1000)
