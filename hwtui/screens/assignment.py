"""One homework task in full: its fields, the goal chain it belongs to, and its history.

From here the clinician edits it, marks it completed, retires it with a reason, or
replaces it with a smaller step; closed tasks are shown read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static

from hwtui.data.assignment_form import AssignmentForm, EditorTarget
from hwtui.data.catalog import (
    BARRIERS_BY_CODE,
    CHECKLIST,
    KINDS_BY_CODE,
    SPECIFICS,
    AssignmentStatus,
    Outcome,
)
from hwtui.data.local_time import local_date
from hwtui.data.models import Assignment
from hwtui.data.services.assignment_detail import AssignmentDetail
from hwtui.data.services.assignments import is_overdue
from hwtui.screens.asking import ask
from hwtui.screens.assign import AssignmentEditorScreen, EditorResult
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.retire import RetireScreen
from hwtui.widgets.footer import Footer
from hwtui.widgets.safe import notify_safe, safe_content, safe_plain

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

LABEL = "$foreground-muted"
NOTICE = "italic $warning"
HEADING = "bold"


def day(value: date) -> str:
    return value.strftime("%d %b %Y")


def status_words(row: Assignment) -> str:
    """The status as a clinician says it; closed ones say when and why."""
    if row.status == AssignmentStatus.ACTIVE:
        return "active"
    when = day(local_date(row.updated_at))
    if row.status == AssignmentStatus.REPLACED:
        return f"replaced {when} by a smaller step"
    reason = f": {safe_plain(row.status_reason)}" if row.status_reason else ""
    return f"{row.status} {when}{reason}"


def kind_name(code: str) -> str:
    return KINDS_BY_CODE[code].name if code in KINDS_BY_CODE else safe_plain(code)


def head_line(detail: AssignmentDetail, today: date) -> Content:
    row = detail.assignment
    parts: list[str | Content | tuple[str, str]] = [
        safe_content(detail.client.code),
        "  ",
        safe_content(row.title).stylize("bold"),
        (f" · {status_words(row)}", LABEL),
    ]
    if row.due_date is not None:
        if is_overdue(row, today):
            parts.append((f" · overdue, was due {day(row.due_date)}", NOTICE))
        else:
            parts.append((f" · due {day(row.due_date)}", LABEL))
    return Content.assemble(*parts)


def chain_text(detail: AssignmentDetail) -> Content:
    """The original goal and every smaller step under it; this task is marked."""
    lines: list[Content] = []
    for node in detail.tree:
        row = node.assignment
        this = row.id == detail.assignment.id
        title = safe_content(row.title)
        confidence = f" · confidence {row.confidence}/10" if row.confidence is not None else ""
        lines.append(
            Content.assemble(
                # Each step under the goal it supports: "↳" one level in, then indented.
                "  " * (node.depth - 1) + "↳ " if node.depth else "",
                title.stylize("bold") if this else title,
                (f" · {row.status}{confidence}", LABEL),
                ("  ◀ this one", "bold") if this and len(detail.tree) > 1 else "",
            )
        )
    if len(detail.tree) == 1:
        lines.append(Content.styled("An original goal: no smaller steps yet.", LABEL))
    return Content("\n").join(lines)


def field_rows(detail: AssignmentDetail) -> list[tuple[str, Content]]:
    """(label, text) for every field; empty ones say so, so gaps are visible."""
    row = detail.assignment
    none = Content.styled("—", LABEL)

    def text(value: str) -> Content:
        return safe_content(value) if value.strip() else none

    kind = KINDS_BY_CODE.get(row.kind)
    tags = f" · {' '.join(kind.tags)}" if kind and kind.tags else ""
    rows = [
        ("Kind", Content.assemble(kind_name(row.kind), (tags, LABEL))),
        ("Instructions", text(row.instructions)),
        ("Rationale", text(row.rationale)),
    ]
    rows += [(label.capitalize(), text(getattr(row, attr))) for attr, label in SPECIFICS.items()]
    due = f"{row.due_date:%a} {day(row.due_date)}" if row.due_date else ""
    rows.append(("Due", Content(due) if due else none))
    rows.append(("Value", safe_content(detail.value) if detail.value else none))
    obstacles = [
        Content.assemble(
            BARRIERS_BY_CODE[code].label, (f" → {BARRIERS_BY_CODE[code].remedy}", LABEL)
        )
        for code in row.obstacles
        if code in BARRIERS_BY_CODE
    ]
    rows.append(("Obstacles", Content("\n").join(obstacles) if obstacles else none))
    confidence = f"{row.confidence}/10" if row.confidence is not None else "not asked"
    rows.append(("Confidence", Content(confidence)))
    ticks = [f"{'✓' if getattr(row, attr) else '✗'} {label}" for attr, label in CHECKLIST.items()]
    rows.append(("Checklist", Content(" · ".join(ticks))))
    missing = AssignmentForm.from_assignment(row).missing_specifics()
    rows.append(
        (
            "Specific",
            Content.styled(f"not yet: {', '.join(missing)}", NOTICE)
            if missing
            else Content("✓ what, when, where, how often and how long"),
        )
    )
    return rows


def history_lines(detail: AssignmentDetail) -> list[Content]:
    row = detail.assignment
    set_in = f" in the review of {day(detail.set_in_review)}" if detail.set_in_review else ""
    lines = [Content(f"Set {day(local_date(row.created_at))}{set_in}")]
    for outcome in detail.outcomes:
        labels = [
            BARRIERS_BY_CODE[code].label if code in BARRIERS_BY_CODE else safe_plain(code)
            for code in outcome.barriers
        ]
        got_in_the_way = f" · in the way: {', '.join(labels)}" if labels else ""
        lines.append(
            Content(
                f"Reviewed {day(outcome.session_date)}: "
                f"{Outcome(outcome.outcome).label}{got_in_the_way}"
            )
        )
    if not detail.outcomes:
        lines.append(Content.styled("Not reviewed yet.", LABEL))
    if row.status != AssignmentStatus.ACTIVE:
        status = status_words(row)
        lines.append(Content.assemble(status[:1].upper(), status[1:]))
    return lines


class AssignmentScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        #assignment-head {
            height: auto;
            max-height: 2;
            padding: 0 1;
            background: $boost;
        }

        #assignment-body {
            height: 1fr;
            padding: 0 1;
        }

        #assignment-body:focus {
            background-tint: $foreground 4%;
        }

        .detail-heading {
            text-style: bold;
            margin-top: 1;
        }

        #fields {
            grid-size: 2;
            grid-columns: 13 1fr;
            grid-rows: auto;
            grid-gutter: 0 1;
            height: auto;
        }

        .detail-label {
            color: $text-muted;
        }
    """
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"detail", "complete"})

    AUTO_FOCUS = "#assignment-body"

    BINDINGS = [
        Binding("e", "edit", "Edit", id="assignment.edit"),
        Binding(
            "s",
            "smaller",
            "Smaller",
            id="assignment.smaller",
            tooltip="Replace it with a smaller step",
        ),
        Binding("c", "complete", "Done", id="assignment.complete", tooltip="Mark it completed"),
        Binding("r", "retire", "Retire", id="assignment.retire"),
        Binding("escape", "back", "Back", id="assignment.back"),
        Binding("f5", "reload", "Reload", id="assignment.reload", show=False),
    ]

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        detail: AssignmentDetail

    @dataclass
    class LoadFailed(Message, bubble=False):
        error: BaseException

    class Completed(Message, bubble=False):
        pass

    def __init__(self, assignment_id: int) -> None:
        super().__init__()
        self.assignment_id = assignment_id
        self.detail: AssignmentDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="assignment-head", markup=False)
        with VerticalScroll(id="assignment-body"):
            yield Static("Goal chain", classes="detail-heading", markup=False)
            yield Static("", id="chain", markup=False)
            yield Static("The task", classes="detail-heading", markup=False)
            yield Grid(id="fields")
            yield Static("History", classes="detail-heading", markup=False)
            yield Static("", id="history", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Homework"
        self.load()

    # -- data -------------------------------------------------------------------------

    def load(self) -> None:
        assignment_id = self.assignment_id
        ask(
            self,
            lambda p: p.assignment_detail(assignment_id),
            self.Loaded,
            name="detail",
            failed=self.LoadFailed,
        )

    def complete(self) -> None:
        assignment_id = self.assignment_id
        ask(
            self,
            lambda p: p.complete_assignment(assignment_id),
            lambda _: self.Completed(),
            name="complete",
        )

    @on(Loaded)
    async def _loaded(self, event: Loaded) -> None:
        await self.show_detail(event.detail)

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self.query_one("#assignment-head", Static).update("This homework could not be loaded.")
        self.app.show_error(event.error)

    @on(Completed)
    def _completed(self) -> None:
        notify_safe(self, "Marked completed: it stays in the earlier homework.")
        self.load()

    async def show_detail(self, detail: AssignmentDetail) -> None:
        self.detail = detail
        self.query_one("#assignment-head", Static).update(head_line(detail, self.app.today()))
        self.query_one("#chain", Static).update(chain_text(detail))
        cells: list[Widget] = []
        for label, text in field_rows(detail):
            cells.append(Static(label, classes="detail-label", markup=False))
            cells.append(Static(text, markup=False))
        grid = self.query_one("#fields", Grid)
        await grid.remove_children()
        await grid.mount_all(cells)
        self.query_one("#history", Static).update(Content("\n").join(history_lines(detail)))
        self.refresh_bindings()

    # -- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"edit", "smaller", "complete", "retire"}:
            # Closed homework is history: it is read, not changed.
            return (
                self.detail is not None and self.detail.assignment.status == AssignmentStatus.ACTIVE
            )
        return True

    def action_edit(self) -> None:
        if self.detail is None:
            return

        def saved(result: EditorResult) -> None:
            if isinstance(result, int):
                self.assignment_id = result
                self.load()

        row = self.detail.assignment
        assert row.id is not None
        target = EditorTarget.edit(row.client_id, row.id)
        self.app.push_screen(AssignmentEditorScreen(target), saved)

    def action_smaller(self) -> None:
        if self.detail is None:
            return
        row = self.detail.assignment
        assert row.id is not None
        last = self.detail.outcomes[-1] if self.detail.outcomes else None
        form = AssignmentForm.smaller_step_of(
            row, last.outcome if last else None, last.barriers if last else []
        )

        def saved(result: EditorResult) -> None:
            if isinstance(result, int):
                # Show the new, smaller step: the chain now ends with it.
                self.assignment_id = result
                self.load()

        target = EditorTarget.smaller(row.client_id, row.id)
        self.app.push_screen(AssignmentEditorScreen(target, form), saved)

    def action_complete(self) -> None:
        if self.detail is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.complete()

        title = safe_content(self.detail.assignment.title).stylize("bold")
        self.app.push_screen(
            ConfirmScreen(
                "Mark it completed?",
                Content.assemble(title, " moves to the earlier homework, as completed."),
            ),
            answered,
        )

    def action_retire(self) -> None:
        if self.detail is None:
            return

        def retired(done: bool | None) -> None:
            if done:
                notify_safe(self, "Retired: it stays in the earlier homework with the reason.")
                self.load()

        row = self.detail.assignment
        assert row.id is not None
        self.app.push_screen(RetireScreen(row.id, row.title), retired)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)
