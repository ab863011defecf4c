"""Merge import (`hwtui import FILE --merge`): a clinician's export added to their caseload
in a database that holds theirs and colleagues' already, with new ids and every link
moved, or refused whole when a client code is taken. On SQLite here; on PostgreSQL under
row-level security, each clinician through their own role, in test_pg_import_merge.py.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel, col

from hwtui.cli import main
from hwtui.data.db import Database
from hwtui.data.export import export_json, json_text
from hwtui.data.import_merge import CodesTaken, merge_json
from hwtui.data.models import Review, UnsavedInput
from hwtui.data.services.clients import find_client, list_values
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.process_notes import save_process_note
from hwtui.data.services.reviews import start_review
from hwtui.data.services.unsaved import keep_typing
from tests.conftest import TODAY
from tests.helpers import (
    HOSTILE,
    HOSTILE_CLEAN,
    MARKUP_LIKE,
    add_assignment,
    add_client,
    add_completed_review,
    events_after,
    last_event_id,
)
from tests.import_helpers import USER, build_export

COLLEAGUE = "dr_colleague"
Tables = dict[str, list[dict[str, Any]]]

# --- content without ids --------------------------------------------------------------

# Ids held in columns no foreign key describes, and the table each names.
_GOAL_IDS = {"parent_id": "assignment", "value_id": "client_value"}
_FIELD_IDS = {
    **_GOAL_IDS,
    "assignment_id": "assignment",
    "review_id": "review",
    "client_id": "client",
}
_PLACE_NOUNS = {"client": "client", "review": "review", "homework": "assignment"}


def canonical(tables: Tables) -> dict[str, list[str]]:
    """Every table's rows as text without ids, sorted: a reference to a row (a foreign
    key, or an id inside a draft's goals or kept words) stands for that row's content,
    so two sets of rows compare equal exactly when they are the same rows linked the same
    way, whatever their ids. Clinicians' rows are left out: every reference to one is
    "me"."""
    meta = SQLModel.metadata.tables
    by_id = {name: {row["id"]: row for row in rows} for name, rows in tables.items()}
    labels: dict[tuple[str, int], str] = {}

    def label(name: str, row_id: Any) -> str | None:
        if row_id not in by_id.get(name, {}):
            return None  # kept words may name rows the file has not: they name none
        key = (name, row_id)
        if key not in labels:
            own = content(name, by_id[name][row_id], embedded=False)
            labels[key] = hashlib.sha256(own.encode()).hexdigest()
        return labels[key]

    def ids_in(value: Any, keys: dict[str, str]) -> Any:
        if isinstance(value, list):
            return [ids_in(item, keys) for item in value]
        if isinstance(value, dict):
            return {
                k: label(keys[k], v) if k in keys and v is not None else ids_in(v, keys)
                for k, v in value.items()
            }
        return value

    def content(name: str, row: dict[str, Any], embedded: bool) -> str:
        out: dict[str, Any] = {}
        targets = {fk.parent.name: fk.column.table.name for fk in meta[name].foreign_keys}
        for column, value in row.items():
            if column == "id":
                continue
            target = targets.get(column)
            if target == "clinician":
                value = "me"
            elif target is not None and value is not None:
                value = label(target, value)
            elif (name, column) in {("review", "draft_goals"), ("unsaved_input", "fields")}:
                keys = _GOAL_IDS if column == "draft_goals" else _FIELD_IDS
                value = ids_in(value, keys) if embedded else None
            elif (name, column) == ("unsaved_input", "place"):
                value = re.sub(
                    r"\b(client|review|homework) (\d+)\b",
                    lambda m: f"{m[1]} {label(_PLACE_NOUNS[m[1]], int(m[2])) or '?'}",
                    value,
                )
            out[column] = value
        return json.dumps(out, sort_keys=True, default=str)

    return {
        name: sorted(content(name, row, True) for row in rows)
        for name, rows in tables.items()
        if name != "clinician"
    }


def combined(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    names = {name for part in parts for name in part}
    return {name: sorted(row for part in parts for row in part.get(name, [])) for name in names}


# --- a file to merge, and a database that holds caseloads already ----------------------


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Tables:
    """`build_export`'s caseload (amendments, a draft with new goals, a PHQ-9, an
    archived client) plus process notes and kept words naming ids, exported with the
    process notes; the file's tables, as JSON text gives them back."""
    folder = tmp_path_factory.mktemp("merge-source")
    build_export(folder)
    db = Database(folder / "source.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, USER)
        h2 = find_client(s, me, "H2")
        assert h2.id is not None
        value = list_values(s, me, h2.id)[0].id
        draft = s.execute(select(col(Review.id)).where(col(Review.client_id) == h2.id)).scalar_one()
        save_process_note(s, me, draft, f"a hunch {HOSTILE}")
        task = s.execute(text("SELECT id FROM assignment WHERE client_id = :c"), {"c": h2.id})
        task_id = task.scalars().first()
        form = {"form": {"title": "Read", "value_id": value}, "bigger": [{"value_id": value}]}
        keep_typing(s, me, f"review goal for homework {task_id}", form, "Read", client_id=h2.id)
        keep_typing(s, me, "homework 999999 of review 98765", {}, "gone", client_id=h2.id)
        data = export_json(s, me, None, process_notes=True)
    db.dispose()
    parsed: Tables = json.loads(json_text(data))["tables"]
    return parsed


def _file(tables: Tables) -> dict[str, Any]:
    from hwtui.data import revisions

    return {
        "format": "hwtui-export",
        "version": 1,
        "schema": revisions.head_revision(),
        "exported_at": "2026-11-25T12:00:00+00:00",
        "clinician": "dr_elsewhere",
        "tables": copy.deepcopy(tables),
    }


@pytest.fixture
def shared(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Iterator[Database]:
    """A database with a colleague's caseload (one of its codes, H1, is in the file) and
    two clients of USER's own, so that the file's ids are all taken."""
    db = migrated_sqlite(tmp_path / "shared.sqlite3")
    with db.write() as s:
        colleague = ensure_clinician(s, COLLEAGUE)
        me = ensure_clinician(s, USER)
    for who, codes in ((colleague, ["H1", "Z1", "Z2"]), (me, ["K1", "K2"])):
        for code in codes:
            client_id = add_client(db, who, code, values=["rest", "work"])
            tasks = [add_assignment(db, who, client_id, f"task {n} of {code}") for n in range(6)]
            for _ in range(3):
                add_completed_review(db, who, client_id, TODAY, dict.fromkeys(tasks, "done"))
    yield db
    db.dispose()


def _caseload(db: Database, username: str) -> Tables:
    with db.write() as s:
        me = ensure_clinician(s, username)
        return dict(export_json(s, me, None, process_notes=True)["tables"])


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            name: s.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


# --- merging -----------------------------------------------------------------------------


def test_merging_keeps_my_clients_and_adds_the_files_with_every_link(
    shared: Database, source: Tables
) -> None:
    mine, theirs = _caseload(shared, USER), _caseload(shared, COLLEAGUE)
    stats = merge_json(shared, _file(source), username=USER)
    assert stats.clients == len(source["client"])
    assert stats.tables["clinician"] == 0  # USER's row was there
    after = _caseload(shared, USER)
    assert canonical(after) == combined(canonical(mine), canonical(source))
    # Not by the comparison's grace: the file's ids were all taken.
    assert {row["id"] for row in source["client"]} <= {row["id"] for row in mine["client"]} | {
        row["id"] for row in theirs["client"]
    }
    assert _caseload(shared, COLLEAGUE) == theirs
    assert after["clinician"] == mine["clinician"]


def test_ids_inside_kept_words_and_draft_goals_follow_their_rows(
    shared: Database, source: Tables
) -> None:
    merge_json(shared, _file(source), username=USER)
    with shared.read() as s:
        me = ensure_clinician(s, USER)
        h2 = find_client(s, me, "H2")
        assert h2.id is not None
        value = list_values(s, me, h2.id)[0].id
        draft = s.execute(select(Review).where(col(Review.client_id) == h2.id)).scalar_one()
        task = s.execute(text("SELECT id FROM assignment WHERE client_id = :c"), {"c": h2.id})
        task_id = task.scalars().first()
        kept = {row.text: row for row in s.execute(select(UnsavedInput)).scalars()}
    [goal] = draft.draft_goals
    assert (goal["parent_id"], goal["value_id"]) == (task_id, value)
    assert kept["Read"].place == f"review goal for homework {task_id}"
    assert kept["Read"].fields["form"]["value_id"] == value
    assert kept["Read"].fields["bigger"] == [{"value_id": value}]
    # Ids the file does not hold would name someone else's rows: they name none.
    assert kept["gone"].place == "homework ? of review ?"


def test_merging_into_a_new_database_makes_my_clinician_row_from_the_file(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database], source: Tables
) -> None:
    db = migrated_sqlite(tmp_path / "new.sqlite3")
    try:
        stats = merge_json(db, _file(source), username="dr_new")
        with db.read() as s:
            row = s.execute(text("SELECT username, display_name FROM clinician")).one()
        assert stats.tables["clinician"] == 1
        assert tuple(row) == ("dr_new", source["clinician"][0]["display_name"])
        assert canonical(_caseload(db, "dr_new")) == canonical(source)
    finally:
        db.dispose()


def test_the_import_is_audited_with_the_new_ids(shared: Database, source: Tables) -> None:
    before = last_event_id(shared)
    merge_json(shared, _file(source), username=USER)
    [event] = events_after(shared, before)
    assert (event.action, event.entity, event.entity_id, event.os_user) == (
        "import",
        "caseload",
        None,
        USER,
    )
    assert event.detail.startswith(f"format=json mode=merge clients={len(source['client'])} ")
    assert event.detail.endswith(" from=dr_elsewhere")
    # One client: the event names it, by the id it has now.
    one = _file(source)
    keep = next(row for row in one["tables"]["client"] if row["code"] == "H2")
    one["tables"] = _only_client(one["tables"], keep["id"])
    before = last_event_id(shared)
    with shared.write() as s:  # out of the way: H2 is in the caseload now
        s.execute(text("UPDATE client SET code = 'H2-old' WHERE code = 'H2'"))
    merge_json(shared, one, username=USER)
    [event] = events_after(shared, before)
    with shared.read() as s:
        new_id = find_client(s, ensure_clinician(s, USER), "H2").id
    assert (event.entity, event.entity_id, event.client_id) == ("client", new_id, new_id)


def _only_client(tables: Tables, client_id: int) -> Tables:
    """The tables of a whole-caseload file cut down to one client's rows."""
    meta = SQLModel.metadata.tables
    kept: dict[str, set[int]] = {"client": {client_id}}
    out: Tables = {"clinician": tables["clinician"]}
    for name, rows in tables.items():
        if name == "clinician":
            continue
        keys = [
            (fk.parent.name, fk.column.table.name)
            for fk in meta[name].foreign_keys
            if fk.column.table.name not in ("clinician", name)
        ]
        out[name] = [
            row
            for row in rows
            if (name == "client" and row["id"] == client_id)
            or (
                name != "client"
                and all(row[c] is None or row[c] in kept.get(t, set()) for c, t in keys)
                and any(row[c] is not None for c, _t in keys)
            )
        ]
        kept[name] = {row["id"] for row in out[name]}
    return out


# --- refusals ----------------------------------------------------------------------------


def test_a_code_in_my_caseload_refuses_the_file_and_writes_nothing(
    shared: Database, source: Tables
) -> None:
    with shared.write() as s:
        me = ensure_clinician(s, USER)
    add_client(shared, me, "H2")
    add_client(shared, me, "C0001")
    counts = _counts(shared)
    with pytest.raises(CodesTaken) as refused:
        merge_json(shared, _file(source), username=USER)
    # In the file's order; the colleague's H1 is no clash.
    assert refused.value.codes == ["C0001", "H2"]
    assert "2 client codes of the file are in your caseload already" in str(refused.value)
    assert _counts(shared) == counts  # not even an audit event


def test_merging_the_same_file_twice_is_refused_the_second_time(
    shared: Database, source: Tables
) -> None:
    merge_json(shared, _file(source), username=USER)
    counts = _counts(shared)
    with pytest.raises(CodesTaken) as refused:
        merge_json(shared, _file(source), username=USER)
    assert sorted(refused.value.codes) == sorted(row["code"] for row in source["client"])
    assert _counts(shared) == counts


def test_hostile_text_survives_as_data(shared: Database, source: Tables) -> None:
    data = _file(source)
    tables = data["tables"]
    sql = "Robert'); DROP TABLE client; --"
    tables["client"][0]["display_name"] = HOSTILE
    tables["client_value"][0]["text"] = sql
    for row, markup in zip(tables["assignment"], MARKUP_LIKE, strict=False):
        row["title"] = f"{markup} review 1 homework 2"  # not a place: left as typed
    outcome = tables["task_outcome"][0]
    outcome["factor_notes"] = {"thinking": HOSTILE}
    merge_json(shared, data, username=USER)
    with shared.read() as s:
        names = set(s.execute(text("SELECT display_name FROM client")).scalars())
        values = set(s.execute(text("SELECT text FROM client_value")).scalars())
        titles = set(s.execute(text("SELECT title FROM assignment")).scalars())
        notes = list(s.execute(text("SELECT factor_notes FROM task_outcome")).scalars())
    assert HOSTILE_CLEAN in names
    assert sql in values
    assert {f"{m} review 1 homework 2" for m in MARKUP_LIKE} <= titles
    assert any(json.loads(n) == {"thinking": HOSTILE_CLEAN} for n in notes if n != "{}")


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hwtui.data.services.identity.os_username", lambda: USER)


def _write(tables: Tables, path: Path) -> Path:
    path.write_text(json.dumps(_file(tables)))
    return path


@pytest.mark.usefixtures("as_user")
def test_the_command_adds_the_file_to_my_caseload(
    shared: Database,
    source: Tables,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = _write(source, tmp_path / "caseload.json")
    assert main(["import", str(file), "--merge", "--db", str(shared.path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"added {len(source['client'])} clients, ")
    assert "to your caseload" in out.splitlines()[0]
    # Without --merge, the database is not empty: the refusal says what to run instead.
    assert main(["import", str(file), "--db", str(shared.path)]) == 1
    assert "hwtui import FILE --merge" in capsys.readouterr().err


@pytest.mark.usefixtures("as_user")
def test_the_command_lists_taken_codes_one_per_line(
    shared: Database,
    source: Tables,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    many = copy.deepcopy(source)
    template = many["client"][0]
    many["client"] = [
        {**template, "id": 1000 + n, "code": f"K{n}", "display_name": f"K{n}"} for n in range(25)
    ]
    many.update({name: [] for name in many if name not in ("clinician", "client")})
    with shared.write() as s:
        me = ensure_clinician(s, USER)
    for n in range(3, 25):  # K1 and K2 are USER's already
        add_client(shared, me, f"K{n}")
    del many["client"][0]  # K0 is free
    counts = _counts(shared)
    file = _write(many, tmp_path / "many.json")
    assert main(["import", str(file), "--merge", "--db", str(shared.path)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0] == (
        "hwtui: 24 client codes of the file are in your caseload already; nothing was "
        "imported (was the file merged before?)"
    )
    assert lines[1:] == [f"  K{n}" for n in range(1, 21)] + ["  ... and 4 more"]
    assert captured.out == ""
    assert _counts(shared) == counts


@pytest.mark.usefixtures("as_user")
def test_a_merge_needs_a_database_that_is_there(
    tmp_path: Path, source: Tables, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _write(source, tmp_path / "caseload.json")
    missing = tmp_path / "typo.sqlite3"
    assert main(["import", str(file), "--merge", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert not missing.exists()


def test_draft_starts_still_work_after_a_merge(shared: Database, source: Tables) -> None:
    """The app's unique keys hold: one draft per client (H2 has its draft from the file)."""
    merge_json(shared, _file(source), username=USER)
    with shared.write() as s:
        me: Actor = ensure_clinician(s, USER)
        h2 = find_client(s, me, "H2")
        assert h2.id is not None
        again = start_review(s, me, h2.id, TODAY)  # resumes the file's draft
        drafts = s.execute(
            select(func.count()).where(
                col(Review.client_id) == h2.id, col(Review.status) == "draft"
            )
        ).scalar_one()
    assert again.id is not None
    assert drafts == 1
