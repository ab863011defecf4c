"""Cross-references stay inside the client on a practice server (migration 0013), set up as
in tests/test_pg_rls.py: each clinician connects as their own role.

Whatever SQL Alice sends, a row of hers refers only to rows of the same client of hers:
not to a colleague's (Bob's), and not to another of her own clients'. hwtui's own paths
(which never do either) keep working; the schema owner, naming no clinician, is not held.
"""

# ruff: noqa: S608  (the SQL here is formatted with table and column names only)

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.services.clients import list_values
from hwtui.data.services.measures import record_measure
from hwtui.data.services.process_notes import save_process_note
from hwtui.data.services.reviews import amend_review, complete_review, sign_review, start_review
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review
from tests.test_pg_rls import (  # noqa: F401  (fixtures)
    ALICE,
    OWNER,
    Caseload,
    Practice,
    _copy_sql,
    practice,
    rls_template,
)

pytestmark = pytest.mark.postgres


@dataclass(frozen=True, slots=True)
class Refs:
    """The rows a row may refer to: one of each table, all of one client."""

    client_id: int
    clinician_id: int
    value_id: int
    assignment_id: int
    review_id: int


def _refs(c: Caseload) -> Refs:
    return Refs(c.client_id, c.actor.clinician_id, c.value_id, c.assignment_id, c.review_id)


@pytest.fixture
def second_client(practice: Practice) -> Refs:  # noqa: F811
    """Alice's second client A2, with a value, homework and a completed review of its own."""
    db, me = practice.alice, practice.a.actor
    client_id = add_client(db, me, "A2", values=["work"])
    assignment_id = add_assignment(db, me, client_id, "call a friend (A2)")
    review_id = add_completed_review(db, me, client_id, TODAY, {assignment_id: "partly"})
    with db.read() as s:
        [value] = list_values(s, me, client_id)
    assert value.id is not None
    return Refs(client_id, me.clinician_id, value.id, assignment_id, review_id)


# Every reference between rows of client data: (table, column, the Refs field it names).
# A task outcome's review and homework are held to her caseload since 0006 (not to one
# client); the colleague's cases of those two are here so that every reference is.
REFERENCES = [
    ("assignment", "value_id", "value_id"),
    ("assignment", "parent_id", "assignment_id"),
    ("assignment", "created_in_review_id", "review_id"),
    ("review", "amends_id", "review_id"),
    ("review", "clinician_id", "clinician_id"),
    ("measure", "review_id", "review_id"),
    ("process_note", "review_id", "review_id"),
    ("task_outcome", "assignment_id", "assignment_id"),
    ("task_outcome", "review_id", "review_id"),
]
# One client's rows have one clinician: for these, "another client of hers" is no case.
CLINICIAN_REFERENCES = {("review", "clinician_id")}
# Tables with a unique key on the references: (review_id), (review_id, assignment_id).
UNIQUE_TABLES = {"process_note", "task_outcome"}


def _own_row(practice: Practice, table: str) -> int:  # noqa: F811
    """Alice's row in *table* (of her client A1), made by hwtui if the seed has none."""
    a = practice.a
    if table == "process_note":
        with practice.alice.write() as s:
            save_process_note(s, a.actor, a.review_id, "alice's hunch")
        with practice.alice.read() as s:
            return int(s.execute(text("SELECT id FROM process_note")).scalar_one())
    fields = {"assignment": a.assignment_id, "review": a.review_id, "measure": a.measure_id}
    return fields.get(table, a.outcome_id)


def _attempts(table: str, column: str, own: int, target: int) -> dict[str, tuple[str, Any]]:
    """Alice's two ways to make a row of hers refer to *target*: a new row, or a change."""
    update = f"UPDATE {table} SET {column} = :target WHERE id = :own"
    return {
        "insert": _copy_sql(table, own, **{column: target}),
        "update": (update, {"target": target, "own": own}),
    }


def _rows(practice: Practice, table: str) -> list[Any]:  # noqa: F811
    """Every row of *table*, as the owner sees them."""
    with practice.owner.read() as s:
        return list(s.execute(text(f"SELECT * FROM {table} ORDER BY id")).all())


def _refused(db: Database, attempts: dict[str, tuple[str, Any]]) -> dict[str, str]:
    """How each attempt ended: "refused" by row security, or what else happened."""
    ended = {}
    for what, (sql, params) in attempts.items():
        try:
            with db.write() as s:
                changed = s.execute(text(sql), params).rowcount
        except DatabaseProblem as exc:
            ended[what] = "refused" if "row-level security" in str(exc) else str(exc)
        else:
            ended[what] = f"{changed} row(s) written"
    return ended


@pytest.mark.parametrize(("table", "column", "field"), REFERENCES)
def test_a_row_cannot_refer_to_a_colleagues_row(
    practice: Practice,  # noqa: F811
    table: str,
    column: str,
    field: str,
) -> None:
    own = _own_row(practice, table)
    theirs = getattr(_refs(practice.b), field)
    before = _rows(practice, table)
    ended = _refused(practice.alice, _attempts(table, column, own, theirs))
    assert ended == {"insert": "refused", "update": "refused"}
    assert _rows(practice, table) == before


@pytest.mark.parametrize(
    ("table", "column", "field"),
    [case for case in REFERENCES if case[:2] not in CLINICIAN_REFERENCES],
)
def test_a_row_cannot_refer_to_a_row_of_another_of_her_clients(
    practice: Practice,  # noqa: F811
    second_client: Refs,
    table: str,
    column: str,
    field: str,
) -> None:
    own = _own_row(practice, table)
    other = getattr(second_client, field)
    before = _rows(practice, table)
    ended = _refused(practice.alice, _attempts(table, column, own, other))
    assert ended == {"insert": "refused", "update": "refused"}
    assert _rows(practice, table) == before


