"""The homework list of the client overview: assignments, section headings and a "more"
entry, as the options of one OptionList.

A ListView holds a widget (and its children) per task, each composed, styled and laid out
when the list is filled; an OptionList draws only the lines on screen from its options,
so years of homework cost about as much as a few tasks. Each option's prompt is a
`Hanging` visual, so wrapped lines stay indented under the title.
"""

from __future__ import annotations

from typing import Literal

from textual._widget_navigation import find_next_enabled_no_wrap
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from hwtui.widgets.hanging import Hanging

MORE = "more"


class TaskOption(Option):
    """One assignment; enter opens it."""

    def __init__(self, prompt: Hanging, assignment_id: int) -> None:
        super().__init__(prompt, id=f"task-{assignment_id}")
        self.assignment_id = assignment_id


def section_option(title: str) -> Option:
    """A heading, not a choice: the cursor passes over disabled options."""
    return Option(Content.assemble("\n", (title, "bold")), disabled=True)


def more_option(label: str) -> Option:
    """Enter shows what this stands for in its place."""
    return Option(Content(label), id=MORE)


class TaskList(OptionList):
    """Assignments to open with enter, headings between them, perhaps a "more" entry."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    @property
    def highlighted_assignment(self) -> int | None:
        option = self.highlighted_option
        return option.assignment_id if isinstance(option, TaskOption) else None

    @property
    def has_more(self) -> bool:
        try:
            self.get_option(MORE)
        except OptionDoesNotExist:
            return False
        return True

    @property
    def more_highlighted(self) -> bool:
        option = self.highlighted_option
        return option is not None and option.id == MORE

    # As in a ListView, the cursor stops at either end rather than going round (textual's
    # OptionList): up from the first task stays there.
    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_cursor_down(self) -> None:
        self._step(1)

    def _step(self, direction: Literal[-1, 1]) -> None:
        found = find_next_enabled_no_wrap(self.options, self.highlighted, direction)
        if found is not None:
            self.highlighted = found

    def show(self, options: list[Option], keep: int | None = None) -> None:
        """Replace the options; highlight assignment *keep* if it is still there, else
        the first assignment."""
        self.set_options(options)
        tasks = [o.assignment_id if isinstance(o, TaskOption) else None for o in options]
        if keep is not None and keep in tasks:
            self.highlighted = tasks.index(keep)
        elif any(t is not None for t in tasks):
            self.highlighted = next(n for n, t in enumerate(tasks) if t is not None)

    def replace_more(self, options: list[Option]) -> None:
        """Put *options* where the "more" entry was (always the last), and highlight the
        first of them."""
        at = self.get_option_index(MORE)
        self.remove_option(MORE)
        self.add_options(options)
        self.highlighted = at
