"""After a review: the note preview, copying it, saving it, signing, and amending."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from hwtui.data.catalog import ReviewStep
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent, Clinician, Review
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import complete_review, start_review
from hwtui.screens.prompt import PromptScreen
from hwtui.screens.review import ReviewScreen
from hwtui.screens.review_record import ReviewRecordScreen
from hwtui.screens.risk_check import RiskCheckScreen
from hwtui.screens.sign import SignScreen
from tests.app_helpers import Words, app_maker, fill, press_and_fill, settle
from tests.conftest import TODAY

CLINICIAN = "dr_record"


@pytest.fixture
def completed(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> Iterator[tuple[Database, int]]:
    db = migrated_sqlite(tmp_path / "record.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = create_client(s, me, code="RC1", display_name="Rae C")
        assert client.id is not None
        walk = create_assignment(s, me, client.id, title="Walk", when="after lunch")
        review = start_review(s, me, client.id, TODAY)
        assert review.id is not None
        assert walk.id is not None
        complete_review(
            s,
            me,
            review.id,
            win_text="Slept through [b]twice[/b]",
            outcomes=[{"assignment_id": walk.id, "outcome": "done", "factors": ["scheduled"]}],
        )
    yield db, review.id
    db.dispose()


make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


async def open_record(
    pilot: Pilot[Any], review_id: int, *, note: bool = True
) -> ReviewRecordScreen:
    await settle(pilot)
    screen = ReviewRecordScreen(review_id, show_note=note)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def shown(screen: ReviewRecordScreen) -> str:
    return str(screen.query_one("#record-text", Static).render())


async def test_the_note_is_previewed_and_copied_with_an_audit_event(
    completed: tuple[Database, int],
) -> None:
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        text = shown(screen)
        assert "Progress note (DAP)" in text
        assert "“Slept through [b]twice[/b]”" in text  # verbatim, not bold
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("Progress note (DAP)")
        await pilot.press("v")
        await pilot.pause()
        assert "Progress note" not in shown(screen)
        assert "Walk" in shown(screen)
    with db.read() as s:
        actions = {(e.action, e.entity) for e in s.exec(select(AuditEvent))}
    assert ("copy", "note") in actions


async def test_saving_the_note_writes_a_private_file(
    completed: tuple[Database, int], tmp_path: Path
) -> None:
    db, review_id = completed
    target = tmp_path / "rae-note.md"
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_record(pilot, review_id)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("#prompt-value", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        # A second save to the same name is refused, and says so.
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert any("already exists" in n.message for n in app._notifications)
    assert target.read_text().startswith("# Progress note (DAP)")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def sign(pilot: Pilot[Any], assessment: str) -> None:
    """S, the assessment, ctrl+s: sign the record on screen."""
    await pilot.press("S")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SignScreen)
    pilot.app.screen.query_one("#sign-assessment", Input).value = assessment
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_sign_then_amend_keeps_both_versions(completed: tuple[Database, int]) -> None:
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        assert not screen.check_action("amend", ())  # not signed yet
        await sign(pilot, "Engaged; planned the next step.")
        assert "signed by dr_record" in str(screen.query_one("#record-versions", Static).render())
        assert not screen.check_action("sign", ())
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await press_and_fill(pilot, Words("win was misheard"), "enter")
        await settle(pilot)
        review_screen = app.screen
        assert isinstance(review_screen, ReviewScreen)
        assert "amendment (version 2)" in str(review_screen.query_one("#review-title").render())  # type: ignore[attr-defined]
        assert review_screen.draft is not None
        assert review_screen.draft.step is ReviewStep.SUMMARY
        review_screen._go(ReviewStep.WIN)
        await pilot.pause()
        review_screen.query_one("#win_text").text = "Slept through three times"  # type: ignore[attr-defined]
        await pilot.pause()
        review_screen._go(ReviewStep.SUMMARY)
        await pilot.pause()
        await pilot.press("c")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, ReviewRecordScreen)
        assert "version 2 of 2" in str(record.query_one("#record-versions", Static).render())
        assert "three times" in shown(record)
    with db.read() as s:
        versions = s.exec(select(Review).order_by(Review.id)).all()  # type: ignore[arg-type]
    assert [(v.version, v.status) for v in versions] == [(1, "signed"), (2, "complete")]
    assert versions[0].win_text == "Slept through [b]twice[/b]"
    assert versions[1].amend_reason == "win was misheard"


async def test_the_note_wraps_for_80_columns_without_orphan_words(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> None:
    """Issue 17: at 80 columns the note, already wrapped at 78 for the text file, was
    wrapped again, leaving single words ("Tell", "to") on lines of their own."""
    db = migrated_sqlite(tmp_path / "wrap.sqlite3")
    long_title = "Tell a close friend about the plan to walk after lunch on weekdays " * 2
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = create_client(s, me, code="WR1", display_name="Wren R")
        assert client.id is not None
        task = create_assignment(s, me, client.id, title=long_title.strip(), when="after lunch")
        review = start_review(s, me, client.id, TODAY)
        assert review.id is not None
        assert task.id is not None
        complete_review(
            s,
            me,
            review.id,
            win_text="Went out for the walk on Tuesday even though it rained all day long " * 2,
            outcomes=[{"assignment_id": task.id, "outcome": "done", "factors": ["scheduled"]}],
        )
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review.id)
        text = screen.query_one("#record-text", Static)
        lines = [line.rstrip() for line in str(text.render()).splitlines()]
        width = text.content_size.width
        assert width < 78
        assert all(len(line) <= width for line in lines), (
            width,
            [x for x in lines if len(x) > width],
        )
        words = [line.strip() for line in lines if line.strip()]
        assert not [w for w in words if " " not in w and w.islower()], lines
    db.dispose()


async def test_the_signed_by_line_has_the_text_s_margin(completed: tuple[Database, int]) -> None:
    """Issue 17: "signed by…" sat against the screen's edge, unlike the text under it."""
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        await sign(pilot, "Engaged; planned the next step.")
        line = screen.query_one("#record-versions", Static)
        text = screen.query_one("#record-text", Static)
        assert line.content_region.x == text.content_region.x
        row = app.screen._compositor.render_strips()[line.region.y].text
        assert row.startswith(" signed by dr_record")


