"""A finished review, read-only: what was agreed and learned that day, and its progress
note — to copy (OSC 52, also over SSH), save to a private file, sign, or amend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from hwtui.data.catalog import ReviewStatus
from hwtui.data.models import Review
from hwtui.data.notes import render_text
from hwtui.data.review_draft import GoalDraft, ReviewDraft
from hwtui.data.services.notes import note_for, record_note_copy, save_note
from hwtui.data.services.reviews import (
    ReviewContext,
    amend_review,
    open_review,
    review_versions,
    sign_review,
)
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.prompt import PromptScreen
from hwtui.widgets.footer import Footer
from hwtui.widgets.review_summary import render_summary
from hwtui.widgets.safe import notify_safe, safe_text
from hwtui.widgets.steps.base import ReviewSetup

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


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


@dataclass(frozen=True)
class RecordView:
    ctx: ReviewContext
    note: str
    versions: list[Review]

    @property
    def is_latest(self) -> bool:
        return self.versions[-1].id == self.ctx.review.id


class ReviewRecordScreen(Screen[None]):
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"record", "record-sign", "record-amend"})

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="record.back"),
        Binding("v", "toggle_note", "Note/summary", id="record.toggle"),
        Binding("y", "copy_note", "Copy note", id="record.copy"),
        Binding("w", "save_note", "Save note", id="record.save"),
        Binding("S", "sign", "Sign", id="record.sign"),
        Binding("A", "amend", "Amend", id="record.amend"),
    ]

    app: HomeworkApp

    def __init__(self, review_id: int, *, show_note: bool = False) -> None:
        super().__init__()
        self.review_id = review_id
        self.show_note = show_note
        self.view: RecordView | None = None

    def compose(self) -> ComposeResult:
        yield Static("Opening the review…", id="record-title", markup=False)
        yield Static("", id="record-versions", classes="hint", markup=False)
        with VerticalScroll(id="record-scroll", can_focus=True):
            yield Static("", id="record-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # -- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="record")
    def load(self) -> RecordView:
        with self.app.db.write() as session:  # viewing is audited
            ctx = open_review(session, self.app.actor, self.review_id)
            note = render_text(note_for(session, self.app.actor, self.review_id))
            versions = review_versions(session, self.app.actor, self.review_id)
        return RecordView(ctx, note, versions)

    @on(Worker.StateChanged)
    def _done(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.show_error(event.worker.error)
            return
        if event.state is not WorkerState.SUCCESS:
            return
        result = event.worker.result
        if isinstance(result, RecordView):
            self.view = result
            self._show()
        elif event.worker.group == "record-copy":
            notify_safe(self.app, "Note copied to the clipboard.")
        elif event.worker.group == "record-save" and isinstance(result, Path):
            notify_safe(self.app, f"Note saved to {result} (readable only by you).")
        elif event.worker.group == "record-sign":
            notify_safe(self.app, "Review signed. It can no longer be edited; amend it instead.")
            self.load()
        elif event.worker.group == "record-amend" and isinstance(result, int):
            from hwtui.screens.review import ReviewScreen

            self.app.switch_screen(ReviewScreen(result))

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
            line.append(f" {review.signed_at:%d %b %Y %H:%M} UTC")
        versions_line = self.query_one("#record-versions", Static)
        versions_line.update(line)
        versions_line.display = bool(line)
        if self.show_note:
            body: Text = safe_text(self.view.note)
        else:
            setup = ReviewSetup(
                client=ctx.client,
                assignments={a.id: a for a in ctx.assignments if a.id is not None},
                values=ctx.values,
            )
            body = render_summary(record_draft(ctx), setup, numbered=False)
        self.query_one("#record-text", Static).update(body or Text("(empty review)"))
        self.query_one("#record-scroll").focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"copy_note", "save_note", "toggle_note", "sign", "amend"}:
            if self.view is None:
                return False
            status = self.view.ctx.review.status
            if action == "sign":
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

    @work(thread=True, exit_on_error=False, group="record-copy")
    def _audit_copy(self) -> None:
        with self.app.db.write() as session:
            record_note_copy(session, self.app.actor, self.review_id)

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

    @work(thread=True, exit_on_error=False, group="record-save")
    def _save(self, path: Path) -> Path:
        with self.app.db.write() as session:
            return save_note(session, self.app.actor, self.review_id, path)

    def action_sign(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._sign()

        self.app.push_screen(
            ConfirmScreen(
                "Sign this review?",
                "A signed review is part of the record and cannot be edited; changes "
                "after signing are made as amendments, which keep every version.",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-sign")
    def _sign(self) -> None:
        with self.app.db.write() as session:
            sign_review(session, self.app.actor, self.review_id)

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

    @work(thread=True, exclusive=True, exit_on_error=False, group="record-amend")
    def _amend(self, reason: str) -> int:
        with self.app.db.write() as session:
            amendment = amend_review(session, self.app.actor, self.review_id, reason)
            assert amendment.id is not None
            return amendment.id
