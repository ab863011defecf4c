"""Progress notes: golden files for each format from one fixed review, and the service
that gathers a review from the database into a note.

To accept a deliberate change in wording: UPDATE_GOLDEN=1 pytest tests/test_notes.py,
then read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.notes import (
    GoalLine,
    MeasureLine,
    NoteSource,
    NoteStyle,
    SelfHarm,
    TaskLine,
    build_note,
    render_markdown,
    render_text,
    to_dict,
)
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.notes import latest_review_id, note_source, note_style, set_note_style
from hwtui.data.services.reviews import amend_review, sign_review, start_review
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review

GOLDEN = Path(__file__).parent / "golden"

SOURCE = NoteSource(
    client_code="JD-07",
    client_name="Jo D",
    session_date=date(2026, 11, 25),
    clinician="Dr Test",
    status="signed",
    signed_at=datetime(2026, 11, 25, 15, 30, tzinfo=UTC),
    signed_by="dr_test",
    signed_as="Dr Test",
    signed_credentials="PhD, licensed psychologist",
    session_minutes=50,
    modality="video",
    assessment="Engaged and hopeful; avoidance of the gym is the pattern to work on.",
    win_text="I told my boss [b]no[/b] and\x1b]52;c;aGk=\x07 meant it.",
    win_kind="decision",
    tasks=(
        TaskLine(
            "Walk after lunch",
            "done",
            discussed=True,
            factors=("scheduled: phone alarm at 12:55", "told others"),
            double_down="keep the alarm",
            quality="very well (3/4)",
            difficulty="easy (1/4)",
            times="5 of 5 times",
        ),
        TaskLine(
            "Gym on Saturday",
            "not done",
            discussed=True,
            barriers=("too big or overwhelming", "not scheduled", "limiting belief"),
            barrier_notes="Felt like too much.",
            learned="Start with the car park.",
            belief="People like me [don't] belong at a gym.",
            times="0 of 1 times",
        ),
        TaskLine("Text a friend", "no opportunity"),
        TaskLine(
            "Breathing practice",
            "partly done",
            discussed=True,
            factors=("thinking",),
            barriers=("forgot",),
        ),
    ),
    goals=(
        GoalLine(
            "Drive to the gym and sit in the car",
            supports="Gym on Saturday",
            smaller=True,
            kind="Graded exposure",
            obstacles=("not scheduled",),
            rationale_given=True,
            decided_together=True,
            what="Drive there, stay five minutes",
            when="Saturday 9am",
            where="gym car park",
            how_often="once",
            how_long="5 minutes",
            value="health",
            confidence=9,
        ),
    ),
    measures=(
        MeasureLine(
            "ORS",
            18,
            40,
            "clinical range",
            change="previous 24 (18 Nov 2026): -6, a reliable deterioration; "
            "first 20 (07 Oct 2026): -2",
            flag="reliable deterioration",
        ),
        MeasureLine("PHQ-9", 11, 27, "moderate"),
    ),
    self_harm=SelfHarm(
        score=1,
        acknowledged_at=datetime(2026, 11, 25, 14, 5, tzinfo=UTC),
        acknowledged_by="dr_test",
        earlier_positive=((date(2026, 11, 11), 2),),
    ),
    risk_check=(
        ("asked", "“Have you had thoughts of ending your life this week?”"),
        ("thoughts of suicide or self-harm", "yes"),
        ("a plan", "no"),
        ("intent to act", "no"),
        ("access to means", "declined"),
        ("clinician's risk level", "low"),
        ("safety plan", "reviewed"),
        ("follow-up", "PHQ-9 again next session; crisis line card given"),
    ),
    risk_due=True,
    continuing=("Walk after lunch",),
    completion="50% of 2 scored task(s)",
    rolling="62%",
    recurring_barriers=(("not scheduled", 3),),
    reviews_considered=4,
    next_review=date(2026, 12, 2),
)


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} differs from its golden file"


@pytest.mark.parametrize("style", list(NoteStyle))
def test_note_formats_match_their_golden_files(style: NoteStyle) -> None:
    note = build_note(SOURCE, style)
    _golden(f"note_{style.value}.txt", render_text(note))
    _golden(f"note_{style.value}.md", render_markdown(note))
    _golden(
        f"note_{style.value}.json", json.dumps(to_dict(note), indent=2, ensure_ascii=False) + "\n"
    )


def test_every_part_of_the_review_is_in_the_dap_note() -> None:
    text = render_text(build_note(SOURCE), width=10_000)
    for part in [
        "I told my boss [b]no[/b] and]52;c;aGk= meant it.",  # verbatim, controls gone
        "Walk after lunch",
        "phone alarm at 12:55",
        "keep the alarm",
        "too big or overwhelming",
        "Felt like too much",
        "Start with the car park",
        "ORS: 18/40 (clinical range); previous 24 (18 Nov 2026): -6, a reliable deterioration",
        "PHQ-9 item 9 (thoughts of self-harm) scored 1 this session; the alert was "
        "acknowledged by dr_test on 25 Nov 2026 14:05 UTC.",
        "PHQ-9 item 9 was above 0 earlier: 11 Nov 2026 (2).",
        "Flagged for follow-up: ORS reliable deterioration.",
        "Homework continuing: “Walk after lunch”.",
        "Interventions: reviewed 4 homework tasks; elicited a win",
        "set a smaller goal (Graded exposure) with obstacles planned for: not scheduled; "
        "agreed together, rationale given; administered ORS, PHQ-9; completed a risk check "
        "(safety plan reviewed).",
        "Drive to the gym and sit in the car",
        "when: Saturday 9am",
        "where: gym car park",
        "how often: once",
        "how long: 5 minutes",
        "confidence 9/10",
        "Next review: 02 Dec 2026",
        "not scheduled (3 of 4)",
    ]:
        assert part in text, part
    assert "\x1b" not in text
    assert "\x07" not in text


def test_json_has_the_sections_as_fields() -> None:
    data = to_dict(build_note(SOURCE, "soap"))
    assert list(data["sections"]) == ["subjective", "objective", "assessment", "plan"]
    assert data["homework"]["win"]["kind"] == "decision"
    assert data["homework"]["next_review"] == "2026-12-02"


def _practice(db: Database, me: Actor) -> tuple[int, int]:
    client_id = add_client(db, me, code="N1", values=["health"])
    walk = add_assignment(db, me, client_id, "Walk", when="after lunch")
    gym = add_assignment(db, me, client_id, "Gym", when="Saturday")
    review_id = add_completed_review(
        db,
        me,
        client_id,
        TODAY,
        {walk: "done", gym: "not_done"},
        win_text="Slept through",
        goals=[
            {
                "title": "Drive to the gym",
                "parent_id": gym,
                "confidence": 9,
                "how_long": "5 minutes",
            }
        ],
    )
    with db.write() as s:
        record_measure(s, me, client_id, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], review_id=review_id)
    return client_id, review_id


def test_note_source_gathers_the_review(db: Database, me: Actor) -> None:
    client_id, review_id = _practice(db, me)
    with db.write() as s:
        assert latest_review_id(s, me, client_id) == review_id
        src = note_source(s, me, review_id)
    assert src.win_text == "Slept through"
    assert [(t.title, t.outcome) for t in src.tasks] == [("Walk", "done"), ("Gym", "not done")]
    assert src.goals[0].supports == "Gym"
    assert src.goals[0].confidence == 9
    assert src.self_harm.score == 2
    assert src.self_harm.acknowledged_at is None
    assert src.goals[0].smaller  # "Drive to the gym" is not "Gym" again
    assert src.continuing == ("Walk",)
    assert src.completion == "50% of 2 scored task(s)"
    assert src.next_review == date(2026, 12, 2)


def test_a_draft_has_no_note_and_a_client_without_reviews_has_no_latest(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me, code="N2")
    with db.write() as s:
        with pytest.raises(NotFound):
            latest_review_id(s, me, client_id)
        draft = start_review(s, me, client_id, TODAY)
        assert draft.id is not None
        with pytest.raises(InvalidInput, match="draft"):
            note_source(s, me, draft.id)


def test_note_style_is_a_per_clinician_setting(db: Database, me: Actor, other: Actor) -> None:
    with db.write() as s:
        assert note_style(s, me) == NoteStyle.DAP
        set_note_style(s, me, "birp")
        assert note_style(s, me) == NoteStyle.BIRP
        assert note_style(s, other) == NoteStyle.DAP
        with pytest.raises(InvalidInput):
            set_note_style(s, me, "narrative")


def test_the_note_of_an_amended_review_is_the_latest_version(db: Database, me: Actor) -> None:
    client_id, review_id = _practice(db, me)
    with db.write() as s:
        sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")
        amendment = amend_review(s, me, review_id, "spelling of the win")
        assert amendment.id is not None
        from hwtui.data.services.reviews import complete_review

        complete_review(s, me, amendment.id, win_text="Slept through the night")
        assert latest_review_id(s, me, client_id) == amendment.id
        src = note_source(s, me, amendment.id)
    assert src.version == 2
    assert src.amend_reason == "spelling of the win"
    assert src.win_text == "Slept through the night"
    assert [g.title for g in src.goals] == ["Drive to the gym"]  # goals are not duplicated


# -- issue 22: nothing a clinician did not record --------------------------------------


def _text(src: NoteSource, style: str = "dap") -> str:
    return render_text(build_note(src, style), width=10_000)


def _fields(src: NoteSource, **changes: Any) -> NoteSource:
    return replace(src, **changes)


@pytest.mark.parametrize("style", list(NoteStyle))
def test_a_partly_done_task_appears_once_as_partly_done(style: NoteStyle) -> None:
    text = _text(SOURCE, style)
    assert text.count("“Breathing practice”") == 1
    assert "Partly done task “Breathing practice”" in text
    assert "Completed task “Breathing practice”" not in text
    assert "Missed task “Breathing practice”" not in text


@pytest.mark.parametrize("style", list(NoteStyle))
def test_no_instruction_and_no_all_clear_is_ever_written_about_risk(style: NoteStyle) -> None:
    unscreened = _fields(SOURCE, self_harm=SelfHarm())
    for src in (SOURCE, unscreened):
        text = _text(src, style).casefold()
        for invented in ("assess risk", "document the safety plan", "no risk"):
            assert invented not in text
    assert "not screened this session" in _text(unscreened, style)


def test_a_goal_that_repeats_its_task_is_not_called_smaller() -> None:
    same = GoalLine("Gym on Saturday", supports="Gym on Saturday", smaller=False)
    text = _text(_fields(SOURCE, goals=(same,)))
    assert "New smaller goal" not in text
    assert "New goal “Gym on Saturday”, supporting “Gym on Saturday” (not changed from it)" in text
    assert "set a new goal" in text


@pytest.mark.parametrize("style", list(NoteStyle))
def test_without_a_goal_the_plan_says_so_and_names_what_continues(style: NoteStyle) -> None:
    src = _fields(SOURCE, goals=(), continuing=("Walk after lunch", "Text a friend"))
    text = _text(src, style)
    assert "Continue current homework" not in text
    assert "No new goal recorded." in text
    assert "Homework continuing: “Walk after lunch”, “Text a friend”." in text
    # BIRP's intervention is what happened, not a fixed paragraph.
    assert "smaller goal" not in text
    assert "agreed" not in text


def test_birp_intervention_is_built_from_the_record() -> None:
    note = build_note(SOURCE, "birp")
    intervention = dict(note.sections)["Intervention"]
    assert intervention == (
        "Reviewed 4 homework tasks; elicited a win in the client's words; explored what "
        "helped; explored barriers; set a smaller goal (Graded exposure) with obstacles "
        "planned for: not scheduled; agreed together, rationale given; administered ORS, "
        "PHQ-9; completed a risk check (safety plan reviewed).",
    )
    bare = build_note(
        _fields(SOURCE, tasks=(), goals=(), measures=(), win_text="", risk_check=()), "birp"
    )
    assert dict(bare.sections)["Intervention"] == ("None recorded.",)


def test_change_is_measured_in_the_note_from_the_clients_earlier_scores(
    db: Database, me: Actor
) -> None:
    client_id, review_id = _practice(db, me)
    with db.write() as s:
        for items in ([5, 5, 4, 4], [4, 4, 4, 5]):  # 18, then 17: earlier ORS scores
            record_measure(s, me, client_id, "ors", items)
        record_measure(s, me, client_id, "ors", [3, 3, 3, 3], review_id=review_id)  # 12
        src = note_source(s, me, review_id)
    ors = next(m for m in src.measures if m.name == "ORS")
    assert "previous 17" in ors.change
    assert "-5, a reliable deterioration" in ors.change
    assert "first 18" in ors.change
    assert ors.flag == "reliable deterioration"
    assert "Flagged for follow-up: ORS reliable deterioration." in _text(src)
