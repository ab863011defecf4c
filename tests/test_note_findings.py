"""Issue 22's findings, each on the demo practice the auditor read (`hwtui demo --seed 11`,
dated back from a fixed day): the notes state only what was recorded, document risk as
what was done, measure change, name interventions, and sign with name, credentials,
length and modality. One note of each style is kept as a golden file (C0004 on 06 Nov
2026: item 9 above 0 earlier, a partly done task, a reliable deterioration, after a
risk check and signing). `UPDATE_GOLDEN=1` rewrites it; read the diff before committing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from hwtui.data import demo, migrate
from hwtui.data.db import Database
from hwtui.data.lease import Holder
from hwtui.data.models import Review
from hwtui.data.notes import NoteStyle, render_text
from hwtui.data.practice import Practice
from hwtui.data.practice_views import SignForm
from hwtui.data.review_draft import GoalDraft, ReviewDraft
from hwtui.data.services.clients import find_client
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.notes import latest_review_id, note_for
from hwtui.data.services.risk import record_risk_check

GOLDEN = Path(__file__).parent / "golden"
DAY = date(2026, 12, 4)  # the demo is dated back from here
CLINICIAN = "dr_audit"
C0004_REVIEW = 62  # 06 Nov 2026: the one the closing note shows before and after
CHECK = {
    "asked": "Asked directly about thoughts of suicide or self-harm since last week",
    "ideation": "no",
    "plan": "no",
    "intent": "no",
    "means": "no",
    "level": "low",
    "safety_plan": "reviewed",
    "follow_up": "PHQ-9 again next session",
}


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = Database(tmp_path_factory.mktemp("findings") / "demo.sqlite3")
    migrate.upgrade(db)
    demo.generate(db, clinician=CLINICIAN, seed=11, today=DAY)
    yield db
    db.dispose()


def _me(db: Database) -> Actor:
    with db.write() as s:
        return ensure_clinician(s, CLINICIAN)


def _latest(db: Database, code: str) -> int:
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        return latest_review_id(s, me, find_client(s, me, code).id or 0)


def _note(db: Database, review_id: int, style: str) -> str:
    with db.write() as s:
        text = render_text(note_for(s, ensure_clinician(s, CLINICIAN), review_id, style))
    return " ".join(text.split())  # as read, whatever the wrapping


def test_1_2_risk_is_what_was_recorded_never_an_instruction_or_an_all_clear(
    practice: Database,
) -> None:
    for style in NoteStyle:
        text = _note(practice, _latest(practice, "C0004"), style)
        assert "assess risk" not in text
        assert "document the safety plan" not in text
        assert "No risk indicators" not in text
        assert "Self-harm (PHQ-9 item 9): not screened this session." in text
        assert "PHQ-9 item 9 was above 0 earlier:" in text
        assert "Risk check: not recorded in hwtui." in text


def test_3_birp_intervention_claims_no_goal_that_was_not_set(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0002"), "birp")
    assert "No new goal set (No missed task to build on)." in text
    assert "smaller goal" not in text
    assert "set a new goal" not in text


def test_4_a_partly_done_task_appears_once_as_partly_done(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0005"), "soap")
    assert text.count("Partly done task “Mindful breathing”") == 1
    assert "Completed task “Mindful breathing”" not in text
    assert "Missed task “Mindful breathing”" not in text


def test_5_a_goal_is_smaller_only_when_it_is_a_smaller_step(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0004"), "soap")
    assert (
        "New goal “Screens off fifteen minutes earlier”, supporting “Screens off fifteen "
        "minutes earlier” (not changed from it)"
    ) in text
    assert "New smaller goal “Screens off" not in text
    text = _note(practice, _latest(practice, "C0013"), "soap")
    assert "New goal “Walk to the park and notice the trees”" in text


def test_6_the_plan_says_what_continues_and_invents_nothing(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0003"), "dap")
    assert "Continue current homework" not in text
    assert "No new goal recorded." in text
    assert "Homework continuing: “Intention on Mondays only”" in text
    text = _note(practice, _latest(practice, "C0016"), "dap")
    assert "Homework continuing: “Five minutes of the recording”" in text


def test_7_contradictions_are_shown_before_completing_not_printed(practice: Database) -> None:
    """C0019's goal kept at 7/10 and C0005's skip against what step 1 records are what a
    draft's cautions name (the screen asks once before completing)."""
    draft = ReviewDraft(review_id=0, tasks={})
    draft.goals.append(GoalDraft(parent_id=None, title="Ask my sister", confidence=7))
    assert draft.cautions({})[0].startswith("“Ask my sister”: the client's confidence is 7/10")
    text = _note(practice, _latest(practice, "C0019"), "soap")
    assert "below the 9-10" not in text  # a caution, never part of the note


