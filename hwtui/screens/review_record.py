"""A past review, read-only: what was agreed and learned that day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from hwtui.data.review_draft import GoalDraft, ReviewDraft
from hwtui.data.services.reviews import ReviewContext, open_review
from hwtui.widgets.review_summary import render_summary
from hwtui.widgets.safe import safe_text
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


class ReviewRecordScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="record.back")]

    app: HomeworkApp

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id

    def compose(self) -> ComposeResult:
        yield Static("Opening the review…", id="record-title", markup=False)
        with VerticalScroll(id="record-scroll", can_focus=True):
            yield Static("", id="record-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="record")
    def load(self) -> ReviewContext:
        with self.app.db.write() as session:  # viewing is audited
            return open_review(session, self.app.actor, self.review_id)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.app.show_error(event.worker.error)
        elif event.state is WorkerState.SUCCESS and isinstance(event.worker.result, ReviewContext):
            ctx = event.worker.result
            setup = ReviewSetup(
                client=ctx.client,
                assignments={a.id: a for a in ctx.assignments if a.id is not None},
                values=ctx.values,
            )
            title = safe_text(f"{ctx.client.code} {ctx.client.display_name}", "bold")
            title.append(f" · review of {ctx.review.session_date:%d %b %Y} · {ctx.review.status}")
            self.query_one("#record-title", Static).update(title)
            body = render_summary(record_draft(ctx), setup, numbered=False)
            self.query_one("#record-text", Static).update(body or Text("(empty review)"))
            self.query_one("#record-scroll").focus()
