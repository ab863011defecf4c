"""The assignment editor's rules as plain data: prefills, shrinking, and what is sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hwtui.data.assignment_form import AssignmentForm, EditorMode, EditorTarget, smaller_title
from hwtui.data.catalog import BARRIERS_BY_CODE, HOMEWORK_KINDS, kinds_matching
from hwtui.data.errors import InvalidInput
from hwtui.data.models import Assignment
from tests.conftest import TODAY


def thought_record(**fields: object) -> Assignment:
    row = Assignment(
        id=7,
        client_id=1,
        title="Thought record",
        kind="thought_record",
        instructions="Write A, B and C.",
        rationale="Catch the thought.",
        what="a thought record",
        when="Tuesday and Friday evenings",
        where="at the kitchen table",
        how_often="twice a week",
        how_long="10 minutes",
        value_id=3,
        obstacles=["forgot"],
        confidence=7,
        due_date=TODAY - timedelta(days=2),
        rationale_given=True,
        decided_together=True,
    )
    for name, value in fields.items():
        setattr(row, name, value)
    return row


def test_an_assignment_loads_as_typed_text() -> None:
    form = AssignmentForm.from_assignment(thought_record())
    assert (form.title, form.kind, form.due, form.confidence) == (
        "Thought record",
        "thought_record",
        "2026-11-23",
        "7",
    )
    assert (form.value_id, form.obstacles, form.rationale_given, form.reminder_set) == (
        3,
        ["forgot"],
        True,
        False,
    )
    assert AssignmentForm.from_assignment(thought_record(confidence=None)).confidence == ""


def test_a_smaller_step_of_a_missed_task_carries_its_barriers_and_remedies() -> None:
    form = AssignmentForm.smaller_step_of(thought_record(), "not_done", ["no_time", "gremlins"])
    assert form.title == "Smaller step: Thought record"
    assert (form.kind, form.what, form.when, form.how_often) == (
        "thought_record",
        "a thought record",
        "Tuesday and Friday evenings",
        "twice a week",
    )
    assert form.obstacles == ["no_time"]  # unknown codes dropped
    assert form.rationale == "Catch the thought.\n" + BARRIERS_BY_CODE["no_time"].remedy
    # A new agreement: ask the date, the confidence and the checklist again.
    assert (form.due, form.confidence, form.rationale_given, form.decided_together) == (
        "",
        "",
        False,
        False,
    )
    assert form.value_id == 3


def test_a_smaller_step_of_a_task_not_missed_keeps_its_obstacles() -> None:
    for outcome in (None, "done", "no_opportunity"):
        form = AssignmentForm.smaller_step_of(thought_record(), outcome, ["no_time"])
        assert (form.obstacles, form.rationale) == (["forgot"], "Catch the thought.")


def test_smaller_titles_are_prefixed_once_and_kept_within_the_limit() -> None:
    assert smaller_title("Walk") == "Smaller step: Walk"
    assert smaller_title("Smaller step: Walk") == "Smaller step: Walk"
    assert len(smaller_title("w" * 200)) == 200


def test_shrinking_halves_how_often_and_how_long_and_asks_again() -> None:
    form = AssignmentForm.from_assignment(thought_record())
    assert form.needs_shrinking()
    shrunk = form.shrunk()
    assert (shrunk.title, shrunk.how_often, shrunk.how_long, shrunk.confidence) == (
        "Smaller step: Thought record",
        "once a week",
        "5 minutes",
        form.confidence,  # kept until asked again: nothing typed is cleared
    )
    assert (shrunk.when, shrunk.where, shrunk.obstacles) == (form.when, form.where, ["forgot"])
    shrunk.obstacles.append("no_time")
    assert form.obstacles == ["forgot"]  # the bigger version is left as it was


@pytest.mark.parametrize(
    ("typed", "value", "shrink"),
    [("", None, False), ("7", 7, True), (" 8 ", 8, True), ("9", 9, False), ("12", None, False)],
)
def test_confidence_as_typed(typed: str, value: int | None, shrink: bool) -> None:
    form = AssignmentForm(confidence=typed)
    assert (form.confidence_value(), form.needs_shrinking()) == (value, shrink)


def test_missing_specifics_are_named_in_order() -> None:
    form = AssignmentForm(what="walk", where=" ", how_long="5 minutes")
    assert form.missing_specifics() == ["when", "where", "how often"]


def test_service_fields_turn_typing_into_arguments() -> None:
    form = AssignmentForm(
        title="Walk", due="fri", confidence=" 9 ", obstacles=["forgot"], reminder_set=True
    )
    fields = form.service_fields(TODAY)
    assert fields["due_date"] == date(2026, 11, 27)
    assert (fields["title"], fields["confidence"], fields["obstacles"]) == ("Walk", "9", ["forgot"])
    assert fields["reminder_set"] is True
    assert "due" not in fields
    assert AssignmentForm(title="x").service_fields(TODAY)["confidence"] is None


def test_every_bad_field_is_named_at_once() -> None:
    form = AssignmentForm(title=" ", due="someday", confidence="12")
    with pytest.raises(InvalidInput) as excinfo:
        form.service_fields(TODAY)
    assert [(p.field, p.message) for p in excinfo.value.problems] == [
        ("title", "is required"),
        ("confidence", "must be between 0 and 10 (got 12)"),
        (
            "due_date",
            "is not a date I can read: use YYYY-MM-DD, today, tomorrow or a weekday (e.g. fri)",
        ),
    ]


def test_a_past_date_is_refused_unless_told_not_to_check() -> None:
    form = AssignmentForm(title="Walk", due="2026-11-20")
    with pytest.raises(InvalidInput) as excinfo:
        form.service_fields(TODAY)
    assert excinfo.value.for_field("due_date") == (
        "is in the past (Fri 20 Nov 2026): pick today or a later day"
    )
    assert form.service_fields(TODAY, check_past=False)["due_date"] == date(2026, 11, 20)


def test_kinds_match_by_name_or_tag_and_custom_is_always_offered() -> None:
    def codes(needle: str) -> list[str]:
        return [kind.code for kind in kinds_matching(needle)]

    assert codes("") == [kind.code for kind in HOMEWORK_KINDS]
    assert codes("sfbt") == ["daily_intention", "sfbt_goals", "scaling", "exceptions", "custom"]
    assert codes("thought") == ["thought_record", "custom"]
    assert codes("DIARY cbt") == ["mood_diary", "custom"]
    assert codes("astrology") == ["custom"]
    assert all(kind.tags or kind.code == "custom" for kind in HOMEWORK_KINDS)


def test_an_editor_target_names_its_one_subject_by_mode() -> None:
    new = EditorTarget.new(7)
    edit = EditorTarget.edit(7, 40)
    smaller = EditorTarget.smaller(7, 41)
    goal = EditorTarget.goal(7, 42)
    assert [t.mode for t in (new, edit, smaller, goal)] == list(EditorMode)
    assert (edit.assignment_id, edit.replacing, edit.goal_of) == (40, None, None)
    assert (smaller.assignment_id, smaller.replacing, smaller.goal_of) == (None, 41, None)
    assert (goal.assignment_id, goal.replacing, goal.goal_of) == (None, None, 42)
    assert (new.assignment_id, new.replacing, new.goal_of) == (None, None, None)
    # Where typed words are kept: one place per subject, never shared between modes.
    places = {t.place for t in (new, edit, smaller, goal)}
    assert len(places) == 4
    assert EditorTarget.edit(7, 40).place == edit.place
    assert EditorTarget.edit(7, 43).place != edit.place
