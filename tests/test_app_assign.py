"""Pilot tests for homework: the kind picker, the assignment editor, the detail screen with
its lifecycle (edit, complete, retire, replace with a smaller step), and client values."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from hwtui.data.assignment_form import AssignmentForm
from hwtui.data.catalog import BARRIERS_BY_CODE, CHECKLIST, KINDS_BY_CODE, AssignmentStatus
from hwtui.data.db import Database
from hwtui.data.models import Assignment, AuditEvent
from hwtui.data.services.assignments import get_assignment, retire_assignment
from hwtui.data.services.clients import list_values
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.reviews import complete_review, start_review
from hwtui.screens.assign import AssignmentEditorScreen
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import ClientScreen
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.kind_picker import KindPickerScreen
from hwtui.screens.retire import RetireScreen
from hwtui.screens.values import ValuesScreen, split_values
from hwtui.widgets.task_list import TaskList
from tests.app_helpers import Words, fill, press_and_fill, settle, type_into
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client
from tests.test_app_client import CLINICIAN, homework_text, make_app, open_client, shown_text

HOSTILE = ["[b]x[/b]", "[TODO]", "[@click=app.quit]x[/]", "a\x1b]52;c;aGk=\x07b"]
# What each looks like once stored and shown: controls gone, brackets kept.
SHOWN = {"a\x1b]52;c;aGk=\x07b": "a]52;c;aGk=b"}


@pytest.fixture
def me(sqlite_db: Database) -> Actor:
    with sqlite_db.write() as session:
        return ensure_clinician(session, CLINICIAN)


def rows(db: Database) -> list[Assignment]:
    with db.read() as session:
        return list(session.exec(select(Assignment).order_by(col(Assignment.id))))


def text_of(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_editor(pilot: Pilot[Any]) -> AssignmentEditorScreen:
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AssignmentEditorScreen)
    return screen


async def open_detail(pilot: Pilot[Any], *moves: str) -> AssignmentScreen:
    """From the overview's homework list, move with *moves* and press enter."""
    await pilot.press(*moves, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AssignmentScreen)
    return screen


async def replace_text(pilot: Pilot[Any], selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    await fill(pilot, text, into=selector)


async def retype_text(pilot: Pilot[Any], selector: str, text: str) -> None:
    """As `replace_text`, typing the new text key by key."""
    field = pilot.app.screen.query_one(selector, Input)
    field.value = ""
    await type_into(pilot, selector, text)


async def choose_first_value(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#value_id").focus()
    await pilot.press("enter", "down", "enter")
    await pilot.pause()


def widgets_form(editor: AssignmentEditorScreen) -> AssignmentForm:
    """The form read afresh from every widget: what the editor's model must equal."""

    def line(name: str) -> str:
        return editor.query_one(f"#{name}", Input).value

    value = editor.query_one("#value_id", Select).value
    obstacles = editor.query_one("#obstacles", SelectionList).selected
    return AssignmentForm(
        title=line("title"),
        kind=editor.form.kind,  # shown on a button by its name, not its code
        instructions=editor.query_one("#instructions", TextArea).text,
        rationale=editor.query_one("#rationale", TextArea).text,
        what=line("what"),
        when=line("when"),
        where=line("where"),
        how_often=line("how_often"),
        how_long=line("how_long"),
        due=line("due_date"),
        value_id=value if isinstance(value, int) else None,
        obstacles=sorted(obstacles, key=editor.form.obstacles.index),
        confidence=line("confidence"),
        **{attr: editor.query_one(f"#{attr}", Checkbox).value for attr in CHECKLIST},
    )


def active_keys(app: Any) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values()}


# -- the kind picker ----------------------------------------------------------------------


async def test_a_kind_is_picked_by_typing_a_tag(sqlite_db: Database, me: Actor) -> None:
    add_client(sqlite_db, me, "AB1")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        editor = await open_editor(pilot)
        editor.query_one("#kind").focus()
        await pilot.press("enter")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, KindPickerScreen)
        await pilot.press(*"sfbt")
        kinds = picker.query_one("#kinds", OptionList)
        shown = [kinds.get_option_at_index(i).id for i in range(kinds.option_count)]
        assert shown == ["daily_intention", "sfbt_goals", "scaling", "exceptions", "custom"]
        # The highlighted kind's instructions and rationale question are shown to read out.
        assert KINDS_BY_CODE["daily_intention"].instructions in text_of(app, "#kind-about")
        await pilot.press("down", "down")
        scaling = KINDS_BY_CODE["scaling"]
        assert scaling.rationale_prompt in text_of(app, "#kind-about")
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"zzz")
        assert [kinds.get_option_at_index(i).id for i in range(kinds.option_count)] == ["custom"]
        await pilot.press("backspace", "backspace", "backspace", *"scaling", "enter")
        await settle(pilot)
        assert app.screen is editor
        assert str(editor.query_one("#kind", Button).label) == scaling.name
        assert editor.query_one("#instructions", TextArea).text == scaling.instructions
        assert editor.query_one("#rationale", TextArea).placeholder == (
            f"Ask: {scaling.rationale_prompt}"
        )
        assert editor.query_one("#how_often", Input).placeholder == f"e.g. {scaling.frequency}"
        # Another kind replaces the filled-in instructions, never the clinician's own.
        await pilot.press("f2", *"diary", "enter")
        await settle(pilot)
        diary = KINDS_BY_CODE["mood_diary"]
        assert editor.query_one("#instructions", TextArea).text == diary.instructions
        editor.query_one("#instructions", TextArea).text = "My own words."
        await pilot.press("f2", *"thought", "enter")
        await settle(pilot)
        assert editor.query_one("#instructions", TextArea).text == "My own words."
        await pilot.press("f2", "escape")
        await settle(pilot)
        assert app.screen is editor


