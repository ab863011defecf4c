"""Untrusted text: control characters never survive cleaning; everything else does.

Property tests for `hwtui.data.text`, and the messages `hwtui.data.inputs` gives for
bad input (no database needed).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hwtui.data.errors import InvalidInput
from hwtui.data.inputs import (
    IMPORTED,
    TEXT_MAX,
    AssignmentInput,
    ClientInput,
    GoalInput,
    MeasureInput,
    OutcomeInput,
    ReviewDraftInput,
    parse,
)
from hwtui.data.text import (
    BIDI_CONTROLS,
    cell_width,
    clean_block,
    clean_line,
    strip_controls,
    wrap_cells,
)

# Things people paste, and things a hostile file could carry.
FRAGMENTS = [
    "[TODO]",
    "[b]",
    "[/b]",
    "[/]",
    "[@click=app.screenshot()]x[/]",
    "[@click=app.quit]x[/]",
    "[link=https://example.com]here[/link]",
    "\\",
    "trailing\\",
    "\\[escaped]",
    "\x1b]0;window title\x07",
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;aGk=\x07",
    "\x1b[31m",
    "\x1b[2J\x1b[H",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x90q\x9c",
    "\x7f",
    "\x00",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\x85",
    "\xa0",
    "\u2028",
    "é",
    "日本",
    "🙂",
    " ",
    "\ud800",  # lone surrogates: JSON can carry them, nothing can encode them
    "\udfff",
]

untrusted = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.characters(max_codepoint=0xA0),  # dense in C0, DEL and C1
        st.text(max_size=8),
    ),
    max_size=24,
).map("".join)

SETTINGS = settings(max_examples=2000, deadline=None)


def is_control(ch: str) -> bool:
    """What must never be stored or shown: C0 except newline and tab, DEL, C1, lone
    surrogates, and the bidirectional formatting characters (`st.text` draws them now and
    then: the oracle once left them out, and the test failed when it did)."""
    code = ord(ch)
    return (
        (code < 0x20 and ch not in "\n\t")
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or ch in BIDI_CONTROLS
    )


def printable(text: str) -> list[str]:
    """The characters that carry meaning: neither controls nor whitespace."""
    return [ch for ch in text if not is_control(ch) and not ch.isspace()]


@SETTINGS
@given(untrusted)
@example("\x1b]52;c;aGk=\x07")
@example("a\r\r\nb")
@example("\u202a")
def test_strip_controls(text: str) -> None:
    out = strip_controls(text)
    assert not any(is_control(ch) for ch in out)
    assert "\r" not in out
    # Every non-control character survives, in order (CR and CRLF become one newline).
    kept = [ch for ch in text if not is_control(ch) and ch not in "\r\n"]
    assert [ch for ch in out if ch != "\n"] == kept
    assert out.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")
    assert strip_controls(out) == out


@SETTINGS
@given(untrusted)
def test_clean_line(text: str) -> None:
    out = clean_line(text)
    assert not any(is_control(ch) for ch in out)
    assert "\n" not in out
    assert "\t" not in out
    assert out == out.strip()
    assert "  " not in out
    assert printable(out) == printable(text)
    assert clean_line(out) == out


@SETTINGS
@given(untrusted)
def test_clean_block(text: str) -> None:
    out = clean_block(text)
    assert not any(is_control(ch) for ch in out)
    assert out == out.strip()
    assert printable(out) == printable(text)
    # Inner layout is kept: the text between the first and last printable character.
    assert out in strip_controls(text)
    assert clean_block(out) == out


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([f for f in FRAGMENTS if not any(map(is_control, f))])))
def test_text_without_controls_is_untouched(parts: list[str]) -> None:
    text = "".join(parts)
    assert strip_controls(text) == text
    assert clean_block(text) == text.strip()


@pytest.mark.parametrize(
    ("raw", "line", "block"),
    [
        ("\x1b]52;c;aGk=\x07", "]52;c;aGk=", "]52;c;aGk="),
        ("\x9b31mred", "31mred", "31mred"),
        ("del\x7fete", "delete", "delete"),
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "]8;;http://x\\link]8;;\\", None),
        ("  one\r\ntwo\rthree\n\tfour  ", "one two three four", "one\ntwo\nthree\n\tfour"),
        ("[TODO]", "[TODO]", "[TODO]"),
        ("[b]x[/b]", "[b]x[/b]", "[b]x[/b]"),
        ("[@click=app.quit]x[/]", "[@click=app.quit]x[/]", "[@click=app.quit]x[/]"),
        ("ends with a backslash\\", "ends with a backslash\\", "ends with a backslash\\"),
    ],
)
def test_examples(raw: str, line: str, block: str | None) -> None:
    assert clean_line(raw) == line
    assert clean_block(raw) == (line if block is None else block)


# --- validation messages (inputs.parse) ---


def _problems(model: type, **data: object) -> dict[str, str]:
    with pytest.raises(InvalidInput) as excinfo:
        parse(model, **data)
    return {p.field: p.message for p in excinfo.value.problems}


@pytest.mark.parametrize("confidence", [11, -1])
def test_confidence_out_of_range(confidence: int) -> None:
    assert _problems(AssignmentInput, title="x", confidence=confidence) == {
        "confidence": f"must be between 0 and 10 (got {confidence})"
    }


def test_confidence_bounds_are_valid() -> None:
    assert parse(AssignmentInput, title="x", confidence=0).confidence == 0
    assert parse(AssignmentInput, title="x", confidence=10).confidence == 10


def test_required_and_too_long() -> None:
    assert _problems(AssignmentInput, title="") == {"title": "is required"}
    assert _problems(AssignmentInput) == {"title": "is required"}
    assert _problems(AssignmentInput, title="x", instructions="y" * (TEXT_MAX + 1)) == {
        "instructions": f"is too long ({TEXT_MAX + 1} characters; the limit is {TEXT_MAX})"
    }
    assert parse(AssignmentInput, title="x", instructions="y" * TEXT_MAX).instructions


def test_length_is_counted_after_cleaning() -> None:
    # Controls do not count towards the limit: they are gone before it is checked.
    padded = "y" * TEXT_MAX + "\x1b" * 10
    assert parse(AssignmentInput, title="x", rationale=padded).rationale == "y" * TEXT_MAX


def test_several_problems_are_reported_together() -> None:
    problems = _problems(AssignmentInput, title="", confidence=12, due_date="someday")
    assert set(problems) == {"title", "confidence", "due_date"}
    assert problems["due_date"] == "is not a date (use YYYY-MM-DD)"


def test_nested_problems_name_the_inner_field() -> None:
    problems = _problems(
        ReviewDraftInput,
        outcomes=[{"assignment_id": 1, "outcome": "done", "worked_notes": "w" * 200_000}],
        goals=[{"title": ""}],
    )
    assert set(problems) == {"worked_notes", "title"}
    assert "the limit is 20000" in problems["worked_notes"]


def test_clean_on_parse() -> None:
    outcome = parse(
        OutcomeInput,
        assignment_id=1,
        outcome="not_done",
        barriers=["forgot", "too_big", "forgot"],
        barrier_notes="\x1b[31mred\x1b[0m\n\tindented\x9b",
    )
    assert outcome.barriers == ["forgot", "too_big"]
    assert outcome.barrier_notes == "[31mred[0m\n\tindented"
    client = parse(ClientInput, code=" C\x0701 ", display_name="A\nB", values=["", "x", " "])
    assert (client.code, client.display_name, client.values) == ("C01", "A B", ["x"])
    assert parse(MeasureInput, instrument="phq9", items=[0] * 9, question="\x7fq").question == "q"


def test_other_messages() -> None:
    assert _problems(AssignmentInput, title="x", due_date=date(2026, 1, 1), bogus=1) == {
        "bogus": "is not a field hwtui knows"
    }
    assert _problems(
        ClientInput, code="C", display_name="A", values=[f"v{i}" for i in range(21)]
    ) == {"values": "has too many entries (the limit is 20)"}
    assert _problems(ClientInput, code="C", display_name="A", review_interval_days=400) == {
        "review_interval_days": "must be at most 365 (got 400)"
    }
    assert _problems(OutcomeInput, assignment_id=1, outcome="done", factor_notes={"luck": "x"}) == {
        "factor_notes": "unknown factor: luck"
    }


@pytest.mark.parametrize("code", ["a/b", "../x", "..", "x..y", "C\\1", "/", "C/"])
def test_a_code_cannot_name_another_folder(code: str) -> None:
    """A saved note's default file name starts with the code."""
    assert _problems(ClientInput, code=code, display_name="A") == {
        "code": "must not contain /, \\ or .. (notes are saved under its name)"
    }
    assert parse(ClientInput, code="C.1-a_b", display_name="A").code == "C.1-a_b"


