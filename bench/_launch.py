"""What the clinician feels at the terminal: launch time, bytes on the wire, memory.

hwtui and a minimal Textual app are launched side by side (A, B, A, B, ...) on 80x24
pseudo-terminals, each in a fresh HOME, so that both pay the same machine's costs.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _terminal import DOWN, Terminal
from minimal_app import READY

MINIMAL_APP = Path(__file__).with_name("minimal_app.py")
SIZE = (80, 24)
SETTLE_GAP = 0.5  # seconds without output: the screen has settled
MOVE_GAP = 0.25  # seconds without output after a key: its repaint is complete
MOVES = 15
IDLE_SECONDS = 3.0


def hwtui_argv(db: Path | str) -> list[str]:
    """The installed `hwtui` command, as a clinician runs it, on an SQLite file or a URL."""
    script = shutil.which("hwtui", path=str(Path(sys.executable).parent))
    if script is not None:
        return [script, "--db", str(db)]
    return [sys.executable, "-m", "hwtui", "--db", str(db)]


def clean_env(home: Path) -> dict[str, str]:
    """A fresh user: nothing inherited but PATH, so no config, theme or Textual setting leaks."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLUMNS": str(SIZE[0]),
        "LINES": str(SIZE[1]),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "HWTUI_CONFIG": str(home / ".config" / "hwtui" / "config.toml"),
        # Nor the machine's settings for every user (/etc/hwtui/config.toml, which a
        # practice server has): both launches read the database named on the command line.
        "HWTUI_SYSTEM_CONFIG": str(home / "no-system-config.toml"),
    }
    for name in ("USER", "LOGNAME"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


@dataclass
class LaunchResults:
    hwtui_seconds: list[float] = field(default_factory=list)
    minimal_seconds: list[float] = field(default_factory=list)
    # CPU time each had used by then: less sensitive to the machine's load than wall time.
    hwtui_cpu: list[float] = field(default_factory=list)
    minimal_cpu: list[float] = field(default_factory=list)
    # Per run: the median bytes of its cursor moves; all moves are kept too.
    move_bytes: list[float] = field(default_factory=list)
    all_moves: list[int] = field(default_factory=list)
    idle_bytes_per_second: list[float] = field(default_factory=list)
    hwtui_rss_mb: list[float] = field(default_factory=list)
    minimal_rss_mb: list[float] = field(default_factory=list)
    # Bytes written from launch until the caseload had settled.
    first_screen_bytes: list[int] = field(default_factory=list)


def _mb(kb: int | None) -> float:
    return float("nan") if kb is None else kb / 1024


def run_hwtui(
    db: Path | str, first_code: str, env: dict[str, str], out: LaunchResults | None
) -> None:
    term = Terminal(hwtui_argv(db), env, SIZE)
    try:
        seconds = term.wait_until(lambda screen: first_code in screen)
        cpu = term.cpu_seconds()
        term.quiet(SETTLE_GAP)
        settled = term.received
        moves = []
        for _ in range(MOVES):
            term.send(DOWN)
            moves.append(term.quiet(MOVE_GAP, limit=5.0))
        term.quiet(SETTLE_GAP)
        idle = term.count_for(IDLE_SECONDS)
        rss = term.peak_rss_kb()
    finally:
        term.finish()
    if out is None:
        return
    out.hwtui_seconds.append(seconds)
    out.hwtui_cpu.append(math.nan if cpu is None else cpu)
    out.first_screen_bytes.append(settled)
    out.all_moves.extend(moves)
    out.move_bytes.append(statistics.median(moves))
    out.idle_bytes_per_second.append(idle / IDLE_SECONDS)
    out.hwtui_rss_mb.append(_mb(rss))


def run_minimal(env: dict[str, str], out: LaunchResults | None) -> None:
    term = Terminal([sys.executable, str(MINIMAL_APP)], env, SIZE)
    try:
        seconds = term.wait_until(lambda screen: READY in screen)
        cpu = term.cpu_seconds()
        term.quiet(SETTLE_GAP)
        rss = term.peak_rss_kb()
    finally:
        term.finish()
    if out is not None:
        out.minimal_seconds.append(seconds)
        out.minimal_cpu.append(math.nan if cpu is None else cpu)
        out.minimal_rss_mb.append(_mb(rss))


def _fresh_env(home: Path) -> dict[str, str]:
    home.mkdir(mode=0o700)
    return clean_env(home)


def measure(
    db: Path | str, first_code: str, runs: int, log: Callable[[str], None] = print
) -> LaunchResults:
    """*runs* interleaved launches of each, after one unrecorded warm-up of each."""
    results = LaunchResults()
    with tempfile.TemporaryDirectory(prefix="hwtui-bench-home-") as tmp:
        for n in range(runs + 1):
            record = results if n else None
            log(f"  launch {n}/{runs}" + (" (warm-up)" if not n else ""))
            # A fresh HOME every launch: nothing one run writes can help the next.
            run_hwtui(db, first_code, _fresh_env(Path(tmp) / f"hwtui-{n}"), record)
            run_minimal(_fresh_env(Path(tmp) / f"minimal-{n}"), record)
    return results
