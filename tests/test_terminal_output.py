"""Writing to a terminal that has gone (a dropped SSH link): Textual's writer thread must
keep draining its queue, so that the app's exit is not held up for good, and a process
that is held up anyway ends once its words are kept (hwtui/terminal_output.py)."""

from __future__ import annotations

import errno
import io
import subprocess
import sys
import threading

import pytest
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

from hwtui.terminal_output import TerminalOutput


class HungUpTerminal(io.StringIO):
    """A terminal after the hangup: every write and flush fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")


def _stops_within(writer: WriterThread, seconds: float) -> bool:
    """Whether, after more writes than the queue holds, the writer stops in time."""
    writer.start()
    done = threading.Event()

    def exit_like_the_app() -> None:
        for _ in range(MAX_QUEUED_WRITES * 3):  # the screen's last frames, then the exit's
            writer.write("\x1b[?1049l")
        writer.stop()
        done.set()

    threading.Thread(target=exit_like_the_app, daemon=True).start()
    return done.wait(seconds)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_textual_alone_hangs_on_a_terminal_that_has_gone() -> None:
    # Why the wrapper exists: without it the writer thread dies on the first EIO and the
    # exit waits forever to queue its last write (the daemon threads die with the test).
    assert not _stops_within(WriterThread(HungUpTerminal()), 1.0)


def test_through_the_wrapper_the_writer_drains_and_stops() -> None:
    output = TerminalOutput(HungUpTerminal())
    assert _stops_within(WriterThread(output), 5.0)  # type: ignore[arg-type]
    assert output.gone


def test_the_wrapper_passes_writes_through_while_the_terminal_is_there() -> None:
    terminal = io.StringIO()
    output = TerminalOutput(terminal)
    assert output.write("hello") == 5
    output.flush()
    assert terminal.getvalue() == "hello"
    assert not output.gone


def test_a_stuck_exit_ends_the_process_after_the_grace() -> None:
    code = (
        "import time\n"
        "from hwtui.terminal_output import end_if_stuck\n"
        "end_if_stuck(0.2)\n"
        "time.sleep(30)\n"
        "raise SystemExit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], timeout=15, check=False)
    assert done.returncode == 0


def test_an_orderly_exit_is_not_held_up_by_the_watchdog() -> None:
    code = "from hwtui.terminal_output import end_if_stuck\nend_if_stuck(60)\nraise SystemExit(4)\n"
    done = subprocess.run([sys.executable, "-c", code], timeout=15, check=False)
    assert done.returncode == 4
