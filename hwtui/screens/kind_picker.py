"""Pick a kind of homework from the library: type a few letters of a name or a tag.

The highlighted kind's default instructions and the question that draws out its
rationale are shown below the list, so the clinician can read them to the client before
choosing. "Custom" is always offered.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from hwtui.data.catalog import KINDS_BY_CODE, HomeworkKind, kinds_matching
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer

LABEL = "$foreground-muted"
# The longest name in the library, so every name is whole and the tags line up.
NAME_WIDTH = max(len(kind.name) for kind in KINDS_BY_CODE.values())
TAGS_WIDTH = 14
MIN_FREQUENCY_WIDTH = 8


def tags_text(kind: HomeworkKind) -> str:
    return " ".join(kind.tags) if kind.tags else "any"


def clipped(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def kind_line(kind: HomeworkKind, width: int) -> Content:
    """One row of the list: name, tags, and as much of the typical frequency as fits."""
    frequency_width = max(MIN_FREQUENCY_WIDTH, width - NAME_WIDTH - TAGS_WIDTH - 2)
    return Content.assemble(
        kind.name.ljust(NAME_WIDTH),
        " ",
        (clipped(tags_text(kind), TAGS_WIDTH).ljust(TAGS_WIDTH), LABEL),
        " ",
        (clipped(kind.frequency, frequency_width), LABEL),
    )


def kind_about(kind: HomeworkKind) -> Content:
    """What the highlighted kind asks of the client, and the question behind it."""
    instructions = kind.instructions or "You write the instructions with the client."
    return Content.assemble(
        (kind.name, "bold"),
        (f" · {tags_text(kind)} · typically {kind.frequency}", LABEL),
        "\n",
        instructions,
        "\n",
        ("Ask: ", LABEL),
        (kind.rationale_prompt, "italic"),
    )


class KindPickerScreen(ModalScreen[str | None]):
    """Returns the chosen kind's code, or None when cancelled."""

    AUTO_FOCUS = "#kind-filter"

    BINDINGS = [
        # Priority, so that enter picks whether the filter or the list has focus.
        Binding("enter", "pick", "Pick", id="kind_picker.pick", priority=True),
        Binding("down", "move(1)", "Next kind", id="kind_picker.next", show=False),
        Binding("up", "move(-1)", "Previous kind", id="kind_picker.previous", show=False),
        Binding("escape", "cancel", "Cancel", id="kind_picker.cancel"),
    ]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current if current in KINDS_BY_CODE else None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Choose a kind of homework", classes="dialog-title", markup=False)
            yield TextInput(
                placeholder="type a name or a tag: thought, diary, SFBT…", id="kind-filter"
            )
            yield OptionList(id="kinds", compact=True, markup=False)
            yield Static("", id="kind-about", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        # The rows are cut to the list's width, which is known after the first layout.
        self.call_after_refresh(self._fill)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    # -- handlers ---------------------------------------------------------------------

    @on(Input.Changed, "#kind-filter")
    def _filtered(self) -> None:
        self._fill()

    @on(OptionList.OptionHighlighted, "#kinds")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        kind = KINDS_BY_CODE.get(event.option.id or "")
        if kind is not None:
            self.query_one("#kind-about", Static).update(kind_about(kind))

    @on(OptionList.OptionSelected, "#kinds")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    # -- actions ----------------------------------------------------------------------

    def action_pick(self) -> None:
        option = self.query_one("#kinds", OptionList).highlighted_option
        if option is not None:
            self.dismiss(option.id)

    def action_move(self, step: int) -> None:
        kinds = self.query_one("#kinds", OptionList)
        if kinds.highlighted is None:
            kinds.highlighted = 0
        else:
            kinds.highlighted = (kinds.highlighted + step) % max(1, kinds.option_count)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- helpers ----------------------------------------------------------------------

    def _fill(self) -> None:
        kinds = self.query_one("#kinds", OptionList)
        keep = kinds.highlighted_option.id if kinds.highlighted_option else self.current
        shown = kinds_matching(self.query_one("#kind-filter", Input).value)
        width = kinds.scrollable_content_region.width or 70
        kinds.set_options(Option(kind_line(kind, width), id=kind.code) for kind in shown)
        codes = [kind.code for kind in shown]
        # While filtering, the best match comes first; otherwise stay where we were.
        typing = bool(self.query_one("#kind-filter", Input).value.strip())
        index = codes.index(keep) if keep in codes and not typing else 0
        kinds.highlighted = index
        # Set here too: the highlight may not move (0 before and after) and so not tell us.
        self.query_one("#kind-about", Static).update(kind_about(shown[index]))
