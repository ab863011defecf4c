"""The terminal as Textual writes to it, made safe for a link that drops.

When an SSH link drops, the kernel hangs the terminal up: SIGHUP, then SIGCONT, and every
later write to it fails (EIO). Textual writes from a thread of its own, through a queue
of at most 30 writes; the first failed write ends that thread, the screen's next writes
fill the queue, and the app's orderly exit then waits forever to queue its last one.
The process stayed, holding its database connection (found on a server by
`.ci/server-check`; `tests/test_dropped_link.py` hangs the terminal up the same way).

So writes to a terminal that is gone are dropped: nobody can read them anyway. And once
hwtui has kept every word and is leaving because of a hangup, a watchdog ends the
process if anything else still holds it up.
"""

from __future__ import annotations

import os
import threading
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver

# Long enough for the orderly exit (the screen restored, the database closed); a
# process still there after that is stuck, and its words are already saved.
EXIT_GRACE_SECONDS = 10.0


class TerminalOutput:
    """A text file that drops what it cannot write once its terminal has gone."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except OSError:
                self.gone = True
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError:
                self.gone = True

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return self._file.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class HangUpSafeDriver(LinuxDriver):
    """Textual's Linux driver, writing through a `TerminalOutput`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self._file is not None:
            self._file = TerminalOutput(self._file)  # type: ignore[assignment]


def end_if_stuck(seconds: float = EXIT_GRACE_SECONDS) -> None:
    """End the process in *seconds* unless it has ended by then (a daemon thread dies
    with the process, so an orderly exit is not held up by it)."""

    def end() -> None:
        os._exit(0)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