def test_dates_stay_in_the_calendar() -> None:
    for due in (date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)):
        assert _problems(AssignmentInput, title="x", due_date=due) == {
            "due_date": "must be between 1900 and 2200"
        }
    assert parse(AssignmentInput, title="x", due_date=date(2200, 12, 31)).due_date


def test_a_review_holds_known_steps_and_a_few_goals() -> None:
    assert _problems(ReviewDraftInput, skipped={"lunch": "x", "win": "y"}) == {
        "skipped": "unknown review step: lunch"
    }
    assert _problems(ReviewDraftInput, goals=[{"title": f"g{i}"} for i in range(51)]) == {
        "goals": "has too many entries (the limit is 50)"
    }


def test_measure_items_fit_the_instrument() -> None:
    assert _problems(MeasureInput, instrument="phq9", items=[0, 1]) == {
        "items": "PHQ-9 needs 9 item(s), got 2"
    }
    assert _problems(MeasureInput, instrument="suds", items=[101]) == {
        "items": "SUDS score must be 0-100 (got 101)"
    }
    assert _problems(MeasureInput, instrument="bdi", items=[1]) == {
        "instrument": "unknown measure 'bdi'"
    }


def test_an_import_refuses_line_breaks_that_typing_joins() -> None:
    """Typed text is tidied into one line; a file is restored as it is, or refused."""
    typed = GoalInput.model_validate({"title": "Walk\nto work"})
    assert typed.title == "Walk to work"
    with pytest.raises(ValidationError) as caught:
        GoalInput.model_validate({"title": "Walk\r\nto work", "what": "a\nb"}, context=IMPORTED)
    assert [(e["loc"], e["msg"]) for e in caught.value.errors()] == [
        (("title",), "Value error, must be one line (it holds a line break)")
    ]


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(sorted(BIDI_CONTROLS))))
@settings(max_examples=300)
@example("شكرا\u202e txt.exe \u2066x\u2069 \u200f")
def test_cleaned_text_holds_no_bidi_controls(text: str) -> None:
    """Issue 17: right-to-left overrides and isolates in client text shifted the layout
    (text past a dialog's edge); cleaning removes them and keeps every other letter."""
    for clean in (strip_controls, clean_line, clean_block):
        cleaned = clean(text)
        assert not BIDI_CONTROLS & set(cleaned)
        assert clean(cleaned) == cleaned  # idempotent
    kept = strip_controls(text)
    assert kept == strip_controls("".join(c for c in text if c not in BIDI_CONTROLS))