# -- the editor ---------------------------------------------------------------------------


async def test_filling_the_editor_and_saving(sqlite_db: Database, me: Actor) -> None:
    client_id = add_client(sqlite_db, me, "AB1", values=["health", "family"])
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        editor = await open_editor(pilot)
        await press_and_fill(
            pilot, Words("Walk and notice trees"), "tab", "enter", Words("mindful"), "enter"
        )
        await settle(pilot)
        await fill(pilot, "Slows the racing thoughts.", into="#rationale")
        await fill(pilot, "walk round the block", into="#what")
        await press_and_fill(pilot, "tab", Words("after lunch"), "tab", Words("the park"))
        await press_and_fill(
            pilot, "tab", Words("3 times"), "tab", Words("10 minutes"), "tab", Words("fri")
        )
        assert text_of(app, "#due-hint") == "→ Fri 27 Nov 2026"
        await choose_first_value(pilot)
        await fill(pilot, "forg", into="#obstacle-search")
        await pilot.press("enter", "space")
        assert BARRIERS_BY_CODE["forgot"].remedy in text_of(app, "#obstacle-remedies")
        await fill(pilot, "9", into="#confidence")
        for box in ("#rationale_given", "#decided_together"):
            editor.query_one(box, Checkbox).focus()
            await pilot.press("space")
        assert text_of(app, "#specific").startswith("✓ Specific")
        # The editor keeps its form as it is typed, not read back from every widget.
        assert editor.form == widgets_form(editor)
        assert editor.form.kind == "mindfulness"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is overview
        assert "Walk and notice trees" in homework_text(app)
    (row,) = rows(sqlite_db)
    with sqlite_db.read() as session:
        health = list_values(session, me, client_id)[0]
    assert (row.client_id, row.title, row.kind, row.status) == (
        client_id,
        "Walk and notice trees",
        "mindfulness",
        "active",
    )
    assert (row.instructions, row.rationale) == (
        KINDS_BY_CODE["mindfulness"].instructions,
        "Slows the racing thoughts.",
    )
    assert (row.what, row.when, row.where) == ("walk round the block", "after lunch", "the park")
    assert (row.how_often, row.how_long, row.due_date) == (
        "3 times",
        "10 minutes",
        date(2026, 11, 27),
    )
    assert (row.value_id, row.confidence, row.obstacles) == (health.id, 9, ["forgot"])
    assert (row.rationale_given, row.decided_together) == (True, True)
    assert (row.started_in_session, row.reminder_set) == (False, False)


