"""What a launch imports before the caseload is on screen: only what the caseload needs.

Speed itself is measured by bench/run.py, never here; these keep the heavy modules that
the first screen does not use from creeping back onto its path.
"""

from __future__ import annotations

import subprocess
import sys

# Each is loaded when first needed: upgrading the schema, another screen, the charts.
NOT_AT_LAUNCH = (
    "alembic",
    "hwtui.screens.client",
    "hwtui.screens.add_client",
    "hwtui.screens.trends",
    "textual_plotext",
    "plotext",
)


def test_the_first_screen_imports_only_what_it_shows() -> None:
    code = (
        "import sys, hwtui.cli, hwtui.data.migrate, hwtui.app;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {NOT_AT_LAUNCH!r}"
        f" or m in {NOT_AT_LAUNCH!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
