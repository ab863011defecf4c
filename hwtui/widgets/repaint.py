"""Typing repaints what changed, and no more: every repaint goes down the link.

Over SSH each key typed costs what the app writes back to the terminal for it (issue
19: at most 150 bytes a character). Textual repaints a whole widget whenever anything
in it changes, and writes every cell of it, blanks included:

- a field being typed in: an Input's whole line (its trailing blanks too) and every row
  of a TextArea, about 150 and 1,000 bytes a key at 80 columns. `RepaintHold` lets a
  field hold the repaints one edit asks for and, when the edit only added characters at
  the end of a line, repaint just those cells and the cursor after them
  (widgets/fields.py, widgets/note_area.py);
- a Static given the text it already shows (a hint, the "editing…" status): `show`
  leaves it be, where `Static.update` would repaint it and lay out its screen again;
- drawing a frame that changes one line, Textual (8.2.8, `Compositor._get_renders`)
  renders every widget whose container overlaps it: on the goal step, 29 widgets for
  the two cells a key changed, half of what a key costs. `narrow_partial_renders` has it
  render only the widgets that do overlap the change; nothing else can be drawn there,
  so what is sent is the same (tests/test_repaint.py plays it into a terminal emulator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textual
from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


def show(static: Static, text: str) -> None:
    """Show *text* in *static*, unless it already does."""
    if static.content != text:
        static.update(text)


@dataclass(frozen=True, slots=True)
class _Call:
    regions: tuple[Region, ...]
    repaint: bool
    layout: bool
    recompose: bool

    def whole(self, layout_ok: bool) -> bool:
        """A plain repaint of the whole widget: no children change, and no layout
        unless *layout_ok* (the widget knows its size cannot change)."""
        plain = not self.regions and self.repaint and not self.recompose
        return plain and (layout_ok or not self.layout)


class RepaintHold:
    """A widget's `refresh()` calls, held while one edit runs (see the module)."""

    def __init__(self) -> None:
        self._calls: list[_Call] | None = None

    def held(
        self, regions: tuple[Region, ...], repaint: bool, layout: bool, recompose: bool
    ) -> bool:
        """Hold this call if an edit is running (True); else the widget makes it."""
        if self._calls is None:
            return False
        self._calls.append(_Call(regions, repaint, layout, recompose))
        return True

    @contextmanager
    def editing(
        self,
        refresh: Callable[..., Any],
        cells: Callable[[], Region | None],
        *,
        layout_ok: bool = False,
    ) -> Iterator[None]:
        """Hold the widget's refreshes while the edit in the block runs. Then, if each
        was a plain repaint of the whole widget and *cells* (asked after the edit) names
        the region that changed, repaint that region alone; otherwise make the calls as
        they were asked for. *refresh* is the widget's own `refresh`. *layout_ok*: a
        layout asked for is not needed (see `whole`)."""
        self._calls = []
        done = False
        try:
            yield
            done = True
        finally:
            calls, self._calls = self._calls, None
            steady = done and calls and all(call.whole(layout_ok) for call in calls)
            region = cells() if steady else None
            if region is not None:
                refresh(region)
            else:
                for call in calls:
                    refresh(
                        *call.regions,
                        repaint=call.repaint,
                        layout=call.layout,
                        recompose=call.recompose,
                    )


# The Textual whose `Compositor._get_renders` this was written from (pyproject.toml pins
# it); any other is left alone.
NARROWED_TEXTUAL = "8.2.8"


def _get_renders(
    self: Compositor, crop: Region | None = None
) -> Iterable[tuple[Region, Region, list[Strip]]]:
    """Textual 8.2.8's `Compositor._get_renders`, but for a crop (a partial update) only
    the widgets whose visible part overlaps it, not every widget whose clip does."""
    visible: Iterable[tuple[Widget, tuple[Region, Region]]] = self.visible_widgets.items()
    if crop:
        overlaps = crop.overlaps
        visible = [(w, (r, c)) for w, (r, c) in visible if overlaps(r.intersection(c))]
    for widget, (region, clip) in visible:
        if clip.contains_region(region):
            yield region, clip, widget.render_lines(Region(0, 0, region.width, region.height))
        else:
            x, y, width, height = region.intersection(clip)
            if width and height:
                lines = widget.render_lines(Region(x - region.x, y - region.y, width, height))
                yield region, clip, lines


def installed_textual_is(version: str) -> bool:
    """Whether the Textual imported is *version*, by its install's metadata folder beside
    it: `textual.__version__` imports importlib.metadata to ask, 10-15 ms of the launch.
    Any other install (a source checkout) answers False, and is left alone."""
    package = Path(textual.__file__).parent
    return (package.parent / f"textual-{version}.dist-info").is_dir()


def narrow_partial_renders() -> bool:
    """Install `_get_renders` in Textual's compositor (once); whether it is in place."""
    if not installed_textual_is(NARROWED_TEXTUAL):
        return False
    Compositor._get_renders = _get_renders  # type: ignore[method-assign]
    return True


narrow_partial_renders()
