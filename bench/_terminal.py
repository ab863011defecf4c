"""A program on a pseudo-terminal, read like a person at an 80x24 terminal would see it.

Everything runs on the calling thread: the bytes are read, counted and fed to a terminal
emulator (pyte) as they arrive, so "on screen" is the moment the emulator shows it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyte

DOWN = b"\x1b[B"
CTRL_Q = b"\x11"


class ProgramExited(RuntimeError):
    pass


class Terminal:
    """*argv* started on a new pty of *size* (columns, rows) with exactly *env*."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], size: tuple[int, int] = (80, 24)
    ) -> None:
        self.cols, self.rows = size
        self.screen = pyte.Screen(self.cols, self.rows)
        self.stream = pyte.ByteStream(self.screen)
        self.received = 0
        self.exit_status: int | None = None
        winsize = struct.pack("HHHH", self.rows, self.cols, 0, 0)
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            try:
                fcntl.ioctl(pty.STDIN_FILENO, termios.TIOCSWINSZ, winsize)
                os.execve(argv[0], list(argv), dict(env))  # noqa: S606
            finally:
                os._exit(127)
        self.pid = pid
        self.fd = fd
        self._eof = False

    # -- reading ----------------------------------------------------------------------

    def _read(self, timeout: float) -> int:
        """Read what is there within *timeout* seconds; the number of bytes read."""
        if self._eof:
            time.sleep(timeout)
            return 0
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return 0
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError as exc:  # EIO: the program has gone and closed its side
            if exc.errno != errno.EIO:
                raise
            chunk = b""
        if not chunk:
            self._eof = True
            return 0
        self.received += len(chunk)
        self.stream.feed(chunk)
        return len(chunk)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_until(self, shown: Callable[[str], bool], timeout: float = 60.0) -> float:
        """Seconds from the start of the program until *shown* holds for the screen."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self._read(0.02) and shown(self.text()):
                return time.perf_counter() - self.started
            if self._eof:
                raise ProgramExited(f"the program exited; its screen:\n{self.text()}")
        raise TimeoutError(f"not on screen after {timeout} s; the screen:\n{self.text()}")

    def quiet(self, gap: float, limit: float = 10.0) -> int:
        """Read until nothing arrives for *gap* seconds; the bytes read meanwhile."""
        deadline = time.perf_counter() + limit
        total = 0
        last = time.perf_counter()
        while time.perf_counter() < deadline:
            got = self._read(0.01)
            now = time.perf_counter()
            if got:
                total += got
                last = now
            elif now - last >= gap:
                break
        return total

    def count_for(self, seconds: float) -> int:
        """Bytes that arrive in the next *seconds*."""
        deadline = time.perf_counter() + seconds
        total = 0
        while (left := deadline - time.perf_counter()) > 0:
            total += self._read(min(left, 0.05))
        return total

    # -- writing and ending -----------------------------------------------------------

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def peak_rss_kb(self) -> int | None:
        """The program's peak resident set so far (VmHWM), read while it runs."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return None

    def cpu_seconds(self) -> float | None:
        """CPU time the program has used so far (user + system, all threads), with that of
        the children it has waited for (hwtui's launch reads the caseload in one)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return None
        # The fields after the command name, which is in parentheses and may hold spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def finish(self, quit_keys: bytes = CTRL_Q, timeout: float = 10.0) -> None:
        """Ask the program to quit, reading its output meanwhile; kill it if it won't."""
        if self.exit_status is None:
            with contextlib.suppress(OSError):
                self.send(quit_keys)
            deadline = time.perf_counter() + timeout
            while self.exit_status is None and time.perf_counter() < deadline:
                self._read(0.02)
                self._reap(os.WNOHANG)
            if self.exit_status is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self._reap(0)
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def _reap(self, flags: int) -> None:
        # Not wait4's ru_maxrss: after fork() it starts from the parent's (large) RSS.
        pid, status = os.waitpid(self.pid, flags)
        if pid == self.pid:
            self.exit_status = os.waitstatus_to_exitcode(status)
