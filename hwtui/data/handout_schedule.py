"""When a task happens, read from the words agreed in session, for the calendar file.

"when" and "how often" are free text ("every night at 10pm", "2-3 times a week"). This
reads what it can: a time of day, the weekdays named, and a repeat, and says plainly when
there is no time of day to put in a calendar ("after dinner", "whenever there is time"):
those are asked for (`Schedule.time is None`) before a calendar file is made.

Repeats read from "how often" (the library's frequencies and those "make smaller" writes):
- "once" (and "once, reviewed weekly"): a single event;
- "daily", "every night", "once a day": every day; "every other day": every second day;
- "N times a week", "on N days a week", "twice a week", "weekly", "2-3 times a week"
  (the lower number: start small): weekly, on the weekdays named in "when", else on
  N days spread over the week (`SPREAD`);
- "N times" with no period ("3 times before the real one"): N events spread evenly
  until the next session;
- anything else ("when triggered", "whenever you notice one", "as agreed"): one
  reminder on the first day, the client's own words in its description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from hwtui.data.review_draft import is_one_off

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# N days a week, spread out: weekday numbers (Monday 0).
SPREAD: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 5),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUM = r"(\d+|one|two|three|four|five|six|seven)"

_ONCE = re.compile(r"^\s*(?:just |only )?once\b(?!\s*(?:a|an|per|each|every)\b)", re.I)
_OTHER_DAY = re.compile(r"\bevery (?:other|second) day\b", re.I)
_DAILY = re.compile(
    r"\b(?:daily|nightly|every (?:single )?(?:day|morning|evening|night)|each (?:day|morning|"
    rf"evening|night)|(?:once|twice|{_NUM} times?) (?:a|per|each) day|once daily)\b",
    re.I,
)
_PER_WEEK = re.compile(
    rf"\b(?:on )?{_NUM}(?:\s*(?:-|to|or)\s*{_NUM})?\s*(?:times?|x|days?)\s*(?:a|per|each|every)"
    r"\s*week\b",
    re.I,
)
_TWICE_WEEK = re.compile(r"\btwice (?:a|per|each|every) week\b", re.I)
_WEEKLY = re.compile(r"\b(?:weekly|once (?:a|per|each|every) week|every week)\b", re.I)
_TIMES = re.compile(rf"\b{_NUM}\s*times\b", re.I)

_WEEKDAY_WORDS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_WEEKDAY = re.compile(
    r"\b(mon|tue|wed|thu|fri|sat|sun)(?:day|s|sday|nesday|rsday|urday|\.)?s?\b", re.I
)
_WEEKDAYS = re.compile(r"\bweek ?days?\b", re.I)
_WEEKENDS = re.compile(r"\bweek ?ends?\b", re.I)

_CLOCK = re.compile(r"\b([01]?\d|2[0-3])[:.h]([0-5]\d)\s*(am|pm|a\.m\.|p\.m\.)?", re.I)
_HOUR = re.compile(r"\b(1[0-2]|0?[1-9])\s*(am|pm|a\.m\.|p\.m\.)", re.I)
_AT_HOUR = re.compile(
    r"\b(?:at|from|by|around|about) (1[0-2]|0?[1-9]|1[3-9]|2[0-3])\b(?![:.])", re.I
)
_NOON = re.compile(r"\b(?:noon|midday)\b", re.I)
_LATE = re.compile(r"\b(?:evening|night|tonight|afternoon|pm|bed)\b", re.I)


class Repeat(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    SPREAD = "spread"  # N times until the next session
    UNKNOWN = "unknown"  # one reminder on the first day


@dataclass(frozen=True, slots=True)
class Schedule:
    """What the calendar can use of a task's "when" and "how often"."""

    repeat: Repeat
    time: time | None  # None: no time of day was said; ask before making a calendar
    weekdays: tuple[int, ...] = ()  # Monday 0; empty: any day
    interval: int = 1  # every *interval* days (daily)
    count: int = 1  # how many (spread)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def time_of_day(when: str) -> time | None:
    """The time of day *when* names ("at 9pm", "21:30", "every night from 10:30",
    "7.15 am", "noon"), or None when it names none ("after dinner", "whenever")."""
    late = bool(_LATE.search(when))
    match = _CLOCK.search(when)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        return time(_pm(hour, match.group(3), late), minute)
    match = _HOUR.search(when)
    if match:
        return time(_pm(int(match.group(1)), match.group(2), late), 0)
    if _NOON.search(when):
        return time(12, 0)
    match = _AT_HOUR.search(when)
    if match:
        return time(_pm(int(match.group(1)), None, late), 0)
    return None


def _pm(hour: int, marker: str | None, late: bool) -> int:
    """A 24-hour clock hour: "pm" (or, with no marker, "evening"/"night" words for 1-11)
    moves it to the afternoon; "12am" is midnight."""
    if marker:
        is_pm = marker.lower().startswith("p")
        if hour == 12:
            return 12 if is_pm else 0
        return hour + 12 if is_pm and hour < 12 else hour
    if late and 1 <= hour < 12:
        return hour + 12
    return hour


def weekdays_named(when: str) -> tuple[int, ...]:
    """The weekdays *when* names, Monday 0, in week order ("Tuesday and Friday
    evenings" -> (1, 4); "weekday mornings" -> Monday to Friday)."""
    days: set[int] = set()
    if _WEEKDAYS.search(when):
        days.update(range(5))
    if _WEEKENDS.search(when):
        days.update((5, 6))
    for match in _WEEKDAY.finditer(when):
        days.add(_WEEKDAY_WORDS[match.group(1).lower()])
    return tuple(sorted(days))


def read_schedule(when: str, how_often: str, at: time | None = None) -> Schedule:
    """The schedule *when* and *how_often* describe; *at*: the time of day to use when
    *when* names none (asked for on screen, or `hwtui handout --at`)."""
    clock = time_of_day(when) or at
    days = weekdays_named(when)
    often = " ".join(how_often.split())
    if is_one_off(often) or _ONCE.search(often):
        return Schedule(Repeat.ONCE, clock, days[:1])
    if _OTHER_DAY.search(often):
        return Schedule(Repeat.DAILY, clock, (), interval=2)
    if _DAILY.search(often):
        if days:  # "daily" on "weekday mornings": the days named
            return Schedule(Repeat.WEEKLY, clock, days)
        return Schedule(Repeat.DAILY, clock)
    per_week = _PER_WEEK.search(often)
    if per_week or _TWICE_WEEK.search(often) or _WEEKLY.search(often):
        if per_week:
            low = min(_number(per_week.group(1)), 7)
        else:
            low = 2 if _TWICE_WEEK.search(often) else 1
        return Schedule(Repeat.WEEKLY, clock, days or SPREAD[max(1, low)])
    times = _TIMES.search(often)
    if times:
        return Schedule(Repeat.SPREAD, clock, (), count=max(1, min(_number(times.group(1)), 31)))
    return Schedule(Repeat.UNKNOWN, clock, days[:1])
