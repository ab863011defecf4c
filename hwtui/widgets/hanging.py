"""Text in two columns, drawn as one visual: a narrow gutter (a bullet, a status) and a
body that wraps within its own column, so that its wrapped lines hang under it.

A gutter and a body as two widgets side by side do the same, at the cost of a layout of
three widgets per row: a list of years of homework would pay that for every task.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """Rows of (gutter, body); each gutter is *gutter* cells wide."""

    def __init__(self, rows: Sequence[tuple[Content, Content]], gutter: int) -> None:
        self.rows = list(rows)
        self.gutter = gutter

    def __str__(self) -> str:
        """The plain text, a row's gutter padded to its column: for tests and debugging."""
        lines = []
        for left, body in self.rows:
            body_lines = body.plain.split("\n")
            lines.append(left.plain.ljust(self.gutter) + body_lines[0])
            lines.extend(" " * self.gutter + line for line in body_lines[1:])
        return "\n".join(lines)

    def _body_width(self, width: int) -> int:
        return max(1, width - self.gutter)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max(
            (self.gutter + body.get_optimal_width(rules, container_width) for _, body in self.rows),
            default=0,
        )

    def get_height(self, rules: RulesMap, width: int) -> int:
        body_width = self._body_width(width)
        return sum(
            max(
                left.get_height(rules, self.gutter) if self.gutter else 0,
                body.get_height(rules, body_width),
            )
            for left, body in self.rows
        )

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        body_width = self._body_width(width)
        pad = style.rich_style
        strips: list[Strip] = []
        for left, body in self.rows:
            lefts = left.render_strips(self.gutter, None, style, options) if self.gutter else []
            bodies = body.render_strips(body_width, None, style, options)
            for n in range(max(len(lefts), len(bodies))):
                gutter = lefts[n] if n < len(lefts) else Strip([])
                line = bodies[n] if n < len(bodies) else Strip([])
                strips.append(Strip.join([gutter.extend_cell_length(self.gutter, pad), line]))
        return strips if height is None else strips[:height]
