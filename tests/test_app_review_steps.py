"""Pilot tests for issue 17's review steps: what a newcomer meets on each step at 80x24
(the barrier list's highlight, the goal's layout and due date, moving between factors,
text that is neither clipped nor contradictory)."""

# ruff: noqa: F811  (`case` is the review tests' fixture, imported to be used as one)

from __future__ import annotations

from textual.widgets import Input, SelectionList

from hwtui.data.catalog import ReviewStep
from tests.app_helpers import fill, settle
from tests.test_app_review import (  # noqa: F401
    Case,
    case,
    load,
    make_app,
    open_review,
)


async def test_after_a_search_tab_then_space_ticks_the_first_match(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("d", "n", "o")
        screen._go(ReviewStep.BARRIERS)
        await pilot.pause()
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