def test_8_change_is_measured_and_a_deterioration_flagged(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0003"), "dap")
    assert (
        "ORS: 12/40 (clinical range); previous 17 (21 Nov 2026): -5, a reliable deterioration"
        in (text)
    )
    assert "Flagged for follow-up: ORS reliable deterioration." in text


def test_9_interventions_assessment_and_flags_in_the_plan(practice: Database) -> None:
    text = _note(practice, _latest(practice, "C0001"), "dap")
    assert "Interventions: reviewed 4 homework tasks" in text
    assert "Clinician's assessment: not recorded." in text
    assert "SRS: 32/40 (alliance needs attention)" in text
    assert "SRS alliance needs attention (below 36)" in text.split("PLAN", 1)[1]


def _signed_c0004(practice: Database) -> int:
    """C0004's 06 Nov review with its risk check and signature, as a clinician would."""
    me = _me(practice)
    with practice.read() as s:
        review = s.get(Review, C0004_REVIEW)
        assert review is not None
        if review.status == "signed":
            return C0004_REVIEW
    with practice.write() as s:
        record_risk_check(s, me, C0004_REVIEW, CHECK)
    Practice(lambda: practice, me, lambda: DAY, Holder.this_process()).sign_review(
        C0004_REVIEW,
        SignForm(
            assessment="Anxiety up (GAD-7 +6); engaged; screens task half done.",
            minutes=50,
            modality="video",
            name="Dr Dana Audit",
            credentials="PsyD, licensed psychologist",
        ),
    )
    return C0004_REVIEW


def test_10_12_the_signature_and_how_well_tasks_went(practice: Database) -> None:
    review_id = _signed_c0004(practice)
    for style in NoteStyle:
        text = _note(practice, review_id, style)
        assert "Session: 06 Nov 2026, 50 minutes, video" in text
        assert "Signed by Dr Dana Audit, PsyD, licensed psychologist (dr_audit) on" in text
        assert "Partly done task “Screens off fifteen minutes earlier”; done 2 of 3 times" in text
        assert "how well it went: a little well (1/4)" in text
        assert "completed a risk check (safety plan reviewed)" in text.casefold()


@pytest.mark.parametrize("style", list(NoteStyle))
def test_c0004_notes_match_their_golden_files(practice: Database, style: NoteStyle) -> None:
    review_id = _signed_c0004(practice)
    with practice.write() as s:
        text = render_text(note_for(s, ensure_clinician(s, CLINICIAN), review_id, style))
    # The signing time is the clock's: the golden file holds a fixed one.
    lines = [
        "Signed by … (signing time)" if line.startswith("Signed by ") else line
        for line in text.splitlines()
    ]
    actual = "\n".join(lines) + "\n"
    path = GOLDEN / f"findings_C0004_{style.value}.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual)
    assert actual == path.read_text(), f"{path.name} differs from its golden file"


def test_the_demo_reviews_are_where_the_findings_name_them(practice: Database) -> None:
    with practice.read() as s:
        review = s.exec(select(Review).where(Review.id == C0004_REVIEW)).one()
        assert review.session_date == date(2026, 11, 6)
