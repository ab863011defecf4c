"""Which session is editing a review draft: one writer per draft.

A session (one running hwtui) holds a random token; a draft it opens records the token,
and every save is refused unless the draft still holds it. Who holds a draft is kept in
words a clinician can act on ("pid 4242 on srv, /dev/pts/3"), and in a form this module
can check: a holder on this host whose process is gone (killed, crashed, the machine
rebooted) holds nothing, so its draft is taken without asking.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Holder:
    """One session: its token, and where it runs."""

    token: str
    host: str
    pid: int
    tty: str = ""

    @classmethod
    def this_process(cls) -> Holder:
        # os.urandom is what `secrets.token_hex` draws from; `secrets` itself loads hmac
        # and hashlib, which nothing else needs before the caseload is on screen.
        return cls(os.urandom(16).hex(), socket.gethostname(), os.getpid(), _tty())

    @property
    def stamp(self) -> str:
        """How the holder is stored with the draft (`review.lease_holder`)."""
        return f"{self.pid}@{self.host} {self.tty}".strip()[:200]


def describe(stamp: str) -> str:
    """A stored holder in words: "pid 4242 on srv, /dev/pts/3"."""
    pid, host, tty = _parse(stamp)
    if pid is None:
        return "another session"
    where = f"pid {pid} on {host}"
    return f"{where}, {tty}" if tty else where


def is_gone(stamp: str, me: Holder) -> bool:
    """Whether the stored holder can no longer be editing: its process on this host has
    ended, or it is this very process (an earlier window of it: one process runs one
    app at a time). A holder on another host is never assumed gone."""
    pid, host, _tty = _parse(stamp)
    if pid is None or host != me.host:
        return pid is None
    if pid == me.pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's process
    return False


def _parse(stamp: str) -> tuple[int | None, str, str]:
    head, _, tty = stamp.partition(" ")
    pid, _, host = head.partition("@")
    return (int(pid) if pid.isdigit() else None), host, tty


def _tty() -> str:
    for stream in (sys.stdin, sys.stdout):
        try:
            if stream is not None and stream.isatty():
                return os.ttyname(stream.fileno())
        except (OSError, ValueError, AttributeError):
            continue
    return ""