@pytest.mark.parametrize(("table", "column", "field"), REFERENCES)
def test_a_row_may_refer_to_rows_of_its_own_client(
    practice: Practice,  # noqa: F811
    table: str,
    column: str,
    field: str,
) -> None:
    # The control for the two tests above: the same statements, aimed at A1's own rows.
    own = _own_row(practice, table)
    same = getattr(_refs(practice.a), field)
    if table not in UNIQUE_TABLES:  # a copy of the row would repeat its unique key
        sql, params = _attempts(table, column, own, same)["insert"]
        with practice.alice.write() as s:
            own = s.execute(text(sql + " RETURNING id"), params).scalar_one()
    # Then a change to the row, which keeps its reference (the new row's, or the seed's).
    ended = _refused(practice.alice, {"update": _attempts(table, column, own, same)["update"]})
    assert ended == {"update": "1 row(s) written"}


@pytest.mark.parametrize(
    ("table", "field"),
    [("client_value", "value_id"), ("assignment", "assignment_id"), ("review", "review_id")],
)
def test_a_row_others_refer_to_stays_with_its_client(
    practice: Practice,  # noqa: F811
    second_client: Refs,
    table: str,
    field: str,
) -> None:
    """Moving the row referred to would break a reference from the other end: A1's homework
    would name a value of A2, its outcome a review of A2."""
    move = f"UPDATE {table} SET client_id = :other WHERE id = :own"
    params = {"other": second_client.client_id, "own": getattr(practice.a, field)}
    assert _refused(practice.alice, {"move": (move, params)}) == {"move": "refused"}


def test_hwtuis_own_paths_keep_every_reference_and_pass(practice: Practice) -> None:  # noqa: F811
    """A smaller goal with a value, from a review; a measure at a review; its process note;
    signing and amending it: every reference these make is checked, and passes."""
    db, a = practice.alice, practice.a
    with db.write() as s:
        review = start_review(s, a.actor, a.client_id, TODAY + timedelta(days=7))
        assert review.id is not None
        goal = {"title": "walk 5 minutes", "parent_id": a.assignment_id, "value_id": a.value_id}
        detail = complete_review(
            s,
            a.actor,
            review.id,
            win_text="walked twice",
            outcomes=[{"assignment_id": a.assignment_id, "outcome": "partly"}],
            goals=[goal],
        )
        record_measure(s, a.actor, a.client_id, "scaling", [7], review_id=review.id)
        save_process_note(s, a.actor, review.id, "hunch")
        sign_review(s, a.actor, review.id, assessment="Engaged; homework reviewed.")
    with db.write() as s:
        amendment = amend_review(s, a.actor, review.id, "wrong date")
    [smaller] = detail.created
    with practice.owner.read() as s:
        row = s.execute(
            text("SELECT parent_id, value_id, created_in_review_id FROM assignment WHERE id = :i"),
            {"i": smaller.id},
        ).one()
        outcomes = s.execute(
            text("SELECT count(*) FROM task_outcome WHERE review_id = :r"), {"r": amendment.id}
        ).scalar_one()
    assert tuple(row) == (a.assignment_id, a.value_id, review.id)
    assert (amendment.amends_id, outcomes) == (review.id, 1)


def test_the_owner_is_held_once_it_names_a_clinician_and_not_before(
    practice: Practice,  # noqa: F811
) -> None:
    a, b = practice.a, practice.b
    cross = {
        "cross": (
            "UPDATE assignment SET value_id = :theirs WHERE id = :own",
            {"theirs": b.value_id, "own": a.assignment_id},
        )
    }
    as_alice = Database(practice.url(OWNER), clinician=ALICE)
    try:
        assert _refused(as_alice, cross) == {"cross": "refused"}
    finally:
        as_alice.dispose()
    # Naming no one, the owner may (maintenance, migrations, imports checked beforehand).
    assert _refused(practice.owner, cross) == {"cross": "1 row(s) written"}


def test_the_upgrade_names_rows_that_already_cross_and_the_downgrade_lifts_the_checks(
    practice: Practice,  # noqa: F811
) -> None:
    a, b = practice.a, practice.b
    plant = {
        "plant": (
            "UPDATE assignment SET value_id = :theirs WHERE id = :own",
            {"theirs": b.value_id, "own": a.assignment_id},
        )
    }
    with practice.owner.engine.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "0012")
    # Before 0013 a clinician could plant a reference into a colleague's caseload.
    assert _refused(practice.alice, plant) == {"plant": "1 row(s) written"}
    with pytest.raises(DatabaseProblem) as caught:
        migrate.upgrade(practice.owner)
    assert str(caught.value) == (
        f"cannot upgrade: assignment id {a.assignment_id} has value_id {b.value_id}, of "
        "another client. Each must refer to a row of its own client: correct them as the "
        "role that owns hwtui's tables, then upgrade again"
    )
    assert migrate.status(practice.owner).revision == "0012"
    with practice.owner.write() as s:
        s.execute(
            text("UPDATE assignment SET value_id = NULL WHERE id = :i"), {"i": a.assignment_id}
        )
    migrate.upgrade(practice.owner)
    assert _refused(practice.alice, plant) == {"plant": "refused"}
