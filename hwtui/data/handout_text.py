"""The handout as plain text (80 columns, measured in cells) and as Markdown.

Pure functions over a `Handout`. Every word a person typed is cleaned (`clean_line`:
no control or bidirectional formatting characters, one line) before it is laid out;
in Markdown it is also escaped, so that `[x](javascript:...)`, `<script>` or `*` in a
task's title stay text and never become a link, HTML or emphasis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.text import clean_line, wrap_cells

WIDTH = 80
INDENT = "   "


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled line of a task, words cleaned."""

    label: str
    text: str


def heading(handout: Handout) -> str:
    name = clean_line(handout.client_name)
    return f"Your homework, {name}" if name else "Your homework"


def subheading(handout: Handout) -> str:
    return f"Written {day(handout.made)} · until your next session, {day(handout.next_session)}"


def task_rows(task: HandoutTask) -> list[Row]:
    """What the client reads about one task, in order; empty fields are left out."""
    rows: list[Row] = []

    def add(label: str, value: str) -> None:
        text = clean_line(value)
        if text:
            rows.append(Row(label, text))

    add("What you will do", task.what)
    add("When", task.when)
    add("Where", task.where)
    add("How often", task.how_often)
    add("For how long", task.how_long)
    add("Why it matters to you", task.value)
    supports = [clean_line(t) for t in task.supports if clean_line(t)]
    if supports:
        rows.append(Row("It is a step toward", " → ".join(supports)))
    for plan in task.plans:
        add("If it gets hard", plan)
    if task.confidence is not None:
        rows.append(Row("How sure you were", f"{task.confidence} out of 10"))
    if task.due is not None:
        rows.append(Row("Done by", day(task.due)))
    return rows


def win_line(handout: Handout) -> str:
    win = clean_line(handout.latest_win)
    if not win:
        return ""
    when = f" ({handout.latest_win_day:%d %b})" if handout.latest_win_day else ""
    return f"Your latest win{when}: “{win}”"


EMPTY = "No homework is set right now."
CLOSING = "Bring this to your next session: what helped, and what got in the way."


def render_text(handout: Handout, width: int = WIDTH) -> str:
    """The handout as plain text, no line wider than *width* terminal cells."""
    lines: list[str] = []

    def para(text: str, first: str = "", later: str = "") -> None:
        body = wrap_cells(text, width - len(first), width - len(later))
        lines.append(first + body[0])
        lines.extend(later + rest for rest in body[1:])

    para(heading(handout))
    para(subheading(handout))
    lines.append("")
    if not handout.tasks:
        para(EMPTY)
    for number, task in enumerate(handout.tasks, 1):
        first = f"{number}. "
        para(clean_line(task.title) or "(untitled)", first, " " * len(first))
        for row in task_rows(task):
            para(f"{row.label}: {row.text}", INDENT, INDENT + "  ")
        lines.append("")
    win = win_line(handout)
    if win:
        para(win)
        lines.append("")
    para(CLOSING)
    return "\n".join(line.rstrip() for line in lines) + "\n"


# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them
# all leaves no way for typed text to open a link, an image, HTML, code or emphasis.
_MARKDOWN_SIGNIFICANT = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def md_escape(text: str) -> str:
    """*text* (cleaned to one line) as literal Markdown text."""
    return _MARKDOWN_SIGNIFICANT.sub(r"\\\1", clean_line(text))


def render_markdown(handout: Handout) -> str:
    """The handout as Markdown: typed words escaped, one list per task."""
    out = [f"# {md_escape(heading(handout))}", "", md_escape(subheading(handout)), ""]
    if not handout.tasks:
        out += [md_escape(EMPTY), ""]
    for number, task in enumerate(handout.tasks, 1):
        out.append(f"## {number}\\. {md_escape(task.title) or '(untitled)'}")
        out.append("")
        out += [f"- **{md_escape(row.label)}:** {md_escape(row.text)}" for row in task_rows(task)]
        out.append("")
    win = win_line(handout)
    if win:
        out += [md_escape(win), ""]
    out.append(md_escape(CLOSING))
    return "\n".join(out) + "\n"
