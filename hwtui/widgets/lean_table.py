"""A DataTable that does no work it does not need: for long tables over slow links.

Textual's DataTable (textual==8.2.8, pinned) does four things a table of fixed-width
columns with a row cursor can do without:

- on every cursor key it repaints the row under the mouse's hover cursor, even when the
  hover cursor is hidden and stays hidden: a needless row on the wire per key press;
- a row it repaints is as wide as the widget, its scrollbar included, so the scrollbar
  goes to the terminal again with every row;
- each cell of a row carries its own mouse metadata (row and column), so a terminal is
  sent each cell's colours again, with a reset after it, even where neighbouring cells
  look the same; a row cursor needs only the row;
- when rows are added it measures every cell of every new row for content widths, which
  columns of a set width never use: 3,000 measurements before 500 clients show;
- each row added sets the cursor again (a reactive, validated and watched) and asks for
  an idle check: `add_keyed_rows` adds many and does that once.

And it mends one thing DataTable gets wrong: columns that take their width from their
content are measured when the table is next idle, but the screen may paint the new rows
before that, and those lines are cached under keys the measurement does not change. The
table then kept showing its columns cut to their headings ("C001" for C0013) until the
cursor moved. A measurement that changes a width now makes those lines stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Self

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, DuplicateKey, Row, RowKey


class LeanTable(DataTable[CellType]):
    """A DataTable that repaints the hover row only when the hover cursor shows or hides,
    repaints a row without the scrollbar beside it, sends a row with a row cursor as few
    runs of one style as it looks, and measures cells only for columns that take their
    width from their content."""

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        strip = super()._render_line(y, x1, x2, base_style)
        if self.cursor_type != "row":
            return strip  # a cell or column cursor needs each cell's column
        return Strip(_row_meta_only(strip), strip.cell_length).simplify()

    def refresh_row(self, row_index: int) -> Self:
        if not self.is_valid_row_index(row_index):
            return self
        # Only the row's visible cells: DataTable's row region is as wide as the widget,
        # its scrollbar included, which a terminal would then be sent again with the row.
        row = self._get_row_region(row_index)
        width = self.scrollable_content_region.width
        shown = Region(round(self.scroll_x), row.y, width, row.height)
        self._refresh_region(row.intersection(shown))
        return self

    def _set_hover_cursor(self, active: bool) -> None:
        if active == self._show_hover_cursor:
            return  # nothing on screen changes
        super()._set_hover_cursor(active)

    def add_keyed_rows(self, rows: Iterable[tuple[str, Sequence[CellType]]]) -> None:
        """Add rows one line high, each with its key, at the bottom: what `add_row` does
        for each (textual==8.2.8), with the cursor and the idle check seen to once."""
        columns = self.ordered_columns
        was_empty = self.row_count == 0
        for key, cells in rows:
            row_key = RowKey(key)
            if row_key in self._row_locations:
                raise DuplicateKey(f"The row key {row_key!r} already exists.")
            if len(cells) > len(columns):
                raise ValueError("More values provided than there are columns.")
            self._row_locations[row_key] = self.row_count
            self._data[row_key] = {column.key: cell for column, cell in zip_longest(columns, cells)}
            self.rows[row_key] = Row(row_key, 1, None, False)
            self._new_rows.add(row_key)
        if was_empty and self.row_count == 0:
            return
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # a cell to highlight, where there was none
        self._update_count += 1
        self.check_idle()

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        added = [self.rows[key] for key in new_rows if key in self.rows]
        nothing_to_measure = all(not column.auto_width for column in self.columns.values()) and all(
            row.label is None and not row.auto_height for row in added
        )
        widths = self._widths()
        # With nothing to measure, the table only works out its size from the rows.
        super()._update_dimensions(() if nothing_to_measure else (row.key for row in added))
        if self._widths() != widths:
            # Every cache of rendered cells, rows and lines is keyed on the update count:
            # a new count makes the lines painted with the old widths stale.
            self._update_count += 1
            self.refresh()

    def _widths(self) -> list[int]:
        return [self._label_column.content_width] + [
            column.content_width for column in self.columns.values()
        ]


def _row_meta_only(strip: Strip) -> Iterable[Segment]:
    """The strip's segments, a row's marked with the row alone (as column 0, where a
    click or the hover cursor puts a row cursor anyway), so that neighbouring cells in
    one style join into one run."""
    for segment in strip:
        style = segment.style
        meta = style.meta if style is not None else {}
        row = meta.get("row")
        if style is None or row is None or row < 0 or meta == {"row": row, "column": 0}:
            yield segment  # the header row, or already so
        else:
            row_only = style.clear_meta_and_links() + Style.from_meta({"row": row, "column": 0})
            yield Segment(segment.text, row_only, segment.control)
