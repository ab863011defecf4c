"""Process notes on a practice server (migration 0010's row-level security), set up as in
tests/test_pg_rls.py: each clinician connects as their own role. Whatever SQL a
clinician sends, another clinician's process notes are neither seen nor written, and an
export with them holds the exporting clinician's own only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hwtui.data.errors import DatabaseProblem, NotFound
from hwtui.data.export import export_json
from hwtui.data.services.process_notes import process_note, save_process_note
from tests.test_pg_rls import Practice, practice, rls_template  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def _save_both(practice: Practice) -> None:  # noqa: F811
    with practice.alice.write() as s:
        save_process_note(s, practice.a.actor, practice.a.review_id, "alice's hunch")
    with practice.bob.write() as s:
        save_process_note(s, practice.b.actor, practice.b.review_id, "bob's hunch")


def test_a_clinician_sees_and_exports_only_their_own(practice: Practice) -> None:  # noqa: F811
    _save_both(practice)
    with practice.owner.read() as s:
        assert len(s.execute(text("SELECT id FROM process_note")).all()) == 2
    for db, mine in ((practice.alice, "alice's hunch"), (practice.bob, "bob's hunch")):
        with db.read() as s:
            assert s.execute(text("SELECT text FROM process_note")).scalars().all() == [mine]
    with practice.alice.write() as s:
        data = export_json(s, practice.a.actor, None, process_notes=True)
        with pytest.raises(NotFound):
            process_note(s, practice.a.actor, practice.b.review_id)
    assert [row["text"] for row in data["tables"]["process_note"]] == ["alice's hunch"]


def test_a_clinician_cannot_change_or_add_to_anothers(practice: Practice) -> None:  # noqa: F811
    _save_both(practice)
    with practice.alice.write() as s:
        assert s.execute(text("UPDATE process_note SET text = 'x'")).rowcount == 1  # hers
        assert s.execute(text("DELETE FROM process_note WHERE text = 'bob''s hunch'")).rowcount == 0
    b = practice.b
    with pytest.raises(DatabaseProblem, match="row-level security"), practice.alice.write() as s:
        s.execute(
            text(
                "INSERT INTO process_note (review_id, clinician_id, client_id, text, updated_at)"
                " VALUES (:r, :c, :k, 'planted by alice', now())"
            ),
            {"r": b.review_id, "c": b.actor.clinician_id, "k": b.client_id},
        )
    with practice.owner.read() as s:
        texts = sorted(s.execute(text("SELECT text FROM process_note")).scalars())
    assert texts == ["bob's hunch", "x"]
