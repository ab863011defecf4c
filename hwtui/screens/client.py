"""The client overview: what the clinician reads as the client sits down.

A "since last session" brief (the win, what got in the way, the newest smaller goal),
the homework to review with its specifics and goal chain (enter opens a task), the
earlier homework with its status, and the history of past reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable, Header, OptionList, Static
from textual.widgets.option_list import Option

from hwtui.data.assignment_form import EditorTarget
from hwtui.data.catalog import (
    BARRIERS_BY_CODE,
    KINDS_BY_CODE,
    SPECIFICS,
    AssignmentStatus,
)
from hwtui.data.local_time import local_date
from hwtui.data.models import Assignment
from hwtui.data.practice_views import ClientOverview
from hwtui.data.services.assignments import is_overdue
from hwtui.data.services.caseload import ClientBrief, DueTask
from hwtui.data.services.progress import Progress
from hwtui.data.text import clean_line
from hwtui.screens.asking import ask
from hwtui.screens.assign import AssignmentEditorScreen, EditorResult
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.reloading import ReloadingScreen
from hwtui.screens.values import ValuesScreen
from hwtui.widgets.footer import Footer
from hwtui.widgets.hanging import Hanging
from hwtui.widgets.lean_table import LeanTable
from hwtui.widgets.safe import safe_content, safe_plain, safe_text
from hwtui.widgets.task_list import MORE, TaskList, TaskOption, more_option, section_option

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

# Columns of the past-reviews table; the win takes whatever width is left.
DATE_WIDTH = 11
STATUS_WIDTH = 8
MIN_WIN_WIDTH = 20
HEADING = "bold"
# $text-muted is "auto 60%", which only CSS can resolve; spans need a real colour.
LABEL = "$foreground-muted"
NOTICE = "italic $warning"
# Or a component class of the screen, which CSS resolves: $text-muted, as the column of
# statuses beside earlier homework had it when each was a widget of its own.
MUTED = ".client--muted"
# The labels' column in the since-last-session brief ("New smaller goal"), and a space.
SINCE_LABEL_WIDTH = 16
# A bullet and a space before an active task; the status and day before an earlier one.
BULLET_WIDTH = 2
EARLIER_STATUS_WIDTH = 17
# The sections shown once the brief is read (the history table stays: its columns are
# sized from its width, which a hidden table does not have).
WHILE_LOADING_HIDDEN = "#brief, #trend, #homework-heading, #homework"


def day(value: date) -> str:
    return value.strftime("%d %b %Y")


def short_day(value: date) -> str:
    """Due dates are days away: the year only adds width."""
    return value.strftime("%d %b")


def missing_specifics(assignment: Assignment) -> list[str]:
    return [label for attr, label in SPECIFICS.items() if not getattr(assignment, attr).strip()]


def client_heading(brief: ClientBrief) -> Content:
    """Code, name and values on one line: who is in the room and what matters to them."""
    client = brief.client
    values = [safe_content(v.text) for v in brief.values]
    parts: list[str | Content | tuple[str, str]] = [
        safe_content(client.code).stylize("bold"),
        "  ",
        safe_content(client.display_name).stylize("bold"),
    ]
    if client.archived_at is not None:
        parts.append((" (archived)", LABEL))
    parts.append(("  values ", LABEL))
    parts.append(Content(" · ").join(values) if values else Content("none named yet"))
    return Content.assemble(*parts)


def since_heading(brief: ClientBrief) -> Content:
    last = brief.last_review
    when = f" · reviewed {day(last.session_date)}" if last else " · no review yet"
    return Content.assemble(("Since last session", HEADING), (when, LABEL))


def since_rows(brief: ClientBrief) -> list[tuple[str, Content]]:
    """(label, text) pairs: the win in the client's words, what got in the way, the goal."""
    last = brief.last_review
    if last is None:
        return [("First session", Content.styled("nothing to look back on yet", LABEL))]
    kind = f" ({last.win_kind})" if last.win_kind else ""
    win = last.win_text.strip()
    rows = [
        (
            f"Win{kind}",
            Content.assemble("“", safe_content(win), "”")
            if win
            else Content.styled("none recorded", LABEL),
        )
    ]
    if brief.last_barriers:
        labels = [
            BARRIERS_BY_CODE[code].label if code in BARRIERS_BY_CODE else safe_plain(code)
            for code in brief.last_barriers
        ]
        rows.append(("Got in the way", Content(" · ".join(labels))))
    goal = brief.last_new_goal
    if goal is not None:
        rows.append(
            (
                "New smaller goal",
                Content.assemble(
                    safe_content(goal.title), (f"  set {day(local_date(goal.created_at))}", LABEL)
                ),
            )
        )
    if brief.changes:
        # Before new homework: a reliable deterioration is to be talked about first.
        rows.append(("Measures", Content(" · ".join(brief.changes))))
    return rows


