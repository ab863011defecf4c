"""Untrusted text has one way to the screen: no code in hwtui goes around it.

A static check (the AST of every module in hwtui/) for the ways Textual would read a
person's words as markup or pass their control characters to the terminal:

- `.notify(` anywhere but hwtui/widgets/safe.py (`notify_safe` strips and sets
  markup=False);
- `markup=True`, `from_markup` (Content/Text), and rich.markup (its `escape` drops
  `[TODO]`-style text);
- Static, Label and OptionList without `markup=False` (a plain `str` in them is markup);
- a formatted string built inside Static(...) or Label(...);
- DataTable cells given as anything but a built renderable (a `str` cell is markup);
- Option/Selection prompts, Buttons, tooltips and border titles not built by a call;
- f-strings that interpolate a person's words outside a `safe_*` call.

tests/test_untrusted_render.py shows the helpers themselves work.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "hwtui"
SAFE_MODULE = ROOT / "widgets" / "safe.py"
# Modules that put text on the screen (the data core renders nothing).
UI = [
    ROOT / "app.py",
    *sorted((ROOT / "screens").rglob("*.py")),
    *sorted((ROOT / "widgets").rglob("*.py")),
]

# Calls that make untrusted text safe, or clean it first.
SAFE_CALLS = {"safe_text", "safe_content", "safe_plain", "notify_safe", "strip_controls"}
SAFE_CALLS |= {"clean_line", "clean_block", "_clean"}
# Widgets whose `str` content Textual reads as markup unless told otherwise.
MARKUP_WIDGETS = {"Static", "Label", "OptionList"}
# Attributes that hold a person's words (typed in hwtui, imported, or from the passwd
# entry). Unambiguous names only: `code`, `text` and `value` also name catalog things.
PERSON_ATTRS = {
    "display_name",
    "title_text",
    "win_text",
    "status_reason",
    "amend_reason",
    "signed_by",
    "double_down",
    "worked_notes",
    "barrier_notes",
    "learned",
    "parent_title",
    "instructions",
    "rationale",
    "how_often",
    "how_long",
    "question",
    "username",
}
# f-strings with a person's words that are fine, each with why.
ALLOWED_FSTRINGS = {
    # Header titles: HomeworkApp.format_title cleans them (tested in test_untrusted_render).
    ("caseload.py", "Caseload of {self.app.actor.display_name}"),
}


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    code: str

    def __str__(self) -> str:
        where = self.path.relative_to(ROOT.parent) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line}: {self.rule}: {self.code}"


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Subscript):  # Select[int](...)
        return _name(func.value)
    return None


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _is_built(node: ast.expr) -> bool:
    """A renderable made by a call (Text(...), safe_text(...), a helper), not a `str`."""
    return isinstance(node, ast.Call) and _name(node.func) not in {"str", "format", "join"}


def _is_fixed_or_built(node: ast.expr) -> bool:
    """Text written in hwtui's own source, or built by a call."""
    return isinstance(node, ast.Constant) or _is_built(node)


def _is_formatted(node: ast.expr) -> bool:
    """An f-string or a concatenation: the way a person's words get built into a str."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
    )


def _src(node: ast.AST) -> str:
    return ast.unparse(node)[:120]


def _findings(path: Path) -> Iterator[Finding]:
    tree = _tree(path)
    for call in _calls(tree):
        name = _name(call.func)
        if name == "notify" and isinstance(call.func, ast.Attribute) and path != SAFE_MODULE:
            yield Finding(path, call.lineno, "notify outside notify_safe", _src(call))
        markup = _kw(call, "markup")
        if isinstance(markup, ast.Constant) and markup.value is True:
            yield Finding(path, call.lineno, "markup=True", _src(call))
        if name in MARKUP_WIDGETS and not _is_false(markup):
            yield Finding(path, call.lineno, f"{name} without markup=False", _src(call))
        if name in {"Static", "Label"} and call.args and _is_formatted(call.args[0]):
            yield Finding(path, call.lineno, f"formatted str in {name}", _src(call))
        if name == "add_row" and not all(_is_fixed_or_built(arg) for arg in call.args):
            yield Finding(path, call.lineno, "DataTable cell not built", _src(call))
        if name == "update_cell" and len(call.args) >= 3 and not _is_fixed_or_built(call.args[2]):
            yield Finding(path, call.lineno, "DataTable cell not built", _src(call))
        prompt = call.args[0] if call.args else None
        if name in {"Option", "Selection", "Button"} and prompt and not _is_fixed_or_built(prompt):
            yield Finding(path, call.lineno, f"{name} prompt not built", _src(call))
        tooltip = _kw(call, "tooltip")
        if tooltip is not None and not isinstance(tooltip, ast.Constant):
            yield Finding(path, call.lineno, "tooltip not a constant", _src(call))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "from_markup":
            yield Finding(path, node.lineno, "from_markup", _src(node))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rich.markup"):
            yield Finding(path, node.lineno, "rich.markup", _src(node))
        if isinstance(node, ast.Import) and any(a.name == "rich.markup" for a in node.names):
            yield Finding(path, node.lineno, "rich.markup", _src(node))
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in {"tooltip", "border_title", "border_subtitle"}
                    and not _is_fixed_or_built(node.value)
                ):
                    yield Finding(path, node.lineno, f"{target.attr} not built", _src(node))


def _person_attrs(node: ast.AST) -> list[str]:
    """The person's-words attributes read in *node*, outside safe_* calls."""
    if isinstance(node, ast.Call) and _name(node.func) in SAFE_CALLS:
        return []
    found = [node.attr] if isinstance(node, ast.Attribute) and node.attr in PERSON_ATTRS else []
    for child in ast.iter_child_nodes(node):
        found += _person_attrs(child)
    return found


