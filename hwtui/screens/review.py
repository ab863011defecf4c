"""The guided three-part review: outcomes → win → what worked → what got in the way →
new smaller goal → summary. Every change is kept in a draft that autosaves, so a dropped
link or a crash never costs more than a few seconds of typing."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static

from hwtui.data.catalog import ReviewStatus, ReviewStep
from hwtui.data.errors import InvalidInput
from hwtui.data.local_time import clock
from hwtui.data.practice import Practice
from hwtui.data.review_draft import ReviewDraft, typed_words
from hwtui.data.review_steps import (
    STEPS,
    next_step,
    previous_step,
    questions,
    step_info,
    step_label,
)
from hwtui.data.services.progress import Progress
from hwtui.data.services.reviews import DraftInUse, DraftLost, ReviewContext
from hwtui.screens.asking import ask, tell
from hwtui.screens.prompt import PromptScreen
from hwtui.widgets.footer import Fold, Footer
from hwtui.widgets.repaint import show
from hwtui.widgets.review_summary import risk_banner, risk_lines
from hwtui.widgets.safe import notify_safe, safe_text
from hwtui.widgets.steps.barriers import BarriersStep
from hwtui.widgets.steps.base import ReviewSetup, Step
from hwtui.widgets.steps.goal import GoalStep
from hwtui.widgets.steps.outcomes import OutcomesStep
from hwtui.widgets.steps.summary import SummaryStep
from hwtui.widgets.steps.win import WinStep
from hwtui.widgets.steps.worked import WorkedStep

if TYPE_CHECKING:
    from collections.abc import Callable

    from hwtui.app import HomeworkApp
    from hwtui.data.assignment_form import AssignmentForm

# The widget that shows each step, by code; which steps there are, in what order and with
# what titles and keys, is `hwtui.data.review_steps`.
STEP_WIDGETS: dict[ReviewStep, type[Step]] = {
    ReviewStep.OUTCOMES: OutcomesStep,
    ReviewStep.WIN: WinStep,
    ReviewStep.WORKED: WorkedStep,
    ReviewStep.BARRIERS: BarriersStep,
    ReviewStep.GOAL: GoalStep,
    ReviewStep.SUMMARY: SummaryStep,
}


# How often an open draft checks that it is still this session's (one indexed read).
LEASE_CHECK_SECONDS = 5.0


@dataclass(frozen=True)
class _Snapshot:
    """The draft as it was at one moment, numbered so an older save never wins."""

    seq: int
    data: dict[str, Any]


class ReviewScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        #review-bar {
            height: 1;
            background: $panel;
        }

        #review-title {
            width: 1fr;
            padding: 0 1;
        }

        #save-status {
            width: auto;
            padding: 0 1;
            color: $text-muted;
        }

        #save-status.-error {
            color: $text-error;
            background: $error-muted;
            text-style: bold;
        }

        #review-risk {
            padding: 0 1;
            text-style: bold;
        }

        #review-ask {
            padding: 0 1;
            text-style: italic;
        }

        #steps {
            height: 1fr;
        }

        #outcomes {
            height: 1fr;
        }

        #win_text {
            height: 6;
            margin-bottom: 1;
        }

        #win_kind {
            height: auto;
        }

        #barrier-list {
            height: 1fr;
            min-height: 4;
        }

        #remedies {
            height: auto;
            max-height: 4;
            color: $text-success;
        }

        #summary-scroll {
            height: 1fr;
            /* The summary wraps to its width: a scrollbar appearing must not change it. */
            scrollbar-gutter: stable;
        }

        /* Below the summary text, scrolled to: the summary itself comes first at 80x24. */
        #summary-chart {
            height: 12;
            margin-top: 1;
        }
    """
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"review-load", "review-complete"})

    BINDINGS = [
        Binding("pagedown,ctrl+n", "next", "Next", id="review.next", priority=True),
        Binding("pageup", "back", "Back", id="review.back", priority=True),
        Binding("f2", "skip", "Skip step", id="review.skip", priority=True),
        Binding("f6", "measures", "Measures", id="review.measures", priority=True),
        Binding("f7", "wins", "Wins bank", id="review.wins", priority=True),
        Binding("f8", "risk_check", "Risk check", id="review.risk", priority=True),
        Binding("ctrl+s", "save", "Save", id="review.save", priority=True),
        Binding("escape", "leave", "Leave", id="review.leave"),
    ]
    # What the 80-column footer shows first (see widgets/footer.py): moving, saving and
    # leaving on every step, then each step's own keys; the rest are in ? and the palette.
    FOOTER_ORDER = (
        "review.next",
        "review.back",
        "review.complete",
        "review.save",
        "review.leave",
        "app.help",
        "review.outcome.done",
        "review.goal.shrink",
        "review.goal.drop",
        "review.goal.editor",
        "review.skip",
        "review.risk",
        "review.measures",
        "review.wins",
    )
    # The outcome step spells out its four keys above its table.
    FOOTER_FOLDS = (
        Fold(
            (
                "review.outcome.done",
                "review.outcome.partly",
                "review.outcome.not_done",
                "review.outcome.none",
            ),
            "Mark",
        ),
    )

    app: HomeworkApp

    @dataclass
    class Opened(Message, bubble=False):
        ctx: ReviewContext

    @dataclass
    class ProgressLoaded(Message, bubble=False):
        progress: Progress

    @dataclass
    class LeaseChecked(Message, bubble=False):
        problem: DraftLost | None

    @dataclass
    class Saved(Message, bubble=False):
        fresh: bool  # False: nothing newer than what was stored

    class Completed(Message, bubble=False):
        pass

    @dataclass
    class Refused(Message, bubble=False):
        """Opening, saving or completing failed; *doing* says which."""

        doing: str
        error: BaseException

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.draft: ReviewDraft | None = None
        self.setup: ReviewSetup | None = None
        self._seq = 0
        self._saved_seq = 0
        self._saved_data: dict[str, Any] | None = None
        self._save_lock = threading.Lock()
        self._autosave: Timer | None = None
        self._lease_timer: Timer | None = None
        self._kept_id: int | None = None
        self._amendment = ""
        self._cautioned = False  # the cautions before completing were shown once

    def compose(self) -> ComposeResult:
        with Horizontal(id="review-bar"):
            yield Static("Opening the review…", id="review-title", markup=False)
            yield Static("", id="save-status", markup=False)
        yield Static("", id="review-risk", classes="gentle", markup=False)
        yield Static("", id="review-ask", classes="hint", markup=False)
        yield ContentSwitcher(id="steps")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    # -- loading ------------------------------------------------------------------------

    def load(self, take_over: bool = False) -> None:
        ask(
            self,
            lambda p: p.open_review(self.review_id, take_over=take_over),
            self.Opened,
            name="review-load",
            failed=lambda error: self.Refused("open", error),
        )

    def _in_use(self, error: DraftInUse) -> None:
        """Another session holds the draft: take it over, look without editing, or go."""

        def chosen(choice: str | None) -> None:
            if choice == "take":
                self.load(take_over=True)
            elif choice == "read":
                from hwtui.screens.draft_conflict import DraftPeekScreen

                self.app.switch_screen(DraftPeekScreen(self.review_id))
            else:
                self.dismiss(None)

        from hwtui.screens.draft_conflict import DraftInUseScreen

        self.app.push_screen(DraftInUseScreen(str(error)), chosen)

    def load_progress(self, client_id: int) -> None:
        """The history the summary's chart draws; loaded while the first steps are filled."""
        ask(self, lambda p: p.progress(client_id), self.ProgressLoaded, name="review-progress")

    @on(ProgressLoaded)
    def _progress_loaded(self, event: ProgressLoaded) -> None:
        self.query_one(SummaryStep).show_history(event.progress)

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        error = event.error
        if event.doing == "open" and isinstance(error, DraftInUse):
            self._in_use(error)
        elif isinstance(error, DraftLost):
            self._lost(error)
        elif event.doing == "complete" and isinstance(error, InvalidInput):
            self._not_complete([str(p) for p in error.problems])
        else:
            if event.doing == "save":
                self._show_saved(error=error)
            self.app.show_error(error)

    @on(Opened)
    async def _opened(self, event: Opened) -> None:
        ctx = event.ctx
        if ctx.review.status != ReviewStatus.DRAFT:
            notify_safe(self.app, "This review is already complete.")
            self.dismiss(None)
            return
        review = ctx.review
        self._amendment = (
            f" · amendment (version {review.version})" if review.amends_id is not None else ""
        )
        self.setup = ReviewSetup(
            client=ctx.client,
            assignments={a.id: a for a in ctx.assignments if a.id is not None},
            values=ctx.values,
            session_date=review.session_date,
            risk_signals=ctx.risk_signals,
            deteriorations=ctx.deteriorations,
        )
        self.draft = ReviewDraft.from_saved(
            ctx.review, ctx.assignments, ctx.outcomes, ctx.review.draft_goals
        )
        self._saved_data = self.draft.to_input()
        steps = [STEP_WIDGETS[s](self.draft, self.setup, id=f"step-{s.value}") for s in STEPS]
        for widget in steps:
            widget.display = False  # the switcher shows one at a time
        await self.query_one(ContentSwitcher).mount_all(steps)
        self._show_risk()
        self._go(self.draft.step, save=False)
        assert ctx.client.id is not None
        self.load_progress(ctx.client.id)
        self._lease_timer = self.set_interval(LEASE_CHECK_SECONDS, self.check_lease)

    # -- one writer per draft -----------------------------------------------------------

    def check_lease(self) -> None:
        """Whether this session still holds the draft: told at once, not at the next save."""
        ask(
            self,
            lambda p: p.lease_problem(self.review_id),
            self.LeaseChecked,
            name="review-lease",
        )

    @on(LeaseChecked)
    def _lease_checked(self, event: LeaseChecked) -> None:
        if event.problem is not None:
            self._lost(event.problem)

    def _lost(self, error: DraftLost) -> None:
        """The draft is no longer this session's: keep what it had not saved, then say so."""
        if self.draft is None:
            return  # told already
        if self._lease_timer is not None:
            self._lease_timer.stop()
        if self._autosave is not None:
            self._autosave.stop()
        words, kept = self._keep_unsaved(str(error))
        self.draft = None  # nothing more is saved from this screen
        self.refresh_bindings()
        status = self.query_one("#save-status", Static)
        status.update("NOT YOURS")
        status.add_class("-error")
        from hwtui.screens.draft_conflict import DraftLostScreen

        self.app.push_screen(
            DraftLostScreen(str(error), words, kept=kept, on_copy=self._audit_copy),
            self._leave_lost,
        )

    def _leave_lost(self, _: None) -> None:
        self.dismiss(None)  # not awaited: this runs inside the screen's own handler

    def _keep_unsaved(self, reason: str) -> tuple[str, bool]:
        """This session's words not in the stored draft, as text; and whether they are
        now kept in the database (they are also shown, so a failure loses nothing)."""
        if self.draft is None or self.setup is None:
            return "", False
        data = self.draft.to_input()
        if data == self._saved_data:
            return "", False
        words = typed_words(data, {k: a.title for k, a in self.setup.assignments.items()})
        try:
            # On this thread: the screen is about to be left or told it lost the draft,
            # and the words must be kept before anything else happens.
            self._kept_id = self.app.practice.keep_unsaved(self.review_id, words, reason, data)
        except Exception as exc:
            self.app.show_error(exc)
            return words, False
        return words, True

    def _audit_copy(self) -> None:
        kept_id = self._kept_id
        tell(self, lambda p: p.record_unsaved_copy(self.review_id, kept_id), name="review-copy")

    # -- moving between steps -----------------------------------------------------------

    def _go(self, step: ReviewStep, *, save: bool = True) -> None:
        assert self.draft is not None
        self.draft.step = step
        switcher = self.query_one(ContentSwitcher)
        switcher.current = f"step-{step.value}"
        self._title()
        self.query_one("#review-ask", Static).update(questions(step))
        widget = self.query_one(f"#step-{step.value}", Step)
        widget.show()
        self.refresh_bindings()
        if save:
            self.save_soon(delay=0)

    def _title(self) -> None:
        assert self.draft is not None
        assert self.setup is not None
        step = self.draft.step
        title = safe_text(f"{self.setup.client.code} {self.setup.client.display_name}", "bold")
        title.append(self._amendment)
        title.append(f" · {step_label(step)}")
        if step.value in self.draft.skipped:
            title.append(" (skipped)", style="dim")
        self.query_one("#review-title", Static).update(title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.draft is None:
            return action == "leave"
        if action == "back":
            return previous_step(self.draft.step) is not None
        if action in {"next", "skip"}:
            return next_step(self.draft.step) is not None
        return True

    def action_next(self) -> None:
        if self.draft is not None and (step := next_step(self.draft.step)) is not None:
            self._go(step)

    def action_back(self) -> None:
        if self.draft is not None and (step := previous_step(self.draft.step)) is not None:
            self._go(step)

    def action_skip(self) -> None:
        if self.draft is None:
            return
        step = self.draft.step
        current = self.draft.skipped.get(step.value, "")

        def skipped(reason: str | None) -> None:
            if reason is None or self.draft is None:
                return
            if reason:
                self.draft.skipped[step.value] = reason
                self._go(next_step(step) or step)
            else:  # an empty reason takes the skip back
                self.draft.skipped.pop(step.value, None)
                self._title()
                self.save_soon(delay=0)

        self.app.push_screen(
            PromptScreen(
                f"Skip: {step_info(step).title}",
                "Why does this step not apply today? (Enter to skip)",
                current,
                placeholder="e.g. no homework was set last time",
                hint="Clear the reason and press Enter to take the skip back.",
                place=f"review {self.review_id} skip {step.value}",
                client_id=self.setup.client.id if self.setup else None,
            ),
            skipped,
        )

    def action_measures(self) -> None:
        """Record ORS, SRS, PHQ-9, ... for this session without leaving the review."""
        if self.setup is None or self.setup.client.id is None:
            return
        from hwtui.screens.measures import MeasuresScreen

        self.app.push_screen(MeasuresScreen(self.setup.client.id, self.review_id))

    def action_risk_check(self) -> None:
        """The risk check: offered when item 9 was above 0 lately, open to any review."""
        if self.draft is None or self.setup is None:
            return
        from hwtui.screens.risk_check import RiskCheckScreen

        def changed(check: dict[str, Any]) -> None:
            if self.draft is not None:
                self.draft.risk = check
                self._show_risk()
                self.save_soon()

        def closed(_: None) -> None:
            if self.draft is not None:
                self.query_one(f"#step-{self.draft.step.value}", Step).show()

        self.app.push_screen(
            RiskCheckScreen(self.draft.risk, self.setup.risk_signals, changed), closed
        )

    def _show_risk(self) -> None:
        """The line that says a risk check is called for and not complete yet."""
        assert self.draft is not None
        assert self.setup is not None
        line = self.query_one("#review-risk", Static)
        text = risk_banner(self.draft, self.setup)
        line.update(text)
        line.display = bool(text)

    def action_wins(self) -> None:
        """The client's past wins, to remind them what they have already done."""
        if self.setup is None or self.setup.client.id is None:
            return
        from hwtui.screens.wins import WinsScreen

        self.app.push_screen(WinsScreen(self.setup.client.id, self.setup.client.code))

    def open_goal_editor(
        self,
        client_id: int,
        parent_id: int | None,
        form: AssignmentForm,
        done: Callable[[object], None],
    ) -> None:
        """The goal step's F5 (widgets/steps/goal.py: GoalEditorHost): the full editor."""
        from hwtui.data.assignment_form import EditorTarget
        from hwtui.screens.assign import AssignmentEditorScreen

        target = EditorTarget.goal(client_id, parent_id)
        self.app.push_screen(AssignmentEditorScreen(target, form), done)

    @on(SummaryStep.Jump)
    def _jump(self, event: SummaryStep.Jump) -> None:
        self._go(event.step)

    # -- saving -------------------------------------------------------------------------

    @on(Step.Edited)
    def _edited(self) -> None:
        self.save_soon()

    def save_soon(self, delay: float | None = None) -> None:
        """Save after *delay* seconds of quiet (default: the autosave setting)."""
        if self._autosave is not None:
            self._autosave.stop()
        status = self.query_one("#save-status", Static)
        if not status.has_class("-error"):  # a failure stays on screen until a save works
            show(status, "editing…")  # at every key: repainted only when it changes
        wait = self.app.autosave_seconds if delay is None else delay
        self._autosave = self.set_timer(max(wait, 0.01), self._save_now)

    def _snapshot(self) -> _Snapshot | None:
        if self.draft is None:
            return None
        self._seq += 1
        return _Snapshot(self._seq, self.draft.to_input())

    def _save_now(self) -> None:
        snapshot = self._snapshot()
        if snapshot is not None:
            self.save(snapshot)

    def save(self, snapshot: _Snapshot) -> None:
        # Not exclusive: every snapshot is offered, and `_write` keeps only the newest.
        ask(
            self,
            lambda p: self._write(p, snapshot),
            self.Saved,
            name="review-save",
            exclusive=False,
            failed=lambda error: self.Refused("save", error),
        )

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        if event.fresh:
            self._show_saved()

    def _write(self, practice: Practice, snapshot: _Snapshot, *, release: bool = False) -> bool:
        """Write *snapshot* unless a newer one is already stored. Any thread.

        *release*: this session is leaving the draft; free it for the next one.
        """
        with self._save_lock:
            fresh = snapshot.seq > self._saved_seq and snapshot.data != self._saved_data
            if not (fresh or release):
                return False
            practice.save_draft(self.review_id, snapshot.data if fresh else None, release=release)
            if fresh:
                self._saved_seq = snapshot.seq
                self._saved_data = snapshot.data
            return fresh

    def flush_draft(self) -> None:
        """Save now, on this thread, and leave the draft: for leaving the review,
        quitting, hang-ups and idle logoff.

        The UI is going away, so waiting on a worker would risk losing the last words.
        A draft no longer this session's keeps its words apart instead (`_lost`'s way)
        and lets the session leave: it must never be held on a screen it cannot save.
        """
        if self._autosave is not None:
            self._autosave.stop()
        snapshot = self._snapshot()
        if snapshot is None:
            return
        try:
            self._write(self.app.practice, snapshot, release=True)
        except DraftLost as error:
            self._keep_unsaved(str(error))
            self.draft = None

    def _show_saved(self, error: BaseException | None = None) -> None:
        status = self.query_one("#save-status", Static)
        if error is not None:
            status.update("NOT SAVED")
            status.add_class("-error")
        else:
            status.update(f"draft saved {clock(datetime.now(UTC))}")
            status.remove_class("-error")

    def action_save(self) -> None:
        self.save_soon(delay=0)

    def action_leave(self) -> None:
        """Back to the client; the draft is saved first and can be resumed there."""
        try:
            self.flush_draft()
        except Exception as exc:  # shown, and the clinician stays on the review
            self._show_saved(error=exc)
            self.app.show_error(exc)
            return
        self.dismiss(None)

    # -- completing ---------------------------------------------------------------------

    def _not_complete(self, problems: list[str]) -> None:
        self.query_one(SummaryStep).show_problems(problems)
        # The summary lists what is missing already, so without a notice `c` looked like a
        # key that did nothing (a newcomer pressed it twice).
        notify_safe(self.app, "Not complete yet: " + "; ".join(problems), severity="warning")

    @on(SummaryStep.CompleteRequested)
    def _complete_requested(self) -> None:
        assert self.draft is not None
        problems = self.draft.problems()
        if problems:
            self._not_complete(problems)
            return
        cautions = self._cautions()
        if cautions and not self._cautioned:
            # Asked once: the clinician may have good reasons, and knows them now.
            self._cautioned = True

            def answered(complete: bool | None) -> None:
                if complete:
                    self._complete_requested()

            from hwtui.screens.confirm import ConfirmScreen

            detail = "\n".join(f"• {caution}" for caution in cautions)
            self.app.push_screen(
                ConfirmScreen("Complete the review as it is?", detail + "\n\nn to go back."),
                answered,
            )
            return
        if self._autosave is not None:
            self._autosave.stop()
        self.complete(self.draft.to_input())

    def _cautions(self) -> list[str]:
        """What the draft says against itself, and a risk check called for and not
        complete: shown before completing, never printed into the note."""
        assert self.draft is not None
        assert self.setup is not None
        titles = {aid: row.title for aid, row in self.setup.assignments.items()}
        cautions = self.draft.cautions(titles)
        risk = risk_lines(self.draft, self.setup)
        if risk and "recorded:" not in risk:
            cautions.append(risk.replace("(F8)", "(F8 records it)"))
        return cautions

    def complete(self, data: dict[str, Any]) -> None:
        ask(
            self,
            lambda p: self._complete(p, data),
            lambda _: self.Completed(),
            name="review-complete",
            failed=lambda error: self.Refused("complete", error),
        )

    def _complete(self, practice: Practice, data: dict[str, Any]) -> None:
        with self._save_lock:
            practice.complete_review(self.review_id, data)
            # Nothing left to autosave: the review is no longer a draft.
            self.draft = None

    @on(Completed)
    def _completed(self) -> None:
        from hwtui.screens.review_record import ReviewRecordScreen

        # The note comes next: preview, copy or save it, and sign when ready. Said on its
        # status line, not in a toast over the note.
        self.app.switch_screen(
            ReviewRecordScreen(self.review_id, show_note=True, status="Review complete.")
        )
