"""LeanTable: a DataTable that sends and computes less, and behaves the same."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region, Size
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey

from hwtui.widgets.lean_table import LeanTable

ROWS = [("C01", "Ana", "today"), ("C02", "Bo", "in 3d"), ("C03", "Cy", "2d overdue")]


class TableApp(App[None]):
    def __init__(self, *, auto_width: bool = False) -> None:
        super().__init__()
        self.auto_width = auto_width
        self.selected: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield LeanTable[Text](cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(LeanTable)
        table.add_column("Code", width=6, key="code")
        table.add_column("Name", width=None if self.auto_width else 10, key="name")
        table.add_column("Due", width=12, key="due")
        for code, name, due in ROWS:
            table.add_row(Text(code), Text(name), Text(due, style="bold"), key=code)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.selected.append(event.row_key.value)


def _metas(table: LeanTable[Any], y: int) -> list[dict[str, Any]]:
    return [segment.style.meta for segment in table.render_line(y) if segment.style]


async def test_a_row_is_sent_as_runs_of_one_style_marked_with_its_row() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        row = table.render_line(2)  # the second data row, below the header
        assert row.text.startswith(" C02     Bo          in 3d")
        # Code and name look the same: one run; the bold due date is its own.
        assert [segment.text for segment in row][:2] == [" C02     Bo          ", "in 3d"]
        assert {tuple(sorted(meta.items())) for meta in _metas(table, 2)} == {
            (("column", 0), ("row", 1))
        }
        # The header keeps a column per cell (a click on it names the column).
        assert [meta["column"] for meta in _metas(table, 0)][:3] == [0, 1, 2]


async def test_cursor_keys_repaint_only_the_rows_the_cursor_leaves_and_enters() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        await pilot.press("down")  # off row 0, where the (hidden) hover cursor is
        await pilot.pause()
        repainted: list[int] = []
        original = table.refresh_row

        def refresh_row(row_index: int) -> Any:
            repainted.append(row_index)
            return original(row_index)

        table.refresh_row = refresh_row  # type: ignore[method-assign]
        await pilot.press("down")
        await pilot.pause()
        assert sorted(repainted) == [1, 2]  # not row 0 as well, as DataTable would


async def test_mouse_and_keys_select_rows_as_before() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        await pilot.click(LeanTable, offset=(25, 3))  # the due date of the third row
        await pilot.pause()
        assert (table.cursor_row, app.selected) == (2, [])  # a first click highlights
        await pilot.click(LeanTable, offset=(10, 3))  # the highlighted row, anywhere
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.selected == ["C03", "C02"]
        await pilot.hover(LeanTable, offset=(2, 1))  # the hover cursor still follows
        await pilot.pause()
        assert table.hover_row == 0


async def test_sizes_are_right_with_or_without_measuring() -> None:
    async with (app := TableApp()).run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        assert table.virtual_size == Size((6 + 10 + 12) + 2 * 3, 1 + len(ROWS))
    # A column sized by its content is still measured.
    async with (app := TableApp(auto_width=True)).run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        assert table.columns[table.ordered_columns[1].key].content_width == len("Name")
        assert table.virtual_size == Size((6 + 4 + 12) + 2 * 3, 1 + len(ROWS))


async def test_a_line_painted_before_its_column_is_measured_is_painted_again() -> None:
    """The screen may paint a new row before the table is idle and measures it: that
    line, cut to the column's old width, must not be shown from the cache afterwards."""

    class FixedHeight(TableApp):
        # A table whose size the new row does not change (a resize repaints it all).
        CSS = "LeanTable { height: 6; }"

    async with (app := FixedHeight(auto_width=True)).run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(LeanTable)
        table.add_row(Text("C04"), Text("Bartholomew"), Text("today"), key="C04")
        early = table.render_line(4).text  # painted before the idle that measures
        assert "Bart " in early  # cut to the heading's width
        assert "Bartholomew" not in early
        await pilot.pause()
        assert table.columns[table.ordered_columns[1].key].content_width == len("Bartholomew")
        assert " C04     Bartholomew  today" in table.render_line(4).text
        # The rows painted before stay right too, at the new width.
        assert " C01     Ana          today" in table.render_line(1).text


async def test_a_row_is_repainted_without_the_scrollbar_beside_it() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 3)) as pilot:  # two rows show: a scrollbar
        await pilot.pause()
        table = app.query_one(LeanTable)
        assert table.show_vertical_scrollbar
        dirty: list[Region] = []
        refresh = table.refresh

        def recording(*regions: Region, **kwargs: Any) -> Any:
            dirty.extend(regions)
            return refresh(*regions, **kwargs)

        table.refresh = recording  # type: ignore[method-assign]
        table.refresh_row(1)
        width = table.scrollable_content_region.width
        assert width < table.size.width
        assert dirty == [Region(0, 2, width, 1)]


class TwoTables(App[None]):
    """The same rows, through DataTable.add_row and through LeanTable.add_keyed_rows."""

    def compose(self) -> ComposeResult:
        yield DataTable[Text](cursor_type="row", id="plain")
        yield LeanTable[Text](cursor_type="row", id="lean")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_column("Code", width=6, key="code")
            table.add_column("Name", width=10, key="name")
            table.add_column("Due", width=12, key="due")
        plain = self.query_one("#plain", DataTable)
        for code, name, due in ROWS:
            plain.add_row(Text(code), Text(name), Text(due), key=code)
        self.query_one("#lean", LeanTable).add_keyed_rows(
            (code, (Text(code), Text(name), Text(due))) for code, name, due in ROWS
        )


def _state(table: DataTable[Any]) -> object:
    return (
        table.row_count,
        [table.get_row_at(i) for i in range(table.row_count)],
        [str(table.get_row_index(code)) for code, _, _ in ROWS],
        [(row.key.value, row.height, row.label, row.auto_height) for row in table.rows.values()],
        table.cursor_coordinate,
        table.virtual_size,
        table.get_cell("C02", "name"),
    )


async def test_rows_added_at_once_are_as_rows_added_one_by_one() -> None:
    app = TwoTables()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        plain = app.query_one("#plain", DataTable)
        lean = app.query_one("#lean", LeanTable)
        assert _state(lean) == _state(plain)
        # And both move on from there alike.
        for table in (plain, lean):
            table.move_cursor(row=2)
            table.add_row(Text("C04"), Text("Di"), Text("new"), key="C04")
        assert _state(lean) == _state(plain)
        assert lean.cursor_row == plain.cursor_row == 2


async def test_a_key_added_twice_is_refused_as_add_row_refuses_it() -> None:
    app = TwoTables()
    async with app.run_test(size=(40, 20)):
        lean = app.query_one("#lean", LeanTable)
        with pytest.raises(DuplicateKey):
            lean.add_keyed_rows([("C01", (Text("C01"), Text("again"), Text("")))])
        with pytest.raises(ValueError, match="More values"):
            lean.add_keyed_rows([("C09", (Text("a"), Text("b"), Text("c"), Text("d")))])
