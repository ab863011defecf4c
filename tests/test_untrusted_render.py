"""Untrusted text through every widget path that shows client data.

For each path: no MarkupError, the visible text is the input minus its control
characters (`strip_controls`), no control character is rendered, no rendered cell
carries a `@click` action, and clicking on the text runs no action.

- Pure renders, thousands of examples: Static and Label with `safe_content`, DataTable
  cells and option prompts (OptionList, Select) with `safe_text`, notifications through
  `notify_safe`, the header title, the progress note (text, Markdown, JSON) and the
  chart labels.
- A small app on Pilot, fewer examples: the same widgets on a real screen, the input
  fields (a typed, pasted or loaded value), the notification toast and the header; what
  the compositor would send to the terminal is checked and the text is clicked.
- The real app over a database holding hostile text in every field (written behind the
  services' back, as imported or legacy data would be): each screen that shows it.

tests/test_pty_osc52.py checks the bytes on a real terminal; tests/test_untrusted_paths.py
that no code goes around these helpers.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from sqlalchemy import text as sql
from textual.app import App, ComposeResult
from textual.content import Content
from textual.events import Mount, Paste
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Header, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets._data_table import default_cell_formatter
from textual.widgets._toast import Toast
from textual.widgets.option_list import Option

from hwtui.app import HomeworkApp
from hwtui.data.assignment_form import EditorTarget
from hwtui.data.catalog import BARRIERS, FACTORS
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.lazy_db import LazyDatabase
from hwtui.data.metrics import Rate
from hwtui.data.notes import (
    GoalLine,
    MeasureLine,
    NoteSource,
    TaskLine,
    build_note,
    render_markdown,
    render_text,
    to_dict,
)
from hwtui.data.services.assignments import create_assignment, retire_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.progress import MeasurePoint, Progress, ReviewPoint
from hwtui.data.services.reviews import complete_review, sign_review, start_review
from hwtui.data.text import clean_line, strip_controls
from hwtui.screens.assign import AssignmentEditorScreen
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import ClientScreen
from hwtui.screens.client_view import ClientViewScreen
from hwtui.screens.progress import ProgressScreen
from hwtui.screens.review import ReviewScreen
from hwtui.screens.review_record import ReviewRecordScreen
from hwtui.screens.wins import WinsScreen
from hwtui.widgets.fields import TextInput
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.progress_chart import BarrierChart
from hwtui.widgets.safe import notify_safe, safe_content, safe_plain, safe_text
from tests.app_helpers import settle
from tests.conftest import TODAY

# The cases named in issue 7, each tried first by every property test.
NAMED = [
    "[TODO]",
    "[/b]",
    "[@click=app.screenshot()]x[/]",
    "[@click=app.quit]x[/]",
    "trailing backslash\\",
    "\\",
    "[b]bold[/b]\\",
    "\x1b]0;window title\x07",
    "\x1b]8;;http://x\x1b\\",
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x1b[2J",
    "\x1b[31mred",
    "\x9b31m",
    "\x9d0;title\x9c",
    "del\x7fete",
    "a\x00b\x08c",
]
FRAGMENTS = [*NAMED, "[", "]", "[/]", "[$x]", "[link=https://e.example]e[/link]", "@", "="]
MARKUPISH = "[]/@=()$\\#:;.,'\" abx"

untrusted = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.characters(max_codepoint=0xA0),  # dense in C0, DEL and C1
        st.text(alphabet=MARKUPISH, max_size=6),
        st.text(max_size=6),
    ),
    max_size=12,
).map("".join)

# Shown on a screen and compared cell by cell: one line, no wide or zero-width characters
# (their cells are the terminal's business, not ours), short enough not to wrap.
on_screen = st.lists(
    st.one_of(
        st.sampled_from([f for f in FRAGMENTS if "\n" not in f]),
        st.characters(codec="ascii", exclude_characters="\n\r\t"),
        st.text(alphabet=MARKUPISH, max_size=6),
    ),
    min_size=1,
    max_size=6,
).map("".join)

MANY = settings(max_examples=1500, deadline=None)
CONSOLE = Console(width=200)
# The real app's header titles; it is never run here.
TITLES = HomeworkApp(None, None)  # type: ignore[arg-type]

# Mouse actions Textual itself puts on what it draws: its scrollbars (textual/scrollbar.py).
TEXTUALS_OWN = {("@mouse.down", action) for action in ("grab", "scroll_up", "scroll_down")}
# What strip_controls removes (CR too: it becomes a newline).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def named_examples(test: Callable[..., None]) -> Callable[..., None]:
    for case in reversed(NAMED):
        test = example(case)(test)
    return test


def check_segments(segments: Iterable[Segment]) -> None:
    """Nothing that would reach the terminal as a control, nothing clickable."""
    for segment in segments:
        assert not CONTROL.search(segment.text), repr(segment.text)
        style = segment.style
        if style is not None:
            actions = {(k, v) for k, v in style.meta.items() if k.startswith("@")}
            assert actions <= TEXTUALS_OWN, style.meta
            assert not style.link, style.link


def check_content(content: Content, expected: str) -> None:
    assert content.plain == expected
    segments = content.render_segments()
    check_segments(segments)
    assert "".join(s.text for s in segments) == expected


# -- the helpers themselves ---------------------------------------------------------------


@MANY
@given(untrusted)
@named_examples
def test_widgets_show_the_words_minus_controls(value: str) -> None:
    expected = strip_controls(value)
    assert safe_plain(value) == expected
    # Static and Label: the visual they render, whatever their markup setting.
    for widget in (
        Static(safe_content(value), markup=False),
        Static(safe_content(value)),
        Label(safe_content(value), markup=False),
    ):
        visual = widget.visual
        assert isinstance(visual, Content)
        check_content(visual, expected)
    # OptionList and Select prompts, and Rich Text inside a Static: Text becomes Content.
    check_content(Content.from_rich_text(safe_text(value)), expected)
    check_content(Content.from_rich_text(safe_text(value, style="bold")), expected)


@MANY
@given(untrusted)
@named_examples
def test_table_cells_show_the_words_minus_controls(value: str) -> None:
    expected = strip_controls(value)
    for wrap, height in ((True, 0), (False, 1)):
        cell = default_cell_formatter(safe_text(value), wrap=wrap, height=height)
        assert isinstance(cell, Text)
        assert cell.plain == expected
        check_segments(cell.render(CONSOLE))


@dataclass
class Notices:
    """Stands in for an App or Widget: records what notify was asked to show."""

    shown: list[dict[str, Any]] = field(default_factory=list)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.shown.append({"message": message, **kwargs})


def named_pairs(test: Callable[..., None]) -> Callable[..., None]:
    for case in reversed(NAMED):
        test = example(case, case)(test)
    return test


@MANY
@given(untrusted, untrusted)
@named_pairs
def test_notifications_are_plain(message: str, title: str) -> None:
    notices = Notices()
    notify_safe(notices, message, title=title, severity="error", timeout=3)
    [shown] = notices.shown
    assert shown == {
        "message": strip_controls(message),
        "title": strip_controls(title),
        "severity": "error",
        "timeout": 3,
        "markup": False,
    }
    # What the toast widget renders from it (the title's style needs a running app).
    toast = Toast(Notification(shown["message"], markup=shown["markup"]))
    check_content(toast.render(), strip_controls(message))


@MANY
@given(untrusted)
@named_examples
def test_header_titles_are_plain(value: str) -> None:
    expected = strip_controls(value)
    title = TITLES.format_title("hwtui", value)
    check_segments(title.render_segments())
    assert title.plain == (f"hwtui — {expected}" if expected else "hwtui")
    check_content(TITLES.format_title(value, ""), expected)


# -- the progress note --------------------------------------------------------------------


def squash(text: str) -> str:
    """Without whitespace: the note wraps long lines and collapses runs of spaces."""
    return "".join(text.split())


@settings(max_examples=400, deadline=None)
@given(st.lists(untrusted, min_size=12, max_size=12))
@example([case for case in NAMED[:12]])
def test_the_progress_note_is_plain_text(words: list[str]) -> None:
    """Every typed field of a note, as text (the preview and `hwtui note`), Markdown and
    JSON: no control character, and each field's words are all there."""
    (code, name, win, title, notes, learned, goal, value, question, reason, signer, who) = words
    factor = f"{FACTORS[0].label}: {notes}"
    source = NoteSource(
        client_code=code,
        client_name=name,
        session_date=TODAY,
        clinician=who,
        status="signed",
        version=2,
        signed_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        signed_by=signer,
        amend_reason=reason,
        win_text=win,
        win_kind="insight",
        skipped={"goal": reason},
        tasks=(
            TaskLine(
                title=title,
                outcome="partly done",
                discussed=True,
                factors=(factor,),
                double_down=notes,
                worked_notes=notes,
                barriers=(BARRIERS[0].label,),
                barrier_notes=notes,
                learned=learned,
            ),
        ),
        goals=(GoalLine(title=goal, supports=title, what=notes, when=notes, value=value),),
        measures=(MeasureLine(name="Scaling", total=4, total_max=10, question=question),),
    )
    note = build_note(source)
    shown = render_text(note)
    outputs = [shown, render_markdown(note), json.dumps(to_dict(note), ensure_ascii=False)]
    for out in outputs:
        assert not CONTROL.search(out), repr(out)
    for word in words:
        # A clause's own trailing full stop or semicolon gives way to the note's.
        assert squash(clean_line(word)).rstrip(".;") in squash(shown)
    # The record screen shows it through safe_text: nothing more is lost there.
    assert safe_text(shown).plain == shown


