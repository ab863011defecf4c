"""The client's handout: what it holds (and never holds), as text and Markdown."""

from __future__ import annotations

import io
from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pypdf import PdfReader
from sqlmodel import select

from hwtui.data.db import Database
from hwtui.data.handout import Handout, HandoutTask, if_then_plans
from hwtui.data.handout_formats import format_for, render
from hwtui.data.handout_text import md_escape, render_markdown, render_text
from hwtui.data.models import (
    Assignment,
    ClientValue,
    Clinician,
    Measure,
    ProcessNote,
    Review,
    TaskOutcome,
)
from hwtui.data.services.clients import set_values
from hwtui.data.services.handout import handout_for, next_session, read_handout
from hwtui.data.services.identity import Actor
from hwtui.data.text import BIDI_CONTROLS, cell_width
from tests.conftest import TODAY
from tests.helpers import (
    HOSTILE,
    MARKUP_LIKE,
    add_assignment,
    add_client,
    add_completed_review,
    events_after,
    last_event_id,
)

SECRET = "SECRET"
OSC52 = "\x1b]52;c;AAAA\x07"


def planted(db: Database, me: Actor) -> int:
    """A client with a goal chain, a value, obstacles and a win, and a marker in every
    field a client must never see (and in another client's homework)."""
    client_id = add_client(db, me, "C01", display_name="Ana")
    with db.write() as s:
        set_values(s, me, client_id, ["being a present parent"])
    goal = add_assignment(db, me, client_id, "Go to the gym", what="a full workout")
    review_id = add_completed_review(
        db, me, client_id, TODAY, {goal: "not_done"}, win_text="I asked for help at work"
    )
    step = add_assignment(
        db,
        me,
        client_id,
        "Put on gym clothes",
        what="Put the clothes on and stand at the door",
        when="Monday at 7pm",
        where="the hall at home",
        how_often="twice a week",
        how_long="5 minutes",
        confidence=9,
        due_date=date(2026, 12, 1),
    )
    other_client = add_client(db, me, "C02", display_name=f"{SECRET}-other-client-name")
    add_assignment(db, me, other_client, f"{SECRET}-other-client-homework", what=SECRET)
    with db.write() as s:
        parent = s.get(Assignment, goal)
        row = s.get(Assignment, step)
        assert row is not None
        assert parent is not None
        parent.status = "replaced"  # the smaller step stands for it now
        s.add(parent)
        row.parent_id = goal
        row.obstacles = ["forgot", "not_agreed", "limiting_belief"]
        row.rationale = f"{SECRET}-rationale"
        row.instructions = f"{SECRET}-instructions"
        row.status_reason = f"{SECRET}-status-reason"
        row.value_id = s.exec(select(ClientValue.id)).first()
        s.add(row)
        outcome = s.exec(select(TaskOutcome)).one()
        outcome.barriers = ["not_scheduled", "avoidance"]
        outcome.barrier_notes = f"{SECRET}-barrier-notes {HOSTILE}"
        outcome.worked_notes = f"{SECRET}-outcome-notes"
        outcome.learned = f"{SECRET}-learned"
        outcome.double_down = f"{SECRET}-double-down"
        outcome.belief = f"{SECRET}-belief"
        outcome.factor_notes = {"thinking": f"{SECRET}-factor-notes"}
        s.add(outcome)
        review = s.get(Review, review_id)
        assert review is not None
        review.assessment = f"{SECRET}-review-notes"
        review.risk = {"notes": f"{SECRET}-risk"}
        s.add(review)
        s.add(
            Measure(
                client_id=client_id,
                review_id=review_id,
                instrument="PHQ9",
                items=[3, 3, 3, 3, 3, 3, 3, 3, 3],
                total=27,
                question=f"{SECRET}-measure",
            )
        )
        s.add(
            ProcessNote(
                review_id=review_id,
                clinician_id=me.clinician_id,
                client_id=client_id,
                text=f"{SECRET}-process-notes",
            )
        )
        clinician = s.get(Clinician, me.clinician_id)
        assert clinician is not None
        clinician.credentials = f"{SECRET}-credentials"
        s.add(clinician)
    return client_id


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_handout_holds_the_clients_homework_in_their_words(db: Database, me: Actor) -> None:
    client_id = planted(db, me)
    with db.read() as s:
        handout = read_handout(s, me, client_id, TODAY)
    assert handout.client_name == "Ana"
    assert handout.next_session == date(2026, 12, 2)  # a week after today's review
    assert [t.title for t in handout.tasks] == ["Put on gym clothes"]
    task = handout.tasks[0]
    assert task.value == "being a present parent"
    assert task.supports == ("Go to the gym",)
    assert handout.latest_win == "I asked for help at work"
    text = render_text(handout)
    for words in (
        "Your homework, Ana",
        "1. Put on gym clothes",
        "What you will do: Put the clothes on and stand at the door",
        "When: Monday at 7pm",
        "Where: the hall at home",
        "How often: twice a week",
        "For how long: 5 minutes",
        "Why it matters to you: being a present parent",
        "It is a step toward: Go to the gym",
        "If it gets hard: If you might forget, then set a phone alarm",
        "How sure you were: 9 out of 10",
        "Done by: Tue 01 Dec 2026",
        "Your latest win (25 Nov): “I asked for help at work”",
    ):
        assert words in text, words
    # The therapist's own obstacle has no plan for the client; no code is ever shown.
    assert "agreed" not in text
    assert "limiting_belief" not in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "pdf", "ics"])
