"""Due dates typed in session: dates, "today", "tomorrow" and weekdays, and the past."""

from __future__ import annotations

from datetime import date

import pytest

from hwtui.data.due_dates import UNREADABLE, parse_due_date, past_due_problem

# A Wednesday.
WEDNESDAY = date(2026, 11, 25)


def test_words_and_dates_name_a_day() -> None:
    typed = {
        "": None,
        "   ": None,
        "today": WEDNESDAY,
        " Today ": WEDNESDAY,
        "tomorrow": date(2026, 11, 26),
        "2026-12-01": date(2026, 12, 1),
        " 2027-01-31 ": date(2027, 1, 31),
        # Weekdays mean the next such day, never today: "wed" on a Wednesday is a week on.
        "thu": date(2026, 11, 26),
        "fri": date(2026, 11, 27),
        "friday": date(2026, 11, 27),
        "FRIDAY": date(2026, 11, 27),
        "tue": date(2026, 12, 1),
        "tues": date(2026, 12, 1),
        "tuesday": date(2026, 12, 1),
        "wed": date(2026, 12, 2),
        "thurs": date(2026, 11, 26),
        "sat": date(2026, 11, 28),
        "sun": date(2026, 11, 29),
        "mon": date(2026, 11, 30),
    }
    assert {text: parse_due_date(text, WEDNESDAY) for text in typed} == typed


@pytest.mark.parametrize(
    "text",
    ["next week", "2026-02-30", "2026/12/01", "12/01/2026", "t", "tu", "s", "fridays", "[b]x[/b]"],
)
def test_anything_else_is_refused_with_what_to_type(text: str) -> None:
    with pytest.raises(ValueError, match="use YYYY-MM-DD, today, tomorrow or a weekday") as exc:
        parse_due_date(text, WEDNESDAY)
    assert str(exc.value) == UNREADABLE


def test_only_days_before_today_are_in_the_past() -> None:
    assert past_due_problem(None, WEDNESDAY) is None
    assert past_due_problem(WEDNESDAY, WEDNESDAY) is None
    assert past_due_problem(date(2026, 12, 1), WEDNESDAY) is None
    assert past_due_problem(date(2026, 11, 24), WEDNESDAY) == (
        "is in the past (Tue 24 Nov 2026): pick today or a later day"
    )