# -- wrapping by terminal cells (issue 17: wide, joined and combining characters) -------

_WORDS = st.lists(
    st.sampled_from(["a", "é", "e\u0301", "漢", "😀", "👩\u200d👧", "ש", " ", "\u200d"]),
    max_size=40,
).map("".join)


@given(_WORDS, st.integers(min_value=1, max_value=30), st.integers(min_value=2, max_value=30))
@example("漢字漢字漢字 the family 👩\u200d👩\u200d👧 came", 7, 5)
@settings(max_examples=300)
def test_wrapped_lines_fit_their_cells_and_keep_every_word(
    text: str, width: int, later: int
) -> None:
    lines = wrap_cells(text, width, later)
    for index, line in enumerate(lines):
        room = width if index == 0 else later
        # A single character wider than the room is the only way past it.
        assert cell_width(line) <= max(room, 2), (line, room)
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_cells_are_counted_as_a_terminal_draws_them() -> None:
    assert cell_width("abc") == 3
    assert cell_width("漢字") == 4
    assert cell_width("e\u0301") == 1  # a combining accent takes no cell of its own
    assert cell_width("😀") == 2
    assert cell_width("\u200d") == 0
    # The data layer's measure and Rich's, which the screens use, agree.
    from rich.cells import cell_len

    for sample in ("漢字 abc", "e\u0301\u0302x", "😀 ok", "שלום"):
        assert cell_width(sample) == cell_len(sample)