# -- chart labels -------------------------------------------------------------------------


class FakePlt:
    """Records what a chart asks plotext to draw."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: self.calls.append((name, args))


class FakePlot:
    def __init__(self) -> None:
        self.plt = FakePlt()
        self.size = type("Size", (), {"width": 80, "height": 20})()


@settings(max_examples=500, deadline=None)
@given(st.lists(untrusted, min_size=1, max_size=4))
@example(NAMED[:4])
def test_chart_labels_come_from_the_catalog(codes: list[str]) -> None:
    """Barrier codes are the only strings a chart gets from the database; an unknown one
    (imported, or from an older catalog) is left out, never drawn as text."""
    known = BARRIERS[0]
    progress = Progress(
        points=[ReviewPoint(1, TODAY, Rate(1.0, 1))],
        rolling=[1.0],
        measures={"phq9": [MeasurePoint(TODAY, 5)]},
        barriers=[*((code, 2) for code in codes), (known.code, 1)],
        barrier_reviews=3,
        contrasts=[],
    )
    labels = {b.label for b in BARRIERS}
    chart = BarrierChart()
    chart.show(progress)
    assert all(row[1] in labels for row in chart.table.rows)
    assert [row[1] for row in chart.table.rows if row[1] == known.label] == [known.label]
    plot = FakePlot()
    chart.draw(plot)  # type: ignore[arg-type]
    assert [name for name, _args in plot.plt.calls if name == "bar"]
    # The bars are at row positions; their words are the y labels: a catalog label
    # (maybe shortened, with an ellipsis) and its count.
    ticks = [args for name, args in plot.plt.calls if name == "yticks"]
    assert ticks
    for drawn in ticks[0][1]:
        label, count = drawn.rsplit(" ", 1)
        assert count.strip().isdigit()
        assert label in labels or (
            label.endswith("…") and any(full.startswith(label[:-1]) for full in labels)
        ), drawn


# -- on a screen --------------------------------------------------------------------------


def screen_lines(app: App[Any]) -> list[list[Segment]]:
    """What the compositor would write for the screen on top, line by line."""
    return [list(strip) for strip in app.screen._compositor.render_strips()]


def check_screen(app: App[Any]) -> list[str]:
    lines = screen_lines(app)
    for line in lines:
        check_segments(line)
    return ["".join(segment.text for segment in line) for line in lines]


class Recording(HomeworkApp):
    """The real app class (its title and error handling) recording every action run;
    the actions a `[@click=...]` might name do nothing here but get recorded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions: list[str] = []

    async def run_action(self, action: Any, *args: Any, **kwargs: Any) -> bool:
        self.actions.append(str(action))
        return await super().run_action(action, *args, **kwargs)

    def action_screenshot(self, *args: Any, **kwargs: Any) -> None:
        self.actions.append("screenshot!")

    async def action_quit(self) -> None:
        self.actions.append("quit!")

    def action_bell(self) -> None:
        self.actions.append("bell!")