async def test_signing_needs_the_clinicians_assessment(completed: tuple[Database, int]) -> None:
    """Issue 22: the note carries the clinician's own assessment; without one, no signing."""
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        await pilot.press("S")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SignScreen)
        await pilot.press("ctrl+s")  # nothing typed: said where it is typed
        await settle(pilot)
        assert app.screen is form
        problem = str(form.query_one("#sign-problem", Static).render())
        assert problem == "Your assessment is needed to sign."
        assert app.focused is form.query_one("#sign-assessment", Input)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.check_action("sign", ())  # still complete, still signable
        await sign(pilot, "Hopeful [b]today[/b].")
        assert not screen.check_action("sign", ())
    with db.read() as session:
        review = session.get(Review, review_id)
    assert review is not None
    assert review.status == "signed"
    assert review.assessment == "Hopeful [b]today[/b]."


async def test_signing_records_length_modality_and_the_signature(
    completed: tuple[Database, int],
) -> None:
    """Issue 22: the signature carries the clinician's name and credentials (kept for
    later notes), the session's length and how it was held."""
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        await pilot.press("S")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SignScreen)
        await fill(pilot, "Engaged and hopeful")
        await pilot.press("enter")
        await fill(pilot, "50")
        await pilot.press("enter", "v")  # one key for the modality, then on
        assert "Held: video" in str(form.query_one("#sign-held", Static).render())
        await fill(pilot, "Dr Robin Record [PhD]")
        await pilot.press("enter")
        await fill(pilot, "licensed psychologist")
        await pilot.press("enter")  # the last field signs
        await settle(pilot)
        assert not screen.check_action("sign", ())
        note = str(screen.query_one("#record-text", Static).render())
        assert "50 minutes, video" in note
    with db.read() as session:
        review = session.get(Review, review_id)
        clinician = session.exec(select(Clinician)).one()
    assert review is not None
    assert (review.session_minutes, review.modality) == (50, "video")
    assert (review.signed_as, review.signed_credentials) == (
        "Dr Robin Record [PhD]",
        "licensed psychologist",
    )
    assert clinician.credentials == "licensed psychologist"  # kept for the next notes


async def test_a_risk_check_is_recorded_on_the_record_before_signing(
    completed: tuple[Database, int],
) -> None:
    """Issue 22: a review completed without its risk check takes it from the record (R),
    saved as typed; the note then says what was done, and signing goes ahead."""
    db, review_id = completed
    with db.write() as s:
        me = ensure_clinician(s, "dr_record")
        review = s.get(Review, review_id)
        assert review is not None
        assert review.completed_at is not None
        before = review.completed_at - timedelta(minutes=5)  # taken in the session
        record_measure(s, me, review.client_id, "phq9", [1] * 9, taken_at=before)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        await sign(pilot, "Engaged.")
        assert screen.check_action("sign", ())  # refused: the check is missing
        await pilot.press("R")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RiskCheckScreen)
        await fill(pilot, "Asked about thoughts of suicide")
        await pilot.press("enter", "n", "n", "n", "n", "l", "r")
        await fill(pilot, "PHQ-9 next session")
        await pilot.pause(0.8)  # saved after a short pause, before the dialog closes
        with db.read() as s:
            saved = s.get(Review, review_id)
            assert saved is not None
            assert saved.risk.get("follow_up") == "PHQ-9 next session"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        note = str(screen.query_one("#record-text", Static).render())
        assert "completed a risk check (safety plan reviewed)" in " ".join(note.split())
        await sign(pilot, "Engaged.")
        assert not screen.check_action("sign", ())
        assert not screen.check_action("risk_check", ())  # signed: amend to change it


async def test_signing_offers_an_assessment_built_from_the_record(
    completed: tuple[Database, int],
) -> None:
    """Issue 22: the assessment may start from a suggestion of what was recorded; f2 puts
    it in to edit, and nothing is signed until the clinician says so."""
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_record(pilot, review_id)
        await pilot.press("S")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SignScreen)
        offered = str(form.query_one("#sign-suggestion", Static).render())
        assert "Homework completion" in offered
        assert form.query_one("#sign-assessment", Input).value == ""  # only offered
        await pilot.press("f2")
        value = form.query_one("#sign-assessment", Input).value
        assert value.startswith("Homework completion")
        assert screen.check_action("sign", ())  # not signed by the suggestion
