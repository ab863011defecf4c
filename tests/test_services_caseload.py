"""The caseload list and the client brief: what the clinician reads first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hwtui.data.db import Database
from hwtui.data.errors import NotFound
from hwtui.data.services.assignments import (
    complete_assignment,
    replace_assignment,
    retire_assignment,
)
from hwtui.data.services.caseload import (
    TREND_REVIEWS,
    CaseloadRow,
    Trend,
    caseload_trend,
    client_brief,
    list_caseload,
)
from hwtui.data.services.clients import archive_client, list_values
from hwtui.data.services.identity import Actor
from hwtui.data.services.reviews import complete_review, save_draft, start_review
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review


def _caseload(db: Database, me: Actor, **kwargs: bool) -> dict[str, CaseloadRow]:
    with db.write() as s:
        return {row.code: row for row in list_caseload(s, me, TODAY, **kwargs)}


def _trend(db: Database, me: Actor, client_ids: list[int] | None = None) -> dict[int, Trend]:
    with db.read() as s:
        return caseload_trend(s, me, TODAY, client_ids)


def test_new_client_row(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", display_name="Ana")
    row = _caseload(db, me)["C01"]
    assert row == CaseloadRow(
        client_id=client_id,
        code="C01",
        display_name="Ana",
        last_review=None,
        next_due=TODAY,  # never reviewed: due now
        active_assignments=0,
        has_draft=False,
        archived=False,
    )
    assert row.is_due(TODAY)
    assert _trend(db, me) == {}  # nothing to draw


def test_row_fields_come_from_reviews_and_outcomes(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", review_interval_days=10)
    a1, a2, a3, a4 = (add_assignment(db, me, client_id, f"Task {n}") for n in range(1, 5))
    add_completed_review(
        db,
        me,
        client_id,
        TODAY - timedelta(days=21),
        {a1: "done", a2: "partly", a3: "not_done", a4: "no_opportunity"},
    )
    add_completed_review(
        db,
        me,
        client_id,
        TODAY - timedelta(days=14),
        {a: "no_opportunity" for a in (a1, a2, a3, a4)},
    )
    add_completed_review(
        db,
        me,
        client_id,
        TODAY - timedelta(days=7),
        {a1: "done", a2: "done", a3: "partly", a4: "done"},
    )
    retired = add_assignment(db, me, client_id, "Retired")
    with db.write() as s:
        retire_assignment(s, me, retired, "not relevant")
    with db.write() as s:
        start_review(s, me, client_id, TODAY)
    row = _caseload(db, me)["C01"]
    assert row.last_review == TODAY - timedelta(days=7)  # the draft does not count
    assert row.next_due == TODAY + timedelta(days=3)
    assert not row.is_due(TODAY)
    assert row.active_assignments == 4
    assert row.has_draft
    # done=1, partly=.5, not done=0; "no opportunity" is left out of the average.
    assert _trend(db, me)[client_id] == pytest.approx((0.5, None, 0.875))


def test_trend_keeps_only_the_most_recent_reviews(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01")
    task = add_assignment(db, me, client_id, "Walk")
    first = TODAY - timedelta(days=7 * (TREND_REVIEWS + 1))
    add_completed_review(db, me, client_id, first, {task: "not_done"})
    for week in range(TREND_REVIEWS):
        day = first + timedelta(days=7 * (week + 1))
        add_completed_review(db, me, client_id, day, {task: "done" if week % 2 else "partly"})
    # A draft is no review yet: it neither counts nor pushes an older review out.
    with db.write() as s:
        start_review(s, me, client_id, TODAY)
    trend = _trend(db, me)[client_id]
    assert trend == pytest.approx((0.5, 1.0) * (TREND_REVIEWS // 2))
    assert len(trend) == TREND_REVIEWS


def test_trend_of_the_clients_asked_for_and_only_mine(
    db: Database, me: Actor, other: Actor
) -> None:
    ids = []
    for code in ("C01", "C02", "C03"):
        client_id = add_client(db, me, code)
        task = add_assignment(db, me, client_id, "Walk")
        add_completed_review(db, me, client_id, TODAY - timedelta(days=7), {task: "done"})
        ids.append(client_id)
    theirs = add_client(db, other, "T01")
    their_task = add_assignment(db, other, theirs, "Read")
    add_completed_review(db, other, theirs, TODAY - timedelta(days=7), {their_task: "partly"})
    assert _trend(db, me) == {i: pytest.approx((1.0,)) for i in ids}
    assert _trend(db, me, ids[1:]) == {i: pytest.approx((1.0,)) for i in ids[1:]}
    assert _trend(db, me, []) == {}
    # Another clinician's client is never mine, even when asked for by id.
    assert _trend(db, me, [theirs, ids[0]]) == {ids[0]: pytest.approx((1.0,))}
    assert _trend(db, other) == {theirs: pytest.approx((0.5,))}


def test_due_and_overdue_clients_come_first(db: Database, me: Actor) -> None:
    def reviewed(code: str, days_ago: int) -> None:
        client_id = add_client(db, me, code, review_interval_days=7)
        add_completed_review(db, me, client_id, TODAY - timedelta(days=days_ago))

    reviewed("A-later", 1)
    reviewed("B-today", 7)
    reviewed("C-overdue", 20)
    add_client(db, me, "D-new")
    reviewed("E-later", 3)
    rows = _caseload(db, me)
    assert list(rows) == ["C-overdue", "B-today", "D-new", "A-later", "E-later"]
    assert rows["C-overdue"].next_due == TODAY - timedelta(days=13)
    assert [r.is_due(TODAY) for r in rows.values()] == [True, True, True, False, False]


def test_caseload_shows_only_my_active_clients(db: Database, me: Actor, other: Actor) -> None:
    add_client(db, me, "MINE")
    archived = add_client(db, me, "GONE")
    add_client(db, other, "THEIRS")
    with db.write() as s:
        archive_client(s, me, archived)
    assert list(_caseload(db, me)) == ["MINE"]
    with_archived = _caseload(db, me, include_archived=True)
    assert set(with_archived) == {"MINE", "GONE"}
    assert with_archived["GONE"].archived
    assert list(_caseload(db, other)) == ["THEIRS"]


def test_client_brief(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", values=["family", "health"])
    with db.read() as s:
        family, health = list_values(s, me, client_id)
    call = add_assignment(
        db, me, client_id, "Call mum", value_id=family.id, due_date=TODAY - timedelta(days=1)
    )
    gym = add_assignment(db, me, client_id, "Join a gym")
    with db.write() as s:
        first = start_review(s, me, client_id, TODAY - timedelta(days=14)).id
        assert first is not None
        gym_goal = complete_review(
            s,
            me,
            first,
            win_text="Slept through the night",
            outcomes=[
                {"assignment_id": call, "outcome": "done"},
                {"assignment_id": gym, "outcome": "not_done", "barriers": ["too_big"]},
            ],
            goals=[{"title": "Drive to the gym", "parent_id": gym}],
        ).created[0]
    assert gym_goal.id is not None
    with db.write() as s:
        second = start_review(s, me, client_id, TODAY - timedelta(days=7)).id
        assert second is not None
        walk_goal = complete_review(
            s,
            me,
            second,
            win_text="Decided to change jobs",
            outcomes=[
                {
                    "assignment_id": call,
                    "outcome": "not_done",
                    "barriers": ["no_time", "forgot"],
                },
                {
                    "assignment_id": gym_goal.id,
                    "outcome": "partly",
                    "barriers": ["forgot", "too_big"],
                },
            ],
            goals=[
                {"title": "Park at the gym", "parent_id": gym_goal.id, "value_id": health.id},
            ],
        ).created[0]
    with db.write() as s:
        draft = start_review(s, me, client_id, TODAY).id
        assert draft is not None
        save_draft(s, me, draft, win_text="half typed")

    with db.write() as s:
        brief = client_brief(s, me, client_id)
    assert brief.client.code == "C01"
    assert [v.text for v in brief.values] == ["family", "health"]
    assert brief.last_review is not None
    assert brief.last_review.id == second
    assert [(d.assignment.title, d.value) for d in brief.due] == [
        ("Call mum", "family"),  # the dated task first
        ("Park at the gym", "health"),
    ]
    # The barriers of the last completed review, each once, in the order recorded.
    assert brief.last_barriers == ["no_time", "forgot", "too_big"]
    assert brief.last_new_goal is not None
    assert brief.last_new_goal.id == walk_goal.id
    assert brief.draft_id == draft
    assert [(h.review_id, h.session_date, h.status, h.win_text) for h in brief.history] == [
        (second, TODAY - timedelta(days=7), "complete", "Decided to change jobs"),
        (first, TODAY - timedelta(days=14), "complete", "Slept through the night"),
    ]
    with db.write() as s:
        assert [h.review_id for h in client_brief(s, me, client_id, history=1).history] == [second]


def test_brief_of_a_new_client(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01")
    with db.write() as s:
        brief = client_brief(s, me, client_id)
    assert brief.last_review is None
    assert (brief.due, brief.last_barriers, brief.history, brief.earlier) == ([], [], [], [])
    assert (brief.last_new_goal, brief.draft_id) == (None, None)


def test_brief_shows_the_goal_chain_and_earlier_homework(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", values=["health"])
    gym = add_assignment(db, me, client_id, "Join a gym")
    walk = add_assignment(db, me, client_id, "Walk")
    journal = add_assignment(db, me, client_id, "Journal")
    with db.write() as s:
        drive = replace_assignment(s, me, gym, title="Drive to the gym").id
    with db.write() as s:
        complete_assignment(s, me, walk)
    with db.write() as s:
        retire_assignment(s, me, journal, "not the right time")
    with db.write() as s:
        assert drive is not None
        clothes = replace_assignment(s, me, drive, title="Put on gym clothes").id
    with db.write() as s:
        brief = client_brief(s, me, client_id)
    assert [(d.assignment.id, d.parent_title) for d in brief.due] == [(clothes, "Drive to the gym")]
    assert [(e.assignment.title, e.assignment.status, e.parent_title) for e in brief.earlier] == [
        ("Drive to the gym", "replaced", "Join a gym"),
        ("Journal", "retired", None),
        ("Walk", "completed", None),
        ("Join a gym", "replaced", None),
    ]


def test_brief_of_another_clinicians_client_is_not_found(
    db: Database, me: Actor, other: Actor
) -> None:
    client_id = add_client(db, me, "C01")
    with pytest.raises(NotFound), db.write() as s:
        client_brief(s, other, client_id)


def test_trend_covers_recent_months_but_last_review_is_always_known(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me)
    task = add_assignment(db, me, client_id, "Walk")
    long_ago = TODAY - timedelta(weeks=2 * TREND_REVIEWS + 4)
    add_completed_review(db, me, client_id, long_ago, {task: "done"})
    with db.write() as s:
        (row,) = list_caseload(s, me, TODAY)
    assert row.last_review == long_ago
    assert _trend(db, me) == {}  # too old to draw; the date still shows
    assert row.is_due(TODAY)


def test_the_brief_reads_the_latest_earlier_tasks_and_counts_them_all(
    db: Database, me: Actor
) -> None:
    """The overview shows a few earlier tasks and how many there are; the rest are read
    when asked for (`earlier_tasks`), with their goal chain and value as the brief's."""
    from hwtui.data.services.caseload import earlier_tasks

    client_id = add_client(db, me, values=["health"])
    with db.read() as s:
        value_id = list_values(s, me, client_id)[0].id
    parent = add_assignment(db, me, client_id, "Walk daily", value_id=value_id)
    closed = [parent]
    closed += [add_assignment(db, me, client_id, f"Step {n}", parent_id=parent) for n in range(4)]
    for assignment_id in closed:
        with db.write() as s:
            complete_assignment(s, me, assignment_id)
    with db.write() as s:
        brief = client_brief(s, me, client_id, earlier=3)
        every = earlier_tasks(s, me, client_id)
    assert (len(brief.earlier), brief.earlier_total) == (3, 5)
    assert [t.assignment.id for t in every[:3]] == [t.assignment.id for t in brief.earlier]
    assert sorted(t.assignment.id for t in every) == sorted(closed)
    assert {t.parent_title for t in every if t.assignment.id != parent} == {"Walk daily"}
    assert next(t.value for t in every if t.assignment.id == parent) == "health"
