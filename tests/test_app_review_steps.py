"""Pilot tests for issue 17's review steps: what a newcomer meets on each step at 80x24
(the barrier list's highlight, the goal's layout and due date, moving between factors,
text that is neither clipped nor contradictory)."""

# ruff: noqa: F811  (`case` is the review tests' fixture, imported to be used as one)

from __future__ import annotations

from datetime import timedelta

from textual import events
from textual.widgets import DataTable, Input, SelectionList, Static

from hwtui.data.catalog import FACTORS, ReviewStep
from hwtui.data.models import Assignment
from tests.app_helpers import fill, settle
from tests.conftest import TODAY
from tests.test_app_review import (  # noqa: F401
    Case,
    case,
    load,
    make_app,
    marked_at,
    open_review,
)


async def test_after_a_search_tab_then_space_ticks_the_first_match(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.BARRIERS)
        await fill(pilot, "belief")
        await pilot.press("tab")
        listing = screen.query_one("#barrier-list", SelectionList)
        assert app.focused is listing
        assert listing.highlighted is not None
        await pilot.press("space")
        await settle(pilot)
        assert screen.draft is not None
        assert screen.draft.tasks[case.gym].barriers == ["limiting_belief"]
        assert listing.selected == ["limiting_belief"]
        # Searching again highlights the first new match.
        screen.query_one("#barrier-search", Input).focus()
        await pilot.pause()
        screen.query_one("#barrier-search", Input).value = "forgot"
        await pilot.pause()
        await pilot.press("tab", "space")
        await settle(pilot)
        assert screen.draft.tasks[case.gym].barriers == ["limiting_belief", "forgot"]


async def test_down_from_the_barrier_search_enters_the_matches(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.BARRIERS)
        await fill(pilot, "forgot")
        await pilot.press("down")
        listing = screen.query_one("#barrier-list", SelectionList)
        assert app.focused is listing
        assert listing.highlighted is not None
        assert listing.get_option_at_index(listing.highlighted).value == "forgot"
        await pilot.press("space")
        await settle(pilot)
        assert screen.draft is not None
        assert screen.draft.tasks[case.gym].barriers == ["forgot"]


async def test_the_goal_comes_first_then_its_due_day_then_the_confidence(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        title = screen.query_one("#goal-title", Input)
        confidence = screen.query_one("#goal-confidence", Input)
        due = screen.query_one("#goal-due", Input)
        assert app.focused is title
        assert title.region.y < due.region.y < confidence.region.y  # on screen at 80x24
        assert confidence.region.bottom <= 24
        # The next session, by the client's interval (7 days), shown and editable.
        assert due.value == (TODAY + timedelta(days=7)).isoformat()
        title.value = "Smaller step: drive to the gym"
        await pilot.pause()
        await pilot.press("enter")  # done with the goal: on to the confidence
        assert app.focused is confidence
        due.value = "tomorrow"
        await pilot.pause()
        await fill(pilot, "9", into="#goal-confidence")
        assert screen.draft is not None
        screen.draft.win_text = "slept better"
        await settle(pilot)
        screen._go(ReviewStep.SUMMARY)
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
    _, _, created = load(case.db, case.review_id)
    assert [(g.title, g.due_date) for g in created] == [
        ("Smaller step: drive to the gym", TODAY + timedelta(days=1))
    ]


async def test_the_clinicians_own_goal_title_is_not_typed_over_on_return(case: Case) -> None:
    """The suggested title is selected to be typed over; a title in the clinician's own
    words is not: back on the goal from the summary, a stray key adds to it."""
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        title = screen.query_one("#goal-title", Input)
        assert title.value == "Smaller step: Go to the gym"
        assert title.selection.start == 0  # the suggestion: the first key replaces it all
        assert title.selection.end == len(title.value)
        await pilot.press(*"walk")
        assert title.value == "walk"
        assert screen.draft is not None
        screen.draft.win_text = "slept better"
        await settle(pilot)
        screen._go(ReviewStep.SUMMARY)
        await pilot.pause()
        await pilot.press("5")  # the goal's section: back to the goal step
        await pilot.pause()
        assert app.focused is title
        await pilot.press("s")
        assert title.value == "walks"
        assert screen.draft.goals[0].title == "walks"


async def test_a_due_day_that_cannot_be_read_is_named_and_the_last_good_one_kept(
    case: Case,
) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        screen.query_one("#goal-due", Input).value = "someday"
        await pilot.pause()
        note = str(screen.query_one("#goal-confidence-note", Static).render())
        assert "is not a date I can read" in note
        assert screen.query_one("#goal-due", Input).value == "someday"
        assert screen.draft is not None
        assert screen.draft.goals[0].due_date == (TODAY + timedelta(days=7)).isoformat()


async def test_up_and_down_move_between_factors_also_from_a_note(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.WORKED)
        codes = [f.code for f in FACTORS]
        assert app.focused is screen.query_one(f"#factor-{codes[0]}")
        await pilot.press("down")
        assert app.focused is screen.query_one(f"#factor-{codes[1]}")
        await pilot.press("tab")  # into the note beside it
        await fill(pilot, "felt calm")
        await pilot.press("down", "down")
        assert app.focused is screen.query_one(f"#note-{codes[3]}")
        await pilot.press("up")
        assert app.focused is screen.query_one(f"#note-{codes[2]}")
        for _ in codes[2:]:
            await pilot.press("down")
        assert app.focused is screen.query_one("#double_down")
        await pilot.press("up")
        assert app.focused is screen.query_one(f"#note-{codes[-1]}")
        assert screen.draft is not None
        assert screen.draft.tasks[case.walk].factor_notes == {codes[1]: "felt calm"}


async def test_a_long_title_is_shortened_at_a_word_and_the_outcome_shows_whole(
    case: Case,
) -> None:
    with case.db.write() as s:
        walk = s.get(Assignment, case.walk)
        assert walk is not None
        walk.title = "Walk for ten minutes after lunch along the river and notice the trees"
        walk.when = "every day after lunch, at the park"
        s.add(walk)
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("o", "o", "o")
        await pilot.pause()
        table = screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        row = [str(cell) for cell in table.get_row(str(case.walk))]
        assert row[2] == "· no opportunity"
        assert row[0].endswith("…")
        assert row[0].removesuffix("…").split()[-1] in walk.title.split()  # a whole word


async def test_with_nothing_marked_steps_3_4_and_5_agree(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        texts = []
        for step, selector in (
            (ReviewStep.WORKED, "#worked-empty"),
            (ReviewStep.BARRIERS, "#barriers-empty"),
            (ReviewStep.GOAL, "#goal-empty"),
        ):
            screen._go(step)
            await pilot.pause()
            texts.append(str(screen.query_one(selector, Static).render()))
        assert all("3 of 3 have no outcome (step 1)" in t for t in texts), texts
        assert not any("Every task was done" in t for t in texts)


async def test_keys_in_one_burst_wait_for_what_enter_in_the_goal_does(case: Case) -> None:
    """Over SSH Enter and the next key arrive together. Enter in the goal's title posts
    `Submitted`, whose handler moves focus to the confidence; the "9" after it must wait
    for that, not land in the title (the whole-review burst test found this on a pty)."""
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        title = screen.query_one("#goal-title", Input)
        assert app.focused is title
        before = title.value
        # As the driver delivers a packet: every key queued on the app at once.
        for key, character in (("enter", "\r"), ("9", "9")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert title.value == before
        assert screen.query_one("#goal-confidence", Input).value == "9"