async def test_bad_input_is_explained_by_each_field_and_nothing_typed_is_lost(
    sqlite_db: Database, me: Actor
) -> None:
    add_client(sqlite_db, me, "AB1")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        editor = await open_editor(pilot)
        await fill(pilot, "kitchen", into="#where")
        await fill(pilot, "someday", into="#due_date")
        await fill(pilot, "12", into="#confidence")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        assert text_of(app, "#title-error") == "title is required"
        assert text_of(app, "#confidence-error") == "confidence must be between 0 and 10 (got 12)"
        assert text_of(app, "#due_date-error") == (
            "due date is not a date I can read: use YYYY-MM-DD, today, tomorrow or a weekday "
            "(e.g. fri)"
        )
        assert text_of(app, "#form-error") == "Not saved: check title, due, confidence."
        assert app.focused is editor.query_one("#title")  # the first field to fix
        typed = {
            f: editor.query_one(f"#{f}", Input).value for f in ("where", "due_date", "confidence")
        }
        assert typed == {"where": "kitchen", "due_date": "someday", "confidence": "12"}
        # Fixed one by one: a title, a date in the past, then a good date and confidence.
        await fill(pilot, "Breathe")
        await replace_text(pilot, "#due_date", "2026-11-20")
        assert text_of(app, "#due-hint") == "→ Fri 20 Nov 2026 is in the past"
        await replace_text(pilot, "#confidence", "9")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is editor
        assert not editor.query_one("#title-error").display
        assert not editor.query_one("#confidence-error").display
        assert text_of(app, "#due_date-error") == (
            "due date is in the past (Fri 20 Nov 2026): pick today or a later day"
        )
        assert app.focused is editor.query_one("#due_date")
        assert rows(sqlite_db) == []
        await replace_text(pilot, "#due_date", "tomorrow")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
    (row,) = rows(sqlite_db)
    assert (row.title, row.where, row.due_date, row.confidence) == (
        "Breathe",
        "kitchen",
        TODAY + timedelta(days=1),
        9,
    )


