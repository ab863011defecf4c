"""A reloading screen (the caseload, the trends, a client's overview) is styled once as it
opens: Textual styles every node of a resuming screen again, right for one that was
covered meanwhile, but a screen's first resume follows its push (`ReloadingScreen`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen

from hwtui.data.db import Database
from hwtui.screens.client import ClientScreen
from hwtui.screens.reloading import ReloadingScreen
from tests.app_helpers import app_maker, settle
from tests.conftest import TODAY

CLINICIAN = "dr_demo"
make_app = app_maker(CLINICIAN)


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=4, weeks=6, seed=3, today=TODAY
    )
    yield db
    db.dispose()


def _watch_whole_screens(app: Any) -> list[str]:
    """The screens whose every node the stylesheet styles again, in order."""
    restyled: list[str] = []
    real = app.stylesheet.update_nodes

    def update_nodes(nodes: Iterable[DOMNode], animate: bool = False) -> None:
        nodes = list(nodes)
        if nodes and isinstance(nodes[0], Screen):
            restyled.append(type(nodes[0]).__name__)
        real(nodes, animate=animate)

    app.stylesheet.update_nodes = update_nodes
    return restyled


async def test_an_opened_overview_is_styled_once_and_looks_as_styled(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        restyled = _watch_whole_screens(app)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        assert "ClientScreen" not in restyled
        # Its nodes carry the styles the stylesheet gives them all the same.
        head = screen.query_one("#client-head")
        before = head.styles.background
        app.stylesheet.update_nodes(screen.walk_children(with_self=True))
        assert head.styles.background == before
        assert str(head.styles.background) != str(screen.styles.background)


class _Plain(ReloadingScreen[None]):
    def load(self) -> None:
        pass


async def test_a_screen_pushed_again_is_styled_again_by_textual() -> None:
    """Only the first resume is spared: one pushed again later is styled whole."""

    class _App(App[None]):
        def on_mount(self) -> None:
            self.install_screen(_Plain(), name="plain")

    app = _App()
    async with app.run_test(size=(80, 24)) as pilot:
        restyled = _watch_whole_screens(app)
        await app.push_screen("plain")
        await pilot.pause()
        assert restyled == []
        app.pop_screen()
        await pilot.pause()
        await app.push_screen("plain")
        await pilot.pause()
        assert restyled == ["_Plain"]
