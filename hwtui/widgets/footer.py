"""hwtui's Footer: the keys that matter most on each screen first, and only whole keys.

Textual's Footer (textual==8.2.8, pinned) shows the active keys in the order of the focus
chain (the focused widget's, its parents', the screen's, the app's) and lets the command
palette's key, docked on the right, cover whatever does not fit: at 80 columns the review
steps ended at "^s S▏", hiding save and leave. Here a screen names its keys by binding id,
most important first (`FOOTER_ORDER`), optionally folding a set of keys into one entry
(`FOOTER_FOLDS`: "d/p/n/o Mark"); the footer shows them in that order and leaves out,
whole, every key that does not fit the width. Keys left out are in `?` help and the
command palette, which list every active binding.

It is one widget that draws its line, not a widget per key: Textual's composes, mounts and
styles a FooterKey for each key whenever the keys may have changed, which cost 25-40 ms
a screen (opening the client overview rebuilt it twice: once its focus was given, once
its brief was loaded), on the same thread as the frame the clinician waits for. Here a
change is a list of keys compared with the last, and at most a repaint of one line.
It looks as Textual's did (same theme variables); a click on a key presses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from hwtui.widgets.safe import safe_content


class Fold(NamedTuple):
    """Keys shown as one footer entry: "d/p/n/o Mark" for four keys whose meaning the
    screen itself spells out."""

    ids: tuple[str, ...]
    description: str


class Shown(NamedTuple):
    binding: Binding
    key_display: str
    description: str
    enabled: bool
    tooltip: str


def footer_order(screen: Screen[object]) -> tuple[str, ...]:
    """The binding ids the screen wants first, most important first."""
    order = getattr(screen, "FOOTER_ORDER", ())
    return tuple(order)


def footer_folds(screen: Screen[object]) -> tuple[Fold, ...]:
    return tuple(getattr(screen, "FOOTER_FOLDS", ()))


def arrange(entries: Sequence[Shown], order: Sequence[str], folds: Sequence[Fold]) -> list[Shown]:
    """*entries* (one a key, in the focus chain's order) folded and put in *order*: the
    ids named there first, in that order, then the others as they came."""
    folded: list[Shown] = []
    done: set[str] = set()
    by_id = {entry.binding.id: entry for entry in entries if entry.binding.id}
    for entry in entries:
        fold = next((f for f in folds if entry.binding.id in f.ids), None)
        if fold is None:
            folded.append(entry)
            continue
        if fold.description in done:
            continue
        done.add(fold.description)
        members = [by_id[key_id] for key_id in fold.ids if key_id in by_id]
        folded.append(
            Shown(
                # The fold stands under its first member's id: that is what the order names.
                members[0].binding,
                "/".join(member.key_display for member in members),
                fold.description,
                any(member.enabled for member in members),
                ", ".join(f"{m.key_display}: {m.binding.description}" for m in members),
            )
        )
    rank = {key_id: n for n, key_id in enumerate(order)}
    # sorted() is stable: the unnamed keep the focus chain's order, after the named.
    return sorted(folded, key=lambda entry: rank.get(entry.binding.id or "", len(rank)))


class Placed(NamedTuple):
    """A key as drawn: its columns on the footer's line."""

    entry: Shown
    start: int
    end: int
    palette: bool

    @property
    def text(self) -> str:
        return f"{self.entry.key_display} {self.entry.description}".strip()


class Footer(Widget, can_focus=False):
    """The screen's keys in its order, whole keys only, on one line drawn by one widget."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "footer--key",
        "footer--description",
        "footer--edge",
        "footer--hover",
    }
    DEFAULT_CSS = """
    Footer {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        & > .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        /* The line between the keys and the palette's key on the right. */
        & > .footer--edge {
            color: $foreground 20%;
        }
        & > .footer--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        compact: bool = False,
        show_command_palette: bool = True,
    ) -> None:
        super().__init__(id=id, classes=classes)
        # Compact: "^s Save esc Leave", not " ^s Save  esc Leave ".
        self.compact = compact
        self.show_command_palette = show_command_palette
        self._bindings_ready = False
        self._rebuild_pending = False
        self._keys: list[Shown] = []
        self._palette: Shown | None = None
        self._placed: list[Placed] = []
        self._hover: Placed | None = None

    # -- which keys -----------------------------------------------------------------

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return  # as Textual's: the app's focus coming back signals again
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            # After the refresh that follows the change: the active keys are known then.
            self.call_after_refresh(self._rebuild_if_changed)

    def _rebuild_if_changed(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its screen closed meanwhile (a dialog picked and dismissed at once)
        keys, palette = self._entries()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _entries(self) -> tuple[list[Shown], Shown | None]:
        screen = self.screen
        app = self.app
        entries: list[Shown] = []
        seen_actions: set[str] = set()
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            # As Textual's: one entry an action (its first key).
            if not binding.show or binding.action in seen_actions:
                continue
            seen_actions.add(binding.action)
            entries.append(
                Shown(binding, app.get_key_display(binding), binding.description, enabled, tooltip)
            )
        keys = arrange(entries, footer_order(screen), footer_folds(screen))
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            active = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if active is not None:
                _, binding, enabled, _ = active
                palette = Shown(
                    binding,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    binding.tooltip or binding.description,
                )
                keys = [key for key in keys if key.binding is not binding]
        return keys, palette

    # -- drawing --------------------------------------------------------------------

    def render(self) -> Text:
        if not self._bindings_ready:
            return Text()
        key_style = self.get_component_rich_style("footer--key")
        text_style = self.get_component_rich_style("footer--description")
        hover = self.get_component_rich_style("footer--hover", partial=True)
        width = self.size.width
        line = Text(no_wrap=True, end="")
        placed: list[Placed] = []
        palette_parts: list[tuple[str, Style]] = []
        if self._palette is not None:
            # Drawn as Textual's footer drew it: "▏^p palette" and a space after it.
            palette_parts = _key_parts(self._palette, key_style, text_style, compact=True)
        # The palette's key, the edge before it and the space after it.
        room = width - sum(cell_len(part) for part, _ in palette_parts) - 2 * bool(palette_parts)
        used = 0
        for entry in self._keys:
            parts = _key_parts(entry, key_style, text_style, compact=self.compact)
            size = sum(cell_len(part) for part, _ in parts)
            margin = 1 if self.compact else 0  # compact keys are a space apart
            # Whole keys only; a shorter key further on may still fit where this did not.
            if used + size + margin > room:
                continue
            self._append(line, parts, entry, hover)
            placed.append(Placed(entry, used, used + size, palette=False))
            line.append(" " * margin)
            used += size + margin
        if self._palette is not None:
            line.append(" " * max(0, room - used))
            line.append("▏", self.get_component_rich_style("footer--edge"))
            start = max(used, room) + 1  # after the edge
            self._append(line, palette_parts, self._palette, hover)
            line.append(" ")
            placed.append(Placed(self._palette, start, width, palette=True))
        self._placed = placed
        return line

    def _append(
        self,
        line: Text,
        parts: list[tuple[str, Style]],
        entry: Shown,
        hover: Style,
    ) -> None:
        extra = Style(dim=True) if not entry.enabled else Style()
        if self._hover is not None and self._hover.entry.binding is entry.binding:
            extra += hover
        for part, style in parts:
            line.append(part, style + extra)

    # -- the mouse ------------------------------------------------------------------

    def _at(self, x: int) -> Placed | None:
        return next((key for key in self._placed if key.start <= x < key.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self._at(event.x)
        if key != self._hover:
            self._hover = key
            self.tooltip = None
            if key is not None and key.entry.tooltip:
                self.tooltip = safe_content(key.entry.tooltip)
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._at(event.x)
        if key is None:
            return
        if key.entry.enabled:
            self.app.simulate_key(key.entry.binding.key)
        else:
            self.app.bell()

    # -- for tests and help ----------------------------------------------------------

    @property
    def placed(self) -> list[Placed]:
        """The keys on the line as last drawn, the palette's last."""
        return list(self._placed)


def _key_parts(
    entry: Shown, key_style: Style, text_style: Style, *, compact: bool
) -> list[tuple[str, Style]]:
    """A key's text as Textual's FooterKey drew it: " ^s " "Save " wide, "^s" " Save"
    compact, and the key alone when it has no description."""
    if not entry.description:
        return [(entry.key_display, key_style)]
    if compact:
        return [(entry.key_display, key_style), (f" {entry.description}", text_style)]
    return [(f" {entry.key_display} ", key_style), (f"{entry.description} ", text_style)]
