"""The clinician's private process notes on a session ("psychotherapy notes", US 45 CFR
164.501), opened with `P` from the review's record: apart from the record, never in the
progress note, an export (unless asked for with `--process-notes`) or the client's view.

What is typed is saved to the notes themselves a few seconds after typing stops (the
`autosave_seconds` setting), when leaving (esc, ctrl+s) and when the session ends
(`flush_draft`: SIGHUP, SIGTERM, idle logoff, quitting). Not through the unsaved-input
store (`KeepsTyping`): that store is client data every export holds, and these words
must not be in an export that was not asked for them. A save that fails says NOT SAVED
here and keeps the clinician on the screen, with the words.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, TextArea

from hwtui.data.errors import HwtuiError
from hwtui.data.local_time import clock, stamp
from hwtui.data.practice import Practice
from hwtui.data.services.process_notes import ProcessNoteView
from hwtui.screens.asking import ask
from hwtui.widgets.footer import Footer
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.safe import safe_plain, safe_text

if TYPE_CHECKING:
    from textual.timer import Timer

    from hwtui.app import HomeworkApp

TITLE = "Process notes (private: never in the note, exports or the client's view)"


class ProcessNotesScreen(Screen[None]):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        /* The private process notes: the title says so on its own line, above the words. */
        #process-title {
            height: 1;
            padding: 0 1;
            background: $panel;
            text-style: bold;
        }

        #process-about {
            height: 1;
            padding: 0 1;
        }

        #process-text {
            height: 1fr;
        }

        #process-status {
            height: 1;
            padding: 0 1;
            background: $panel;
            color: $text-muted;
        }

        #process-status.-error {
            color: $text-error;
            background: $error-muted;
            text-style: bold;
        }
    """
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py): the notes are
    # shown before a key edits them, and a key after esc reaches the screen below.
    KEYS_WAIT_FOR = frozenset({"process-load", "process-leave"})

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="process.save", priority=True),
        Binding("escape", "leave", "Back", id="process.back", tooltip="Save and go back"),
    ]
    FOOTER_ORDER = ("process.save", "process.back", "app.help")

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        view: ProcessNoteView

    @dataclass
    class LoadFailed(Message, bubble=False):
        error: BaseException

    @dataclass
    class Saved(Message, bubble=False):
        view: ProcessNoteView | None  # None: nothing newer than what was stored

    @dataclass
    class SaveFailed(Message, bubble=False):
        error: BaseException
        leaving: bool = False  # esc or ctrl+s: the clinician is waiting to leave

    class Left(Message, bubble=False):
        pass

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.view: ProcessNoteView | None = None
        # What the notes hold as stored (the field's text as last saved), and the
        # number of the edit that was: a late save of an older edit is never written.
        self._saved_text = ""
        self._seq = 0
        self._saved_seq = 0
        self._save_lock = threading.Lock()
        self._autosave: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="process-title", markup=False)
        yield Static("Opening the process notes…", id="process-about", markup=False)
        yield NoteArea("", id="process-text", read_only=True, compact=False)
        yield Static("", id="process-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        ask(
            self,
            lambda p: p.process_note(self.review_id),
            self.Loaded,
            name="process-load",
            failed=self.LoadFailed,
        )

    # -- loading ----------------------------------------------------------------------

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        view = self.view = event.view
        about = safe_text(f"{view.client_code} {view.client_name}", "bold")
        about.append(f" · session of {view.session_date:%d %b %Y}")
        self.query_one("#process-about", Static).update(about)
        area = self.query_one("#process-text", NoteArea)
        area.load_text(view.text)
        area.move_cursor(area.document.end)
        area.read_only = False
        self._saved_text = area.text
        if view.updated_at is None:
            self._status("No process notes on this session yet. Saved as you type.")
        else:
            when = stamp(view.updated_at)
            self._status(f"Last saved {when}. Saved as you type.")
        area.focus()

    @on(LoadFailed)
    def _load_failed(self, event: LoadFailed) -> None:
        # Nothing to edit: the field stays read-only, so no words are typed to be lost.
        self._status("Could not open the process notes: " + _one_line(event.error), error=True)
        self.app.show_error(event.error)

    # -- saving -----------------------------------------------------------------------

    @on(TextArea.Changed, "#process-text")
    def _edited(self) -> None:
        if self.view is None:
            return
        if self.query_one("#process-text", NoteArea).text == self._saved_text:
            return  # loaded, or typed back to what is stored
        if self._autosave is not None:
            self._autosave.stop()
        if not self.query_one("#process-status", Static).has_class("-error"):
            self._status("editing…")  # a failure stays on screen until a save works
        self._autosave = self.set_timer(max(self.app.autosave_seconds, 0.01), self._save_now)

    def _snapshot(self) -> tuple[int, str]:
        self._seq += 1
        return self._seq, self.query_one("#process-text", NoteArea).text

    def _save_now(self) -> None:
        seq, text = self._snapshot()
        # Not exclusive: every edit is offered, and `_write` keeps only the newest.
        ask(
            self,
            lambda p: self._write(p, seq, text),
            self.Saved,
            name="process-save",
            exclusive=False,
            failed=self.SaveFailed,
        )

    def _write(self, practice: Practice, seq: int, text: str) -> ProcessNoteView | None:
        """Store *text* (edit number *seq*) unless it, or a newer edit, is stored. Any thread."""
        with self._save_lock:
            if seq <= self._saved_seq or text == self._saved_text:
                return None
            view = practice.save_process_note(self.review_id, text)
            self._saved_seq, self._saved_text = seq, text
            return view

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        if event.view is not None:
            self._status(f"Saved {clock(datetime.now(UTC), seconds=True)}.")

    @on(SaveFailed)
    def _save_failed(self, event: SaveFailed) -> None:
        # Told once until a save works again, not at every pause in typing (the line
        # under the words says it all along); and every time leaving fails, which is a
        # key the clinician is waiting on.
        told = self.query_one("#process-status", Static).has_class("-error")
        self._status("NOT SAVED: " + _one_line(event.error), error=True)
        if event.leaving or not told:
            self.app.show_error(event.error)

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#process-status", Static)
        status.update(Text(safe_plain(message)))
        status.set_class(error, "-error")

    def flush_draft(self) -> None:
        """The session is ending: save now, on this thread (see `HomeworkApp.flush_drafts`)."""
        if self._autosave is not None:
            self._autosave.stop()
        if self.view is None:
            return
        seq, text = self._snapshot()
        self._write(self.app.practice, seq, text)

    # -- leaving ----------------------------------------------------------------------

    def action_save(self) -> None:
        """As in every form: save, and close it."""
        self.action_leave()

    def action_leave(self) -> None:
        """Save what is typed, then go back; a failed save keeps the screen, and the words."""
        if self._autosave is not None:
            self._autosave.stop()
        if self.view is None:
            self.dismiss(None)
            return
        seq, text = self._snapshot()
        if text == self._saved_text:
            self.dismiss(None)
            return
        ask(
            self,
            lambda p: self._write(p, seq, text),
            lambda _: self.Left(),
            name="process-leave",
            failed=lambda error: self.SaveFailed(error, leaving=True),
        )

    @on(Left)
    def _left(self) -> None:
        self.dismiss(None)


def _one_line(error: BaseException) -> str:
    """What went wrong, on one line: a person's own message, or the error's kind."""
    if isinstance(error, HwtuiError):
        return " ".join(str(error).split())
    return f"something went wrong ({type(error).__name__})"
