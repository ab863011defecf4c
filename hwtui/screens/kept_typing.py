"""What a form's fields hold is never lost: one mechanism for every screen that takes text.

A screen mixes in `KeepsTyping` and names its place (`typing_place`). What its fields hold
(text and cursor, choices) is kept in the database (`services.unsaved`) a few seconds
after typing stops, and at once when the session ends: the app's `flush_drafts` runs on
SIGHUP, SIGTERM, idle logoff, quitting and after a crash. When the clinician comes back
to the same place, the screen calls `offer_typed()` once its own data is shown, and the
kept words are put back exactly, with a note saying so. Saving or discarding the form
calls `forget_typed()`.

Fields are read generically (every `TextInput`, `NoteArea` and `Select` with an id); a
screen whose state is more than its fields overrides `typed_fields`/`restore_typed`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.widgets import Select

from hwtui.data.local_time import clock
from hwtui.data.models import UnsavedInput
from hwtui.data.practice import Practice
from hwtui.screens.asking import ask, tell
from hwtui.widgets.fields import TextInput
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.safe import notify_safe, safe_plain

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.timer import Timer

    from hwtui.app import HomeworkApp

    _Base = Screen[Any]
else:
    _Base = object


@dataclass
class KeptTypingFound(Message, bubble=False):
    """Words kept at this screen's place in an earlier session (or before a crash)."""

    row: UnsavedInput | None


class KeepsTyping(_Base):
    """Mix into a Screen (before the Screen class) that takes typed text."""

    app: HomeworkApp
    _typing_baseline: dict[str, Any] | None = None
    _typing_timer: Timer | None = None
    _typing_done = False

    # -- what each screen says --------------------------------------------------------

    def typing_place(self) -> str | None:
        """Where this form is, e.g. "add client" or "values of client 12"; None: not yet."""
        raise NotImplementedError

    def typing_client(self) -> int | None:
        """The client the words are about, if any."""
        return None

    def typed_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for node in self.query("*"):
            if not node.id:
                continue
            if isinstance(node, TextInput):
                fields[node.id] = {"text": node.value, "cursor": node.cursor_position}
            elif isinstance(node, NoteArea):
                fields[node.id] = {"text": node.text, "cursor": list(node.cursor_location)}
            elif isinstance(node, Select) and isinstance(node.value, str | int):
                fields[node.id] = {"choice": node.value}
        return fields

    def restore_typed(self, fields: dict[str, Any]) -> None:
        for name, kept in fields.items():
            found = self.query(f"#{name}")
            if not found or not isinstance(kept, dict):
                continue
            node = found.first()
            if isinstance(node, TextInput):
                node.value = safe_plain(str(kept.get("text", "")))
                node.cursor_position = int(kept.get("cursor", len(node.value)))
            elif isinstance(node, NoteArea):
                node.load_text(str(kept.get("text", "")))
                row, column = kept.get("cursor", node.document.end)
                node.move_cursor((int(row), int(column)))
            elif isinstance(node, Select) and "choice" in kept:
                node.value = kept["choice"]

    @staticmethod
    def typed_text(fields: dict[str, Any]) -> str:
        """The kept fields for a person to read."""
        lines = []
        for name, kept in fields.items():
            value = kept.get("text", kept.get("choice", "")) if isinstance(kept, dict) else kept
            if str(value).strip():
                lines.append(f"{name.replace('_', ' ')}: {value}")
        return "\n".join(lines)

    # -- the mechanism ----------------------------------------------------------------

    def offer_typed(self) -> None:
        """The form shows its own data now: start keeping, and bring back kept words."""
        self._typing_baseline = self.typed_fields()
        place = self.typing_place()
        if place is not None:
            ask(self, lambda p: p.typed(place), KeptTypingFound, name="kept-typing")

    def on_kept_typing_found(self, event: KeptTypingFound) -> None:
        row = event.row
        if row is None or self._typing_done or not self.is_attached:
            return
        self.restore_typed(row.fields)
        when = clock(row.saved_at)
        notify_safe(
            self.app,
            f"Brought back what you typed here at {when}; it is not saved yet.",
            title="Not saved yet",
            timeout=10,
        )

    def _on_input_changed(self, event: events.Event) -> None:
        self._typed_soon()

    def _on_text_area_changed(self, event: events.Event) -> None:
        self._typed_soon()

    def _typed_soon(self) -> None:
        if self._typing_baseline is None or self._typing_done:
            return
        if self._typing_timer is not None:
            self._typing_timer.stop()
        delay = max(self.app.autosave_seconds, 0.01)
        self._typing_timer = self.set_timer(delay, self._keep_in_worker)

    def _keep_in_worker(self) -> None:
        fields = self.typed_fields()
        # On the app: keeping must finish even if the screen is closed meanwhile.
        tell(self.app, lambda p: self._keep(p, fields), name="keep-typing")

    def _keep(self, practice: Practice, fields: dict[str, Any]) -> None:
        """Keep *fields*, or forget what was kept if they are back as they were. Any thread."""
        place = self.typing_place()
        if place is None:
            return
        with _LOCK:
            if self._typing_done:
                return  # saved or discarded meanwhile
            if fields == self._typing_baseline:
                practice.forget_typing(place)
            else:
                text = self.typed_text(fields)
                practice.keep_typing(place, fields, text, client_id=self.typing_client())

    def flush_draft(self) -> None:
        """The session is ending: keep what the fields hold now, on this thread."""
        if self._typing_timer is not None:
            self._typing_timer.stop()
        if self._typing_baseline is None or self._typing_done:
            return
        fields = self.typed_fields()
        if fields != self._typing_baseline:
            self._keep(self.app.practice, fields)

    def forget_typed(self) -> None:
        """Saved or discarded: nothing of this form is kept any more."""
        if self._typing_timer is not None:
            self._typing_timer.stop()
        self._typing_done = True
        place = self.typing_place()
        if place is None:
            return

        def forget(practice: Practice) -> None:
            with _LOCK:
                practice.forget_typing(place)

        tell(self.app, forget, name="forget-typing")


# Keeping and forgetting take turns, so a late keep never brings back a forgotten form.
_LOCK = threading.Lock()
