"""Run the real `hwtui` command on a pseudo-terminal and read its screen like a person.

Used for what only a real process shows: signals (a dropped SSH link is SIGHUP), what
reaches the wire, and the whole launch path.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence

import pyte


class PtyApp:
    def __init__(
        self,
        args: Sequence[str],
        *,
        size: tuple[int, int] = (80, 24),
        env: dict[str, str] | None = None,
        controlling: bool = False,
    ) -> None:
        """*controlling*: the pty is the session's controlling terminal, as under sshd or
        tmux, so that closing its far end hangs it up (`hang_up_terminal`)."""
        self.cols, self.rows = size
        self.screen = pyte.Screen(self.cols, self.rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self._lock = threading.Lock()
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        full_env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLUMNS": str(self.cols),
            "LINES": str(self.rows),
            **(env or {}),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hwtui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full_env,
            start_new_session=not controlling,
            preexec_fn=_take_as_controlling_terminal if controlling else None,
            close_fds=True,
        )
        os.close(slave)
        self.master = master
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw.extend(chunk)
                self.stream.feed(chunk)

    def text(self) -> str:
        with self._lock:
            return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.text()
            if needle in shown:
                return shown
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared; the screen shows:\n{self.text()}")

    def send(self, data: str, pause: float = 0.15) -> None:
        """Type *data* (one keystroke per call for keys; text arrives as typed)."""
        os.write(self.master, data.encode())
        time.sleep(pause)

    def type(self, text: str, pause: float = 0.02) -> None:
        for char in text:
            self.send(char, pause)

    def kill(self, sig: int) -> None:
        """SIGHUP goes to the whole session, as when the SSH link drops."""
        if sig == signal.SIGHUP:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)

    def type_a_win(self, code: str, words: str) -> None:
        """From the caseload: open client *code*, start a review, mark the first task
        done, and type *words* as the win (step 2)."""
        self.wait_for(code)
        self.send(KEYS["enter"])
        self.wait_for("Start review")
        self.send("s")
        self.wait_for("step 1 of 6")
        self.send("d")
        self.send(KEYS["pagedown"])
        self.wait_for("step 2 of 6")
        self.type(words)
        self.wait_for(words[-12:])

    def hang_up_terminal(self) -> None:
        """Close the terminal's far end, as sshd does when the link drops: the kernel hangs
        the terminal up (SIGHUP, then SIGCONT, to the session), and every later write to
        it fails."""
        os.close(self.master)
        self._reader.join(5)

    def wait_exit(self, timeout: float = 10.0) -> int:
        return self.proc.wait(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)


def _take_as_controlling_terminal() -> None:
    """In the child, before hwtui starts: a session of its own, whose controlling
    terminal is the pty on its standard input."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


KEYS = {
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "pagedown": "\x1b[6~",
    "pageup": "\x1b[5~",
    "down": "\x1b[B",
    "up": "\x1b[A",
    "ctrl+q": "\x11",
    "f2": "\x1bOQ",
}