def test_nothing_clinician_only_reaches_any_format(db: Database, me: Actor, fmt: str) -> None:
    client_id = planted(db, me)
    with db.read() as s:
        handout = read_handout(s, me, client_id, TODAY)
    data = render(handout, fmt, at=time(19, 0))
    shown = pdf_text(data) if fmt == "pdf" else data.decode("utf-8")
    assert "gym clothes" in shown
    for secret in (SECRET, "not_scheduled", "avoidance", "not_agreed", "PHQ", "27", "\x1b"):
        assert secret not in shown, secret


def test_showing_a_handout_is_audited(db: Database, me: Actor) -> None:
    client_id = planted(db, me)
    before = last_event_id(db)
    with db.write() as s:
        handout_for(s, me, client_id, TODAY)
    [event] = events_after(db, before)
    assert (event.action, event.entity, event.client_id) == ("view", "handout", client_id)


def test_another_clinicians_client_has_no_handout(db: Database, me: Actor, other: Actor) -> None:
    from hwtui.data.errors import NotFound

    client_id = planted(db, me)
    with db.read() as s, pytest.raises(NotFound):
        read_handout(s, other, client_id, TODAY)


def test_the_next_session_follows_the_clients_interval() -> None:
    assert next_session(date(2026, 11, 25), 7, date(2026, 11, 25)) == date(2026, 12, 2)
    assert next_session(None, 14, date(2026, 11, 25)) == date(2026, 12, 9)
    # Overdue: from tomorrow, never in the past.
    assert next_session(date(2026, 10, 1), 7, date(2026, 11, 25)) == date(2026, 11, 26)


def test_if_then_plans_are_words_never_codes() -> None:
    plans = if_then_plans(["forgot", "forgot", "poor_fit", "bogus"])
    assert plans == (
        "If you might forget, then set a phone alarm or put a note where you will see it.",
    )


def hostile_handout(words: str) -> Handout:
    task = HandoutTask(
        1,
        title=words,
        what=words,
        when=words,
        where=words,
        how_often=words,
        how_long=words,
        value=words,
        supports=(words, words),
        plans=(words,),
        confidence=7,
        due=date(2026, 12, 1),
    )
    return Handout(1, words, TODAY, date(2026, 12, 2), (task,), words, TODAY)


HOSTILE_WORDS = [
    *MARKUP_LIKE,
    HOSTILE,
    OSC52,
    "[x](javascript:alert(1))",
    "<script>alert(1)</script>",
    "![img](http://evil.example/x.png) <http://evil.example> **bold** `code` # head",
    "مريم أحمد \u202eevil\u202c שלום",
    "漢字かな交じり文 " * 12,
    "e\u0301 a\u0308 " * 30,
    "x" * 300,
]


@pytest.mark.parametrize("words", HOSTILE_WORDS)
def test_hostile_words_stay_words_in_text(words: str) -> None:
    text = render_text(hostile_handout(words))
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\x9b" not in text
    assert not set(text) & BIDI_CONTROLS
    assert all(cell_width(line) <= 80 for line in text.splitlines())
    if words in MARKUP_LIKE:
        assert words in text  # shown as typed: nothing is read as markup


@pytest.mark.parametrize("words", HOSTILE_WORDS)
def test_markdown_cannot_be_injected(words: str) -> None:
    markdown = render_markdown(hostile_handout(words))
    html = MarkdownIt("commonmark").render(markdown)
    for tag in ("<a ", "<img", "<script", "<code", "<em>", "<h3", "<h4", "<ol", "<hr"):
        assert tag not in html, (tag, html)
    # Bold only for the labels, one per listed row: never from the typed words.
    assert html.count("<strong>") == html.count("<li>")
    assert "\x1b" not in markdown


def test_markdown_escaping_reads_back_as_the_words() -> None:
    words = "[x](javascript:alert(1)) <b> *a* _b_ #1 \\ `c`"
    html = MarkdownIt("commonmark").render(md_escape(words))
    assert html == ("<p>[x](javascript:alert(1)) &lt;b&gt; *a* _b_ #1 \\ `c`</p>\n")


def test_no_homework_says_so() -> None:
    empty = Handout(1, "Ana", TODAY, date(2026, 12, 2))
    assert "No homework is set right now." in render_text(empty)


def test_format_for_a_file_name() -> None:
    from pathlib import Path

    assert format_for(Path("a.PDF")) == "pdf"
    assert format_for(Path("a.ics")) == "ics"
    assert format_for(Path("a.md")) == "markdown"
    assert format_for(Path("a.txt")) == "text"
    assert format_for(Path("a")) == "text"


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=200),
    st.text(max_size=60),
    st.lists(st.text(max_size=40), max_size=3),
    st.integers(min_value=0, max_value=10) | st.none(),
)
def test_any_text_gives_no_controls_and_no_line_over_80_cells(
    words: str, name: str, supports: list[str], confidence: int | None
) -> None:
    task = HandoutTask(
        1,
        title=words,
        what=words,
        when=name,
        where=words,
        how_often=name,
        how_long=words,
        value=words,
        supports=tuple(supports),
        confidence=confidence,
    )
    handout = Handout(1, name, TODAY, date(2026, 12, 2), (task, task), words, TODAY)
    text = render_text(handout)
    for ch in text:
        code = ord(ch)
        assert ch == "\n" or not (code < 0x20 or 0x7F <= code <= 0x9F), repr(ch)
        assert ch not in BIDI_CONTROLS
        assert not 0xD800 <= code <= 0xDFFF
    assert all(cell_width(line) <= 80 for line in text.splitlines())