def homework_heading(brief: ClientBrief) -> Content:
    due, earlier = brief.due, brief.earlier_total
    count = f" · {len(due)} active" if due else " · none active: press n to assign some"
    more = f" · {earlier} earlier" if earlier else ""
    hint = " · enter opens one" if due or earlier else ""
    return Content.assemble(("Homework to review", HEADING), (f"{count}{more}{hint}", LABEL))


def parent_line(task: DueTask) -> Content | None:
    """Where a smaller step comes from: the goal chain, one link up."""
    if task.parent_title is None:
        return None
    return Content.assemble(("↳ smaller step of: ", LABEL), safe_content(task.parent_title))


def task_title(task: DueTask, today: date) -> Content:
    row = task.assignment
    kind = KINDS_BY_CODE[row.kind].name if row.kind in KINDS_BY_CODE else safe_plain(row.kind)
    parts: list[str | Content | tuple[str, str]] = [
        safe_content(row.title).stylize("bold"),
        (f" · {kind}", LABEL),
    ]
    if row.due_date is not None:
        if is_overdue(row, today):
            parts.append((f" · overdue, was due {short_day(row.due_date)}", NOTICE))
        else:
            parts.append((f" · due {short_day(row.due_date)}", LABEL))
    return Content.assemble(*parts)


def task_details(task: DueTask) -> Content:
    """What, when, where, how often, how long, the value it serves, and what is missing."""
    row = task.assignment
    lines: list[Content] = []
    parent = parent_line(task)
    if parent is not None:
        lines.append(parent)
    if row.what.strip():
        lines.append(Content.assemble(("what ", LABEL), safe_content(clean_line(row.what))))
    details: list[Content] = []
    for attr, label in SPECIFICS.items():
        if attr == "what":
            continue  # on its own line above: it is usually the longest
        text = getattr(row, attr).strip()
        if text:
            details.append(Content.assemble((f"{label} ", LABEL), safe_content(text)))
    if task.value:
        details.append(Content.assemble(("value ", LABEL), safe_content(task.value)))
    if row.confidence is not None:
        details.append(Content.assemble(("confidence ", LABEL), f"{row.confidence}/10"))
    if details:
        lines.append(Content(" · ").join(details))
    missing = missing_specifics(row)
    if missing:
        lines.append(Content.styled(f"not yet specific: {', '.join(missing)}", NOTICE))
    return Content("\n").join(lines)


def since_label(label: str) -> Content:
    """A label of the since-last-session brief, cut to its column so that one space
    always parts it from its text (a win's kind comes from the record, maybe imported)."""
    if len(label) > SINCE_LABEL_WIDTH:
        label = label[: SINCE_LABEL_WIDTH - 1] + "…"
    return Content.styled(label, MUTED)


def earlier_status(row: Assignment) -> str:
    """Status and the day it changed: the first column of the earlier homework."""
    return f"{row.status} {short_day(local_date(row.updated_at))}"


