"""What the pilot tests of the app share: building it for the tests' fixed day, waiting for
its workers, and putting words into its fields.

Typing with `pilot.press` costs a key 65-130 ms (Textual's pilot waits for the app to go
idle after each one), so a sentence takes seconds. Tests about typing itself (the order
keys arrive in, markup typed at the keyboard, bursts on a real terminal) press keys; the
others, which only need words in a field, `fill` it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from hwtui.app import HomeworkApp, build_app
from hwtui.data.db import Database
from tests.conftest import TODAY


def app_maker(username: str, **options: Any) -> Callable[[Database], HomeworkApp]:
    """`make_app(db)`: the app as `hwtui` builds it, for *username* on the tests' fixed
    day (TODAY), with *options* (e.g. `autosave_seconds=0.05`) for `build_app`."""

    def make_app(db: Database) -> HomeworkApp:
        return build_app(db, username=username, today=lambda: TODAY, **options)

    return make_app


async def settle(pilot: Pilot[Any], rounds: int = 3) -> None:
    """Let the app's workers finish, then what their results start (a reload on return,
    a screen pushed when a load is done), *rounds* times over."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def steady(pilot: Pilot[Any], rounds: int = 10) -> None:
    """Until the screen stops changing: the workers done, what their results started
    done, animations over, and two captures in a row the same. A snapshot taken sooner
    on a loaded machine has caught a scrollbar's thumb an eighth of a cell apart (a
    table below the fold still filling, a focus scroll still gliding)."""
    previous = None
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        shot = pilot.app.export_screenshot()
        if shot == previous:
            return
        previous = shot


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Focus the field *selector* on the screen on top and type *text*, key by key."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.pause()
    await pilot.press(*text)


async def fill(pilot: Pilot[Any], text: str, into: str | None = None) -> None:
    """Put *text* into a field as typing it would leave it, without a key for each
    character: focus the field *into* (a selector on the screen on top; None: the field
    that has focus), insert the text at its cursor, as Textual does with a typed
    character, and wait as `pilot.press` does.

    The field ends up as typing leaves it: the same text (cleaned by the field as typing
    is), the cursor after it, the field scrolled to the cursor, and `Changed` posted so
    the screen reacts (hints, filters, autosave, kept typing); only once, not once per
    character. The last character is inserted on its own after the rest is drawn, so
    a long line scrolls as it does when typed.
    """
    if into is not None:
        pilot.app.screen.query_one(into).focus()
        await pilot.pause()
    field = pilot.app.focused
    if isinstance(field, Input):
        input_field = field

        def insert(words: str) -> None:  # as Input._on_key does with a printable key
            selection = input_field.selection
            if selection.is_empty:
                input_field.insert_text_at_cursor(words)
            else:
                input_field.replace(words, *selection)

    elif isinstance(field, TextArea) and not field.read_only:
        area = field

        def insert(words: str) -> None:  # as TextArea._on_key does with a printable key
            area.replace(words, *area.selection, maintain_selection_offset=False)

    else:
        raise TypeError(f"fill() puts words into a text field, not into {field!r}")
    head, last = text[:-1], text[-1:]
    if head:
        insert(head)
        await pilot.pause()
    if last:
        insert(last)
    await pilot.pause()


class Words(str):
    """Words that `press_and_fill` fills into the field with focus, not keys to press."""


async def press_and_fill(pilot: Pilot[Any], *steps: str) -> None:
    """Press the keys in *steps* in order, and fill each `Words` among them into the field
    that has focus by then (see `fill`)."""
    keys: list[str] = []
    for step in steps:
        if isinstance(step, Words):
            if keys:
                await pilot.press(*keys)
                keys = []
            await fill(pilot, step)
        else:
            keys.append(step)
    if keys:
        await pilot.press(*keys)
