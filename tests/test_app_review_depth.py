"""Pilot tests for what a review records beyond outcomes (issues 17 and 22): how well a
task went, the limiting belief, the risk check and what it holds back, the questions to
ask on each step, deteriorations before new homework, and cautions asked once."""

# ruff: noqa: F811  (`case` is the review tests' fixture, imported to be used as one)

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.cells import cell_len
from textual.widgets import Input, Static

from hwtui.data.catalog import ReviewStep
from hwtui.data.review_steps import STEPS, questions
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.review import ReviewScreen
from hwtui.screens.risk_check import RiskCheckScreen
from tests.app_helpers import fill, settle
from tests.conftest import TODAY
from tests.test_app_review import (  # noqa: F401
    CLINICIAN,
    Case,
    case,
    load,
    make_app,
    marked_at,
    open_review,
)

HOSTILE = "[@click=app.quit]x[/] \x1b]52;c;aGk=\x07 I always fail"


def _text(screen: ReviewScreen | RiskCheckScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _measure(case: Case, instrument: str, items: list[int], days_ago: int) -> None:
    with case.db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        taken = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)
        client_id = load(case.db, case.review_id)[0].client_id
        record_measure(s, me, client_id, instrument, items, taken_at=taken)


def test_every_step_has_questions_that_fit_80_columns() -> None:
    for step in STEPS:
        line = questions(step)
        assert line.startswith("Ask: ")
        assert cell_len(line) <= 78, step  # inside the screen's padding at 80 columns


async def test_how_it_went_and_the_belief_reach_the_record(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.WORKED)
        assert "What made it possible this time?" in _text(screen, "#review-ask")
        for field, keys in (("times-done", "3"), ("times-planned", "3"), ("quality", "3")):
            screen.query_one(f"#worked-how-{field}", Input).focus()
            await pilot.press(*keys)
        screen.query_one("#worked-how-difficulty", Input).focus()
        await pilot.press("9")  # above the scale: kept at its top
        assert screen.query_one("#worked-how-difficulty", Input).value == "4"
        screen._go(ReviewStep.BARRIERS)
        await pilot.pause()
        # A task not done has no "how well" to give.
        assert not screen.query_one("#missed-how-quality", Input).display
        assert not screen.query_one("#belief", Input).display
        await fill(pilot, "belief", into="#barrier-search")
        await pilot.press("tab", "space")
        await settle(pilot)
        belief = screen.query_one("#belief", Input)
        assert belief.display  # shown once a limiting belief is ticked
        await fill(pilot, HOSTILE, into="#belief")
        screen._go(ReviewStep.SUMMARY)
        await settle(pilot)
        summary = " ".join(_text(screen, "#summary-text").split())  # as read, unwrapped
        assert "how it went: 3 of 3 times · how well: very well (3/4)" in summary
        assert "how hard: very hard (4/4)" in summary
        assert "the belief: “[@click=app.quit]x[/]" in summary
        assert "\x1b" not in summary
        assert app.is_running  # the markup-like text stayed text
        await pilot.press("ctrl+s")
        await settle(pilot)
    _, outcomes, _ = load(case.db, case.review_id)
    walk, gym = outcomes[case.walk], outcomes[case.gym]
    assert (walk.times_done, walk.times_planned, walk.quality, walk.difficulty) == (3, 3, 3, 4)
    assert gym.barriers == ["limiting_belief"]
    assert gym.belief.startswith("[@click=app.quit]x[/]")
    assert "\x1b" not in gym.belief
    assert "\x07" not in gym.belief


async def test_item_9_calls_for_a_risk_check_taken_with_one_key_per_answer(case: Case) -> None:
    _measure(case, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], days_ago=0)
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        assert "risk check needed to sign (F8)" in _text(screen, "#review-risk")
        await pilot.press("f8")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RiskCheckScreen)
        assert "PHQ-9 item 9 above 0" in str(dialog.query_one(".hint", Static).render())
        await fill(pilot, "Asked directly about thoughts of suicide", into="#risk-asked")
        await pilot.press("enter", "y", "n", "n", "d", "l", "r")  # each answer moves on
        assert app.focused is dialog.query_one("#risk-follow_up", Input)
        assert "Still to record: the follow-up." in _text(dialog, "#risk-missing")
        await fill(pilot, "Phone check-in Thursday")
        assert _text(dialog, "#risk-missing") == "Complete ✓"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert not screen.query_one("#review-risk", Static).display
        await pilot.press("ctrl+s")
        await settle(pilot)
    review, _, _ = load(case.db, case.review_id)
    assert review.risk == {
        "asked": "Asked directly about thoughts of suicide",
        "ideation": "yes",
        "plan": "no",
        "intent": "no",
        "means": "declined",
        "level": "low",
        "safety_plan": "reviewed",
        "follow_up": "Phone check-in Thursday",
    }


async def test_completing_with_low_confidence_asks_once(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.WIN)
        await fill(pilot, "Slept better", into="#win_text")
        screen._go(ReviewStep.GOAL)
        await pilot.pause()
        await fill(pilot, "7", into="#goal-confidence")
        assert "(70% sure)" in _text(screen, "#goal-confidence-note")
        screen._go(ReviewStep.SUMMARY)
        await settle(pilot)
        assert "7/10 (below the 90-100% to aim for)" in _text(screen, "#summary-text")
        await pilot.press("c")
        await settle(pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen)
        assert "confidence is 7/10, below the 9-10" in str(asked.detail)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("c")  # asked once: now it completes
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen)
    review, _, created = load(case.db, case.review_id)
    assert review.status == "complete"
    assert [a.confidence for a in created] == [7]


async def test_a_skip_reason_against_what_step_1_marks_is_shown_before_completing(
    case: Case,
) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot, case.review_id)
        await pilot.press("d", "n", "o")
        assert screen.draft is not None
        screen.draft.win_text = "Slept better"
        screen.draft.skipped["worked"] = "Nothing was done this week"
        screen.draft.skipped["goal"] = "Next time"
        screen._go(ReviewStep.SUMMARY)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        asked = app.screen
        assert isinstance(asked, ConfirmScreen)
        detail = str(asked.detail)
        assert "Step 3 is skipped (“Nothing was done this week”)" in detail
        assert "“Walk 10 minutes” (done)" in detail
        await pilot.press("y")
        await settle(pilot)
    assert load(case.db, case.review_id)[0].status == "complete"


async def test_a_reliable_deterioration_is_named_before_new_homework(case: Case) -> None:
    _measure(case, "ors", [5, 5, 4, 3], days_ago=14)
    _measure(case, "ors", [3, 3, 3, 3], days_ago=0)
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        worse = _text(screen, "#goal-worse")
        assert worse.startswith("Before new homework, talk about: ORS 12/40: previous 17")
        assert screen.query_one("#goal-worse").display


async def test_summary_lines_hang_under_their_start_at_80_columns(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await marked_at(pilot, case, ReviewStep.GOAL)
        words = "drive to the gym car park and sit in the car for five minutes " * 2
        await fill(pilot, words.strip(), into="#goal-what")
        screen._go(ReviewStep.SUMMARY)
        await settle(pilot)
        lines = _text(screen, "#summary-text").splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("    what: drive"))
        # The wrapped part hangs under the text, not back at the left edge.
        hanging = len("    what: ")
        assert lines[at + 1][:hanging] == " " * hanging
        assert lines[at + 1][hanging] != " "
        width = screen.query_one("#summary-text").content_size.width
        assert all(cell_len(line) <= width for line in lines)