def earlier_text(task: DueTask) -> Content:
    row = task.assignment
    kind = KINDS_BY_CODE[row.kind].name if row.kind in KINDS_BY_CODE else safe_plain(row.kind)
    lines = [Content.assemble(safe_content(row.title), (f" · {kind}", LABEL))]
    if row.status == AssignmentStatus.RETIRED and row.status_reason:
        lines.append(Content.assemble(("why ", LABEL), safe_content(row.status_reason)))
    parent = parent_line(task)
    if parent is not None:
        lines.append(parent)
    return Content("\n").join(lines)


# Earlier homework shown when the overview opens; years of it would be rows that are
# rarely read, in front of the past reviews. The rest is read and shown on request.
EARLIER_SHOWN = 8
# Read when the overview opens: those shown, and one to say whether there are more.
EARLIER_READ = EARLIER_SHOWN + 1
# The overview's chart covers the last year of weekly reviews; p shows all of it.
OVERVIEW_HISTORY = 52


def more_label(hidden: int) -> str:
    return f"… {hidden} more earlier task{'s' if hidden != 1 else ''}: enter shows them"


def active_option(task: DueTask, today: date) -> TaskOption:
    assert task.assignment.id is not None
    # The bullet in its own column, so that wrapped lines stay indented under the title.
    body = Content("\n").join([task_title(task, today), task_details(task)])
    return TaskOption(Hanging([(Content("•"), body)], BULLET_WIDTH), task.assignment.id)


def earlier_option(task: DueTask) -> TaskOption:
    assert task.assignment.id is not None
    status = Content.styled(earlier_status(task.assignment), MUTED)
    prompt = Hanging([(status, earlier_text(task))], EARLIER_STATUS_WIDTH)
    return TaskOption(prompt, task.assignment.id)


def win_preview(text: str, width: int) -> Text:
    line = clean_line(text)
    if len(line) > width:
        line = line[: width - 1].rstrip() + "…"
    return safe_text(line) if line else Text("—", style="dim")


