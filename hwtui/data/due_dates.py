"""Due dates as a clinician types them in session: a date, "today", "tomorrow" or a weekday.

A weekday means the next such day after today ("fri" typed on a Friday is a week away),
because homework set today for "Friday" is never due the same afternoon.
"""

from __future__ import annotations

from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Three letters are enough for every weekday to be unambiguous ("tue", "thu", "sat", "sun").
SHORTEST_WEEKDAY = 3
UNREADABLE = "is not a date I can read: use YYYY-MM-DD, today, tomorrow or a weekday (e.g. fri)"


def parse_due_date(text: str, today: date) -> date | None:
    """The date *text* names, counting from *today*; None when nothing was typed.

    Raises ValueError (with a message that follows the field's name) for anything else.
    """
    word = " ".join(text.split()).casefold()
    if not word:
        return None
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    weekday = _weekday(word)
    if weekday is not None:
        ahead = (weekday - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(UNREADABLE) from None


def _weekday(word: str) -> int | None:
    if len(word) < SHORTEST_WEEKDAY or not word.isalpha():
        return None
    matches = [i for i, name in enumerate(WEEKDAYS) if name.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def past_due_problem(due: date | None, today: date) -> str | None:
    """Why *due* cannot be set as a new due date today, or None when it can."""
    if due is not None and due < today:
        return f"is in the past ({due:%a %d %b %Y}): pick today or a later day"
    return None
