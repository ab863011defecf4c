"""Progress over time, the wins bank and risk alerts, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.models import AuditEvent
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.progress import (
    acknowledge_alert,
    client_progress,
    open_alerts,
    wins_bank,
)
from hwtui.data.services.reviews import (
    amend_review,
    complete_review,
    sign_review,
    start_review,
)
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review, selects_from


def test_progress_points_rolling_measures_and_barriers(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, values=["health"])
    timed = add_assignment(db, me, client_id, "Walk", when="after lunch")
    loose = add_assignment(db, me, client_id, "Read")
    plan = [
        ({timed: "done", loose: "not_done"}, ["forgot"]),
        ({timed: "done", loose: "no_opportunity"}, []),
        ({timed: "partly", loose: "not_done"}, ["forgot"]),
    ]
    for week, (outcomes, barriers) in enumerate(plan):
        day = TODAY - timedelta(weeks=len(plan) - week)
        with db.write() as s:
            review_id = start_review(s, me, client_id, day).id
            assert review_id is not None
            complete_review(
                s,
                me,
                review_id,
                win_text="a win",
                outcomes=[
                    {
                        "assignment_id": aid,
                        "outcome": o,
                        "barriers": barriers if o == "not_done" else [],
                    }
                    for aid, o in outcomes.items()
                ],
            )
        with db.write() as s:
            record_measure(s, me, client_id, "ors", [5, 6, 7, week], review_id=review_id)
    with db.write() as s:
        progress = client_progress(s, me, client_id)
    assert [p.completion.value for p in progress.points] == [0.5, 1.0, 0.25]
    assert [p.completion.scored for p in progress.points] == [2, 1, 2]
    assert progress.rolling[-1] == pytest.approx((1 + 1 + 0.5) / 5)
    assert [m.total for m in progress.measures["ors"]] == [18, 19, 20]
    assert progress.barriers == [("forgot", 2)]
    timed_contrast = progress.contrasts[0]
    assert timed_contrast.with_it.scored == 3
    assert timed_contrast.with_it.value == pytest.approx(2.5 / 3)
    assert timed_contrast.without_it.value == 0.0


def test_wins_bank_newest_first_and_searchable(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    add_completed_review(db, me, client_id, TODAY - timedelta(weeks=2), win_text="Called my sister")
    add_completed_review(
        db, me, client_id, TODAY - timedelta(weeks=1), win_text="[b]Slept[/b] well"
    )
    with db.write() as s:
        wins = wins_bank(s, me, client_id)
        assert [w.text for w in wins] == ["[b]Slept[/b] well", "Called my sister"]
        assert [w.text for w in wins_bank(s, me, client_id, "SISTER")] == ["Called my sister"]
        assert wins_bank(s, me, client_id, "nothing like this") == []


def test_an_amended_win_replaces_the_old_one_in_the_bank(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    review_id = add_completed_review(db, me, client_id, TODAY, win_text="Slept well")
    with db.write() as s:
        sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")
        amendment = amend_review(s, me, review_id, "misheard")
        assert amendment.id is not None
        complete_review(s, me, amendment.id, win_text="Slept through")
        assert [w.text for w in wins_bank(s, me, client_id)] == ["Slept through"]


def test_phq9_item_nine_alert_waits_for_acknowledgement(
    db: Database, me: Actor, other: Actor
) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        calm = record_measure(s, me, client_id, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0])
        risky = record_measure(s, me, client_id, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
        assert calm.id is not None
        assert risky.id is not None
        assert [m.id for m in open_alerts(s, me, client_id)] == [risky.id]
    with db.write() as s, pytest.raises(NotFound):
        acknowledge_alert(s, other, risky.id)
    with db.write() as s:
        done = acknowledge_alert(s, me, risky.id)
        assert done.acknowledged_by == me.username
        assert open_alerts(s, me, client_id) == []
        with pytest.raises(InvalidInput):
            acknowledge_alert(s, me, risky.id)
    with db.read() as s:  # PostgreSQL appends a transaction's events as it commits
        events = [(e.action, e.entity) for e in s.exec(select(AuditEvent))]
    assert ("acknowledge", "alert") in events


def test_each_review_point_carries_how_well_its_rated_tasks_went(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    gym = add_assignment(db, me, client_id, "Gym")
    add_completed_review(db, me, client_id, TODAY - timedelta(days=7), {walk: "done", gym: "done"})
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
        assert review_id is not None
        complete_review(
            s,
            me,
            review_id,
            win_text="ok",
            outcomes=[
                {"assignment_id": walk, "outcome": "done", "quality": 4},
                {"assignment_id": gym, "outcome": "partly", "quality": 1},
            ],
        )
        points = client_progress(s, me, client_id).points
    assert [p.quality for p in points] == [None, 2.5]


def test_the_overview_reads_a_clients_scores_once_and_sees_what_each_read_saw(
    db: Database, me: Actor
) -> None:
    """The overview reads the scores once (`measure_rows`) for its reliable changes, risk
    alerts and chart; each must be what its own read gives."""
    from hwtui.data.lease import Holder
    from hwtui.data.practice import Practice
    from hwtui.data.services.risk import measure_rows, reliable_changes

    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    reviews = [
        add_completed_review(db, me, client_id, TODAY - timedelta(weeks=4 - n), {walk: "done"})
        for n in range(3)
    ]
    with db.write() as s:
        for n, total in enumerate([30, 29, 12]):  # ORS: a reliable deterioration last
            record_measure(
                s,
                me,
                client_id,
                "ors",
                [total // 4] * 3 + [total - 3 * (total // 4)],
                review_id=reviews[n],
            )
        record_measure(s, me, client_id, "phq9", [1] * 8 + [0], review_id=reviews[0])
        acked = record_measure(s, me, client_id, "phq9", [0] * 8 + [2])
        risky = record_measure(s, me, client_id, "phq9", [0] * 8 + [1], review_id=reviews[2])
        assert acked.id is not None
        assert risky.id is not None
    with db.write() as s:
        acknowledge_alert(s, me, acked.id)
    with db.write() as s:
        rows = measure_rows(s, client_id)
        assert [r.alert_id for r in rows if r.alert_id is not None] == [risky.id]
        assert open_alerts(s, me, client_id, rows) == open_alerts(s, me, client_id)
        assert reliable_changes(s, client_id, rows) == reliable_changes(s, client_id)
        assert reliable_changes(s, client_id) != []
        charted = client_progress(s, me, client_id, measures=rows).measures
        assert charted == client_progress(s, me, client_id).measures
        assert set(charted) == {"ors", "phq9"}

    practice = Practice(lambda: db, me, lambda: TODAY, Holder.this_process())
    with selects_from(db, "measure") as reads:
        overview = practice.client_overview(client_id, history=10)
    # The scores, and the one open alert's whole row.
    assert len(reads) == 2, reads
    assert [m.id for m in overview.brief.alerts] == [risky.id]
    assert overview.brief.changes == reliable_changes_now(db, client_id)
    assert overview.progress.measures == charted


def test_the_overview_reads_only_the_scores_it_uses_and_sees_the_same(
    db: Database, me: Actor
) -> None:
    """With `chart_reviews`, the scores read are each measure's first and last two, the
    chart's reviews' and the alarming PHQ-9s: the changes, alerts and chart are what
    every score gives, and a long history is not read whole."""
    from hwtui.data.services.risk import measure_rows, reliable_changes

    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    weeks = 12
    reviews = [
        add_completed_review(db, me, client_id, TODAY - timedelta(weeks=weeks - n), {walk: "done"})
        for n in range(weeks)
    ]
    with db.write() as s:
        for n, review_id in enumerate(reviews):
            total = [31, 30, 22, 28, 25, 18, 30, 29, 26, 24, 27, 14][n]  # ORS, falling at the end
            ors = [total // 4] * 3 + [total - 3 * (total // 4)]
            record_measure(s, me, client_id, "ors", ors, review_id=review_id)
            phq9 = [2] * 8 + [1 if n in (1, 4) else 0]  # item 9 above 0 twice, long ago
            record_measure(s, me, client_id, "phq9", phq9, review_id=review_id)
        record_measure(s, me, client_id, "gad7", [1] * 7)  # one score, no review
    with db.write() as s:
        first_alarm = next(r for r in measure_rows(s, client_id) if r.alert_id is not None)
        assert first_alarm.alert_id is not None
        acknowledge_alert(s, me, first_alarm.alert_id)
    with db.write() as s:
        every = measure_rows(s, client_id)
        used = measure_rows(s, client_id, chart_reviews=3)
        assert len(used) < len(every)
        assert set(used) <= set(every)
        assert [r for r in every if r in used] == used  # oldest first, as every score
        assert reliable_changes(s, client_id, used) == reliable_changes(s, client_id, every)
        assert reliable_changes(s, client_id, used) != []
        assert open_alerts(s, me, client_id, used) == open_alerts(s, me, client_id, every)
        assert len(open_alerts(s, me, client_id, used)) == 1  # the unacknowledged one
        for history in (1, 3):
            shown = client_progress(s, me, client_id, history=history, measures=used).measures
            assert shown == client_progress(s, me, client_id, history=history).measures
        assert {code for code, *_ in used} == {"ors", "phq9", "gad7"}


def reliable_changes_now(db: Database, client_id: int) -> list[str]:
    from hwtui.data.services.risk import reliable_changes

    with db.read() as s:
        return reliable_changes(s, client_id)
