"""F3 "make smaller": a gentler version of a task to talk over, from the words typed.

Pure functions over strings. A suggestion changes only the words it understands (a
duration, a frequency) and leaves every other character as typed; a vague time is not
rewritten but turned into a question for a specific one; what the library knows about
the task's kind (`HomeworkKind.smaller`) is offered, and put in an empty "what". When
nothing applies it says so plainly. Nothing typed is ever cleared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from hwtui.data.catalog import KINDS_BY_CODE

_WORD_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "sixty": 60,
    "ninety": 90,
}
_NUMBER_WORDS = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_DIGITS = re.compile(r"\d+")
_NUMBER_WORD = re.compile(rf"(?:{_NUMBER_WORDS})\b")

# A duration: "half an hour", "an hour and a half", "2 hours", "10-15 minutes", "1h".
_DURATION = re.compile(
    r"\b(?:half an hour|half hour|an hour and a half|one and a half hours?"
    rf"|(?:\d+(?:\s*(?:-|to)\s*\d+)?|{_NUMBER_WORDS})\s*(?:hours?|hrs?|minutes?|mins?)\b"
    r"|\d+\s*[hm]\b)",
    re.IGNORECASE,
)

_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_TIMES = re.compile(r"\b(\d+|two|three|four|five|six|seven)\s*(?:times|x)\b", re.IGNORECASE)
_TWICE = re.compile(r"\btwice\b", re.IGNORECASE)
_EVERY_OTHER_DAY = re.compile(r"\bevery (?:other|second) day\b", re.IGNORECASE)
_DAILY = re.compile(
    r"\b(?:daily|nightly|every (?:single )?(?:day|morning|evening|night)|each (?:day|morning|"
    r"evening|night)|once (?:a|per|each) day|once daily|(?:1|one) time (?:a|per|each) day)\b",
    re.IGNORECASE,
)

_VAGUE_WHEN = re.compile(
    r"\b(?:whenever|when(?: ever)? (?:i|he|she|they|we) (?:can|could|have time|get time"
    r"|feel like it|remember|am free|are free|is free)|when (?:there is|there's) time"
    r"|if (?:there is|there's) time|some ?time|at some point|any ?time|when possible"
    r"|if possible|as needed|as and when"
    r"|when free|when convenient|at some stage)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Suggestion:
    """What F3 proposes. Fields not understood are returned exactly as given."""

    how_often: str
    how_long: str
    what: str
    changed: tuple[str, ...]  # the names of the fields that changed
    questions: tuple[str, ...]  # what to ask the client rather than to guess
    kind_smaller: str  # the library's smaller version of the kind ("" when none)

    @property
    def message(self) -> str:
        """One plain paragraph for the clinician: what changed, what to ask, or that
        there is nothing to suggest."""
        parts: list[str] = []
        if self.changed:
            parts.append(f"Suggested smaller {' and '.join(_LABELS[c] for c in self.changed)}.")
        if self.kind_smaller and "what" not in self.changed:
            parts.append(f"A smaller version of this kind: {self.kind_smaller}")
        parts.extend(self.questions)
        if not parts:
            return (
                "No smaller version to suggest from these words: ask together what the "
                "first five minutes of it would be."
            )
        return " ".join([*parts, "Then ask again how confident they are."])


_LABELS = {"how_often": "how often", "how_long": "how long", "what": "what"}


def suggest_smaller(
    *, how_often: str, how_long: str, when: str = "", what: str = "", kind: str = ""
) -> Suggestion:
    """A smaller version of a task described by these fields (see the module's doc)."""
    often = shorter_frequency(how_often)
    long_ = shorter_duration(how_long)
    kind_row = KINDS_BY_CODE.get(kind)
    kind_smaller = kind_row.smaller if kind_row else ""
    new_what = what if what.strip() or not kind_smaller else kind_smaller
    changed = tuple(
        name
        for name, old, new in (
            ("how_often", how_often, often),
            ("how_long", how_long, long_),
            ("what", what, new_what),
        )
        if old != new
    )
    questions: list[str] = []
    vague = _VAGUE_WHEN.search(when)
    if vague:
        questions.append(
            f"“{' '.join(when.split())}” is not a time yet: which day and time, exactly "
            "(e.g. “Tuesday after dinner”)?"
        )
    elif not when.strip():
        questions.append("When exactly: which day and time?")
    return Suggestion(often, long_, new_what, changed, tuple(questions), kind_smaller)


def shorter_duration(text: str) -> str:
    """*text* with its first duration halved ("an hour" → "30 minutes"); else as it was."""
    return _sub_first(_DURATION, _halve_duration, text)


def shorter_frequency(text: str) -> str:
    """*text* done about half as often ("daily" → "on 3 days a week", "twice a week" →
    "once a week"); "once a week" and what is not understood stay as they were."""
    for pattern, change in (
        (_EVERY_OTHER_DAY, lambda m: "twice a week"),
        (_DAILY, lambda m: "on 3 days a week"),
        (_TWICE, lambda m: _cased(m.group(), "once")),
        (_TIMES, _fewer_times),
    ):
        shorter = _sub_first(pattern, change, text)
        if shorter != text:
            return shorter
    return text


def _sub_first(pattern: re.Pattern[str], change: Callable[[re.Match[str]], str], text: str) -> str:
    match = pattern.search(text)
    if match is None:
        return text
    return text[: match.start()] + change(match) + text[match.end() :]


def _cased(old: str, new: str) -> str:
    return new[:1].upper() + new[1:] if old[:1].isupper() else new


def _fewer_times(match: re.Match[str]) -> str:
    word = match.group(1).lower()
    count = max(1, (int(word) if word.isdigit() else _COUNTS[word]) // 2)
    return _cased(match.group(), {1: "once", 2: "twice"}.get(count, f"{count} times"))


def _halve_duration(match: re.Match[str]) -> str:
    phrase = match.group()
    low = phrase.lower()
    if low.startswith(("half an hour", "half hour")):
        return "15 minutes"
    if "and a half" in low:
        return "45 minutes"
    if _DIGITS.search(phrase) and ("-" in phrase or " to " in low):
        # a range: halve both ends, keep the wording ("10-15 minutes" → "5-7 minutes")
        return _DIGITS.sub(lambda d: str(max(1, int(d.group()) // 2)), phrase)
    number = _DIGITS.search(phrase) or _NUMBER_WORD.match(low)
    assert number is not None  # the pattern has a number or a number word in it
    word = number.group()
    amount = int(word) if word.isdigit() else _WORD_NUMBERS[word]
    hours = bool(re.search(r"h(?:ou)?r|\d\s*h\b", low))
    minutes = amount * 60 if hours else amount
    if minutes <= 1:
        return phrase  # a minute is as small as it gets
    return _minutes(minutes // 2)


def _minutes(total: int) -> str:
    if total >= 60 and total % 60 == 0:
        hours = total // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    if total >= 10:
        total = max(5, round(total / 5) * 5)
    return "1 minute" if total == 1 else f"{total} minutes"
