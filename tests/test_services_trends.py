"""Completion across the caseload, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hwtui.data import metrics
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent
from hwtui.data.services.clients import archive_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.trends import caseload_trends, client_by_week, monday
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review


def test_each_client_trend_and_the_weekly_pool(db: Database, me: Actor, other: Actor) -> None:
    steady = add_client(db, me, "S01")
    slipping = add_client(db, me, "S02")
    s1, s2 = (add_assignment(db, me, steady, f"S task {n}") for n in (1, 2))
    (p1,) = (add_assignment(db, me, slipping, "P task"),)
    # Five weekly reviews each: the steady client does 1 of 2 every week (50%); the
    # slipping client goes from done to not done.
    for weeks_ago, outcome in zip(
        range(5, 0, -1), ["done", "done", "done", "done", "not_done"], strict=True
    ):
        day = TODAY - timedelta(weeks=weeks_ago)
        add_completed_review(db, me, steady, day, {s1: "done", s2: "not_done"})
        add_completed_review(db, me, slipping, day, {p1: outcome})
    # Someone else's client never shows up.
    theirs = add_client(db, other, "X01")
    add_completed_review(
        db,
        other,
        theirs,
        TODAY - timedelta(weeks=1),
        {add_assignment(db, other, theirs, "X task"): "done"},
    )

    with db.write() as s:
        trends = caseload_trends(s, me, TODAY)
    assert [t.code for t in trends.clients] == ["S01", "S02"]  # lowest rolling mean first
    steady_t, slipping_t = trends.clients
    assert steady_t.now == pytest.approx(0.5)
    assert steady_t.change == pytest.approx(0.0)
    assert steady_t.recent == [0.5] * 5
    # slipping: rolling of 4 at the end = (1+1+1+0)/4; four reviews earlier = 1.0
    assert slipping_t.now == pytest.approx(0.75)
    assert slipping_t.change == pytest.approx(-0.25)
    assert slipping_t.last == metrics.Rate(0.0, 1)

    assert len(trends.weeks) == 5
    last_week = trends.weeks[-1]
    assert last_week.week == monday(TODAY - timedelta(weeks=1))
    # pooled: steady 1 of 2 + slipping 0 of 1 = 1 of 3
    assert last_week.rate.value == pytest.approx(1 / 3)
    assert (last_week.rate.scored, last_week.clients) == (3, 2)
    assert trends.weeks[0].rate.value == pytest.approx(2 / 3)
    assert client_by_week(slipping_t)[last_week.week] == metrics.Rate(0.0, 1)


def test_old_reviews_archived_clients_and_the_audit(db: Database, me: Actor) -> None:
    old = add_client(db, me, "O01")
    gone = add_client(db, me, "G01")
    fresh = add_client(db, me, "F01")
    add_completed_review(
        db, me, old, TODAY - timedelta(weeks=40), {add_assignment(db, me, old, "Old"): "done"}
    )
    add_completed_review(
        db, me, gone, TODAY - timedelta(weeks=1), {add_assignment(db, me, gone, "Gone"): "done"}
    )
    with db.write() as s:
        archive_client(s, me, gone)
    add_completed_review(
        db,
        me,
        fresh,
        TODAY - timedelta(weeks=1),
        {add_assignment(db, me, fresh, "Fresh"): "no_opportunity"},
    )
    with db.write() as s:
        trends = caseload_trends(s, me, TODAY)
    with db.read() as s:  # PostgreSQL appends a transaction's events as it commits
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "caseload_trends")).all()
    assert [t.code for t in trends.clients] == ["F01"]  # nothing scored yet: listed last
    assert trends.clients[0].now is None
    assert trends.clients[0].change is None
    assert trends.weeks[0].rate == metrics.Rate(None, 0)
    assert len(events) == 1


def test_pooled_weights_by_tasks_scored() -> None:
    rates = [metrics.Rate(1.0, 1), metrics.Rate(0.0, 3), metrics.Rate(None, 0)]
    assert metrics.pooled(rates) == metrics.Rate(0.25, 4)
    assert metrics.pooled([]) == metrics.Rate(None, 0)