def _person_fstrings(path: Path) -> Iterator[Finding]:
    """f-strings interpolating a person's words, except inside a safe_* (or cleaning) call."""

    def visit(node: ast.AST) -> Iterator[Finding]:
        if isinstance(node, ast.Call) and _name(node.func) in SAFE_CALLS:
            return  # whatever is built in here comes out clean
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if not isinstance(part, ast.FormattedValue):
                    continue
                attrs = _person_attrs(part.value)
                if attrs and (path.name, _src(node)[2:-1]) not in ALLOWED_FSTRINGS:
                    yield Finding(path, node.lineno, f"f-string with {attrs[0]}", _src(node))
                    return
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(_tree(path))


def test_the_ui_modules_are_found() -> None:
    names = {p.name for p in UI}
    assert {"app.py", "safe.py", "client.py", "review_record.py", "fields.py"} <= names


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_way_around_the_safe_helpers(path: Path) -> None:
    found = [str(f) for f in [*_findings(path), *_person_fstrings(path)]]
    assert not found, "untrusted text could reach the screen as markup or raw:\n" + "\n".join(found)


# -- the checker itself: each rule catches what it is meant to ---------------------------

BAD = {
    "notify outside notify_safe": 'self.app.notify(f"saved {name}", markup=False)',
    "markup=True": "x = Select([], markup=True)",
    "Static without markup=False": "yield Static(client.display_name)",
    "Label without markup=False": 'yield Label("Name")',
    "OptionList without markup=False": "yield OptionList()",
    "formatted str in Static": 'yield Static(f"Wins · {title}", markup=False)',
    "formatted str in Label": 'yield Label("Wins · " + title, markup=False)',
    "DataTable cell not built": "table.add_row(row.code, Text(row.day))",
    "Option prompt not built": "Option(row.title)",
    "from_markup": "Content.from_markup(text)",
    "rich.markup": "from rich.markup import escape",
    "tooltip not a constant": "Binding('x', 'y', tooltip=row.title)",
    "border_title not built": "self.border_title = row.title",
}
BAD_FSTRINGS = {
    "f-string with title_text": 'Static(Content(f"Progress · {self.title_text}"), markup=False)',
    "f-string with signed_by": 'line.append(f"signed by {review.signed_by}")',
}


@pytest.mark.parametrize("rule", sorted(BAD))
def test_each_rule_catches_its_pattern(rule: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(BAD[rule] + "\n")
    assert rule in {f.rule for f in _findings(path)}


@pytest.mark.parametrize("rule", sorted(BAD_FSTRINGS))
def test_person_fstrings_are_caught(rule: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text(BAD_FSTRINGS[rule] + "\n")
    assert rule in {f.rule for f in _person_fstrings(path)}


def test_safe_calls_and_constants_pass(tmp_path: Path) -> None:
    path = tmp_path / "good.py"
    path.write_text(
        "\n".join(
            [
                'notify_safe(self.app, f"saved {row.title}")',
                "yield Static(safe_content(row.title), markup=False)",
                'yield Label("Name", markup=False)',
                "table.add_row(safe_text(row.code), Text(day(row.day)))",
                'title = safe_text(f"{client.code} {client.display_name}", "bold")',
                'reason = f": {safe_plain(row.status_reason)}"',
                "yield Static(RISK_TEXT.format(score=score), markup=False)",
                "Option(safe_text(row.title))",
            ]
        )
        + "\n"
    )
    assert [str(f) for f in [*_findings(path), *_person_fstrings(path)]] == []