class Shows(Recording):
    """One of each widget that shows a client's words, all showing *value*."""

    CSS = "Screen { layout: vertical; } #table, #options { height: 3; } #area { height: 3; }"

    def __init__(self, value: str, *, raw: bool = False) -> None:
        super().__init__(None, None)  # type: ignore[arg-type]  # no database needed
        self.value = value
        self.raw = raw  # the negative control: plain str with markup on, no helper

    def get_default_screen(self) -> Screen[None]:
        return Screen(id="_default")  # no caseload: this app shows only the widgets below

    def on_mount(self, event: Mount) -> None:
        event.prevent_default()  # no idle timer or signal handlers either

    def compose(self) -> ComposeResult:
        v = self.value
        yield Header()
        if self.raw:
            yield Static(v, id="static")
            return
        yield Static(safe_content(v), id="static", markup=False)
        yield Label(safe_content(v), id="label", markup=False)
        table: DataTable[Any] = DataTable(id="table")
        table.add_column("Name", key="name")
        table.add_row(safe_text(v))
        yield table
        yield OptionList(Option(safe_text(v)), id="options")  # markup on, as in Select
        yield Select([(safe_text(v), 1)], value=1, allow_blank=False, id="select", compact=True)
        yield TextInput(v, id="input")
        yield NoteArea(v, id="area")

    def on_ready(self) -> None:
        self.sub_title = self.value
        notify_safe(self, self.value, title=self.value, timeout=60)
        self.show_error(HwtuiError(self.value))


