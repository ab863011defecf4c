"""The client's handout: their current homework in their words, to read together, copy
(OSC 52, also over SSH) or save as text, Markdown, a PDF or a calendar file.

Opened with h from the client overview and from a finished review (the record the
review's completion step leads to). Shown as plain text (never markup), laid out for the
screen's width (80 columns at most) and scrollable; a copy is the 80-column text. Every
copy and save is audited before the handout leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Static

from hwtui.data.errors import HwtuiError
from hwtui.data.export import check_new_path
from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.handout_formats import format_for
from hwtui.data.handout_ics import needs_time
from hwtui.data.handout_text import render_text
from hwtui.data.text import clean_line
from hwtui.screens.asking import ask
from hwtui.screens.prompt import PromptScreen
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.handout_sheet import HandoutSheet
from hwtui.widgets.safe import safe_plain, safe_text

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


def parse_clock(text: str) -> time | None:
    """A time of day typed as HH:MM (24-hour, "9:30" too); None when it is not one."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        return None
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def path_problem(text: str) -> str | None:
    """Why *text* cannot name a new handout file, or None."""
    if not text.strip():
        return "give a file name"
    try:
        check_new_path(Path(text.strip()).expanduser())
    except HwtuiError as exc:
        return str(exc)
    return None


class HandoutScreen(Screen[None]):
    KEYS_WAIT_FOR = frozenset({"handout"})
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="handout.back"),
        Binding("y", "copy", "Copy", id="handout.copy", tooltip="Copy the text handout"),
        Binding(
            "w",
            "save",
            "Save",
            id="handout.save",
            tooltip="Save as text, Markdown (.md), PDF (.pdf) or calendar (.ics)",
        ),
    ]
    FOOTER_ORDER = ("handout.back", "handout.copy", "handout.save", "app.help")

    DEFAULT_CSS = """
    HandoutScreen #handout-title { height: 1; padding: 0 1; text-style: bold; }
    HandoutScreen #handout-scroll { height: 1fr; padding: 0 1; }
    HandoutScreen #handout-status { height: 1; padding: 0 1; background: $panel;
        color: $text-success; }
    """

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        handout: Handout

    class Copied(Message, bubble=False):
        pass

    @dataclass
    class Saved(Message, bubble=False):
        path: Path

    @dataclass
    class NotSaved(Message, bubble=False):
        error: BaseException

    def __init__(self, client_id: int, code: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.code = code
        self.handout: Handout | None = None
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Static("The client's handout", id="handout-title", markup=False)
        with VerticalScroll(id="handout-scroll", can_focus=True):
            yield HandoutSheet("Reading the homework…", id="handout-text")
        yield Static("", id="handout-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#handout-scroll").focus()
        ask(self, lambda p: p.handout(self.client_id), self.Loaded, name="handout")

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.handout = event.handout
        self.text = render_text(event.handout)
        self.query_one(HandoutSheet).show(event.handout)
        self.refresh_bindings()

    def confirm(self, message: str) -> None:
        self.query_one("#handout-status", Static).update(safe_plain(message))

    @on(Copied)
    def _copied(self) -> None:
        # OSC 52: the terminal (even at the far end of SSH) puts it on the clipboard.
        self.app.copy_to_clipboard(self.text)
        self.confirm("Handout copied to the clipboard.")

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.confirm(f"Handout saved to {event.path} (readable only by you).")

    @on(NotSaved)
    def _not_saved(self, event: NotSaved) -> None:
        self.confirm(f"Not saved: {event.error}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"copy", "save"}:
            return self.handout is not None
        return True

    def action_copy(self) -> None:
        if self.handout is None:
            return
        handout = self.handout
        # Audited first: the clipboard gets it once the event is committed (`_copied`).
        ask(
            self,
            lambda p: p.record_handout_copy(handout),
            lambda _: self.Copied(),
            name="handout-copy",
            exclusive=False,
        )

    def action_save(self) -> None:
        if self.handout is None:
            return
        default = (
            Path.home()
            / f"{clean_line(self.code) or 'client'}-handout-{self.handout.made:%Y-%m-%d}.pdf"
        )

        def chosen(path: str | None) -> None:
            if path:
                self._chosen(Path(path).expanduser())

        self.app.push_screen(
            PromptScreen(
                "Save the client's handout",
                "File (.pdf, .ics calendar, .md Markdown, anything else plain text):",
                str(default),
                hint="The file is created readable only by you; an existing file is never "
                "replaced.",
                check=path_problem,
            ),
            chosen,
        )

    def _chosen(self, path: Path) -> None:
        assert self.handout is not None
        vague = needs_time(self.handout) if format_for(path) == "ics" else []
        if not vague:
            self._save(path, {})
            return

        def timed(times: dict[int, time] | None) -> None:
            if times is not None:
                self._save(path, times)

        self.app.push_screen(TimesScreen(vague), timed)

    def _save(self, path: Path, times: dict[int, time]) -> None:
        ask(
            self,
            lambda p: p.save_handout(self.client_id, path, times),
            self.Saved,
            name="handout-save",
            exclusive=False,
            failed=self.NotSaved,
        )


class TimesScreen(ModalScreen[dict[int, time] | None]):
    """A time of day for each task whose "when" names none, before a calendar is made."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="times.cancel")]

    def __init__(self, tasks: list[HandoutTask]) -> None:
        super().__init__()
        self.tasks = tasks

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("A time for the calendar", classes="dialog-title", markup=False)
            yield Label(
                "These tasks have no time of day yet. When will the client do each? (HH:MM)",
                markup=False,
            )
            for task in self.tasks:
                yield Label(safe_text(clean_line(task.title) or "(untitled)"), markup=False)
                yield TextInput(placeholder="e.g. 19:30", id=f"time-{task.assignment_id}")
                yield Static(
                    "", id=f"time-{task.assignment_id}-error", classes="field-error", markup=False
                )
        yield Footer()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        times: dict[int, time] = {}
        for task in self.tasks:
            typed = self.query_one(f"#time-{task.assignment_id}", Input).value
            error = self.query_one(f"#time-{task.assignment_id}-error", Static)
            clock = parse_clock(typed)
            problem = None if clock else "is not a time of day: use HH:MM, e.g. 19:30"
            error.update(f"“{safe_plain(typed.strip())}” {problem}" if problem else "")
            error.set_class(problem is not None, "-shown")
            if clock is not None:
                times[task.assignment_id] = clock
        if len(times) == len(self.tasks):
            self.dismiss(times)
        else:
            first = next(t for t in self.tasks if t.assignment_id not in times)
            self.query_one(f"#time-{first.assignment_id}", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
