"""HomeworkApp: the Textual application, and the one factory that builds it."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import rich
from textual import events
from textual._styles_cache import StylesCache
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.widgets import Static

from hwtui import heap
from hwtui.data import local_time
from hwtui.data.actor import Actor, os_username
from hwtui.data.caseload_rows import CaseloadRow
from hwtui.data.errors import HwtuiError
from hwtui.data.lazy_db import LazyDatabase
from hwtui.data.lease import Holder
from hwtui.data.practice import Practice
from hwtui.key_order import KeyOrder, KeyTurn
from hwtui.screens.asking import Failed
from hwtui.screens.caseload import CaseloadScreen
from hwtui.widgets.safe import notify_safe, safe_plain

if TYPE_CHECKING:  # the ORM is loaded after the first screen is painted (see `db`)
    from textual.driver import Driver

    from hwtui.data.db import Database
    from hwtui.data.first_rows import FirstScreen

# App-wide actions a client must not reach while the screen is turned toward them.
_LOCKED_OUT = frozenset({"quit", "command_palette", "toggle_help", "help_quit", "show_help_panel"})
# Idle logoff: the default, and how soon to try again when the draft could not be saved.
IDLE_SECONDS = 600.0
IDLE_RETRY_SECONDS = 60.0


@runtime_checkable
class HoldsDraft(Protocol):
    """A screen with unsaved words; `flush_draft` saves them synchronously."""

    def flush_draft(self) -> None: ...


def let_go_of_removed(app: App[Any]) -> None:
    """Forget the removed widgets that the app still refers to.

    Textual (8.2.8) lets a widget watch the app's reactives (a Header its title, a
    TextArea its theme) and subscribe to its signals (a plotext plot to theme changes),
    and forgets a removed one only when that reactive next changes or that signal is next
    published: for a session's title and theme, never. So every closed client overview
    kept its header and its chart, and the chart the history it drew (bench/_long_day.py
    measured a growing RSS). Called once a screen is removed.

    Textual's `StylesCache.get_inner_outer` is also an `lru_cache` on a method: it keeps
    the last 1,024 widgets' style caches alive, and with them every line they last drew
    (some tens of MB once full). Emptied here as well: the widgets on screen fill it again
    with one small computation each."""

    def gone(node: object) -> bool:
        return (
            isinstance(node, DOMNode)
            and node is not app
            and (node._closing or node._closed or not node.is_attached)
        )

    watchers: dict[str, list[tuple[object, object]]] = getattr(app, "__watchers", {})
    for entries in watchers.values():
        entries[:] = [(node, callback) for node, callback in entries if not gone(node)]
    for value in list(vars(app).values()):
        if isinstance(value, Signal):
            for node in [node for node in value._subscriptions if gone(node)]:
                value.unsubscribe(node)
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()


class HomeworkApp(App[None]):
    TITLE = "hwtui"
    # Absolute, so subclasses defined elsewhere (tests, benchmarks) find it too.
    CSS_PATH = Path(__file__).parent / "hwtui.tcss"
    BINDINGS = [
        Binding("question_mark", "toggle_help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        database: LazyDatabase,
        actor: Actor,
        *,
        first_rows: list[CaseloadRow] | None = None,
        today: Callable[[], date] = local_time.today,
        autosave_seconds: float = 3.0,
        idle_seconds: float | None = IDLE_SECONDS,
        dev: bool = False,
        holder: Holder | None = None,
    ) -> None:
        """*database*: open, or opened by the first worker that needs it (a launch that
        read *first_rows*, the caseload, without it: see `hwtui.launch`). Build the app
        with `build_app`."""
        super().__init__()
        self._database = database
        self._first_rows = first_rows
        # Developer mode (`hwtui --dev`): Textual's crash report with local variables, and
        # its screenshot command. Both copy client data out of hwtui; never for real work.
        self.dev = dev
        self.actor = actor
        # This session, as the one writer of the drafts it opens (see data/lease.py).
        self.holder = holder or Holder.this_process()
        # Injected so tests and snapshots can freeze the calendar.
        self.today = today
        self.autosave_seconds = autosave_seconds
        self._idle_seconds = idle_seconds
        self._last_input = time.monotonic()
        self._idle_timer: Timer | None = None
        # Set when the app logged itself off; the command line prints it after exit.
        self.logged_off: str | None = None
        # Keys and pastes one at a time, in order (see key_order.py).
        self._keys = KeyOrder(self, super().on_event)
        # What screens ask of the record, each question in a worker (screens/asking.py).
        self.practice = Practice(lambda: self.db, actor, lambda: self.today(), self.holder)

    @property
    def db(self) -> Database:
        """The database, opened on first use by whichever thread needs it first (a
        worker, as a rule; the others wait for it)."""
        return self._database.get()

    @property
    def ready_for_keys(self) -> bool:
        """False while the database is still being opened after the first frame (see
        key_order.py): a key that opens a screen would import, on this thread, the very
        modules the opening worker is importing, and Python's import locks then hand one
        of them a half-made module. The keys wait the moment it takes instead; after a
        failure they go on (the error is shown, and the next use tries again)."""
        return self._database.opened or self._database.failed

    def close_database(self) -> None:
        self._database.close()

    async def _replace_screen(self, screen: Screen[Any]) -> Screen[Any]:
        # Each screen popped or switched away passes here, and is removed here unless
        # installed: then what the app still refers to of it is let go.
        replaced = await super()._replace_screen(screen)
        let_go_of_removed(self)
        if not isinstance(screen, ModalScreen):  # a dialog leaves little behind
            heap.collect_after_closing()
        return replaced

    def get_default_screen(self) -> Screen[None]:
        # The caseload is the bottom of the stack, where Textual would otherwise build and
        # lay out an empty screen first, only to cover it. It shows the rows read at
        # launch, once: every later load reads them afresh.
        rows, self._first_rows = self._first_rows, None
        return CaseloadScreen(first_rows=rows)

    def on_mount(self) -> None:
        self._last_input = time.monotonic()
        self._schedule_idle_check()
        if not self.is_headless:
            # Textual does not handle SIGHUP (SSH link dropped) or SIGTERM itself.
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self.hang_up)

    # -- idle logoff ------------------------------------------------------------------------

    @property
    def idle_seconds(self) -> float | None:
        """Seconds without key or mouse input before logging off; None never does."""
        return self._idle_seconds

    @idle_seconds.setter
    def idle_seconds(self, seconds: float | None) -> None:
        self._idle_seconds = seconds
        if self.is_running:
            self._schedule_idle_check()

    async def on_event(self, event: events.Event) -> None:
        # Only what a person does counts as activity: keys, pastes and the mouse, as they
        # arrive from the terminal (forwarded copies come back through here too). Output,
        # timers, workers and resizes never keep a session open.
        if isinstance(event, events.Key | events.MouseEvent | events.Paste) and not (
            event.is_forwarded
        ):
            self._last_input = time.monotonic()
            if isinstance(event, events.Key | events.Paste):
                await self._keys.arrive(event)
                return
        await super().on_event(event)

    async def on_key_turn(self, turn: KeyTurn) -> None:
        await self._keys.turn_done(turn)

    def _schedule_idle_check(self, delay: float | None = None) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        if self._idle_seconds is None:
            return
        if delay is None:
            delay = self._idle_seconds - (time.monotonic() - self._last_input)
        # One timer, moved on when it fires early: typing costs nothing but a timestamp.
        self._idle_timer = self.set_timer(max(delay, 0.01), self._check_idle, name="idle-logoff")

    def _check_idle(self) -> None:
        self._idle_timer = None
        if self._idle_seconds is None:
            return
        if time.monotonic() - self._last_input >= self._idle_seconds:
            self.log_off()
        else:
            self._schedule_idle_check()

    def log_off(self) -> None:
        """Nobody is at the keyboard: save every draft, blank the screen and exit."""
        had_draft = any(isinstance(screen, HoldsDraft) for screen in self.screen_stack)
        try:
            self.flush_drafts()
        except Exception:
            # Leaving now would lose the words, and staying must not leave client data on
            # an unattended screen: blank it, keep the words in memory, try again later.
            if not isinstance(self.screen, IdleBlankScreen):
                self.push_screen(IdleBlankScreen())
            self._schedule_idle_check(IDLE_RETRY_SECONDS)
            return
        limit = _duration(self._idle_seconds or 0)
        self.logged_off = f"hwtui: logged off after {limit} idle" + (
            "; your draft is saved" if had_draft else ""
        )
        # Nothing of the session may stay on a terminal that keeps the last frame.
        self.push_screen(Screen(id="logged-off"))
        self.call_after_refresh(self.exit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the screen is turned toward the client, app-wide keys (quit, palette,
        # help) do nothing; only the clinician's own key on that screen leaves it.
        locked = bool(getattr(self.screen, "LOCKS_APP", False))
        if action == "screenshot" and not self.dev:
            return False  # an SVG of the screen is client data written to disk, unaudited
        return not (locked and action in _LOCKED_OUT)

    def flush_drafts(self) -> None:
        """Save every open draft now. Errors are shown, never swallowed.

        Top screen first: a dialog over the review (its goal in the full editor) hands
        its words to the review's draft before the review saves it."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, HoldsDraft):
                try:
                    screen.flush_draft()
                except Exception as exc:
                    self.show_error(exc)
                    raise

    def hang_up(self) -> None:
        """The terminal is gone or we were told to stop: keep the words, then exit."""
        try:
            self.flush_drafts()
            # The words are kept: nothing may now hold the process (and its database
            # connection) up for good, whatever the terminal does (terminal_output.py).
            from hwtui.terminal_output import end_if_stuck

            end_if_stuck()
        finally:
            self.exit(return_code=0)

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        from textual.drivers.linux_driver import LinuxDriver

        if driver is LinuxDriver:
            from hwtui.terminal_output import HangUpSafeDriver

            return HangUpSafeDriver
        return driver

    async def action_quit(self) -> None:
        try:
            self.flush_drafts()
        except Exception:
            return  # stay open: the clinician has seen the error and can retry
        self.exit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers this screen's actions, then Textual's own."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            # Hidden bindings too: the palette is where keys the footer cannot fit are found.
            if not (binding.id and binding.description and active.enabled) or binding.id in seen:
                continue
            if binding.id.startswith("app."):
                continue
            seen.add(binding.id)
            yield SystemCommand(
                binding.description,
                binding.tooltip or f"key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, active.node),
            )
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot" and not self.dev:
                continue  # see check_action
            yield command

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def format_title(self, title: str, sub_title: str) -> Content:
        # Titles may name a client or the clinician (from the passwd entry or the database).
        return super().format_title(safe_plain(title), safe_plain(sub_title))

    # -- notifications ----------------------------------------------------------------------

    # Held while the screen is turned toward the client (see `notify`), shown after.
    _held_notices: list[Callable[[], None]] | None = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """As Textual's, except while the client view is up: nothing for the clinician
        (an error names what failed, a path, a client's words) shows where the client
        reads. It waits, whole, until the clinician has left that view."""
        show = partial(
            super().notify,
            message,
            title=title,
            severity=severity,
            timeout=timeout,
            markup=markup,
        )
        if getattr(self.screen, "LOCKS_APP", False):
            if self._held_notices is None:
                self._held_notices = []
            self._held_notices.append(show)
            return
        show()

    def show_held_notices(self) -> None:
        """The notifications that waited while the client view was up."""
        held, self._held_notices = self._held_notices or [], None
        for show in held:
            show()

    def on_failed(self, event: Failed) -> None:
        """A screen's question to the record failed and the screen left it to us."""
        self.show_error(event.error)

    def show_error(self, error: BaseException | None) -> None:
        """Tell the clinician something failed; never swallow it."""
        if isinstance(error, HwtuiError):
            message = str(error)
        else:
            message = f"Something went wrong: {type(error).__name__}: {error}"
        notify_safe(
            self,
            message,
            title="Not saved" if error else "Error",
            severity="error",
            timeout=30,
        )

    def _fatal_error(self) -> None:
        """A crash: Textual's report without local variables (they hold client data, and
        stderr may be a file). Everything else as Textual does it (textual==8.2.8)."""
        if self.dev:
            super()._fatal_error()
            return
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        report = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()


