"""A finished review, read-only: what was agreed and learned that day, and its progress
note — to copy (OSC 52, also over SSH), save to a private file, sign, or amend; and the
way (`P`) to the clinician's private process notes on the session, which are never shown
here (screens/process_notes.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from hwtui.data.catalog import ReviewStatus
from hwtui.data.local_time import stamp
from hwtui.data.notes import Note, render_text
from hwtui.data.practice_views import RecordView
from hwtui.data.review_draft import GoalDraft, ReviewDraft
from hwtui.data.services.reviews import ReviewContext
from hwtui.screens.asking import ask, tell
from hwtui.screens.prompt import PromptScreen
from hwtui.widgets.footer import Footer
from hwtui.widgets.review_summary import render_summary
from hwtui.widgets.safe import safe_plain, safe_text
from hwtui.widgets.steps.base import ReviewSetup

if TYPE_CHECKING:
    from textual.timer import Timer

    from hwtui.app import HomeworkApp
    from hwtui.data.practice import Practice
    from hwtui.data.practice_views import SignForm


def record_draft(ctx: ReviewContext) -> ReviewDraft:
    """The finished review in the shape the summary renders; goals are the created ones."""
    draft = ReviewDraft.from_saved(ctx.review, ctx.assignments, ctx.outcomes, [])
    draft.goals = [
        GoalDraft(
            parent_id=a.parent_id,
            title=a.title,
            kind=a.kind,
            what=a.what,
            when=a.when,
            where=a.where,
            how_often=a.how_often,
            how_long=a.how_long,
            value_id=a.value_id,
            confidence=a.confidence,
        )
        for a in ctx.created
    ]
    return draft


# The text file's width (`render_text`); the screen wraps to its own when narrower.
NOTE_WIDTH = 78


class NoteText(Static):
    """The record's text; a note is wrapped for the width this has once laid out."""

    document: Note | None = None

    def wrapped(self, text: str) -> str:
        width = self.content_size.width
        if self.document is None or not width or width >= NOTE_WIDTH:
            return text
        return render_text(self.document, width)

    def on_resize(self) -> None:
        screen = self.screen
        if (
            self.document is not None
            and isinstance(screen, ReviewRecordScreen)
            and screen.show_note
            and screen.view is not None
        ):
            # Only when the wrapping changes: an update lays out again (Resize).
            text = self.wrapped(screen.view.note)
            if text != str(self.render()):
                self.update(safe_text(text))


# How long after the last change to a risk check it is saved.
RISK_SAVE_SECONDS = 0.5


class ReviewRecordScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        #record-title {
            height: 1;
            padding: 0 1;
            background: $panel;
        }

        /* Versions and "signed by": in line with the title and the text, not against the edge. */
        #record-versions {
            padding: 0 1;
        }

        #record-scroll {
            height: 1fr;
            padding: 0 1;
        }

        /* Confirmations on the record (complete, signed, saved, copied): a line of its own, not
           a toast over the note. */
        #record-status {
            height: 1;
            padding: 0 1;
            background: $panel;
            color: $text-success;
        }
    """
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"record", "record-sign", "record-amend"})

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="record.back"),
        Binding("v", "toggle_note", "Note/summary", id="record.toggle"),
        Binding("y", "copy_note", "Copy note", id="record.copy"),
        Binding("w", "save_note", "Save note", id="record.save"),
        Binding("S", "sign", "Sign", id="record.sign"),
        Binding("R", "risk_check", "Risk check", id="record.risk"),
        Binding("A", "amend", "Amend", id="record.amend"),
        Binding(
            "h", "handout", "Handout", id="record.handout", tooltip="The client's homework sheet"
        ),
        Binding(
            "P",
            "process_notes",
            "Process notes",
            id="record.process_notes",
            tooltip="Your private notes on this session: never in the note, exports or "
            "the client's view",
        ),
    ]
    # What the 80-column footer shows first (widgets/footer.py); the rest in ? and ^p.
    FOOTER_ORDER = (
        "record.back",
        "record.sign",
        "record.risk",
        "record.amend",
        "app.help",
        "record.toggle",
        "record.save",
        "record.copy",
        "record.process_notes",
        "record.handout",
    )

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        view: RecordView

    class Copied(Message, bubble=False):
        pass

    @dataclass
    class Saved(Message, bubble=False):
        path: Path

    class Signed(Message, bubble=False):
        pass

    @dataclass
    class Amended(Message, bubble=False):
        review_id: int

    def __init__(self, review_id: int, *, show_note: bool = False, status: str = "") -> None:
        """*status*: a confirmation for the status line (the review just completed)."""
        super().__init__()
        self.review_id = review_id
        self.show_note = show_note
        self.view: RecordView | None = None
        self._status = status

    def compose(self) -> ComposeResult:
        yield Static("Opening the review…", id="record-title", markup=False)
        yield Static("", id="record-versions", classes="hint", markup=False)
        with VerticalScroll(id="record-scroll", can_focus=True):
            yield NoteText("", id="record-text", markup=False)
        # Confirmations go here, never over the note.
        yield Static(self._status, id="record-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # -- loading ----------------------------------------------------------------------

    def load(self) -> None:
        ask(self, lambda p: p.record_view(self.review_id), self.Loaded, name="record")

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.view = event.view
        self._show()

    def confirm(self, message: str) -> None:
        """Say on the status line, under the note, that something was done."""
        self.query_one("#record-status", Static).update(safe_plain(message))

    @on(Copied)
    def _copied(self) -> None:
        self.confirm("Note copied to the clipboard.")

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.confirm(f"Note saved to {event.path} (readable only by you).")

    @on(Signed)
    def _signed(self) -> None:
        self.confirm("Review signed. It can no longer be edited; amend it instead.")
        self.load()

    @on(Amended)
    def _amended(self, event: Amended) -> None:
        from hwtui.screens.review import ReviewScreen

        self.app.switch_screen(ReviewScreen(event.review_id))

    def _show(self) -> None:
        assert self.view is not None
        ctx = self.view.ctx
        review = ctx.review
        title = safe_text(f"{ctx.client.code} {ctx.client.display_name}", "bold")
        title.append(f" · review of {review.session_date:%d %b %Y} · {review.status}")
        self.query_one("#record-title", Static).update(title)
        versions = self.view.versions
        line = Text()
        if len(versions) > 1:
            line.append(f"version {review.version} of {len(versions)}")
            if review.amend_reason:
                line.append(" · amended because: ")
                line.append_text(safe_text(review.amend_reason))
            if not self.view.is_latest:
                line.append(" · a newer version exists")
        if review.signed_at:
            line.append(f"{' · ' if line else ''}signed by ")
            line.append_text(safe_text(review.signed_by))
            line.append(f" {stamp(review.signed_at)}")
        versions_line = self.query_one("#record-versions", Static)
        versions_line.update(line)
        versions_line.display = bool(line)
        if self.show_note:
            body: Text = safe_text(self._note_text())
        else:
            setup = ReviewSetup(
                client=ctx.client,
                assignments={a.id: a for a in ctx.assignments if a.id is not None},
                values=ctx.values,
                risk_signals=ctx.risk_signals,
            )
            width = self.query_one("#record-text", NoteText).content_size.width
            body = render_summary(record_draft(ctx), setup, numbered=False, width=width or None)
        self.query_one("#record-text", Static).update(body or Text("(empty review)"))
        self.query_one("#record-scroll").focus()
        self.refresh_bindings()

    def _note_text(self) -> str:
        """The note as the text file has it (78 columns), or wrapped for this screen when
        it is narrower: wrapped twice, the text's own short lines left single words on
        lines of their own."""
        assert self.view is not None
        shown = self.query_one("#record-text", NoteText)
        shown.document = self.view.document
        return shown.wrapped(self.view.note)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {
            "copy_note",
            "save_note",
            "toggle_note",
            "sign",
            "amend",
            "risk_check",
            "handout",
        }:
            if self.view is None:
                return False
            status = self.view.ctx.review.status
            if action in {"sign", "risk_check"}:
                return status == ReviewStatus.COMPLETE
            if action == "amend":
                return status == ReviewStatus.SIGNED and self.view.is_latest
        return True

    # -- actions ----------------------------------------------------------------------

    def action_toggle_note(self) -> None:
        self.show_note = not self.show_note
        if self.view is not None:
            self._show()

    def action_copy_note(self) -> None:
        if self.view is None:
            return
        # OSC 52: the terminal (even at the far end of SSH) puts it on the clipboard.
        self.app.copy_to_clipboard(self.view.note)
        self._audit_copy()

    def _audit_copy(self) -> None:
        ask(
            self,
            lambda p: p.record_note_copy(self.review_id),
            lambda _: self.Copied(),
            name="record-copy",
            exclusive=False,
        )

    def action_save_note(self) -> None:
        if self.view is None:
            return
        review = self.view.ctx.review
        default = Path.home() / (
            f"{self.view.ctx.client.code}-{review.session_date:%Y-%m-%d}-v{review.version}.txt"
        )

        def chosen(path: str | None) -> None:
            if path:
                self._save(Path(path))

        self.app.push_screen(
            PromptScreen(
                "Save the progress note",
                "File (.md for Markdown, anything else plain text):",
                str(default),
                hint="The file is created readable only by you; an existing file is never "
                "replaced.",
            ),
            chosen,
        )

    def _save(self, path: Path) -> None:
        ask(
            self,
            lambda p: p.save_note(self.review_id, path),
            self.Saved,
            name="record-save",
            exclusive=False,
        )

    def action_handout(self) -> None:
        """The client's homework as it stands now: the goals this review set included."""
        if self.view is None:
            return
        from hwtui.screens.handout import HandoutScreen

        client = self.view.ctx.client
        assert client.id is not None
        self.app.push_screen(HandoutScreen(client.id, client.code))

    def action_process_notes(self) -> None:
        from hwtui.screens.process_notes import ProcessNotesScreen

        # Pushed within the key's handling: keys typed after P reach the notes.
        self.app.push_screen(ProcessNotesScreen(self.review_id))

    def action_sign(self) -> None:
        """Signing asks for the clinician's own assessment (it goes into the note), the
        session's length and modality, and shows the signature as it will be printed."""
        if self.view is None:
            return
        from hwtui.data.practice_views import SignForm
        from hwtui.screens.sign import SignScreen

        def answered(form: SignForm | None) -> None:
            if form is not None:
                self._sign(form)

        review = self.view.ctx.review
        signature = self.view.signature
        self.app.push_screen(
            SignScreen(
                SignForm(
                    assessment=review.assessment,
                    minutes=review.session_minutes,
                    modality=review.modality,
                    name=signature.display_name if signature else "",
                    credentials=signature.credentials if signature else "",
                ),
                suggestion=self.view.suggestion,
                place=f"sign review {self.review_id}",
                client_id=review.client_id,
            ),
            answered,
        )

    def _sign(self, form: SignForm) -> None:
        ask(
            self,
            lambda p: p.sign_review(self.review_id, form),
            lambda _: self.Signed(),
            name="record-sign",
        )

    def action_risk_check(self) -> None:
        """The risk check, recorded on a completed review before signing: each change
        is saved after a short pause, and at once when the dialog closes. Saves are
        numbered and take turns, so an older one never lands after a newer one."""
        if self.view is None:
            return
        from hwtui.screens.risk_check import RiskCheckScreen

        review = self.view.ctx.review
        check: dict[str, Any] = dict(review.risk or {})
        timer: list[Timer] = []
        turns = threading.Lock()
        newest = [0, 0]  # the last change's number, the last saved one's

        def saver(number: int, data: dict[str, Any]) -> Callable[[Practice], None]:
            def save(practice: Practice) -> None:
                with turns:
                    if number > newest[1]:
                        practice.save_risk_check(self.review_id, data)
                        newest[1] = number

            return save

        def changed(now: dict[str, Any]) -> None:
            check.clear()
            check.update(now)
            newest[0] += 1
            save = saver(newest[0], dict(check))
            for pending in timer:
                pending.stop()
            timer[:] = [
                self.set_timer(RISK_SAVE_SECONDS, lambda: tell(self, save, name="record-risk"))
            ]

        def closed(_: None) -> None:
            for pending in timer:
                pending.stop()
            save = saver(newest[0] + 1, dict(check))

            def save_and_reload(practice: Practice) -> RecordView:
                save(practice)
                return practice.record_view(self.review_id)  # the note shows the check

            ask(self, save_and_reload, self.Loaded, name="record")

        self.app.push_screen(RiskCheckScreen(check, self.view.ctx.risk_signals, changed), closed)

    def action_amend(self) -> None:
        def reason_given(reason: str | None) -> None:
            if reason:
                self._amend(reason)

        self.app.push_screen(
            PromptScreen(
                "Amend the signed review",
                "Why is it being amended? (kept with the new version)",
                placeholder="e.g. outcome recorded against the wrong task",
                place=f"amend review {self.review_id}",
            ),
            reason_given,
        )

    def _amend(self, reason: str) -> None:
        ask(
            self,
            lambda p: p.amend_review(self.review_id, reason),
            self.Amended,
            name="record-amend",
        )