def row_of(lines: list[str], widget: Widget) -> str:
    region = widget.content_region
    return lines[region.y][region.x : region.right]


async def click_start(pilot: Pilot[Any], widget: Widget) -> None:
    """Where a `[@click=...]x[/]` read as markup would put its clickable x."""
    gutter = widget.styles.gutter
    await pilot.click(widget, offset=(gutter.left, gutter.top))


PILOT = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# The named cases, a few to a screen (each screen takes a while to start).
ON_SCREEN_NAMED = [
    "[TODO] [/b] trailing backslash\\",
    "[@click=app.screenshot()]x[/] \x1b]52;c;aGVsbG8=\x07 [b]bold[/b]\\",
    "[@click=app.quit]x[/] \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b]0;window title\x07",
    "\x1b[2J\x1b[31mred \x9b31m \x9d0;title\x9c del\x7fete a\x00b\x08c\\",
]


@PILOT
@given(on_screen)
@example(ON_SCREEN_NAMED[0])
@example(ON_SCREEN_NAMED[1])
@example(ON_SCREEN_NAMED[2])
@example(ON_SCREEN_NAMED[3])
def test_every_widget_on_a_screen(value: str) -> None:
    asyncio.run(_every_widget_on_a_screen(value))


async def _every_widget_on_a_screen(value: str) -> None:
    expected = strip_controls(value)
    app = Shows(value)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        for _ in range(20):  # the toasts are mounted a few refreshes later
            await pilot.pause()
            if len(app.screen.query(Toast)) == 2:
                break
        lines = check_screen(app)
        for selector in ("#static", "#label", "#input"):
            assert row_of(lines, app.query_one(selector)).startswith(expected), selector
        assert expected in lines[app.query_one("#table").region.y + 1]
        assert expected in row_of(lines, app.query_one("#options"))
        assert expected in row_of(lines, app.query_one("#select SelectCurrent"))
        assert row_of(lines, app.query_one("#area")).startswith(expected)
        assert app.query_one("#input", Input).value == expected
        assert app.query_one("#area", TextArea).text == expected
        assert (f"hwtui — {expected}" if expected else "hwtui") in lines[0]
        toasts = [toast.render().plain for toast in app.screen.query(Toast)]
        assert toasts == [f"{expected}\n{expected}" if expected else "", f"Not saved\n{expected}"]
        # Pasting it into the fields and clicking on every widget runs nothing.
        for selector in ("#input", "#area"):
            await pilot.click(selector)
            app.query_one(selector).post_message(Paste(value))
            await pilot.pause()
        assert expected in app.query_one("#input", Input).value
        assert expected in app.query_one("#area", TextArea).text
        for selector in ("#static", "#label", "#table", "#options"):
            await click_start(pilot, app.query_one(selector))
        await pilot.pause()
        check_screen(app)
        assert app.actions == []
        assert app.is_running