class ClientScreen(ReloadingScreen[None]):
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"brief", "start", "earlier"})

    # A tall terminal has room for the completion chart; a short one gets its one line.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    AUTO_FOCUS = "#homework"

    BINDINGS = [
        Binding("s", "start_review", "Start review", id="client.start_review"),
        Binding("r", "resume_draft", "Resume draft", id="client.resume_draft"),
        # With a draft open, s resumes it too (starting would return that draft anyway);
        # the footer then shows only "r Resume draft".
        Binding("s", "resume_draft", "Resume draft", id="client.resume_draft_s", show=False),
        Binding("n", "assign", "Assign", id="client.assign", tooltip="Assign new homework"),
        Binding("v", "values", "Values", id="client.values"),
        # Priority, so that the footer shows them over the lists' own (hidden) enter;
        # which one is active depends on the list that has focus.
        Binding("enter", "open_assignment", "Open", id="client.open_assignment", priority=True),
        Binding("enter", "open_record", "Open", id="client.open_record", priority=True),
        Binding("a", "acknowledge", "Acknowledge alert", id="client.acknowledge"),
        Binding("p", "progress", "Progress", id="client.progress", tooltip="Charts over time"),
        Binding("g", "next_chart", "Next chart", id="client.next_chart"),
        Binding("m", "measures", "Measures", id="client.measures"),
        Binding("w", "wins", "Wins bank", id="client.wins"),
        Binding("c", "client_view", "Client view", id="client.client_view"),
        Binding(
            "h", "handout", "Handout", id="client.handout", tooltip="The client's homework sheet"
        ),
        Binding("escape", "back", "Back", id="client.back"),
        Binding("f5", "reload", "Reload", id="client.reload", show=False),
    ]

    # The footer's keys, most important first (widgets/footer.py): an alert to see to,
    # starting, opening, leaving and help fit at 80 columns; the others follow as the
    # width allows and are always in ? help and the command palette.
    FOOTER_ORDER = (
        "client.acknowledge",
        "client.start_review",
        "client.resume_draft",
        "client.open_assignment",
        "client.open_record",
        "client.back",
        "app.help",
        "client.assign",
        "client.progress",
        "client.client_view",
        "client.measures",
        "client.wins",
        "client.values",
        "client.next_chart",
        "client.handout",
    )

    # Resolved by CSS (see MUTED), for text drawn in columns by one widget.
    COMPONENT_CLASSES = {"client--muted"}

    app: HomeworkApp

    def __init__(self, client_id: int, overview: ClientOverview | None = None) -> None:
        """*overview*: the brief and chart's history, if read before the screen was
        pushed (`screens/opening.py`): shown as it mounts, in its first frame."""
        super().__init__()
        self.client_id = client_id
        self._read_ahead = overview
        # The width the past reviews' wins were cut to (`_fill_history`).
        self._filled_win_width = 0
        self.brief: ClientBrief | None = None
        # Set once the clinician asked for every earlier task; kept across reloads.
        self.all_earlier = False
        self.progress: Progress | None = None
        # The inline charts there is data for, in the order g shows them.
        self.charts: list[str] = ["trend-completion"]

    def compose(self) -> ComposeResult:
        # The brief is read while the screen is built: it is what the clinician waits for.
        if self._read_ahead is None:
            self.load()
        # The breakpoint class that the first Resize would set: given before the widgets
        # are styled, that Resize does not restyle the whole screen a second time.
        height = self.app.size.height
        self.add_class(
            *self._get_breakpoint_classes(height, self.VERTICAL_BREAKPOINTS), update=False
        )
        yield Header()
        yield Static("Loading…", id="client-head", markup=False)
        yield Static("", id="risk", classes="risk-alert", markup=False)
        yield Static(
            "▶ A review is in progress (draft): press r to resume it.", id="draft", markup=False
        )
        with VerticalScroll(id="brief"):
            yield Static("", id="since-heading", classes="brief-heading", markup=False)
            # Labels and texts in two columns, drawn by one widget (widgets/hanging.py):
            # as a grid of a widget per cell, each was composed, styled and laid out at
            # every open (issue 19).
            yield Static("", id="since", markup=False)
        # Imported here: plotext is not needed until a client is opened, so the
        # caseload paints without it.
        from hwtui.widgets.progress_chart import CompletionChart

        # The other charts are mounted when g first asks for them: each is a few
        # widgets, and the overview opens faster without them.
        with ContentSwitcher(initial="trend-completion", id="trend"):
            yield CompletionChart(id="trend-completion")
        yield Static("", id="homework-heading", classes="brief-heading", markup=False)
        yield TaskList(id="homework")
        yield Static("Past reviews", id="history-title", markup=False)
        yield LeanTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "Client overview"
        if self._read_ahead is not None:
            overview, self._read_ahead = self._read_ahead, None
            self._show_brief(overview.brief)
            self._show_progress(overview.progress)
            return
        # Until the brief is read, the screen is its header and "Loading…": the first
        # frame then lays out and paints a few lines, not every empty section twice.
        for part in self.query(WHILE_LOADING_HIDDEN):
            part.display = False

    # -- data -------------------------------------------------------------------------

    @dataclass
    class Loaded(Message, bubble=False):
        overview: ClientOverview

    @dataclass
    class LoadFailed(Message, bubble=False):
        error: BaseException

    @dataclass
    class Started(Message, bubble=False):
        review_id: int

    def load(self) -> None:
        """The brief and the chart's history, in one transaction (both are audited)."""
        earlier = None if self.all_earlier else EARLIER_READ
        ask(
            self,
            lambda p: p.client_overview(self.client_id, history=OVERVIEW_HISTORY, earlier=earlier),
            self.Loaded,
            name="brief",
            failed=self.LoadFailed,
        )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        # Asked for from compose, but answered in the screen's queue: after on_mount,
        # which would otherwise hide a brief shown before it.
        self.show_brief(event.overview.brief, event.overview.progress)

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        self.query_one("#client-head", Static).update("This client could not be loaded.")
        self.app.show_error(event.error)

    def start(self) -> None:
        ask(self, lambda p: p.start_review(self.client_id), self.Started, name="start")

    @on(Started)
    def _started(self, event: Started) -> None:
        self.open_review(event.review_id)

    def show_brief(self, brief: ClientBrief, progress: Progress) -> None:
        # One layout and one frame for the whole overview, not one per part filled in.
        with self.app.batch_update():
            for part in self.query(WHILE_LOADING_HIDDEN):
                part.display = True
            self._show_brief(brief)
            self._show_progress(progress)

    def _show_brief(self, brief: ClientBrief) -> None:
        self.brief = brief
        today = self.app.today()
        self.query_one("#client-head", Static).update(client_heading(brief))
        self.query_one("#draft", Static).set_class(brief.draft_id is not None, "-shown")
        risk = self.query_one("#risk", Static)
        if brief.alerts:
            first = brief.alerts[0]
            risk.update(
                f"⚠ RISK: PHQ-9 item 9 scored {first.items[8]} on {day(local_date(first.taken_at))}"
                f"{f' (+{len(brief.alerts) - 1} more)' if len(brief.alerts) > 1 else ''}"
                " — not yet acknowledged. Press a."
            )
        risk.display = bool(brief.alerts)
        self.query_one("#since-heading", Static).update(since_heading(brief))
        self._fill_since(brief)
        self.query_one("#homework-heading", Static).update(homework_heading(brief))
        self._fill_homework(brief, today)
        self._fill_history(brief)
        self.refresh_bindings()

    def _fill_since(self, brief: ClientBrief) -> None:
        rows = [(since_label(label), text) for label, text in since_rows(brief)]
        self.query_one("#since", Static).update(Hanging(rows, SINCE_LABEL_WIDTH + 1))

    def _show_progress(self, progress: Progress) -> None:
        from hwtui.widgets.progress_chart import CompletionChart

        self.progress = progress
        self.query_one("#trend-completion", CompletionChart).show(progress)
        for chart in self.query_one("#trend", ContentSwitcher).children:
            if chart.id != "trend-completion":
                self._fill_chart(chart)
        self.charts = [
            "trend-completion",
            "trend-barriers",
            *(f"trend-{code}" for code in progress.measures),
        ]

    def _fill_homework(self, brief: ClientBrief, today: date) -> None:
        options: list[Option] = [active_option(task, today) for task in brief.due]
        if brief.earlier:
            options.append(section_option("Earlier homework"))
            shown = brief.earlier if self.all_earlier else brief.earlier[:EARLIER_SHOWN]
            options.extend(earlier_option(task) for task in shown)
            hidden = brief.earlier_total - len(shown)
            if hidden > 0:
                options.append(more_option(more_label(hidden)))
        listing = self.query_one("#homework", TaskList)
        listing.show(options, keep=listing.highlighted_assignment)

    def show_all_earlier(self) -> None:
        """Replace the "more" entry with the rest of the earlier homework (read now: the
        brief holds the latest few)."""
        listing = self.query_one("#homework", TaskList)
        if self.brief is None or not listing.has_more:
            return
        if len(self.brief.earlier) >= self.brief.earlier_total:  # all read already
            self.all_earlier = True
            listing.replace_more([earlier_option(t) for t in self.brief.earlier[EARLIER_SHOWN:]])
            return
        client_id = self.client_id
        ask(self, lambda p: p.earlier_homework(client_id), self.EarlierRead, name="earlier")

    @dataclass
    class EarlierRead(Message, bubble=False):
        tasks: list[DueTask]

    @on(EarlierRead)
    def _earlier_read(self, event: EarlierRead) -> None:
        listing = self.query_one("#homework", TaskList)
        if self.brief is None or not listing.has_more:
            return  # reloaded meanwhile
        at = listing.get_option_index(MORE)
        self.brief = replace(self.brief, earlier=event.tasks, earlier_total=len(event.tasks))
        self.all_earlier = True
        self._fill_homework(self.brief, self.app.today())
        # On the first of those now shown, where "more" was.
        listing.highlighted = min(at, listing.option_count - 1)

    def _fill_history(self, brief: ClientBrief) -> None:
        table = self.query_one("#history", LeanTable)
        keep = self._highlighted_review()
        width = self._win_width(table)
        self._filled_win_width = width
        # Columns too: an auto-sized column only ever grows, so after the terminal
        # shrinks it would keep the old width and scroll sideways.
        table.clear(columns=True)
        table.add_column("Date", width=DATE_WIDTH, key="date")
        table.add_column("Status", width=STATUS_WIDTH, key="status")
        table.add_column("Win", width=width, key="win")
        # Columns of set widths: no cell is measured (widgets/lean_table.py).
        table.add_keyed_rows(
            (
                str(past.review_id),
                [
                    Text(day(past.session_date)),
                    Text(past.status),
                    win_preview(past.win_text, width),
                ],
            )
            for past in brief.history
        )
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        count = len(brief.history)
        total = max(count, brief.reviews_total)
        # The list holds the latest few: say so, so that it agrees with the review count
        # above it (the chart's "24 reviews" beside a list of 20).
        shown = f"{total}" if count == total else f"latest {count} of {total}"
        title = (
            Content.assemble(
                f"Past reviews ({shown})", (" · tab to the list, enter opens one", LABEL)
            )
            if count
            else Content("Past reviews: none yet")
        )
        self.query_one("#history-title", Static).update(title)

    def _win_width(self, table: DataTable[Any]) -> int:
        # Before the first layout (a brief read ahead is shown as the screen mounts) the
        # table has no size yet: it spans the screen, so the screen's width it will be.
        outer = table.size.width or self.app.size.width
        # Two cells of padding per column, and room for the scrollbar.
        width = outer - DATE_WIDTH - STATUS_WIDTH - 3 * 2 * table.cell_padding - 2
        return max(MIN_WIN_WIDTH, width)

    def _highlighted_review(self) -> int | None:
        table = self.query_one("#history", DataTable)
        if table.row_count == 0:
            return None
        row_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        return int(row_key.value) if row_key.value is not None else None

    # -- handlers ---------------------------------------------------------------------

    def on_resize(self) -> None:
        # The win previews are cut to the table's width, which is known after layout.
        if self.brief is not None:
            self.call_after_refresh(self._refill_history)

    def _refill_history(self) -> None:
        table = self.query_one("#history", DataTable)
        if self.brief is not None and self._win_width(table) != self._filled_win_width:
            self._fill_history(self.brief)

    @on(OptionList.OptionSelected, "#homework")
    def _task_chosen(self, event: OptionList.OptionSelected) -> None:
        # A click; enter is the screen's own binding.
        if isinstance(event.option, TaskOption):
            self.open_assignment(event.option.assignment_id)
        elif event.option.id == MORE:
            self.show_all_earlier()

    @on(DataTable.RowSelected, "#history")
    def _review_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_record(int(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        has_draft = self.brief is not None and self.brief.draft_id is not None
        if action == "start_review":
            return not has_draft
        if action == "resume_draft":
            return has_draft
        if action == "acknowledge":
            return self.brief is not None and bool(self.brief.alerts)
        if action == "open_record":
            return isinstance(self.focused, DataTable)  # the past reviews
        if action == "open_assignment":
            listing = self.query_one("#homework", TaskList)
            return self.focused is listing and (
                listing.highlighted_assignment is not None or listing.more_highlighted
            )
        return True

    # -- actions ----------------------------------------------------------------------

    def action_start_review(self) -> None:
        self.start()

    def action_resume_draft(self) -> None:
        if self.brief is not None and self.brief.draft_id is not None:
            self.open_review(self.brief.draft_id)

    def open_review(self, review_id: int | None) -> None:
        if review_id is None:
            return
        # Imported when needed, so that the review screens may import from this module
        # without an import cycle.
        from hwtui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(review_id))

    def action_open_record(self) -> None:
        review_id = self._highlighted_review()
        if review_id is not None:
            self.open_record(review_id)

    def open_record(self, review_id: int) -> None:
        from hwtui.screens.review_record import ReviewRecordScreen

        self.app.push_screen(ReviewRecordScreen(review_id))

    def action_open_assignment(self) -> None:
        listing = self.query_one("#homework", TaskList)
        assignment_id = listing.highlighted_assignment
        if assignment_id is not None:
            self.open_assignment(assignment_id)
        elif listing.more_highlighted:
            self.show_all_earlier()

    def open_assignment(self, assignment_id: int) -> None:
        self.app.push_screen(AssignmentScreen(assignment_id))

    def action_assign(self) -> None:
        def assigned(result: EditorResult) -> None:
            if isinstance(result, int):
                self.load()

        self.app.push_screen(AssignmentEditorScreen(EditorTarget.new(self.client_id)), assigned)

    def action_values(self) -> None:
        def saved(changed: bool | None) -> None:
            if changed:
                self.load()

        self.app.push_screen(ValuesScreen(self.client_id), saved)

    def action_acknowledge(self) -> None:
        if self.brief is None or not self.brief.alerts:
            return
        from hwtui.screens.measures import RiskAlertScreen

        alert = self.brief.alerts[0]
        assert alert.id is not None
        self.app.push_screen(RiskAlertScreen(alert.id, alert.items[8]), self._reload_after)

    def _reload_after(self, _result: object) -> None:
        self.load()

    async def action_next_chart(self) -> None:
        """Completion, barriers, then each measure the client has, in the inline chart."""
        from hwtui.widgets.progress_chart import BarrierChart, MeasureChart

        switcher = self.query_one("#trend", ContentSwitcher)
        current = switcher.current or ""
        at = self.charts.index(current) if current in self.charts else -1
        chosen = self.charts[(at + 1) % len(self.charts)]
        if not switcher.query(f"#{chosen}"):
            chart = (
                BarrierChart(id=chosen) if chosen == "trend-barriers" else MeasureChart(id=chosen)
            )
            await switcher.mount(chart)
            self._fill_chart(chart)
        switcher.current = chosen

    def _fill_chart(self, chart: Widget) -> None:
        from hwtui.widgets.progress_chart import BarrierChart, MeasureChart

        if self.progress is None:
            return
        if isinstance(chart, BarrierChart):
            chart.show(self.progress)
        elif isinstance(chart, MeasureChart) and chart.id:
            code = chart.id.removeprefix("trend-")
            chart.show(code, self.progress.measures.get(code, []))

    def action_progress(self) -> None:
        from hwtui.screens.progress import ProgressScreen

        code = self.brief.client.code if self.brief else ""
        self.app.push_screen(ProgressScreen(self.client_id, code))

    def action_measures(self) -> None:
        from hwtui.screens.measures import MeasuresScreen

        # A risk alert raised here must show on this overview at once.
        self.app.push_screen(MeasuresScreen(self.client_id), self._reload_after)

    def action_wins(self) -> None:
        from hwtui.screens.wins import WinsScreen

        code = self.brief.client.code if self.brief else ""
        self.app.push_screen(WinsScreen(self.client_id, code))

    def action_client_view(self) -> None:
        from hwtui.screens.client_view import ClientViewScreen

        self.app.push_screen(ClientViewScreen(self.client_id))

    def action_handout(self) -> None:
        from hwtui.screens.handout import HandoutScreen

        code = self.brief.client.code if self.brief else ""
        self.app.push_screen(HandoutScreen(self.client_id, code))

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)
