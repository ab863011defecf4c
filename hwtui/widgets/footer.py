"""A Footer that is rebuilt only when the keys it shows change.

Textual's Footer (textual==8.2.8, pinned) rebuilds itself, a widget per key each restyled
on its own, after every signal that the bindings may have changed, once per signal:
opening the client overview sent three (the screen stack, the focus, a refresh) and the
loaded brief a fourth, mostly for the same keys. That work ran before the brief was shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """Rebuilt once for any number of signals in a row, and only if what it shows
    differs: a key, its label or tooltip, whether it is enabled."""

    _rebuild_pending = False
    _shown: object = None

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                # A key bound to the footer's `compact` gets this class when it mounts,
                # restyled on its own then; given it now, it is styled once with the rest.
                widget.add_class("-compact", update=False)
            yield widget

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

    def _what_is_shown(self) -> object:
        app = self.app
        keys = tuple(
            (binding, app.get_key_display(binding), enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return keys, self.show_command_palette