async def test_the_screen_checks_catch_raw_markup_and_escapes() -> None:
    """The negative control: without the helpers, the same checks fail."""
    app = Shows("[@click=app.bell]ring[/]", raw=True)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        with pytest.raises(AssertionError, match="@click"):
            check_screen(app)
        await pilot.click("#static", offset=(1, 0))
        await pilot.pause()
        assert "bell!" in app.actions
    app = Shows("a\x1b]52;c;aGVsbG8=\x07b", raw=True)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        with pytest.raises(AssertionError, match="52"):
            check_screen(app)


# -- the real app over hostile data -------------------------------------------------------

PAYLOAD = (
    "[TODO] [/b] [@click=app.screenshot()]x[/] \x1b]52;c;aGVsbG8=\x07 [@click=app.quit]y[/] "
    "\x1b[2J\x9b31m\x7f \x1b]8;;http://x\x1b\\ \x1b]0;t\x07 end\\"
)


@dataclass(frozen=True)
class Practice:
    db: Database
    ids: dict[str, int]
    stored: dict[str, str]  # what each field holds, by name

    def shown(self, name: str) -> str:
        """What the screen should show of it: its words minus controls, without spaces."""
        return squash(strip_controls(self.stored[name]))


# (name, table, column, row): every field of client data a screen shows.
HOSTILE_FIELDS = [
    ("clinician", "clinician", "display_name", "clinician"),
    # A signed note shows the name it was signed with (issue 22), not today's.
    ("signed_as", "review", "signed_as", "review"),
    ("code", "client", "code", "client"),
    ("name", "client", "display_name", "client"),
    ("value", "client_value", "text", None),
    *((f"first.{f}", "assignment", f, "first") for f in ("title", "what", "when", "where")),
    *((f"first.{f}", "assignment", f, "first") for f in ("how_often", "how_long")),
    *((f"first.{f}", "assignment", f, "first") for f in ("instructions", "rationale")),
    ("goal.title", "assignment", "title", "goal"),
    ("goal.when", "assignment", "when", "goal"),
    ("old.title", "assignment", "title", "old"),
    ("old.reason", "assignment", "status_reason", "old"),
    ("win", "review", "win_text", "review"),
    ("signed_by", "review", "signed_by", "review"),
    ("draft.win", "review", "win_text", "draft"),
    ("worked_notes", "task_outcome", "worked_notes", None),
    ("double_down", "task_outcome", "double_down", None),
    ("barrier_notes", "task_outcome", "barrier_notes", None),
    ("learned", "task_outcome", "learned", None),
    ("question", "measure", "question", None),
]


