"""Pilot tests for the guided review: whole walks, skips, two missed tasks, resuming,
and what happens when saving fails. Each ends by checking what reached the database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Checkbox, ContentSwitcher, Input, Select, Static

from hwtui.data.catalog import ReviewStep
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.models import Assignment, Review, TaskOutcome
from hwtui.data.practice import Practice
from hwtui.data.review_steps import JUMP_KEYS, STEPS, number, step_label
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import save_draft, start_review
from hwtui.screens.prompt import PromptScreen
from hwtui.screens.review import ReviewScreen
from tests.app_helpers import Words, app_maker, fill, press_and_fill, settle, type_into
from tests.conftest import TODAY

CLINICIAN = "dr_review"


@dataclass
class Case:
    db: Database
    review_id: int
    walk: int  # "Walk 10 minutes": will be marked done
    gym: int  # "Go to the gym": will be missed
    call: int  # "Call a friend"


@pytest.fixture
def case(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Iterator[Case]:
    db = migrated_sqlite(tmp_path / "review.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = create_client(s, me, code="RV1", display_name="Robin V", values=["health"])
        assert client.id is not None
        ids = [
            create_assignment(
                s,
                me,
                client.id,
                title=title,
                kind=kind,
                when=when,
                where=where,
                how_often=often,
                how_long=long_,
                confidence=9,
            ).id
            for title, kind, when, where, often, long_ in [
                (
                    "Walk 10 minutes",
                    "activity_scheduling",
                    "after lunch",
                    "the park",
                    "3 times a week",
                    "10 minutes",
                ),
                (
                    "Go to the gym",
                    "custom",
                    "Saturday morning",
                    "the gym",
                    "twice a week",
                    "40 minutes",
                ),
                ("Call a friend", "support_conversation", "Sunday", "home", "once", "20 minutes"),
            ]
        ]
        review = start_review(s, me, client.id, TODAY)
    assert review.id is not None
    yield Case(db, review.id, *[i for i in ids if i is not None])
    db.dispose()


make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


async def open_review(pilot: Pilot[Any], review_id: int) -> ReviewScreen:
    await pilot.app.workers.wait_for_complete()
    screen = ReviewScreen(review_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def marked_at(pilot: Pilot[Any], case: Case, step: ReviewStep) -> ReviewScreen:
    """The case's review open, its tasks marked done, not done and no opportunity, and
    shown at *step*."""
    screen = await open_review(pilot, case.review_id)
    await pilot.press("d", "n", "o")
    screen._go(step)
    await pilot.pause()
    return screen


def step_title(screen: ReviewScreen) -> str:
    return str(screen.query_one("#review-title", Static).render())


def load(db: Database, review_id: int) -> tuple[Review, dict[int, TaskOutcome], list[Assignment]]:
    with db.read() as s:
        review = s.get(Review, review_id)
        assert review is not None
        outcomes = {
            o.assignment_id: o
            for o in s.exec(select(TaskOutcome).where(TaskOutcome.review_id == review_id))
        }
        created = list(
            s.exec(
                select(Assignment)
                .where(Assignment.created_in_review_id == review_id)
                .order_by(col(Assignment.id))
            )
        )
    return review, outcomes, created


async def test_a_full_review_through_all_six_steps(case: Case) -> None:
    app = make_app(case.db)
    keys = 0  # keystrokes besides typed text, for the closing note's count

    async def press(*k: str) -> None:
        nonlocal keys
        keys += len(k)
        await pilot.press(*k)

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        assert "step 1 of 6" in step_title(screen)
        # 1. outcomes: one key each, the cursor moves down by itself
        await press("d", "n", "o", "pagedown")
        assert "step 2 of 6" in step_title(screen)
        # 2. the win, in the client's words, and its kind
        await fill(pilot, "I said no to extra work")  # where the focus is
        await press("tab", "down", "enter", "pagedown")
        # 3. what worked: the done task is preselected; tick "thinking", add a note
        await press("space", "tab")
        await fill(pilot, "remembered why it matters")
        assert "step 3 of 6" in step_title(screen)
        await press("pagedown")
        # 4. what got in the way: the missed task is preselected; search and tick a barrier
        await fill(pilot, "sched")
        await press("enter", "space", "pagedown")
        # 5. the new goal is prefilled from the missed task; make it smaller, rate it
        assert "step 5 of 6" in step_title(screen)
        assert screen.query_one("#goal-title", Input).value == "Smaller step: Go to the gym"
        await press("f3")
        await pilot.press("9")  # the confidence field has the focus
        await press("pagedown")
        assert "step 6 of 6" in step_title(screen)
        summary = str(screen.query_one("#summary-text", Static).render())
        assert "I said no to extra work" in summary
        assert "not scheduled" in summary
        await press("c")
        await settle(pilot)
        assert app.screen is not screen  # completed and closed

    review, outcomes, created = load(case.db, case.review_id)
    assert review.status == "complete"
    assert review.win_text == "I said no to extra work"
    assert review.win_kind == "decision"
    assert {k: o.outcome for k, o in outcomes.items()} == {
        case.walk: "done",
        case.gym: "not_done",
        case.call: "no_opportunity",
    }
    assert outcomes[case.walk].factors == ["thinking"]
    assert outcomes[case.walk].factor_notes == {"thinking": "remembered why it matters"}
    assert outcomes[case.walk].discussed
    assert outcomes[case.gym].barriers == ["not_scheduled"]
    assert len(created) == 1
    goal = created[0]
    assert (goal.parent_id, goal.confidence, goal.status) == (case.gym, 9, "active")
    assert (goal.how_often, goal.how_long) == ("once a week", "20 minutes")
    assert goal.when == "Saturday morning"
    with case.db.read() as s:
        gym = s.get(Assignment, case.gym)
        assert gym is not None
        assert gym.status == "replaced"
    assert keys <= 25, keys


async def test_completing_too_soon_says_why_and_keeps_the_review_open(case: Case) -> None:
    """`c` with the new goal's confidence not yet asked: refused, and said so where the
    clinician looks (a newcomer took the silent refusal for a key that did nothing)."""
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("d", "n", "o", "pagedown")
        await fill(pilot, "I said no to extra work")
        await pilot.press("tab", "down", "enter", "pagedown", "pagedown", "pagedown", "pagedown")
        assert "step 6 of 6" in step_title(screen)
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen  # still open, nothing lost
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Not complete yet: ") and "confident" in m for m in said), said
    review, _outcomes, created = load(case.db, case.review_id)
    assert review.status == "draft"
    assert created == []


async def test_steps_that_do_not_apply_are_skipped_with_a_reason(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("d", "d", "d", "pagedown")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await press_and_fill(pilot, Words("client arrived upset"), "enter")
        await pilot.pause()
        assert "step 3 of 6" in step_title(screen)
        await pilot.press("pagedown")
        assert "Every task was done" in str(screen.query_one("#barriers-empty", Static).render())
        await press_and_fill(pilot, "f2", Words("all done"), "enter")
        await pilot.pause()
        await press_and_fill(pilot, "f2", Words("nothing missed"), "enter")
        await pilot.pause()
        assert "step 6 of 6" in step_title(screen)
        summary = str(screen.query_one("#summary-text", Static).render())
        assert "skipped: client arrived upset" in summary
        await pilot.press("c")
        await settle(pilot)

    review, outcomes, created = load(case.db, case.review_id)
    assert review.status == "complete"
    assert review.skipped == {
        "win": "client arrived upset",
        "barriers": "all done",
        "goal": "nothing missed",
    }
    assert review.win_text == ""
    assert all(o.outcome == "done" for o in outcomes.values())
    assert created == []


async def test_two_missed_tasks_each_get_barriers_and_a_smaller_goal(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await press_and_fill(
            pilot, "d", "n", "n", "pagedown", Words("slept better"), "pagedown", "pagedown"
        )
        # first missed task (preselected): too big
        await press_and_fill(pilot, Words("big"), "enter", "space")
        # the second missed task: no support
        task_select = screen.query_one("#missed-task", Select)
        task_select.value = case.call
        await pilot.pause()
        await pilot.press("tab", "tab")  # Select's overlay is not needed from the keyboard
        screen.query_one("#barrier-search", Input).value = "support"
        await pilot.pause()
        screen.query_one("#barrier-search", Input).focus()
        await pilot.press("enter", "space")
        await pilot.press("pagedown")
        # a goal for each
        parent = screen.query_one("#goal-parent", Select)
        for missed in (case.gym, case.call):
            parent.value = missed
            await pilot.pause()
            screen.query_one("#goal-confidence", Input).value = ""
            await fill(pilot, "10", into="#goal-confidence")
        await pilot.press("pagedown", "c")
        await settle(pilot)

    review, outcomes, created = load(case.db, case.review_id)
    assert review.status == "complete"
    assert outcomes[case.gym].barriers == ["too_big"]
    assert outcomes[case.call].barriers == ["no_support"]
    assert sorted(g.parent_id for g in created if g.parent_id) == sorted([case.gym, case.call])
    assert all(g.confidence == 10 for g in created)
    remedies = {g.parent_id: g.rationale for g in created}
    assert "Grade it down" in (remedies[case.gym] or "")
    assert "support person" in (remedies[case.call] or "")


async def test_closing_mid_review_then_resuming_restores_every_field_and_the_step(
    case: Case,
) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, case.review_id)
        await press_and_fill(pilot, "d", "n", "pagedown", Words("I went for a swim"))
        await pilot.press("tab", "enter", "pagedown")
        await press_and_fill(pilot, "space", "tab", Words("planned it"))
        await pilot.press("ctrl+q")  # quitting must keep the draft
        await pilot.pause()

    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        assert "step 3 of 6" in step_title(screen)
        assert screen.draft is not None
        assert screen.draft.win_text == "I went for a swim"
        assert screen.draft.win_kind == "insight"
        walk = screen.draft.tasks[case.walk]
        assert walk.outcome == "done"
        assert walk.factor_notes == {"thinking": "planned it"}
        assert screen.draft.tasks[case.gym].outcome == "not_done"
        assert screen.draft.tasks[case.call].outcome is None
        assert screen.query_one("#note-thinking", Input).value == "planned it"
        await pilot.press("pageup")
        assert screen.query_one("#win_text").text == "I went for a swim"  # type: ignore[attr-defined]


async def test_resuming_starts_on_the_first_unanswered_task_and_after_the_words(
    case: Case,
) -> None:
    """`s`, `d`, leave, resume, `n`: the second task is the one not done; the first stays
    done. And typing in a resumed win goes on after the words already there."""
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot, case.review_id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_review(pilot, case.review_id)
        await pilot.press("n")
        await settle(pilot)
        assert screen.draft is not None
        assert screen.draft.tasks[case.walk].outcome == "done"
        assert screen.draft.tasks[case.gym].outcome == "not_done"
        await press_and_fill(pilot, "pagedown", Words("Went for a swim"))
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_review(pilot, case.review_id)
        assert "step 2 of 6" in step_title(screen)  # where it was left
        await fill(pilot, " twice")  # at the cursor, as typing would
        await settle(pilot)
        assert screen.draft is not None
        assert screen.draft.win_text == "Went for a swim twice"


async def test_a_draft_resumes_on_the_step_it_was_left_on_by_code(case: Case) -> None:
    """Whichever step a draft was saved on, it opens there, numbered from the registry."""
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        for step in STEPS:
            with case.db.write() as s:
                me = ensure_clinician(s, CLINICIAN)
                save_draft(s, me, case.review_id, step=step)
            screen = await open_review(pilot, case.review_id)
            assert screen.draft is not None
            assert screen.draft.step is step
            assert screen.query_one(ContentSwitcher).current == f"step-{step.value}"
            assert f"step {number(step)} of {len(STEPS)}" in step_title(screen)
            await pilot.press("escape")
            await settle(pilot)
            assert load(case.db, case.review_id)[0].step == step.value


async def test_the_summary_number_keys_jump_back_to_their_step_by_code(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        assert screen.draft is not None
        assert JUMP_KEYS == {
            "1": ReviewStep.OUTCOMES,
            "2": ReviewStep.WIN,
            "3": ReviewStep.WORKED,
            "4": ReviewStep.BARRIERS,
            "5": ReviewStep.GOAL,
        }
        for key, step in JUMP_KEYS.items():
            screen._go(ReviewStep.SUMMARY)
            await pilot.pause()
            screen.query_one("#summary-scroll").focus()
            await pilot.press(key)
            await settle(pilot)
            assert screen.draft.step is step
            assert step_title(screen).endswith(step_label(step))
        # Back and Next walk the registry's order and stop at its ends.
        screen._go(ReviewStep.OUTCOMES)
        await pilot.pause()
        assert not screen.check_action("back", ())
        walked = [screen.draft.step]
        while screen.check_action("next", ()):
            screen.action_next()
            await pilot.pause()
            walked.append(screen.draft.step)
        assert tuple(walked) == STEPS
        await settle(pilot)
    assert load(case.db, case.review_id)[0].step == "summary"


async def test_a_note_beside_a_factor_ticks_it_and_reaches_the_summary(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await press_and_fill(pilot, "d", "n", "o", "pagedown", Words("A win"), "pagedown")
        await settle(pilot)
        await fill(pilot, "put it in the diary", into="#note-scheduled")
        await settle(pilot)
        assert screen.draft is not None
        assert screen.draft.tasks[case.walk].factors == ["scheduled"]
        assert screen.query_one("#factor-scheduled", Checkbox).value is True
        await pilot.press("pagedown", "pagedown", "f4", "pagedown")
        await settle(pilot)
        summary = str(screen.query_one("#summary-text", Static).render())
        assert "put it in the diary" in summary


@pytest.mark.parametrize(
    "hostile", ["[b]not bold[/b]", "[TODO]", "[@click=app.quit]x[/]", "[/]", "tail\\"]
)
async def test_markup_typed_into_the_win_is_shown_verbatim_and_does_nothing(
    case: Case, hostile: str
) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("d", "d", "d", "pagedown", *hostile)
        screen.action_next()
        screen._go(ReviewStep.SUMMARY)
        await pilot.pause()
        summary = screen.query_one("#summary-text", Static)
        assert f"“{hostile}”" in str(summary.render())
        await pilot.click("#summary-text", offset=(5, 4))
        await pilot.pause()
        assert app.is_running
    review, _, _ = load(case.db, case.review_id)
    assert review.win_text == hostile


async def test_a_save_failure_is_shown_not_swallowed(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseProblem("database error: disk I/O error")

    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        monkeypatch.setattr(Practice, "save_draft", broken)
        await pilot.press("d", "pagedown")
        await settle(pilot)
        status = screen.query_one("#save-status", Static)
        assert "NOT SAVED" in str(status.render())
        assert any("disk I/O error" in n.message for n in app._notifications)
        # Leaving would lose the words: the screen stays and says why.
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_low_confidence_is_met_gently_with_an_offer_to_shrink(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("n", "n", "n")
        screen._go(ReviewStep.GOAL)
        await pilot.pause()
        await type_into(pilot, "#goal-confidence", "6")
        await pilot.pause()
        note = str(screen.query_one("#goal-confidence-note", Static).render())
        assert "Confidence 6/10" in note
        assert "smaller" in note
        await pilot.press("f3")
        await pilot.pause()
        assert screen.query_one("#goal-how_often", Input).value == "once a week"
        assert screen.query_one("#goal-how_long", Input).value == "5 minutes"
        # Nothing typed is cleared: the confidence stays until it is asked again.
        assert screen.query_one("#goal-confidence", Input).value == "6"
        screen.query_one("#goal-confidence", Input).value = ""
        await type_into(pilot, "#goal-confidence", "12")
        await pilot.pause()
        assert "0 to 10" in str(screen.query_one("#goal-confidence-note", Static).render())
        assert screen.query_one("#goal-confidence", Input).value == "12"  # nothing typed is lost


def test_barrier_groups_say_client_not_patient() -> None:
    """Issue 17: the app says "client" everywhere; the stored group value is unchanged."""
    from hwtui.data.catalog import BARRIERS, BarrierGroup

    assert BarrierGroup.PATIENT.value == "patient"
    assert {b.group.label for b in BARRIERS} == {"task", "client", "environment", "therapist"}
