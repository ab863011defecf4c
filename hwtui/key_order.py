"""Keys in the order they arrived, each to the widget focused when its turn comes.

Over SSH keys arrive several to a packet. Textual (8.2.8, `App.on_event`) picks a key's
target, the focused widget, the moment the key is read, and hands it to that widget's
queue; what the key then does (a Tab moving focus, a key whose binding opens a dialog)
happens later, when it is handled. So the keys after it are already on their way to the
old target: typed into the field just left, or to a screen that is still being built.

Here each key waits its turn: it is routed only when the key before it has been handled
all the way up (`KeyTurn` follows it through the same queues to the app, where bindings
run), and then once more through the screen now on top, so that a screen pushed by the
key, and any focus it asked for, is in place first. A screen busy with what decides where
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
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

# How long a key waits for the one before it when its marker never comes back.
LOST_TURN_SECONDS = 1.0
# How long keys wait for a screen that says it is not ready for them yet.
NOT_READY_SECONDS = 5.0
NOT_READY_POLL_SECONDS = 0.02


class KeyTurn(Message):
    """Follows a key through the queues it went through; back at the app, it is done."""

    def __init__(self, number: int, *, through_screen: bool) -> None:
        super().__init__()
        self.number = number
        self.through_screen = through_screen


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
                self._follow(self._app.screen, through_screen=True)
                continue
            event = self._backlog.popleft()
            await self._route(event)
            self._follow(self._app.focused or self._app.screen, through_screen=False)

    def _follow(self, node: MessagePump, *, through_screen: bool) -> None:
        self._number += 1
        if node.post_message(KeyTurn(self._number, through_screen=through_screen)):
            self._waiting = self._number
            self._timer = self._app.set_timer(LOST_TURN_SECONDS, self._lost(self._number))

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

    def _lost(self, number: int) -> Callable[[], Awaitable[None]]:
        async def give_up() -> None:
            if self._waiting == number:
                self._waiting = None
                await self._next()

        return give_up

    async def turn_done(self, turn: KeyTurn) -> None:
        """A `KeyTurn` reached the app (its handler for them calls this)."""
        turn.stop()
        if turn.number != self._waiting:
            return
        if not turn.through_screen and self._app.screen.post_message(
            KeyTurn(turn.number, through_screen=True)
        ):
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._waiting = None
        await self._next()
