"""Step 2: a win since last session, in the client's own words."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, RadioSet, TextArea

from hwtui.data.catalog import WIN_KIND_HINTS, WinKind
from hwtui.widgets.choices import RadioButton
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.steps.base import Step


class WinStep(Step):
    def compose(self) -> ComposeResult:
        yield Label("What went well since last time? In the client's words:", markup=False)
        yield NoteArea(self.draft.win_text, id="win_text")
        yield Label("What kind of win is it?", markup=False)
        with RadioSet(id="win_kind", compact=True):
            for kind in WinKind:
                yield RadioButton(
                    f"{kind.value}: {WIN_KIND_HINTS[kind]}",
                    value=self.draft.win_kind == kind,
                    name=kind.value,
                    compact=True,
                )

    def on_mount(self) -> None:
        # Resumed words: the cursor after them, where the clinician goes on typing.
        area = self.query_one("#win_text", NoteArea)
        area.move_cursor(area.document.end)

    def show(self) -> None:
        self.query_one("#win_text", NoteArea).focus()

    @on(TextArea.Changed, "#win_text")
    def _text(self, event: TextArea.Changed) -> None:
        if event.text_area.text != self.draft.win_text:
            self.draft.win_text = event.text_area.text
            self.edited()

    @on(RadioSet.Changed, "#win_kind")
    def _kind(self, event: RadioSet.Changed) -> None:
        name = event.pressed.name
        if name and self.draft.win_kind != name:
            self.draft.win_kind = WinKind(name)
            self.edited()
