"""The assignment editor: homework that is tailored, specific, valued and small enough.

One form for four jobs: assigning new homework, editing an active task, writing the
smaller step that replaces one (its parent), and finishing the new goal agreed in a review
(that one is handed back to the review, which creates it when the review is completed).
Validation lives in the service; the form shows each problem under its field and keeps
every character typed. Two gentle nudges never block saving: the specifics still empty,
and a confidence below 9, where f3 offers a smaller version and keeps the bigger one as
the goal it supports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    Select,
    Static,
    TextArea,
)
from textual.widgets.selection_list import Selection

from hwtui.data.assignment_form import AssignmentForm, EditorMode, EditorTarget
from hwtui.data.catalog import BARRIERS, BARRIERS_BY_CODE, CHECKLIST, CUSTOM_KIND, KINDS_BY_CODE
from hwtui.data.due_dates import parse_due_date, past_due_problem
from hwtui.data.errors import InvalidInput
from hwtui.data.practice_views import EditorSetup
from hwtui.data.review_draft import CONFIDENT
from hwtui.screens.asking import ask
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.screens.kind_picker import KindPickerScreen
from hwtui.widgets.assignment_fields import AREAS, BY_NAME, FORM_ORDER, LINES, label_of
from hwtui.widgets.choices import Checkbox, SelectionList
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.safe import safe_content, safe_text
from hwtui.widgets.steps.barriers import barrier_matches

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

LABEL = "$foreground-muted"
# Where the cursor goes to fix a field, when that is not the field's own id.
FOCUS_FOR = {"obstacles": "#obstacle-search", "checklist": "#rationale_given"}


TITLES = {
    EditorMode.NEW: "Assign homework to ",
    EditorMode.EDIT: "Edit homework of ",
    EditorMode.SMALLER: "A smaller step for ",
    EditorMode.GOAL: "The review's new goal for ",
}
# What the editor hands back: the saved assignment's id, the review goal's form, or None.
EditorResult = int | AssignmentForm | None


def specific_status(form: AssignmentForm) -> tuple[str, bool]:
    """The indicator line for the five specifics, and whether all are filled in."""
    missing = form.missing_specifics()
    if not missing:
        return "✓ Specific: what, when, where, how often and how long are set.", True
    return f"Not yet specific: {', '.join(missing)} still empty.", False


def due_hint(text: str, today: date) -> str:
    """The day a typed due date means, so "fri" can be checked before saving."""
    try:
        due = parse_due_date(text, today)
    except ValueError:
        return ""  # still typing; the message comes on save
    if due is None:
        return ""
    past = " is in the past" if past_due_problem(due, today) else ""
    return f"→ {due:%a %d %b %Y}{past}"


def chain_line(titles: list[str]) -> Content:
    parts = [safe_content(title) for title in titles]
    return Content.assemble(("Smaller step of: ", LABEL), Content(" → ").join(parts))


class AssignmentEditorScreen(KeepsTyping, ModalScreen[EditorResult]):
    """Returns the id of the assignment saved (the newest, smallest step), or None.

    For a review's goal (*goal_of*), nothing is saved: the checked form comes back.
    """

    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        /* The whole terminal at 80x24: the form is long and scrolls; wider terminals get a
           centred dialog. */
        AssignmentEditorScreen #editor {
            width: 100;
            max-width: 100%;
            height: 100%;
            max-height: 44;
            border: round $primary;
            padding: 0 1;
            background: $surface;
        }

        #editor-title {
            text-style: bold;
            height: 1;
        }

        #editor-chain {
            height: auto;
            max-height: 2;
        }

        #editor-form {
            height: 1fr;
            margin-top: 1;
        }

        #editor-grid {
            grid-size: 2;
            grid-columns: 12 1fr;
            grid-rows: auto;
            grid-gutter: 0 1;
            height: auto;
        }

        #editor-grid > Label {
            color: $text-muted;
        }

        #editor-grid > .field {
            height: auto;
        }

        #editor-grid #instructions {
            height: 3;
            padding: 0;
        }

        #editor-grid #rationale {
            height: 2;
            padding: 0;
        }

        #kind-row {
            height: 1;
        }

        /* Reads as the value it holds, not as a big button; enter opens the library. */
        #kind-row #kind {
            width: auto;
            min-width: 0;
            padding: 0 1;
            margin-right: 1;
        }

        #due-hint {
            display: none;
        }

        #due-hint.-shown {
            display: block;
        }

        #kind-row .hint {
            width: 1fr;
        }

        #obstacles {
            height: auto;
            max-height: 5;
        }

        #obstacle-remedies {
            height: auto;
            color: $text-muted;
        }

        #obstacle-remedies.-chosen {
            color: $text-success;
        }

        #checklist {
            grid-size: 2;
            grid-columns: 1fr 1fr;
            height: auto;
        }

        #checklist Checkbox {
            width: 100%;
        }

        AssignmentEditorScreen #form-error {
            margin-top: 1;
        }

        AssignmentEditorScreen #specific {
            height: auto;
            color: $text-warning;
        }

        AssignmentEditorScreen #specific.-complete {
            color: $text-success;
        }
    """

    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"load", "save"})

    AUTO_FOCUS = "#title"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("f2", "choose_kind", "Kind", id="editor.kind"),
        Binding("f3", "shrink", "Make smaller", id="editor.shrink"),
        Binding("f4", "undo_shrink", "Undo smaller", id="editor.undo_shrink"),
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
    ]

    app: HomeworkApp

    def __init__(self, target: EditorTarget, form: AssignmentForm | None = None) -> None:
        """Work on *target* (see `EditorTarget`), starting from *form* if given: a smaller
        step's suggestion, or the review's goal to finish."""
        super().__init__()
        self.target = target
        self.mode = target.mode
        self.prefill = form
        # The form as typed, kept up to date by the handlers below (`_changed`), so that
        # a key press reads one field, not every widget of the form.
        self.form = AssignmentForm()
        # Each field's problems from the last save, by field name (FORM_ORDER, "form").
        self._problems: dict[str, list[str]] = {}
        # The instructions last filled in from a kind: choosing another kind replaces
        # them, but never what the clinician wrote.
        self._prefilled = ""
        # What the form held when it opened, to know whether leaving loses anything.
        self._baseline = AssignmentForm()
        self._chain: list[str] = []
        # Bigger versions the client rated below 9, oldest first; each is saved as the
        # goal that the next, smaller one supports.
        self._bigger: list[AssignmentForm] = []
        self._just_shrunk = False
        self._shrink_note = ""
        self._low_confidence = False
        self._value_ids: set[int] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="editor"):
            yield Static(TITLES[self.mode].strip(), id="editor-title", markup=False)
            yield Static("", id="editor-chain", markup=False)
            with VerticalScroll(id="editor-form"), Grid(id="editor-grid"):
                for name in FORM_ORDER:
                    yield Label(label_of(name), markup=False)
                    with Vertical(classes="field"):
                        yield from self._field(name)
                        yield Static("", id=f"{name}-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
            yield Static(specific_status(AssignmentForm())[0], id="specific", markup=False)
        yield Footer()

    def _field(self, name: str) -> ComposeResult:
        if name == "kind":
            with Horizontal(id="kind-row"):
                yield Button(Content(KINDS_BY_CODE[CUSTOM_KIND].name), id="kind", compact=True)
                yield Static("enter or f2: choose from the library", classes="hint", markup=False)
        elif name in AREAS:
            yield NoteArea(placeholder=AREAS[name].placeholder, id=name)
        elif name == "value_id":
            yield Select[int]([], prompt="none", compact=True, id="value_id")
        elif name == "obstacles":
            yield TextInput(
                placeholder="what might get in the way? type to search (e.g. time, forgot)",
                id="obstacle-search",
            )
            yield SelectionList[str](id="obstacles", compact=True)
            yield Static("", id="obstacle-remedies", markup=False)
        elif name == "checklist":
            with Grid(id="checklist"):
                for attr, label in CHECKLIST.items():
                    yield Checkbox(label, id=attr, compact=True)
        else:
            yield TextInput(
                placeholder=LINES[name].placeholder,
                id=name,
                max_length=2 if name == "confidence" else 0,
            )
            if name == "due_date":
                yield Static("", id="due-hint", classes="hint", markup=False)
            elif name == "confidence":
                yield Static("", id="confidence-note", classes="field-note", markup=False)

    def on_mount(self) -> None:
        self._fill_obstacles()
        self.load()

    # -- data -------------------------------------------------------------------------

    @dataclass
    class Loaded(Message, bubble=False):
        setup: EditorSetup

    @dataclass
    class Saved(Message, bubble=False):
        assignment_id: int

    @dataclass
    class Refused(Message, bubble=False):
        error: BaseException

    def load(self) -> None:
        target, prefill = self.target, self.prefill
        ask(self, lambda p: p.editor_setup(target, prefill), self.Loaded, name="load")

    def save(self, versions: list[dict[str, Any]], changes: dict[str, Any]) -> None:
        """Save in one transaction: the form, and before it every bigger version it
        replaces, each replaced by the next smaller one."""
        target = self.target
        ask(
            self,
            lambda p: p.save_assignment(target, versions, changes),
            self.Saved,
            name="save",
            failed=self.Refused,
        )

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._show_setup(event.setup)

    @on(Saved)
    def _saved(self, event: Saved) -> None:
        self.forget_typed()
        self.dismiss(event.assignment_id)

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        if isinstance(event.error, InvalidInput):
            self._show_problems(event.error)
        else:
            self.app.show_error(event.error)

    def _show_setup(self, setup: EditorSetup) -> None:
        self.query_one("#editor-title", Static).update(
            Content.assemble(TITLES[self.mode], safe_content(setup.code).stylize("bold"))
        )
        self.query_one("#value_id", Select).set_options(
            (safe_text(text), value_id) for value_id, text in setup.values
        )
        self._value_ids = {value_id for value_id, _ in setup.values}
        self._chain = setup.chain
        if setup.form is not None:
            # Typed while loading: keep it rather than overwrite it.
            if self._read_form() == AssignmentForm():
                self._show_form(setup.form)
            self._baseline = setup.form.copy()
            self._prefilled = setup.form.instructions
        self._show_chain()
        self.offer_typed()

    # -- what is typed is kept (screens/kept_typing.py) --------------------------------

    def typing_place(self) -> str:
        return self.target.place

    def typing_client(self) -> int:
        return self.target.client_id

    def typed_fields(self) -> dict[str, Any]:
        # The whole form, kind, choices and bigger versions too: not only its text.
        return {
            "form": asdict(self._read_form()),
            "bigger": [asdict(version) for version in self._bigger],
        }

    def restore_typed(self, fields: dict[str, Any]) -> None:
        known = {f.name for f in dataclass_fields(AssignmentForm)}

        def form(data: Any) -> AssignmentForm:
            return AssignmentForm(**{k: v for k, v in dict(data).items() if k in known})

        self._bigger = [form(version) for version in fields.get("bigger", [])]
        self._show_form(form(fields.get("form", {})))
        self._show_chain()
        self._show_notes()
        self.refresh_bindings()

    def flush_draft(self) -> None:
        """Ending the session: a review's goal goes into the review's draft, which is
        saved next; anything else (or a goal not valid yet) is kept as typed."""
        if self.mode is EditorMode.GOAL and self._hand_to_review():
            return
        super().flush_draft()

    def _hand_to_review(self) -> bool:
        from hwtui.screens.review import ReviewScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, ReviewScreen) and screen.draft is not None:
                goal_of = self.target.goal_of
                goal = screen.draft.goal_for(goal_of)
                try:
                    updated = self._read_form().to_goal(goal_of, self.app.today())
                except InvalidInput:
                    return False
                if goal in screen.draft.goals:
                    screen.draft.goals[screen.draft.goals.index(goal)] = updated
                else:
                    screen.draft.goals.append(updated)
                return True
        return False

    # -- reading and writing the form -------------------------------------------------

    def _read_form(self) -> AssignmentForm:
        """The form as it stands: a copy, for saving, comparing or keeping."""
        return self.form.copy()

    def _show_form(self, form: AssignmentForm) -> None:
        self.form = form.copy()
        # Quietly: the handlers for typing would take this for the clinician's own edits.
        with self.prevent(Input.Changed, TextArea.Changed, Checkbox.Changed, Select.Changed):
            for spec in LINES.values():
                self.query_one(f"#{spec.name}", Input).value = getattr(form, spec.form_attr)
            for name in AREAS:
                self.query_one(f"#{name}", TextArea).text = getattr(form, name)
            for attr in CHECKLIST:
                self.query_one(f"#{attr}", Checkbox).value = getattr(form, attr)
            select = self.query_one("#value_id", Select)
            if form.value_id in self._value_ids:
                select.value = form.value_id
            else:
                select.clear()
                self.form.value_id = None
        self._show_due_hint(form.due)
        self._fill_obstacles()
        self._set_kind(form.kind, fill=False)
        self._show_notes()

    def _changed(self, name: str, value: object) -> None:
        """One field of the form changed on screen: the model follows."""
        spec = BY_NAME.get(name)
        setattr(self.form, spec.form_attr if spec else name, value)

    # -- handlers ---------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        name = event.input.id or ""
        if name in LINES:
            self._changed(name, event.value)
        if name == "obstacle-search":
            self._fill_obstacles()
        elif name == "due_date":
            self._show_due_hint(event.value)
        elif name == "confidence":
            self._just_shrunk = False
        self._show_notes()
        if name == "confidence":
            self._reveal_note()

    @on(TextArea.Changed)
    def _wrote(self, event: TextArea.Changed) -> None:
        if event.text_area.id in AREAS:
            self._changed(event.text_area.id, event.text_area.text)
        self._show_notes()

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id in CHECKLIST:
            self._changed(event.checkbox.id, event.value)

    @on(Select.Changed, "#value_id")
    def _valued(self, event: Select.Changed) -> None:
        self._changed("value_id", event.value if isinstance(event.value, int) else None)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter moves on rather than saving: a half-filled task should not slip through.
        if event.input.id == "obstacle-search":
            listing = self.query_one("#obstacles", SelectionList)
            listing.focus()
            if listing.option_count and listing.highlighted is None:
                listing.highlighted = 0
        else:
            self.focus_next()

    @on(Button.Pressed, "#kind")
    def _kind_pressed(self) -> None:
        self.action_choose_kind()

    @on(SelectionList.SelectionToggled, "#obstacles")
    def _obstacle_toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        code = event.selection.value
        if code in self.form.obstacles:
            self.form.obstacles.remove(code)
        else:
            self.form.obstacles.append(code)
        self._show_remedies()

    # -- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "shrink":
            return self._low_confidence
        if action == "undo_shrink":
            return bool(self._bigger)
        return True

    def action_choose_kind(self) -> None:
        def chosen(code: str | None) -> None:
            if code is not None:
                self._set_kind(code, fill=True)
                self.query_one("#kind", Button).focus()

        self.app.push_screen(KindPickerScreen(self.form.kind), chosen)

    def action_shrink(self) -> None:
        form = self._read_form()
        if not form.needs_shrinking():
            return
        self._clear_problems()
        try:
            # The bigger version is kept as a goal of its own, so it must be saveable.
            form.service_fields(self.app.today(), check_past=self._check_past(form, 0))
        except InvalidInput as exc:
            self._show_problems(exc)
            return
        self._bigger.append(form.copy())
        self._shrink_note = form.smaller_suggestion().message
        self._show_form(form.shrunk())
        self._just_shrunk = True
        self._show_chain()
        self._show_notes()
        self.refresh_bindings()
        self.query_one("#confidence", Input).focus()
        self._reveal_note()

    def action_undo_shrink(self) -> None:
        if not self._bigger:
            return
        self._show_form(self._bigger.pop())
        self._just_shrunk = False
        self._show_chain()
        self._show_notes()
        self.refresh_bindings()
        self.query_one("#confidence", Input).focus()

    def action_save(self) -> None:
        self._clear_problems()
        today = self.app.today()
        if self.mode is EditorMode.GOAL:
            self._hand_back_goal(today)
            return
        forms = [*self._bigger, self._read_form()]
        try:
            versions = [
                version.service_fields(today, check_past=self._check_past(version, i))
                for i, version in enumerate(forms)
            ]
        except InvalidInput as exc:
            self._show_problems(exc)
            return
        changes: dict[str, Any] = {}
        if self.mode is EditorMode.EDIT:
            try:
                before = self._baseline.service_fields(today, check_past=False)
            except InvalidInput:
                before = {}  # stored before today's rules: send every field
            changes = {k: v for k, v in versions[0].items() if before.get(k) != v}
            if not changes and len(versions) == 1:
                self.dismiss(self.target.assignment_id)  # nothing to save
                return
        self.save(versions, changes)

    def action_cancel(self) -> None:
        if self._read_form() == self._baseline and not self._bigger:
            self.forget_typed()
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.forget_typed()
                self.dismiss(None)

        question = (
            "Discard your changes?" if self.mode is EditorMode.EDIT else "Discard this homework?"
        )
        self.app.push_screen(ConfirmScreen(question, "What you typed is lost."), answered)

    # -- helpers ----------------------------------------------------------------------

    def _hand_back_goal(self, today: date) -> None:
        """Check the goal as a save would, and give it back to the review.

        Bigger versions tried on the way are conversation, not goals: the review's new
        goal already supports the missed task, so only the agreed one goes back.
        """
        form = self._read_form()
        try:
            form.service_fields(today)
        except InvalidInput as exc:
            self._show_problems(exc)
            return
        self.forget_typed()
        self.dismiss(form)

    def _check_past(self, form: AssignmentForm, position: int) -> bool:
        """A due date in the past is refused, except an edited task's own unchanged one."""
        editing_itself = self.mode is EditorMode.EDIT and position == 0
        return not editing_itself or form.due != self._baseline.due

    def _set_kind(self, code: str, *, fill: bool) -> None:
        kind = KINDS_BY_CODE.get(code, KINDS_BY_CODE[CUSTOM_KIND])
        self.form.kind = kind.code
        button = self.query_one("#kind", Button)
        button.label = Content(kind.name)
        button.refresh(layout=True)  # a new label does not resize the button by itself
        rationale = self.query_one("#rationale", TextArea)
        rationale.placeholder = f"Ask: {kind.rationale_prompt}"
        how_often = self.query_one("#how_often", Input)
        how_often.placeholder = (
            f"e.g. {kind.frequency}" if kind.code != CUSTOM_KIND else LINES["how_often"].placeholder
        )
        instructions = self.query_one("#instructions", TextArea)
        if fill and (not instructions.text.strip() or instructions.text == self._prefilled):
            instructions.text = kind.instructions  # its Changed updates the form
            self.form.instructions = kind.instructions
            self._prefilled = kind.instructions

    def _fill_obstacles(self) -> None:
        needle = self.query_one("#obstacle-search", Input).value
        listing = self.query_one("#obstacles", SelectionList)
        with listing.prevent(SelectionList.SelectionToggled, SelectionList.SelectedChanged):
            listing.clear_options()
            listing.add_options(
                Selection(
                    Text.assemble((f"{b.group.label:<11} ", "dim"), b.label),
                    b.code,
                    b.code in self.form.obstacles,
                )
                for b in BARRIERS
                if b.code in self.form.obstacles or barrier_matches(b.code, needle)
            )
        self._show_remedies()

    def _show_remedies(self) -> None:
        lines = [
            f"→ {BARRIERS_BY_CODE[code].label}: {BARRIERS_BY_CODE[code].remedy}"
            for code in self.form.obstacles
            if code in BARRIERS_BY_CODE
        ]
        remedies = self.query_one("#obstacle-remedies", Static)
        remedies.update("\n".join(lines) or "Tick what might get in the way (space).")
        remedies.set_class(bool(lines), "-chosen")

    def _reveal_note(self) -> None:
        """Scroll the confidence note into view: it is the prompt to act on."""
        note = self.query_one("#confidence-note", Static)
        if note.has_class("-shown"):
            self.call_after_refresh(note.scroll_visible, animate=False)

    def _show_due_hint(self, text: str) -> None:
        hint = due_hint(text, self.app.today())
        label = self.query_one("#due-hint", Static)
        label.update(hint)
        label.set_class(bool(hint), "-shown")

    def _show_chain(self) -> None:
        titles = [*self._chain, *(version.title for version in self._bigger)]
        chain = self.query_one("#editor-chain", Static)
        chain.update(chain_line(titles) if titles else "")
        chain.display = bool(titles)

    def _show_notes(self) -> None:
        form = self.form
        text, complete = specific_status(form)
        specific = self.query_one("#specific", Static)
        specific.update(text)
        specific.set_class(complete, "-complete")
        note = self.query_one("#confidence-note", Static)
        if self._just_shrunk:
            kept = (
                ""
                if self.mode is EditorMode.GOAL
                else "; the bigger one stays as the goal this supports"
            )
            note.update(f"{self._shrink_note} (f4 undoes{kept}.)")
        elif form.needs_shrinking():
            note.update(
                f"Confidence {form.confidence_value()}/10. Tasks a client is {CONFIDENT} or 10 "
                "sure of are the ones that get done. Could it be smaller? f3 suggests a "
                "smaller version."
            )
        else:
            note.update("")
        note.set_class(self._just_shrunk or form.needs_shrinking(), "-shown")
        low = form.needs_shrinking()
        if low != self._low_confidence:
            # Only then: the footer is rebuilt on every refresh, too slow for every key.
            self._low_confidence = low
            self.refresh_bindings()

    def _clear_problems(self) -> None:
        for name in self._problems:
            self._set_error(name, "")
        self._problems = {}

    def _show_problems(self, error: InvalidInput) -> None:
        for problem in error.problems:
            name = problem.field
            if name in CHECKLIST:
                name = "checklist"
            if name not in FORM_ORDER:
                name = "form"
            self._problems.setdefault(name, []).append(str(problem))
        bad = [name for name in FORM_ORDER if name in self._problems]
        if bad:
            self.query_one(FOCUS_FOR.get(bad[0], f"#{bad[0]}")).focus()
            if "form" not in self._problems:
                labels = ", ".join(label_of(name).lower() for name in bad)
                self._problems["form"] = [f"Not saved: check {labels}."]
        for name, messages in self._problems.items():
            self._set_error(name, "\n".join(messages))

    def _set_error(self, name: str, message: str) -> None:
        label = self.query_one(f"#{name}-error", Static)
        label.update(message)
        label.set_class(bool(message), "-shown")
