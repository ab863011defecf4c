"""An import file is outside input: whatever it holds, hwtui either refuses it, naming the
table, row and field of every problem, or restores a caseload every screen and every
note can open. Each case below was seen to break hwtui after an import that took it."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String, func, select, update
from sqlmodel import SQLModel

from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.import_file import import_json
from hwtui.data.models import Review
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.notes import note_for
from hwtui.data.services.reviews import review_versions
from tests.import_helpers import (
    USER,
    build_export,
    deadline,
    empty_copy,
    migrated_template,
    open_everything,
)

EXPORTED = sorted(set(SQLModel.metadata.tables) - {"audit_event", "audit_head"})
Data = dict[str, Any]


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Data:
    return build_export(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def target(template: Path, tmp_path: Path) -> Iterator[Database]:
    db = empty_copy(template, tmp_path)
    yield db
    db.dispose()


def row(data: Data, table: str, row_id: int) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["tables"][table] if r["id"] == row_id)
    return found


def _count(db: Database) -> int:
    with db.read() as s:
        conn = s.connection()
        return sum(
            conn.execute(
                select(func.count()).select_from(SQLModel.metadata.tables[name])
            ).scalar_one()
            for name in EXPORTED
            if name != "clinician"
        )


def refused(db: Database, data: Data) -> str:
    """The one-line error the import gave; the database holds nothing of the file."""
    with deadline(30), pytest.raises(HwtuiError) as caught:
        import_json(db, data, username=USER)
    message = str(caught.value)
    assert "\n" not in message
    assert _count(db) == 0
    return message


# --- What was seen to break hwtui --------------------------------------------------------

# (table, id, column, value, what the message must say besides the table and column)
DRAFT = 9  # client H2's draft, which holds a new goal
SIGNED = 7  # client H1's signed review (8 amends it)
SEEN: dict[str, tuple[str, int, str, Any, str]] = {
    "a review interval of 10^9 days": ("client", 1, "review_interval_days", 10**9, "365"),
    "a session in 9999": ("review", 1, "session_date", "9999-12-31", "1900-2200"),
    "a review amending itself": ("review", SIGNED, "amends_id", SIGNED, "loop"),
    "a draft goal that is no goal": ("review", DRAFT, "draft_goals", [{"ti": 5}], "title"),
    "a draft goal that is text": ("review", DRAFT, "draft_goals", ["read"], "draft_goals[1]"),
    "a draft goal of the wrong kind": (
        "review",
        DRAFT,
        "draft_goals",
        [{"title": "x", "kind": "nonsense", "parent_id": 12}],
        "kind",
    ),
    "an unknown instrument": ("measure", 1, "instrument", "bdi", "unknown measure"),
    "skipped steps as a list": ("review", 1, "skipped", ["win"], "skipped"),
    "factor notes as a list": ("task_outcome", 1, "factor_notes", ["values"], "factor_notes"),
    "an empty code": ("client", 1, "code", "", "is required"),
    "a code of two lines": ("client", 1, "code", "C\n1", "one line"),
    "a name of two lines": ("client", 1, "display_name", "Amara\nF.", "one line"),
    "a code with a slash": ("client", 1, "code", "a/b", "must not contain"),
    "a code climbing out of the folder": ("client", 1, "code", "../x", "must not contain"),
    "a lone surrogate": ("review", 1, "win_text", "win \ud800", "surrogate"),
    "a lone surrogate in JSON": ("review", 1, "skipped", {"win": "\udfff"}, "surrogate"),
    "a huge total": ("measure", 1, "total", 10**30, "outside"),
    "a huge id": ("measure", 1, "review_id", 2**70, "outside"),
    "a huge number in JSON": ("measure", 1, "items", [10**30], "64 bits"),
    "deeply nested JSON": ("review", 1, "skipped", {"win": [[[[[[[["x"]]]]]]]]}, "nested"),
    "a 5 MB win": ("review", 1, "win_text", "x" * 5_000_000, "the limit is 20000"),
}


@pytest.mark.parametrize("case", sorted(SEEN))
def test_what_broke_hwtui_is_refused(good: Data, target: Database, case: str) -> None:
    table, row_id, column, value, needle = SEEN[case]
    data = copy.deepcopy(good)
    row(data, table, row_id)[column] = value
    message = refused(target, data)
    assert re.match(r"the import file has \d problems?; nothing was imported: ", message)
    assert f"table {table}, id {row_id}, {column}" in message
    assert needle in message


def test_the_good_file_is_restored_and_everything_opens(good: Data, target: Database) -> None:
    """The baseline of the cases above: unspoilt, the same file goes in and works."""
    import_json(target, copy.deepcopy(good), username=USER)
    assert open_everything(target) > 0


# --- Checks across rows ---------------------------------------------------------------------


def _amend_each_other(data: Data) -> None:
    row(data, "review", 1)["amends_id"] = 2
    row(data, "review", 2)["amends_id"] = 1
    row(data, "review", 1)["status"] = row(data, "review", 2)["status"] = "signed"


def _second_draft(data: Data) -> None:
    row(data, "review", 1)["status"] = row(data, "review", 2)["status"] = "draft"


def _two_amendments(data: Data) -> None:
    second = copy.deepcopy(row(data, "review", 8))
    second["id"] = 99
    second["status"] = "complete"
    data["tables"]["review"].append(second)


CROSS: dict[str, tuple[Callable[[Data], None], str]] = {
    "reviews amending each other": (_amend_each_other, "table review, id 1, amends_id: goes round"),
    "amending a review not signed": (
        lambda d: row(d, "review", SIGNED).update(status="complete", signed_by=""),
        "table review, id 8, amends_id: review 7 is not signed",
    ),
    "a client's second draft": (
        _second_draft,
        "table review, id 2, status: is a second draft of client 1 (the first is id 1)",
    ),
    "two amendments of one review": (_two_amendments, "review 7 is amended by id 8 already"),
    "a goal's parent of another client": (
        lambda d: row(d, "assignment", 4).update(parent_id=8),
        "table assignment, id 4, parent_id: refers to assignment 8, of another client",
    ),
    "goals supporting each other": (
        lambda d: row(d, "assignment", 1).update(parent_id=4),
        "table assignment, id 1, parent_id: goes round in a loop (1 -> 4 -> 1)",
    ),
    "an outcome of another client's homework": (
        lambda d: row(d, "task_outcome", 1).update(assignment_id=7),
        "table task_outcome, id 1, review_id: refers to review 1, of another client",
    ),
    "a value of another client": (
        lambda d: row(d, "assignment", 4).update(value_id=5),
        "table assignment, id 4, value_id: refers to client_value 5, of another client",
    ),
    "a measure of another client's review": (
        lambda d: row(d, "measure", 1).update(review_id=4),
        "table measure, id 1, review_id: refers to review 4, of another client",
    ),
    "a draft goal for another client's task": (
        lambda d: row(d, "review", DRAFT)["draft_goals"][0].update(parent_id=1),
        "table review, id 9, draft_goals[1].parent_id: refers to assignment 1, of another",
    ),
    "a draft goal linked to a missing value": (
        lambda d: row(d, "review", DRAFT)["draft_goals"][0].update(value_id=404),
        "draft_goals[1].value_id: refers to client_value 404, not in the file",
    ),
    "a measure's total that is not its items' sum": (
        lambda d: row(d, "measure", 2).update(total=25),
        "table measure, id 2, total: is 25 but the items add up to 24",
    ),
    "a PHQ-9 with 3 items": (
        lambda d: row(d, "measure", 6).update(items=[1, 1, 1], total=3),
        "PHQ-9 needs 9 item(s), got 3",
    ),
    "an id twice": (
        lambda d: row(d, "client_value", 2).update(id=1),
        "table client_value, id 1, id: 1 appears more than once",
    ),
    "a code twice": (
        lambda d: row(d, "client", 2).update(code="C0001"),
        "table client, id 2, clinician_id, code: is the same as in id 1",
    ),
    "an unknown status": (
        lambda d: row(d, "assignment", 1).update(status="paused"),
        "table assignment, id 1, status: must be one of",
    ),
    "an unknown skipped step": (
        lambda d: row(d, "review", 1).update(skipped={"lunch": "no time"}),
        "unknown review step: lunch",
    ),
    "an unknown barrier": (
        lambda d: row(d, "task_outcome", 3).update(barriers=["gremlins"]),
        "table task_outcome, id 3, barriers: unknown barrier: gremlins",
    ),
    "an unknown factor in the notes": (
        lambda d: row(d, "task_outcome", 1).update(factor_notes={"luck": "x"}),
        "unknown factor: luck",
    ),
    "a step that is not a step": (
        lambda d: row(d, "review", 1).update(step="coda"),
        "table review, id 1, step",
    ),
    "a due date in year 3000": (
        lambda d: row(d, "assignment", 2).update(due_date="3000-01-01"),
        "due_date: 3000-01-01 is outside 1900-2200",
    ),
    "a negative id": (
        lambda d: row(d, "measure", 1).update(id=-5),
        "table measure, row 1, id: -5 is outside 1..2147483647",
    ),
    "not a number": (
        lambda d: row(d, "measure", 1).update(total=float("nan")),
        "total: must be a whole number, not the number nan",
    ),
    "a list where text goes": (
        lambda d: row(d, "client", 1).update(display_name=["A"]),
        "display_name: must be text, not a list",
    ),
}


@pytest.mark.parametrize("case", sorted(CROSS))
def test_rows_that_do_not_fit_together_are_refused(good: Data, target: Database, case: str) -> None:
    spoil, needle = CROSS[case]
    data = copy.deepcopy(good)
    spoil(data)
    assert needle in refused(target, data)


def test_every_problem_is_listed_in_the_order_of_the_file(good: Data, target: Database) -> None:
    from hwtui.data.import_checks import ImportRefused

    data = copy.deepcopy(good)
    row(data, "measure", 3)["instrument"] = "bdi"
    row(data, "client", 2)["code"] = "../up"
    row(data, "client", 1)["review_interval_days"] = 0
    row(data, "review", 4)["win_text"] = "\ud800"
    data["tables"]["task_outcome"].append("not a row")
    with pytest.raises(ImportRefused) as caught:
        import_json(target, data, username=USER)
    assert [(p.table, p.row, p.field) for p in caught.value.problems] == [
        ("client", "id 1", "review_interval_days"),
        ("client", "id 2", "code"),
        ("review", "id 4", "win_text"),
        ("measure", "id 3", "instrument"),
        ("task_outcome", "row 19", None),
    ]
    assert caught.value.headline == "the import file has 5 problems; nothing was imported"
    assert _count(target) == 0


def test_every_text_column_has_a_limit(good: Data, target: Database) -> None:
    """No text column of any table, now or added later, takes more than TEXT_MAX."""
    from hwtui.data.import_checks import ImportRefused
    from hwtui.data.inputs import TEXT_MAX

    data = copy.deepcopy(good)
    spoilt = []
    for name, rows in data["tables"].items():
        if not rows:
            continue  # no row to spoil (unsaved_input, in an export of a quiet caseload)
        for column in SQLModel.metadata.tables[name].c:
            stored = getattr(column.type, "impl_instance", column.type)  # AutoString: String
            if isinstance(stored, String):
                rows[0][column.name] = "x" * (TEXT_MAX + 1)
                spoilt.append((name, column.name))
    with pytest.raises(ImportRefused) as caught:
        import_json(target, data, username=USER)
    found = {(p.table, p.field) for p in caught.value.problems if "too long" in p.message}
    assert set(spoilt) - found == set()
    assert len(spoilt) > 25


def test_line_breaks_in_one_line_fields_and_text_that_is_too_long(
    good: Data, target: Database
) -> None:
    from hwtui.data.import_checks import ImportRefused

    data = copy.deepcopy(good)
    row(data, "assignment", 1)["when"] = "Monday\nat 9"
    row(data, "assignment", 1)["instructions"] = "one\ntwo"  # a block: fine
    row(data, "assignment", 2)["status_reason"] = "r" * 201
    row(data, "review", 8)["amend_reason"] = "a" * 501
    row(data, "measure", 1)["question"] = "q" * 201
    row(data, "client_value", 1)["text"] = "v" * 201
    with pytest.raises(ImportRefused) as caught:
        import_json(target, data, username=USER)
    assert [str(p) for p in caught.value.problems] == [
        "table client_value, id 1, text: is too long (201 characters; the limit is 200)",
        "table review, id 8, amend_reason: is too long (501 characters; the limit is 500)",
        "table assignment, id 1, when: must be one line (it holds a line break)",
        "table assignment, id 2, status_reason: is too long (201 characters; the limit is 200)",
        "table measure, id 1, question: is too long (201 characters; the limit is 200)",
    ]


# --- Chains of versions already in a database ---------------------------------------------


@pytest.fixture
def restored(good: Data, target: Database) -> Database:
    import_json(target, copy.deepcopy(good), username=USER)
    return target


@pytest.mark.parametrize(
    ("links", "broken"),
    [
        # One amendment per review is a unique index (migration 0008): free the amended
        # review of its amendment first, then point it at itself.
        ({8: None, SIGNED: SIGNED}, [SIGNED]),
        ({SIGNED: 8}, [SIGNED, 8]),
        ({8: 8}, [8]),
        ({SIGNED: 1}, [SIGNED, 8]),
    ],
    ids=["itself", "each other", "the amendment itself", "another client's review"],
)
def test_a_corrupt_chain_of_versions_is_an_error_not_a_hang(
    restored: Database, links: dict[int, int | None], broken: list[int]
) -> None:
    """`hwtui note CODE --review N` and the versions list walk amends_id: bounded."""
    with restored.write() as s:
        for review_id, amends in links.items():
            s.execute(update(Review).where(Review.id == review_id).values(amends_id=amends))
    for review_id in broken:
        with deadline(10), restored.write() as s:
            me = ensure_clinician(s, USER)
            with pytest.raises(HwtuiError, match=r"versions of review \d+ are inconsistent"):
                review_versions(s, me, review_id)
    if SIGNED in broken:
        with deadline(10), restored.write() as s:
            me = ensure_clinician(s, USER)
            with pytest.raises(HwtuiError, match="inconsistent"):
                note_for(s, me, SIGNED)


def test_a_chain_longer_than_the_bound_is_an_error(restored: Database) -> None:
    from hwtui.data.services.review_chain import VERSIONS_MAX

    table = SQLModel.metadata.tables["review"]
    with restored.write() as s:
        conn = s.connection()
        conn.execute(update(Review).where(Review.id == 8).values(amends_id=None))
        base = dict(conn.execute(select(table).where(table.c.id == SIGNED)).one()._mapping)
        previous = SIGNED
        for number in range(1, VERSIONS_MAX + 1):  # review 7, then 1001, 1002, ...
            version = {**base, "id": 1000 + number, "amends_id": previous}
            conn.execute(table.insert().values(version))
            previous = 1000 + number
    with deadline(10), restored.write() as s:
        me = ensure_clinician(s, USER)
        for review_id in (SIGNED, 1050, previous):
            with pytest.raises(HwtuiError, match=f"more than {VERSIONS_MAX} versions"):
                review_versions(s, me, review_id)
        conn = s.connection()
        conn.execute(table.delete().where(table.c.id == previous))  # now exactly the bound
        assert len(review_versions(s, me, 1050)) == VERSIONS_MAX
