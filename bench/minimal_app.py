"""The floor hwtui's launch is measured against: the least a Textual app shows.

python bench/minimal_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Label

READY = "Minimal Textual app: ready"


class MinimalApp(App[None]):
    TITLE = "minimal"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(READY)
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