def _store(db: Database) -> Practice:
    """A practice written through the services, then given hostile text in every field
    by hand, as an import from elsewhere or an old version of hwtui might have left it."""
    factor, barrier = FACTORS[0].code, BARRIERS[0].code
    with db.write() as s:
        me = ensure_clinician(s, "dr_hostile")
        client = create_client(s, me, code="H1", display_name="n", values=["v"])
        assert client.id is not None
        specifics = {"what": "w", "when": "wh", "where": "wr", "how_often": "ho"}
        first = create_assignment(
            s, me, client.id, title="t", how_long="hl", instructions="i", rationale="r", **specifics
        )
        old = create_assignment(s, me, client.id, title="o")
        assert first.id is not None
        assert old.id is not None
        retire_assignment(s, me, old.id, "because")
        review = start_review(s, me, client.id, TODAY - timedelta(days=7))
        assert review.id is not None
        outcome = {
            "assignment_id": first.id,
            "outcome": "partly",
            "discussed": True,
            "factors": [factor],
            "factor_notes": {factor: "fn"},
            "worked_notes": "wn",
            "double_down": "dd",
            "barriers": [barrier],
            "barrier_notes": "bn",
            "learned": "le",
        }
        goal = {"parent_id": first.id, "title": "g", "when": "gw", "where": "gr"}
        detail = complete_review(
            s, me, review.id, win_text="win", win_kind="insight", outcomes=[outcome], goals=[goal]
        )
        [created] = detail.created
        assert created.id is not None
        record_measure(s, me, client.id, "scaling", [6], review_id=review.id, question="q")
        sign_review(s, me, review.id, assessment="Engaged; homework reviewed.")
        draft = start_review(s, me, client.id, TODAY)
        assert draft.id is not None
        ids = {"client": client.id, "first": first.id, "old": old.id, "goal": created.id}
        ids |= {"review": review.id, "draft": draft.id, "clinician": me.clinician_id}
    stored: dict[str, str] = {}
    with db.write() as s:
        for name, table, column, row in HOSTILE_FIELDS:
            # The code is shown in narrow columns: a short one.
            stored[name] = "C\x1b[2J[b]1" if name == "code" else f"<{name}>{PAYLOAD}"
            where = "" if row is None else f" WHERE id = {ids[row]}"
            update = sql(f'UPDATE {table} SET "{column}" = :value{where}')  # noqa: S608 (ours)
            s.connection().execute(update, {"value": stored[name]})
        stored["factor"] = f"<factor>{PAYLOAD}"
        notes = json.dumps({factor: stored["factor"]})
        s.connection().execute(sql("UPDATE task_outcome SET factor_notes = :v"), {"v": notes})
    return Practice(db, ids, stored)


