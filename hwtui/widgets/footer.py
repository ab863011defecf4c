"""hwtui's Footer: the keys that matter most on each screen first, and only whole keys.

Textual's Footer (textual==8.2.8, pinned) shows the active keys in the order of the focus
chain (the focused widget's, its parents', the screen's, the app's) and lets the command
palette's key, docked on the right, cover whatever does not fit: at 80 columns the review
steps ended at "^s S▏", hiding save and leave. Here a screen names its keys by binding id,
most important first (`FOOTER_ORDER`), optionally folding a set of keys into one entry
(`FOOTER_FOLDS`: "d/p/n/o Mark"); the footer shows them in that order and leaves out,
whole, every key that does not fit the width. Keys left out are in `?` help and the
command palette, which list every active binding.

It is also rebuilt only when the keys it shows change: Textual's rebuilds itself, a widget
per key each restyled on its own, after every signal that the bindings may have changed,
once per signal: opening the client overview sent three (the screen stack, the focus, a
refresh) and the loaded brief a fourth, mostly for the same keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

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


class Footer(TextualFooter):
    """The screen's keys in its order, whole keys only, rebuilt only when they change."""

    _rebuild_pending = False
    _shown: object = None

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
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
        for entry in arrange(entries, footer_order(screen), footer_folds(screen)):
            key = FooterKey(
                entry.binding.key,
                entry.key_display,
                entry.description,
                entry.binding.action,
                disabled=not entry.enabled,
            ).data_bind(compact=TextualFooter.compact)
            if entry.tooltip:
                key.tooltip = safe_content(entry.tooltip)
            if self.compact:
                # A key bound to the footer's `compact` gets this class when it mounts,
                # restyled on its own then; given it now, it is styled once with the rest.
                key.add_class("-compact", update=False)
            yield key
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            active = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if active is not None:
                _, binding, enabled, _ = active
                palette = FooterKey(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    classes="-command-palette",
                    disabled=not enabled,
                )
                palette.tooltip = safe_content(binding.tooltip or binding.description)
                if self.compact:
                    palette.add_class("-compact", update=False)
                yield palette

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        """Show the keys, in order, that fit beside the palette's key; leave out the rest
        whole (a shorter key further on may still fit where a longer one did not)."""
        keys = [key for key in self.query_children(FooterKey)]
        palette = [key for key in keys if key.has_class("-command-palette")]
        room = self.size.width or self.app.size.width
        room -= sum(_width(key) for key in palette)
        used = 0
        for key in keys:
            if key in palette:
                continue
            width = _width(key)
            fits = used + width <= room
            key.display = fits
            if fits:
                used += width

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return  # as Textual's: the app's focus coming back signals again
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # its screen closed meanwhile (a dialog picked and dismissed at once)
        shown = self._what_is_shown()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
            self.fit()

    def _what_is_shown(self) -> object:
        app = self.app
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return keys, self.show_command_palette


def _width(key: FooterKey) -> int:
    """Columns *key* takes in the footer: its text, padding, border and margins."""
    styles = key.styles
    content = key.get_content_width(Size(0, 0), Size(0, 0))
    return content + styles.gutter.width + styles.margin.width