async def test_escape_asks_before_discarding_what_was_typed(sqlite_db: Database, me: Actor) -> None:
    add_client(sqlite_db, me, "AB1")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        # Nothing typed: escape just closes.
        await open_editor(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is overview
        editor = await open_editor(pilot)
        await pilot.press(*"Walk")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # keep it
        await settle(pilot)
        assert app.screen is editor
        assert editor.query_one("#title", Input).value == "Walk"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")  # a stray enter discards nothing
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is overview
    assert rows(sqlite_db) == []


async def test_low_confidence_prompts_and_shrinking_keeps_the_bigger_goal(
    sqlite_db: Database, me: Actor
) -> None:
    """The issue's walk-through: a thought record on two evenings at confidence 7, shrunk
    to one evening at 9; the chain shows both."""
    add_client(sqlite_db, me, "AB1", values=["being calmer at home"])
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        editor = await open_editor(pilot)
        await press_and_fill(pilot, Words("Thought record"), "f2", Words("thought"), "enter")
        await settle(pilot)
        await fill(pilot, "write the situation, thoughts and feelings", into="#what")
        await press_and_fill(
            pilot, "tab", Words("Tuesday and Friday evenings"), "tab", Words("at the kitchen table")
        )
        await press_and_fill(pilot, "tab", Words("twice a week"), "tab", Words("10 minutes"))
        await choose_first_value(pilot)
        note = editor.query_one("#confidence-note", Static)
        assert "shrink" not in active_keys(app)
        await fill(pilot, "7", into="#confidence")
        assert note.display
        assert "Could it be smaller? f3" in str(note.render())
        assert "shrink" in active_keys(app)
        await pilot.press("f3")
        await settle(pilot)
        # Half as often and half as long, retitled; the confidence typed stays until it
        # is asked again (nothing typed is cleared).
        values = {
            f: editor.query_one(f"#{f}", Input).value
            for f in ("title", "how_often", "how_long", "confidence")
        }
        assert values == {
            "title": "Smaller step: Thought record",
            "how_often": "once a week",
            "how_long": "5 minutes",
            "confidence": "7",
        }
        assert app.focused is editor.query_one("#confidence")
        assert "ask again how confident they are" in str(note.render())
        assert text_of(app, "#editor-chain") == "Smaller step of: Thought record"
        assert "undo_shrink" in active_keys(app)
        await replace_text(pilot, "#when", "Tuesday evening")
        await replace_text(pilot, "#how_long", "10 minutes")
        await replace_text(pilot, "#confidence", "9")
        assert not note.display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is overview
        homework = homework_text(app)
        assert "Smaller step: Thought record" in homework
        assert "↳ smaller step of: Thought record" in homework
        assert "Earlier homework" in homework
        detail = await open_detail(pilot)
        chain = text_of(app, "#chain")
        assert chain.splitlines() == [
            "Thought record · replaced · confidence 7/10",
            "↳ Smaller step: Thought record · active · confidence 9/10  ◀ this one",
        ]
        assert detail.detail is not None
    original, smaller = rows(sqlite_db)
    assert (original.title, original.status, original.confidence, original.when) == (
        "Thought record",
        "replaced",
        7,
        "Tuesday and Friday evenings",
    )
    assert (original.how_often, original.kind) == ("twice a week", "thought_record")
    assert (smaller.parent_id, smaller.status, smaller.confidence, smaller.when) == (
        original.id,
        "active",
        9,
        "Tuesday evening",
    )
    assert (smaller.how_often, smaller.how_long, smaller.value_id) == (
        "once a week",
        "10 minutes",
        original.value_id,
    )
    assert smaller.value_id is not None


async def test_undoing_a_shrink_brings_the_bigger_version_back(
    sqlite_db: Database, me: Actor
) -> None:
    add_client(sqlite_db, me, "AB1")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        editor = await open_editor(pilot)
        await fill(pilot, "Run")
        await fill(pilot, "daily", into="#how_often")
        await fill(pilot, "30 minutes", into="#how_long")
        await fill(pilot, "6", into="#confidence")
        await pilot.press("f3")
        assert editor.query_one("#how_often", Input).value == "on 3 days a week"
        assert editor.query_one("#how_long", Input).value == "15 minutes"
        await pilot.press("f4")
        await settle(pilot)
        values = {
            f: editor.query_one(f"#{f}", Input).value
            for f in ("title", "how_often", "how_long", "confidence")
        }
        assert values == {
            "title": "Run",
            "how_often": "daily",
            "how_long": "30 minutes",
            "confidence": "6",
        }
        assert not editor.query_one("#editor-chain").display
        await replace_text(pilot, "#confidence", "9")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert [(r.title, r.confidence, r.parent_id) for r in rows(sqlite_db)] == [("Run", 9, None)]


async def test_shrinking_needs_a_bigger_version_that_could_be_saved(
    sqlite_db: Database, me: Actor
) -> None:
    add_client(sqlite_db, me, "AB1")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        editor = await open_editor(pilot)
        await fill(pilot, "20 minutes", into="#how_long")
        await fill(pilot, "5", into="#confidence")
        await pilot.press("f3")
        await settle(pilot)
        assert text_of(app, "#title-error") == "title is required"
        assert editor.query_one("#how_long", Input).value == "20 minutes"
        assert editor.query_one("#confidence", Input).value == "5"
        assert "undo_shrink" not in active_keys(app)


# -- the overview, the detail and the lifecycle ---------------------------------------------


async def test_the_homework_list_opens_a_task_and_shows_earlier_homework(
    sqlite_db: Database, me: Actor
) -> None:
    client_id = add_client(sqlite_db, me, "AB1")
    first = add_assignment(sqlite_db, me, client_id, "Walk", due_date=TODAY)
    second = add_assignment(sqlite_db, me, client_id, "Breathe", what="box breathing")
    old = add_assignment(sqlite_db, me, client_id, "Journal")
    with sqlite_db.write() as session:
        retire_assignment(session, me, old, "moved house")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        listing = overview.query_one("#homework", TaskList)
        assert app.focused is listing
        homework = homework_text(app)
        assert "2 active · 1 earlier" in text_of(app, "#homework-heading")
        assert re.search(r"retired \d\d \w\w\w\b", homework)  # the day it was closed
        assert "why moved house" in homework
        detail = await open_detail(pilot, "down")
        assert detail.assignment_id == second
        assert "box breathing" in shown_text(app, "#fields Static")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is overview
        # Back where we were; down skips the "Earlier homework" heading.
        assert listing.highlighted_assignment == second
        detail = await open_detail(pilot, "down")
        assert detail.assignment_id == old
        assert "retired" in text_of(app, "#assignment-head")
        # Closed homework is history: nothing to change.
        assert not {"edit", "smaller", "complete", "retire"} & active_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        await open_detail(pilot, "up", "up", "up")
        assert app.screen.assignment_id == first  # type: ignore[attr-defined]
    with sqlite_db.read() as session:
        views = session.exec(
            select(AuditEvent.entity_id).where(
                AuditEvent.action == "view", AuditEvent.entity == "assignment"
            )
        ).all()
    assert list(views) == [second, old, first]


async def test_editing_an_assignment_saves_only_what_changed(
    sqlite_db: Database, me: Actor
) -> None:
    client_id = add_client(sqlite_db, me, "AB1", values=["health"])
    overdue = TODAY - timedelta(days=2)
    task = add_assignment(
        sqlite_db, me, client_id, "Walk", how_long="20 minutes", confidence=9, due_date=overdue
    )
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        detail = await open_detail(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, AssignmentEditorScreen)
        assert text_of(app, "#editor-title") == "Edit homework of AB1"
        loaded = {
            f: editor.query_one(f"#{f}", Input).value
            for f in ("title", "how_long", "confidence", "due_date")
        }
        assert loaded == {
            "title": "Walk",
            "how_long": "20 minutes",
            "confidence": "9",
            "due_date": overdue.isoformat(),
        }
        # The overdue date is left as it was: that is not a new date in the past.
        await replace_text(pilot, "#title", "Walk to the shop")
        await replace_text(pilot, "#how_long", "10 minutes")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert "Walk to the shop" in text_of(app, "#assignment-head")
        # Nothing changed: nothing is written.
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
    with sqlite_db.read() as session:
        row = get_assignment(session, me, task)
        updates = session.exec(
            select(AuditEvent.detail).where(
                AuditEvent.action == "update", AuditEvent.entity == "assignment"
            )
        ).all()
    assert (row.title, row.how_long, row.due_date, row.confidence) == (
        "Walk to the shop",
        "10 minutes",
        overdue,
        9,
    )
    assert list(updates) == ["how_long,title"]


async def test_retiring_asks_for_a_reason_and_keeps_it_in_history(
    sqlite_db: Database, me: Actor
) -> None:
    client_id = add_client(sqlite_db, me, "AB1")
    task = add_assignment(sqlite_db, me, client_id, "Journal")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        detail = await open_detail(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RetireScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert text_of(app, "#reason-error") == "reason is required to retire homework"
        await press_and_fill(pilot, Words("no longer relevant after the move"), "ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert re.search(
            r"retired \d\d \w\w\w \d{4}: no longer relevant after the move",
            text_of(app, "#assignment-head"),
        )
        assert "retire" not in active_keys(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is overview
        assert "why no longer relevant after the move" in homework_text(app)
    with sqlite_db.read() as session:
        row = get_assignment(session, me, task)
    assert (row.status, row.status_reason) == ("retired", "no longer relevant after the move")


async def test_marking_completed_asks_first(sqlite_db: Database, me: Actor) -> None:
    client_id = add_client(sqlite_db, me, "AB1")
    task = add_assignment(sqlite_db, me, client_id, "Walk")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        detail = await open_detail(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        with sqlite_db.read() as session:
            assert get_assignment(session, me, task).status == AssignmentStatus.ACTIVE
        await pilot.press("c", "y")
        await settle(pilot)
        assert app.screen is detail
        assert re.search(r"· completed \d\d \w\w\w \d{4}", text_of(app, "#assignment-head"))
    with sqlite_db.read() as session:
        assert get_assignment(session, me, task).status == AssignmentStatus.COMPLETED


async def test_replacing_a_missed_task_with_a_smaller_one(sqlite_db: Database, me: Actor) -> None:
    client_id = add_client(sqlite_db, me, "AB1", values=["health"])
    with sqlite_db.read() as session:
        (health,) = list_values(session, me, client_id)
    gym = add_assignment(
        sqlite_db,
        me,
        client_id,
        "Go to the gym",
        kind="activity_scheduling",
        what="a full workout",
        when="Mon, Wed, Fri",
        how_often="3 times a week",
        how_long="60 minutes",
        value_id=health.id,
        rationale="Energy for the kids.",
    )
    with sqlite_db.write() as session:
        review = start_review(session, me, client_id, TODAY - timedelta(days=7)).id
        assert review is not None
        complete_review(
            session,
            me,
            review,
            win_text="slept better",
            outcomes=[{"assignment_id": gym, "outcome": "not_done", "barriers": ["too_big"]}],
        )
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        detail = await open_detail(pilot)
        assert "Reviewed 18 Nov 2026: not done · in the way: too big or overwhelming" in text_of(
            app, "#history"
        )
        await pilot.press("s")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, AssignmentEditorScreen)
        assert text_of(app, "#editor-chain") == "Smaller step of: Go to the gym"
        prefilled = {
            f: editor.query_one(f"#{f}", Input).value
            for f in ("title", "what", "when", "how_often")
        }
        assert prefilled == {
            "title": "Smaller step: Go to the gym",
            "what": "a full workout",
            "when": "Mon, Wed, Fri",
            "how_often": "3 times a week",
        }
        assert editor.query_one("#rationale", TextArea).text == (
            "Energy for the kids.\n" + BARRIERS_BY_CODE["too_big"].remedy
        )
        assert editor.query_one("#value_id", Select).value == health.id
        assert BARRIERS_BY_CODE["too_big"].remedy in text_of(app, "#obstacle-remedies")
        await replace_text(pilot, "#title", "Drive to the gym")
        await replace_text(pilot, "#what", "drive there and park")
        await replace_text(pilot, "#how_often", "once")
        await replace_text(pilot, "#how_long", "15 minutes")
        await fill(pilot, "sat", into="#due_date")
        await fill(pilot, "9", into="#confidence")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert detail.detail is not None
        assert detail.detail.assignment.title == "Drive to the gym"
        assert text_of(app, "#chain").splitlines() == [
            "Go to the gym · replaced",
            "↳ Drive to the gym · active · confidence 9/10  ◀ this one",
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is overview
        homework = homework_text(app)
        assert "↳ smaller step of: Go to the gym" in homework
        assert re.search(r"replaced \d\d \w\w\w\b", homework)
    original, smaller = rows(sqlite_db)
    assert (original.status, original.status_reason) == ("replaced", "replaced by a smaller goal")
    assert (smaller.parent_id, smaller.title, smaller.obstacles, smaller.due_date) == (
        gym,
        "Drive to the gym",
        ["too_big"],
        date(2026, 11, 28),
    )
    assert (smaller.kind, smaller.value_id, smaller.created_in_review_id) == (
        "activity_scheduling",
        health.id,
        None,
    )


# -- values -------------------------------------------------------------------------------


def test_values_split_on_lines_and_semicolons() -> None:
    assert split_values("family; health\n\n  being a present parent \n;") == [
        "family",
        "health",
        "being a present parent",
    ]
    assert split_values("  \n ; ") == []


async def test_values_are_edited_from_the_overview(sqlite_db: Database, me: Actor) -> None:
    client_id = add_client(sqlite_db, me, "AB1", values=["health", "family"])
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        overview = await open_client(pilot)
        await pilot.press("v")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ValuesScreen)
        area = dialog.query_one("#values", TextArea)
        assert area.text == "health\nfamily"
        await press_and_fill(pilot, "enter", Words("honesty; courage"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is overview
        assert "values health · family · honesty · courage" in text_of(app, "#client-head")
        # Too many values: the message is shown and the words stay.
        await pilot.press("v")
        await settle(pilot)
        area = app.screen.query_one("#values", TextArea)
        area.text = "\n".join(f"value {i}" for i in range(25))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ValuesScreen)
        assert text_of(app, "#values-error") == "values has too many entries (the limit is 20)"
        assert area.text.count("\n") == 24
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is overview
    with sqlite_db.read() as session:
        values = [v.text for v in list_values(session, me, client_id)]
        audited = session.exec(select(AuditEvent).where(AuditEvent.entity == "client_value")).all()
    assert values == ["health", "family", "honesty", "courage"]
    assert len(audited) == 1


# -- untrusted text -----------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_text_is_shown_as_typed_and_does_nothing(
    sqlite_db: Database, me: Actor, hostile: str
) -> None:
    shown = SHOWN.get(hostile, hostile)
    client_id = add_client(sqlite_db, me, "X1", values=[hostile])
    parent = add_assignment(sqlite_db, me, client_id, hostile, where=hostile)
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        detail = await open_detail(pilot)
        assert text_of(app, "#assignment-head").startswith(f"X1  {shown} · active")
        assert shown in shown_text(app, "#fields Static")
        await pilot.click("#assignment-head", offset=(6, 0))
        await pilot.click("#chain", offset=(2, 0))
        assert app.is_running
        await pilot.press("s")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, AssignmentEditorScreen)
        assert text_of(app, "#editor-chain") == f"Smaller step of: {shown}"
        await retype_text(pilot, "#title", hostile)
        await retype_text(pilot, "#what", hostile)
        await choose_first_value(pilot)
        label = editor.query_one("#value_id", Select).query_one("#label")
        assert str(label.render()) == shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail
        assert shown in text_of(app, "#chain")
        await pilot.press("escape")
        await settle(pilot)
        assert f"↳ smaller step of: {shown}" in homework_text(app)
        await pilot.click("#homework", offset=(4, 1))
        await settle(pilot)
        assert app.is_running
    smaller = rows(sqlite_db)[-1]
    assert (smaller.title, smaller.what, smaller.parent_id) == (shown, shown, parent)
