"""The review's new goal, finished in the full assignment editor (F5 on the goal step).

The editor hands the goal back to the review instead of saving it: homework is only
created when the review is completed, with everything the editor set.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, Input, Static

from hwtui.screens.assign import AssignmentEditorScreen
from hwtui.screens.review import ReviewScreen
from tests.app_helpers import fill
from tests.test_app_review import Case, case, load, make_app, open_review, settle

__all__ = ["case"]  # the fixture, shared with the review tests


def _text(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def _to_goal_step(pilot: Pilot[Any], screen: ReviewScreen) -> None:
    await pilot.press("d", "n", "o", "pagedown")
    await fill(pilot, "Walked twice")
    await pilot.press("pagedown", "pagedown", "pagedown")
    await settle(pilot)
    assert "step 5 of 6" in str(screen.query_one("#review-title", Static).render())


async def test_the_goal_is_finished_in_the_full_editor_and_created_on_completion(
    case: Case,
) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await _to_goal_step(pilot, screen)
        assert "F5 full editor" in _text(screen, "#goal-more")

        await pilot.press("f5")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, AssignmentEditorScreen)
        # prefilled from the review's goal, and the chain names the missed task
        assert editor.query_one("#title", Input).value == "Smaller step: Go to the gym"
        assert "Go to the gym" in _text(editor, "#editor-chain")
        assert "RV1" in _text(editor, "#editor-title")

        # a past due date is refused on the field; nothing is handed back yet
        await fill(pilot, "2026-11-20", into="#due_date")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        assert "past" in _text(editor, "#due_date-error")

        editor.query_one("#due_date", Input).value = ""
        await fill(pilot, "fri", into="#due_date")
        await fill(pilot, "9", into="#confidence")
        editor.query_one("#decided_together", Checkbox).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen  # back in the review

        goal = screen.draft.goals[0] if screen.draft else None
        assert goal is not None
        assert (goal.due_date, goal.confidence, goal.decided_together) == ("2026-11-27", 9, True)
        assert "due Fri 27 Nov" in _text(screen, "#goal-more")
        assert "checklist 1/4" in _text(screen, "#goal-more")
        assert screen.query_one("#goal-confidence", Input).value == "9"

        # nothing is homework yet: the review is still a draft
        _review, _outcomes, created = load(case.db, case.review_id)
        assert created == []

        await pilot.press("pagedown")
        assert "due: 2026-11-27" in _text(screen, "#summary-text")
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is not screen

    review, _outcomes, created = load(case.db, case.review_id)
    assert review.status == "complete"
    [new] = created
    assert new.parent_id == case.gym
    assert (new.due_date, new.confidence, new.decided_together) == (date(2026, 11, 27), 9, True)


async def test_leaving_the_editor_keeps_the_goal_as_it_was(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await _to_goal_step(pilot, screen)
        await fill(pilot, " at 8", into="#goal-where")
        before = screen.query_one("#goal-where", Input).value

        await pilot.press("f5")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, AssignmentEditorScreen)
        assert editor.query_one("#where", Input).value == before  # typed words carried over
        await fill(pilot, "!!", into="#where")
        await pilot.press("escape")  # asks before discarding
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#goal-where", Input).value == before
        assert screen.draft is not None
        assert screen.draft.goals[0].where == before
