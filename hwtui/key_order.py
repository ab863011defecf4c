"""Keys in the order they arrived, each to the widget focused when its turn comes.

Over SSH keys arrive several to a packet. Textual (8.2.8, `App.on_event`) picks a key's
target, the focused widget, the moment the key is read, and hands it to that widget's
queue; what the key then does (a Tab moving focus, a key whose binding opens a dialog)
happens later, when it is handled. So the keys after it are already on their way to the
old target: typed into the field just left, or to a screen that is still being built.

Here each key waits its turn: it is routed only when the key before it has been handled
all the way up (`KeyTurn` follows it through the same queues to the app, where bindings
run); then once more from the widget it went to, since what a binding does there is often
a message to that widget (an Input's Enter posts `Submitted`, whose handler moves focus)
that is still on its way up when the key's turn reaches the app; and last through the
screen now on top, so that a screen pushed by the key, and any focus it asked for, is in
place first. A screen busy with what decides where
keys go next (loading what it shows, saving before it closes) names those workers'
groups in `KEYS_WAIT_FOR`, and the app says when it is not ready (`ready_for_keys`);
keys wait for them, for a while, and then for what their results do to the screen.
Nothing is dropped: if a turn's marker is lost (its widget removed), the next key goes on
after a short wait.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

# How long a key waits for the one before it when its marker never comes back, and how
# often it looks whether the marker's widget is gone (then it goes on at once).
LOST_TURN_SECONDS = 1.0
LOST_TURN_POLL_SECONDS = 0.01
# How long keys wait for a screen that says it is not ready for them yet.
NOT_READY_SECONDS = 5.0
NOT_READY_POLL_SECONDS = 0.02


class KeyTurn(Message):
    """Follows a key through the queues it went through; back at the app, it is done."""

    # The passes a key's turn makes, in order: behind the key itself, behind what its
    # handling posted to the widget it went to, then through the screen on top.
    KEY, TARGET, SCREEN = 0, 1, 2

    def __init__(self, number: int, *, stage: int) -> None:
        super().__init__()
        self.number = number
        self.stage = stage


class KeyOrder:
    """The app's key (and paste) queue: one input at a time, in arrival order."""

    def __init__(self, app: App[Any], route: Callable[[events.Event], Awaitable[None]]) -> None:
        self._app = app
        self._route = route  # Textual's own routing of one input event
        self._backlog: deque[events.Event] = deque()
        self._number = 0
        self._waiting: int | None = None
        self._timer: Timer | None = None
        self._not_ready_since: float | None = None
        self._held = False
        self._target: MessagePump | None = None

    @property
    def busy(self) -> bool:
        return self._waiting is not None or bool(self._backlog)

    async def arrive(self, event: events.Key | events.Paste) -> None:
        self._backlog.append(event)
        if self._waiting is None:
            await self._next()

    async def _next(self) -> None:
        while self._backlog and self._waiting is None:
            if not self._screen_ready():
                self._held = True
                self._timer = self._app.set_timer(NOT_READY_POLL_SECONDS, self._retry)
                return
            if self._held:
                # Ready now: what the finished work does (a dialog closing, a step
                # shown) is queued on the screen; it happens before the next key.
                self._held = False
                self._follow(self._app.screen, stage=KeyTurn.SCREEN)
                continue
            event = self._backlog.popleft()
            self._target = self._app.focused or self._app.screen
            await self._route(event)
            self._follow(self._target, stage=KeyTurn.KEY)

    def _follow(self, node: MessagePump, *, stage: int) -> None:
        self._number += 1
        self._send(self._number, node, stage)

    def _send(self, number: int, node: MessagePump, stage: int) -> bool:
        """Send the turn through *node*; watch for it being lost (its node removed with
        the turn still in its queue, as when the key closed the dialog it went to)."""
        if not node.post_message(KeyTurn(number, stage=stage)):
            return False
        self._waiting = number
        self._stop_timer()
        since = time.monotonic()

        async def watch() -> None:
            if self._waiting != number:
                return
            gone = isinstance(node, DOMNode) and not node.is_attached
            if gone or time.monotonic() - since > LOST_TURN_SECONDS:
                await self._advance(number, stage)

        self._timer = self._app.set_interval(LOST_TURN_POLL_SECONDS, watch)
        return True

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _on_top(self, target: MessagePump) -> bool:
        """Is the key's target still in the screen on top? Widgets of a screen the key
        pushed over them don't pass messages on until it closes: a turn sent there would
        only wait."""
        if not isinstance(target, DOMNode):
            return False
        return target is self._app.screen or (
            target.is_attached and isinstance(target, Widget) and target.screen is self._app.screen
        )

    def _screen_ready(self) -> bool:
        screen = self._app.screen
        groups = getattr(screen, "KEYS_WAIT_FOR", ())
        busy = not getattr(self._app, "ready_for_keys", True) or (
            bool(groups)
            and any(
                worker.node is screen and worker.group in groups and not worker.is_finished
                for worker in self._app.workers
            )
        )
        if not busy:
            self._not_ready_since = None
            return True
        now = time.monotonic()
        if self._not_ready_since is None:
            self._not_ready_since = now
        return now - self._not_ready_since > NOT_READY_SECONDS

    async def _retry(self) -> None:
        self._timer = None
        await self._next()

    async def turn_done(self, turn: KeyTurn) -> None:
        """A `KeyTurn` reached the app (its handler for them calls this)."""
        turn.stop()
        if turn.number == self._waiting:
            await self._advance(turn.number, turn.stage)

    async def _advance(self, number: int, stage: int) -> None:
        """The turn's pass *stage* is done (or lost): the next pass, or the next key."""
        self._stop_timer()
        target, self._target = self._target, None
        if (
            stage == KeyTurn.KEY
            and target is not None
            and self._on_top(target)
            and self._send(number, target, KeyTurn.TARGET)
        ):
            return
        if stage != KeyTurn.SCREEN and self._send(number, self._app.screen, KeyTurn.SCREEN):
            return
        self._waiting = None
        await self._next()
