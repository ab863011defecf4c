"""F3 "make smaller" (issue 17 item 2): durations and frequencies in words, vague times
turned into a question, the kind's own smaller version, a plain "no suggestion", and
nothing typed lost or garbled (property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hwtui.data.catalog import HOMEWORK_KINDS, KINDS_BY_CODE
from hwtui.data.shrink import shorter_duration, shorter_frequency, suggest_smaller


@pytest.mark.parametrize(
    ("typed", "smaller"),
    [
        ("an hour", "30 minutes"),
        ("half an hour", "15 minutes"),
        ("an hour and a half", "45 minutes"),
        ("2 hours", "1 hour"),
        ("Two hours", "1 hour"),
        ("90 mins", "45 minutes"),
        ("40 minutes at the gym", "20 minutes at the gym"),
        ("10-15 minutes", "5-7 minutes"),
        ("1h", "30 minutes"),
        ("ten minutes", "5 minutes"),
        ("a minute", "a minute"),
        ("as long as it takes", "as long as it takes"),
    ],
)
def test_durations_in_digits_and_words_are_halved(typed: str, smaller: str) -> None:
    assert shorter_duration(typed) == smaller


@pytest.mark.parametrize(
    ("typed", "smaller"),
    [
        ("every day", "on 3 days a week"),
        ("daily", "on 3 days a week"),
        ("Every morning before work", "on 3 days a week before work"),
        ("once a day", "on 3 days a week"),
        ("every other day", "twice a week"),
        ("twice a week", "once a week"),
        ("Twice", "Once"),
        ("three times", "once"),
        ("3 times a week", "once a week"),
        ("6 times a week", "3 times a week"),
        ("once a week", "once a week"),
        ("as agreed", "as agreed"),
    ],
)
def test_frequencies_in_digits_and_words_are_roughly_halved(typed: str, smaller: str) -> None:
    assert shorter_frequency(typed) == smaller


def test_back_to_choir_practice_gets_a_real_suggestion_and_a_question() -> None:
    """The case from the issue: it said "Suggested a smaller version" and changed nothing."""
    s = suggest_smaller(
        how_often="every day", how_long="an hour", when="whenever there is time", kind="custom"
    )
    assert (s.how_often, s.how_long) == ("on 3 days a week", "30 minutes")
    assert s.changed == ("how_often", "how_long")
    assert "“whenever there is time” is not a time yet" in s.message
    assert "which day and time" in s.message


@pytest.mark.parametrize("when", ["when I can", "whenever", "if there's time", "sometime"])
def test_a_vague_time_becomes_a_question_and_is_not_rewritten(when: str) -> None:
    s = suggest_smaller(how_often="once a week", how_long="5 minutes", when=when)
    assert s.questions
    assert when in s.message


def test_the_kind_offers_its_own_smaller_version_without_replacing_what_was_typed() -> None:
    kind = KINDS_BY_CODE["support_conversation"]
    s = suggest_smaller(how_often="once", how_long="", when="Sunday", kind=kind.code)
    assert s.what == kind.smaller
    assert "what" in s.changed
    typed = suggest_smaller(
        how_often="once", how_long="", when="Sunday", what="Call Sam", kind=kind.code
    )
    assert typed.what == "Call Sam"
    assert kind.smaller in typed.message


def test_every_kind_but_custom_has_a_smaller_version() -> None:
    assert {k.code for k in HOMEWORK_KINDS if not k.smaller} == {"custom"}


def test_with_nothing_to_suggest_it_says_so_plainly() -> None:
    s = suggest_smaller(how_often="once a week", how_long="", when="Tuesday 6pm", kind="custom")
    assert s.changed == ()
    assert s.message.startswith("No smaller version to suggest")


_NO_NUMBERS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Nd")), max_size=40
).filter(lambda t: not any(c.isdigit() for c in t))


@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=40))
def test_any_text_gives_an_answer_and_only_shrinks_what_it_understands(
    often: str, long_: str, when: str
) -> None:
    s = suggest_smaller(how_often=often, how_long=long_, when=when, kind="custom")
    assert s.message
    assert (s.how_often == often) == ("how_often" not in s.changed)
    assert (s.how_long == long_) == ("how_long" not in s.changed)
    if often.strip():
        assert s.how_often.strip()
    if long_.strip():
        assert s.how_long.strip()


@given(_NO_NUMBERS, _NO_NUMBERS)
def test_words_around_a_duration_are_kept_exactly(before: str, after: str) -> None:
    typed = f"{before} 40 minutes {after}"
    if shorter_duration(before) == before and shorter_duration(after) == after:
        assert shorter_duration(typed) == f"{before} 20 minutes {after}"


@given(_NO_NUMBERS, _NO_NUMBERS)
def test_words_around_a_frequency_are_kept_exactly(before: str, after: str) -> None:
    typed = f"{before} 4 times {after}"
    if all(shorter_frequency(t) == t for t in (before, after, f"{before} ", f" {after}")):
        assert shorter_frequency(typed) == f"{before} twice {after}"
