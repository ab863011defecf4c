"""When two sessions meet on one review draft: one writer at a time, and no lost words.

`DraftInUseScreen` asks a session opening a draft that another session holds what to do
(take it over, look at it read-only, or go back). `DraftLostScreen` tells a session that
lost its draft (taken over, or completed elsewhere) at once, and shows the words it had
not saved, which are kept in the database and can be copied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from hwtui.data.local_time import clock
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.services.reviews import ReviewContext
from hwtui.screens.asking import ask
from hwtui.widgets.footer import Footer
from hwtui.widgets.review_summary import render_summary
from hwtui.widgets.safe import notify_safe, safe_content, safe_text
from hwtui.widgets.steps.base import ReviewSetup

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

Choice = Literal["take", "read"]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


class DraftInUseScreen(ModalScreen[Choice | None]):
    BINDINGS = [
        Binding("t", "choose('take')", "Take over", id="draft.take"),
        Binding("r", "choose('read')", "Read only", id="draft.read"),
        Binding("escape", "choose(None)", "Back", id="draft.back"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Open in another session", classes="dialog-title", markup=False)
            yield Static(safe_content(_sentence(self.message)), markup=False)
            yield Static(
                "Take it over only if that session is yours and finished with: its next "
                "save is refused and what it had not saved is kept apart.",
                markup=False,
            )
            yield Static("t take over · r read only · esc back", classes="hint", markup=False)
        yield Footer()

    def action_choose(self, choice: Choice | None) -> None:
        self.dismiss(choice)


class DraftLostScreen(ModalScreen[None]):
    """The review is no longer this session's to edit; its unsaved words, kept."""

    BINDINGS = [
        Binding("y", "copy", "Copy my words", id="lost.copy"),
        Binding("escape,enter", "close", "Back to client", id="lost.back"),
    ]

    def __init__(
        self, message: str, words: str, *, kept: bool, on_copy: Callable[[], object] | None = None
    ) -> None:
        super().__init__()
        self.on_copy = on_copy
        self.message = message
        self.words = words
        self.kept = kept

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                "This review is no longer yours to edit", classes="dialog-title", markup=False
            )
            yield Static(safe_content(_sentence(self.message)), markup=False)
            if self.words:
                yield Static(
                    "What this session had not saved (kept in the database):"
                    if self.kept
                    else "What this session had not saved (NOT kept: the database could not "
                    "be written; copy it now):",
                    classes="gentle",
                    markup=False,
                )
                with VerticalScroll(id="lost-words"):
                    yield Static(safe_content(self.words), markup=False)
            else:
                yield Static("Everything typed here had been saved.", markup=False)
            yield Static(
                "y copy · esc back to the client" if self.words else "esc back to the client",
                classes="hint",
                markup=False,
            )
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.words) if action == "copy" else True

    def action_copy(self) -> None:
        # OSC 52: the terminal, even at the far end of SSH, puts it on the clipboard.
        self.app.copy_to_clipboard(self.words)
        if self.on_copy is not None:
            self.on_copy()  # audited: client words leaving hwtui
        notify_safe(self, "Copied.")

    def action_close(self) -> None:
        self.dismiss(None)


class DraftPeekScreen(Screen[None]):
    """A draft another session is editing, read-only: what it holds as last saved."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="peek.back")]

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        ctx: ReviewContext

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id

    def compose(self) -> ComposeResult:
        yield Static("Reading the draft…", id="peek-title", markup=False)
        with VerticalScroll(id="peek-scroll", can_focus=True):
            yield Static("", id="peek-text", markup=False)
        yield Static("read only: open in another session · esc back", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        ask(self, lambda p: p.peek_review(self.review_id), self.Loaded, name="peek")

    @on(Loaded)
    def _show(self, event: Loaded) -> None:
        ctx = event.ctx
        draft = ReviewDraft.from_saved(
            ctx.review, ctx.assignments, ctx.outcomes, ctx.review.draft_goals
        )
        setup = ReviewSetup(
            client=ctx.client,
            assignments={a.id: a for a in ctx.assignments if a.id is not None},
            values=ctx.values,
        )
        title = safe_text(f"{ctx.client.code} {ctx.client.display_name}", "bold")
        title.append(f" · draft, read only (last saved {clock(ctx.review.updated_at)})")
        self.query_one("#peek-title", Static).update(title)
        self.query_one("#peek-text", Static).update(render_summary(draft, setup))
        self.query_one("#peek-scroll").focus()