@pytest.fixture
def practice(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Iterator[Practice]:
    db = migrated_sqlite(tmp_path / "hostile.sqlite3")
    yield _store(db)
    db.dispose()


def shows(app: App[Any], practice: Practice, *names: str) -> None:
    """The screen on top renders no control and nothing clickable, and shows each field
    in *names*: on the screen, or in one widget's area (side-by-side columns interleave
    their wrapped lines), with wrapped lines joined."""
    check_screen(app)
    strips = app.screen._compositor.render_strips()
    areas = ["".join(strip.text for strip in strips)]
    for widget in app.screen.query("*"):
        region = widget.region.intersection(app.screen.region)
        if widget.display and region and not widget.children:
            lines = strips[region.y : region.bottom]
            areas.append("".join(line.crop(region.x, region.right).text for line in lines))
    areas = [squash(area) for area in areas]
    for name in names:
        assert any(practice.shown(name) in area for area in areas), name


async def test_the_app_shows_hostile_data_as_plain_text(practice: Practice) -> None:
    ids = practice.ids
    with practice.db.write() as s:
        actor = ensure_clinician(s, "dr_hostile")
    app = Recording(LazyDatabase.of(practice.db), actor, today=lambda: TODAY)
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        await settle(pilot)
        # The caseload: the clinician's name in the header, the client in the table.
        shows(app, practice, "clinician", "code")
        row = app.screen.query_one(DataTable).get_row_at(0)
        assert [str(cell) for cell in row[:2]] == [
            strip_controls(practice.stored["code"]),
            strip_controls(practice.stored["name"]),
        ]
        # The client overview: values, the win, the new goal, homework, earlier homework.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        shows(app, practice, "name", "value", "win", "goal.title", "goal.when")
        shows(app, practice, "first.title", "old.title", "old.reason")
        for selector in ("#client-head", "#since"):
            await pilot.click(selector, offset=(4, 0))
        # Its progress charts, wins bank and the view turned toward the client.
        for screen, names in [
            (ProgressScreen(ids["client"], practice.stored["code"]), ["code"]),
            (WinsScreen(ids["client"], practice.stored["code"]), ["code", "win"]),
            (ClientViewScreen(ids["client"]), ["name", "win", "goal.title", "goal.when"]),
        ]:
            await app.push_screen(screen)
            await settle(pilot)
            shows(app, practice, *names)
            await app.pop_screen()
        # The original task in full, and the smaller goal with its chain.
        await app.push_screen(AssignmentScreen(ids["first"]))
        await settle(pilot)
        shows(app, practice, *(name for name, *_ in HOSTILE_FIELDS if name.startswith("first.")))
        await app.push_screen(AssignmentScreen(ids["goal"]))
        await settle(pilot)
        shows(app, practice, "goal.title", "goal.when", "first.title")
        # Editing the goal: the form holds its words minus controls.
        await app.push_screen(AssignmentEditorScreen(EditorTarget.edit(ids["client"], ids["goal"])))
        await settle(pilot)
        check_screen(app)
        title = app.screen.query_one("#title", Input).value
        assert squash(title) == practice.shown("goal.title")
        # The signed review: its summary, then its progress note.
        await app.push_screen(ReviewRecordScreen(ids["review"]))
        await settle(pilot)
        summary = ["win", "first.title", "worked_notes", "double_down", "barrier_notes"]
        shows(app, practice, *summary, "learned", "factor", "signed_by", "goal.title")
        await pilot.click("#record-text", offset=(4, 0))
        await pilot.press("v")
        await settle(pilot)
        shows(app, practice, "win", "signed_by", "question", "name", "signed_as", "factor")
        # A review in progress: the homework to mark, then the win being typed.
        await app.push_screen(ReviewScreen(ids["draft"]))
        await settle(pilot)
        shows(app, practice, "goal.title", "name")
        await pilot.press("d", "pagedown")
        await settle(pilot)
        shows(app, practice, "draft.win")
        area = app.screen.query_one("#win_text", TextArea)
        assert area.text == strip_controls(practice.stored["draft.win"])
        # An error that carries the words.
        app.show_error(HwtuiError(practice.stored["name"]))
        await pilot.pause()
        shows(app, practice, "name")
        assert app.is_running
    assert not [a for a in app.actions if a.endswith(("!", "screenshot()", "quit"))]


# Codes are checked against the catalog on input and cleaned on import; a tampered or
# very old database could still hold anything. A screen that shows an unknown code as
# it is must show it without controls.
ODD_CODE = "odd\x1b]52;c;aGk=\x07[b]code"


def _odd_codes(practice: Practice) -> None:
    barriers = json.dumps([ODD_CODE])
    with practice.db.write() as s:
        run = s.connection().execute
        run(sql("UPDATE assignment SET kind = :v"), {"v": ODD_CODE})
        run(sql("UPDATE task_outcome SET barriers = :v"), {"v": barriers})


async def _show_with_odd_codes(practice: Practice, screen: Any) -> None:
    _odd_codes(practice)
    with practice.db.write() as s:
        actor = ensure_clinician(s, "dr_hostile")
    app = Recording(LazyDatabase.of(practice.db), actor, today=lambda: TODAY)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await app.push_screen(screen)
        await settle(pilot)
        screen_text = squash("".join(check_screen(app)))
        assert squash(strip_controls(ODD_CODE)) in screen_text


async def test_an_unknown_code_on_the_task_screen(practice: Practice) -> None:
    await _show_with_odd_codes(practice, AssignmentScreen(practice.ids["first"]))


async def test_an_unknown_code_on_the_overview(practice: Practice) -> None:
    await _show_with_odd_codes(practice, ClientScreen(practice.ids["client"]))