class IdleBlankScreen(Screen[None]):
    """Idle, with a draft that could not be saved: nothing of the session on screen.

    Any key brings the session back; meanwhile the save is tried again every minute and
    hwtui logs off as soon as it works."""

    def compose(self) -> Iterable[Static]:
        yield Static(
            "hwtui is idle and could not save the draft yet; it tries again every minute "
            "and then logs off. Press any key to go back to it.",
            markup=False,
        )

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.dismiss(None)


def _duration(seconds: float) -> str:
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    return f"{seconds:g} seconds"


def build_app(
    db: Database | LazyDatabase,
    *,
    username: str | None = None,
    first: FirstScreen | None = None,
    today: Callable[[], date] = local_time.today,
    autosave_seconds: float = 3.0,
    idle_seconds: float | None = IDLE_SECONDS,
    dev: bool = False,
) -> HomeworkApp:
    """The app, as the command line, the tests and the bench build it.

    *db*: a database at the head schema (see migrate.prepare); the app acts as *username*
    (default: the OS user), made a clinician if new. Or, with *first* (the caseload as
    the launch read it without the ORM, see `hwtui.launch`), the database not opened yet,
    acting as that clinician: the app shows *first* and opens it later."""
    if first is not None:
        lazy = db if isinstance(db, LazyDatabase) else LazyDatabase.of(db)
        actor, rows = first.actor, first.rows
    else:
        from hwtui.data.services.identity import ensure_clinician

        username = username or os_username()
        opened = db.get() if isinstance(db, LazyDatabase) else db
        # Every transaction of the app acts as this clinician (row-level security on
        # PostgreSQL).
        lazy = LazyDatabase.of(opened.for_clinician(username))
        with lazy.get().write() as session:
            actor = ensure_clinician(session, username)
        rows = None
    return HomeworkApp(
        lazy,
        actor,
        first_rows=rows,
        today=today,
        autosave_seconds=autosave_seconds,
        idle_seconds=idle_seconds,
        dev=dev,
    )
