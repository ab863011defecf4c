"""Export and import: complete, scoped to my caseload, round-tripping every row on both
backends (and across them), refusing what it cannot restore, and CSV for reading."""

from __future__ import annotations

import copy
import csv
import io
import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func, select
from sqlmodel import SQLModel

from hwtui.data import migrate
from hwtui.data import revisions as schema_revisions
from hwtui.data.db import Database
from hwtui.data.demo import generate
from hwtui.data.errors import HwtuiError, NotFound
from hwtui.data.export import export_json, json_text
from hwtui.data.export_csv import export_csv
from hwtui.data.export_plan import Link, plan
from hwtui.data.import_file import check_import, import_json
from hwtui.data.services import audit
from hwtui.data.services.clients import archive_client, create_client, find_client
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import amend_review, save_draft, sign_review, start_review
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

# The audit trail, and process notes (private, not part of the record: 45 CFR 164.501).
EXPORTED = sorted(set(SQLModel.metadata.tables) - {"audit_event", "audit_head", "process_note"})
# Text a CSV or JSON writer could get wrong, besides the escape sequences.
AWKWARD = 'line one\nline two\twith a tab, "quotes", a comma; ünïcødé ✓ and \\ backslash'
AWKWARD_LINE = '"quoted", a comma; ünïcødé ✓ and \\ backslash'


def _rows(db: Database, names: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row (all columns, typed) of the named tables, ordered by primary key."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as s:
        for name in names:
            table = SQLModel.metadata.tables[name]
            query = select(table).order_by(*table.primary_key.columns)
            out[name] = [tuple(row) for row in s.connection().execute(query)]
    return out


def _export(db: Database, me: Actor, client_id: int | None = None) -> dict[str, Any]:
    with db.write() as s:
        data = export_json(s, me, client_id)
    # Through text, as a file would be: whatever survives is what JSON can hold.
    parsed: dict[str, Any] = json.loads(json_text(data))
    return parsed


def _new_db(url: str) -> Database:
    target = Database(url)
    migrate.upgrade(target)
    return target


@pytest.fixture
def target(empty_db_url: str) -> Iterator[Database]:
    """A second, empty database at head, on either backend."""
    database = _new_db(empty_db_url)
    yield database
    database.dispose()


@pytest.fixture
def practice(db: Database, me: Actor) -> Actor:
    """A demo caseload plus hand-made rows with hostile and awkward text, a signed review
    and its amendment, a draft, an archived client and a measure outside any review."""
    generate(db, clinician=me.username, clients=4, weeks=6, seed=23, today=TODAY)
    client_id = add_client(
        db, me, "H1", display_name=HOSTILE + " [b]x[/b]", values=[*MARKUP_LIKE, AWKWARD_LINE]
    )
    walk = add_assignment(
        db, me, client_id, HOSTILE, what=AWKWARD, when="[TODO]", obstacles=["forgot"]
    )
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"}, win_text=AWKWARD)
    with db.write() as s:
        sign_review(s, me, review_id, assessment="Engaged; homework reviewed.")
        amend_review(s, me, review_id, "typo in the win")
        record_measure(s, me, client_id, "phq9", [1, 2, 0, 1, 3, 0, 1, 2, 1])
        other = create_client(s, me, code="H2", display_name="Quiet one")
        assert other.id is not None
        draft = start_review(s, me, other.id, TODAY)
        assert draft.id is not None
        save_draft(s, me, draft.id, win_text=MARKUP_LIKE[2])
        archive_client(s, me, other.id)
    return me


# --- Round trip ---------------------------------------------------------------------------


def test_export_import_round_trip_gives_back_every_row(
    db: Database, practice: Actor, target: Database
) -> None:
    """On each backend and across them (SQLite -> PostgreSQL is how a practice moves)."""
    data = _export(db, practice)
    assert sorted(data["tables"]) == EXPORTED
    stats = import_json(target, data, username=practice.username)
    assert _rows(target, EXPORTED) == _rows(db, EXPORTED)
    assert stats.remapped_from is None
    assert stats.clients == 6
    assert stats.tables == {name: len(rows) for name, rows in data["tables"].items()}
    # The hostile text went through as the cleaned text it was stored as.
    with target.read() as s:
        me_there = ensure_clinician(s, practice.username)
        assert find_client(s, me_there, "H1").display_name.startswith(HOSTILE_CLEAN)


def _renumber(data: dict[str, Any], name: str, old: int, new: int) -> None:
    """Give row *old* of table *name* the id *new*, and every reference to it too."""
    for table, rows in data["tables"].items():
        for fk in SQLModel.metadata.tables[table].foreign_keys:
            if fk.column.table.name == name:
                for row in rows:
                    if row[fk.parent.name] == old:
                        row[fk.parent.name] = new
    for row in data["tables"][name]:
        if row["id"] == old:
            row["id"] = new
    if name == "assignment":
        for review in data["tables"]["review"]:
            for goal in review["draft_goals"]:
                if goal["parent_id"] == old:
                    goal["parent_id"] = new


def test_rows_referring_to_rows_with_higher_ids_are_restored(
    db: Database, practice: Actor, target: Database
) -> None:
    """Ids say nothing about the order rows were made in: an amended review or a goal's
    parent with a higher id than the row referring to it goes in first."""
    data = _export(db, practice)
    tables = data["tables"]
    amendment = next(r for r in tables["review"] if r["amends_id"] is not None)
    child = next(r for r in tables["assignment"] if r["parent_id"] is not None)
    _renumber(data, "review", amendment["amends_id"], 90_000)
    _renumber(data, "assignment", child["parent_id"], 90_000)
    import_json(target, copy.deepcopy(data), username=practice.username)
    with target.write() as s:
        me_there = ensure_clinician(s, practice.username)
    restored = _export(target, me_there)["tables"]
    assert restored == {name: sorted(rows, key=lambda r: r["id"]) for name, rows in tables.items()}


def test_the_restored_database_keeps_working(
    db: Database, practice: Actor, target: Database
) -> None:
    """New rows get new ids (PostgreSQL sequences moved past the imported ones), and the
    audit trail starts with the import."""
    data = _export(db, practice)
    before = last_event_id(target)
    import_json(target, data, username=practice.username)
    assert [(e.action, e.entity, e.os_user) for e in events_after(target, before)] == [
        ("import", "caseload", practice.username)
    ]
    highest = max(row["id"] for row in data["tables"]["client"])
    with target.write() as s:
        me_there = ensure_clinician(s, practice.username)
        new = create_client(s, me_there, code="NEW", display_name="After the move")
        assert new.id is not None
        assert new.id > highest
        assert audit.verify_chain(s).ok


def test_importing_as_another_clinician_maps_every_clinician_reference(
    db: Database, practice: Actor, target: Database
) -> None:
    with target.write() as s:
        ensure_clinician(s, "first_on_server")
        mine = ensure_clinician(s, "dr_new")
    data = _export(db, practice)
    exported_id = data["tables"]["clinician"][0]["id"]
    assert mine.clinician_id != exported_id
    stats = import_json(target, data, username="dr_new")
    assert stats.clinician_id == mine.clinician_id
    assert stats.remapped_from == exported_id
    names = [n for n in EXPORTED if n != "clinician"]
    restored, original = _rows(target, names), _rows(db, names)
    for name in names:
        columns = SQLModel.metadata.tables[name].c.keys()
        who = [i for i, c in enumerate(columns) if c == "clinician_id"]
        for got, was in zip(restored[name], original[name], strict=True):
            assert [v for i, v in enumerate(got) if i not in who] == [
                v for i, v in enumerate(was) if i not in who
            ]
            assert all(got[i] == mine.clinician_id for i in who)
    with target.read() as s:
        assert find_client(s, mine, "H1").clinician_id == mine.clinician_id
        # The row dr_new already had is theirs and stays as it was.
        assert ensure_clinician(s, "dr_new") == mine


def test_a_taken_clinician_id_gives_the_importer_a_new_row(
    db: Database, practice: Actor, target: Database
) -> None:
    with target.write() as s:
        squatter = ensure_clinician(s, "first_on_server")
    data = _export(db, practice)
    exported = data["tables"]["clinician"][0]
    assert squatter.clinician_id == exported["id"]
    stats = import_json(target, data, username=practice.username)
    assert stats.clinician_id != squatter.clinician_id
    with target.read() as s:
        me_there = ensure_clinician(s, practice.username)
    assert me_there.display_name == exported["display_name"]
    assert me_there.clinician_id == stats.clinician_id


# --- Scope --------------------------------------------------------------------------------


@pytest.fixture
def shared(db: Database, me: Actor) -> Actor:
    """My caseload and two colleagues' on the same database."""
    generate(db, clinician=me.username, clients=3, weeks=5, seed=4, today=TODAY, other_clinicians=2)
    return me


def _client_of(data: dict[str, Any]) -> dict[str, dict[int, int]]:
    """For each table, the client each exported row belongs to (worked out here, from the
    rows themselves, not from the export's own rules)."""
    tables = data["tables"]
    review_client = {r["id"]: r["client_id"] for r in tables["review"]}
    assignment_client = {r["id"]: r["client_id"] for r in tables["assignment"]}
    owners: dict[str, dict[int, int]] = {}
    for name, rows in tables.items():
        if name in {"clinician"}:
            continue
        if name == "client":
            owners[name] = {r["id"]: r["id"] for r in rows}
        elif name == "task_outcome":
            owners[name] = {r["id"]: review_client[r["review_id"]] for r in rows}
            assert all(
                assignment_client[r["assignment_id"]] == review_client[r["review_id"]] for r in rows
            )
        else:
            owners[name] = {r["id"]: r["client_id"] for r in rows}
    return owners


def _my_counts(db: Database, me: Actor) -> dict[str, int]:
    """How many rows of each table are mine, counted table by table by hand."""
    t = SQLModel.metadata.tables
    mine = select(t["client"].c.id).where(t["client"].c.clinician_id == me.clinician_id)
    my_reviews = select(t["review"].c.id).where(t["review"].c.client_id.in_(mine))
    conditions = {
        "client": t["client"].c.clinician_id == me.clinician_id,
        **{
            n: t[n].c.client_id.in_(mine)
            for n in ("client_value", "review", "assignment", "measure")
        },
        "task_outcome": t["task_outcome"].c.review_id.in_(my_reviews),
        "unsaved_input": t["unsaved_input"].c.client_id.in_(mine),
    }
    with db.read() as s:
        return {
            name: s.connection()
            .execute(select(func.count()).select_from(t[name]).where(condition))
            .scalar_one()
            for name, condition in conditions.items()
        }


def test_the_caseload_export_is_all_mine_and_only_mine(db: Database, shared: Actor) -> None:
    data = _export(db, shared)
    tables = data["tables"]
    assert data["clinician"] == shared.username
    assert [r["username"] for r in tables["clinician"]] == [shared.username]
    assert {r["clinician_id"] for r in tables["client"]} == {shared.clinician_id}
    assert {r["clinician_id"] for r in tables["review"]} == {shared.clinician_id}
    mine = set(_client_of(data)["client"])
    for name, owners in _client_of(data).items():
        assert set(owners.values()) <= mine, name
    counts = {name: len(rows) for name, rows in tables.items() if name != "clinician"}
    assert counts == _my_counts(db, shared)
    for rows in tables.values():
        ids = [r["id"] for r in rows]
        assert ids == sorted(ids)


def test_a_client_export_holds_that_client_and_nothing_else(db: Database, shared: Actor) -> None:
    with db.read() as s:
        chosen = find_client(s, shared, "C0002")
    assert chosen.id is not None
    data = _export(db, shared, chosen.id)
    tables = data["tables"]
    assert [r["id"] for r in tables["client"]] == [chosen.id]
    assert [r["id"] for r in tables["clinician"]] == [shared.clinician_id]
    for name, owners in _client_of(data).items():
        assert set(owners.values()) <= {chosen.id}, name
    assert tables["review"]
    assert tables["task_outcome"]
    # Everything of that client is there: the caseload export agrees.
    everything = _client_of(_export(db, shared))
    for name, owners in _client_of(data).items():
        assert set(owners) == {i for i, c in everything[name].items() if c == chosen.id}


def test_a_client_export_restores_on_its_own(db: Database, shared: Actor, tmp_path: Path) -> None:
    with db.read() as s:
        client_id = find_client(s, shared, "C0003").id
    data = _export(db, shared, client_id)
    restored = _new_db(tmp_path / "one-client.sqlite3")
    before = last_event_id(restored)
    stats = import_json(restored, data, username=shared.username)
    assert stats.clients == 1
    [event] = events_after(restored, before)
    assert (event.action, event.entity, event.entity_id) == ("import", "client", client_id)
    with restored.write() as s:
        again = export_json(s, ensure_clinician(s, shared.username), client_id)
    assert again["tables"] == data["tables"]
    restored.dispose()


def test_another_clinicians_client_cannot_be_exported(db: Database, shared: Actor) -> None:
    with db.read() as s:
        colleague = ensure_clinician(s, "demo_colleague_1")
        theirs = find_client(s, colleague, "C0001").id
    assert theirs is not None
    with db.write() as s, pytest.raises(NotFound):
        export_json(s, shared, theirs)


def test_exports_are_audited(db: Database, shared: Actor, tmp_path: Path) -> None:
    with db.read() as s:
        client_id = find_client(s, shared, "C0001").id
    before = last_event_id(db)
    _export(db, shared)
    _export(db, shared, client_id)
    with db.write() as s:
        export_csv(s, shared, None, tmp_path / "out")
    events = events_after(db, before)
    assert [(e.action, e.entity, e.entity_id, e.client_id) for e in events] == [
        ("export", "caseload", None, None),
        ("export", "client", client_id, client_id),
        ("export", "caseload", None, None),
    ]
    assert [e.detail.split()[0] for e in events] == ["format=json", "format=json", "format=csv"]
    assert {e.os_user for e in events} == {shared.username}


def test_values_are_plain_json(db: Database, practice: Actor) -> None:
    with db.write() as s:
        data = export_json(s, practice, None)
    json.dumps(data, allow_nan=False)  # raises on anything JSON cannot hold
    review = data["tables"]["review"][0]
    assert isinstance(review["session_date"], str)
    assert review["started_at"].endswith("+00:00")
    assert isinstance(review["skipped"], dict)
    assert data["schema"] == schema_revisions.head_revision()
    assert "\x1b" not in json_text(data)
    assert json_text(data).isascii()


# --- The plan follows the schema ----------------------------------------------------------


def _tiny_schema() -> MetaData:
    meta = MetaData()
    Table("clinician", meta, Column("id", Integer, primary_key=True))
    Table(
        "client",
        meta,
        Column("id", Integer, primary_key=True),
        Column("clinician_id", ForeignKey("clinician.id"), nullable=False),
    )
    Table(
        "review",
        meta,
        Column("id", Integer, primary_key=True),
        Column("clinician_id", ForeignKey("clinician.id"), nullable=False),
        Column("client_id", ForeignKey("client.id"), nullable=False),
        Column("amends_id", ForeignKey("review.id")),
    )
    Table(
        "note",
        meta,
        Column("id", Integer, primary_key=True),
        Column("draft_of", ForeignKey("review.id")),
        Column("review_id", ForeignKey("review.id"), nullable=False),
    )
    Table(
        "note_setting",
        meta,
        Column("id", Integer, primary_key=True),
        Column("clinician_id", ForeignKey("clinician.id"), nullable=False),
    )
    Table("audit_event", meta, Column("id", Integer, primary_key=True))
    return meta


def test_the_plan_places_new_tables_by_their_foreign_keys() -> None:
    links = {link.table: link for link in plan(_tiny_schema())}
    assert links == {
        "clinician": Link("clinician", None, None, None, client_data=False),
        "client": Link("client", "clinician_id", "clinician", "id", client_data=True),
        "review": Link("review", "client_id", "client", "id", client_data=True),
        # The non-null key, not the nullable one that would leave rows unowned.
        "note": Link("note", "review_id", "review", "id", client_data=True),
        "note_setting": Link("note_setting", "clinician_id", "clinician", "id", False),
    }


def test_a_table_linked_to_no_one_is_a_loud_error() -> None:
    meta = _tiny_schema()
    Table("lookup", meta, Column("id", Integer, primary_key=True), Column("word", String))
    with pytest.raises(RuntimeError, match="'lookup' is linked to neither"):
        plan(meta)


def test_every_table_of_the_real_schema_is_exported() -> None:
    assert sorted(link.table for link in plan()) == EXPORTED


@pytest.fixture
def extra_table(sqlite_db: Database) -> Iterator[Table]:
    """A table of client data the exporter has never heard of, as a migration would add."""
    table = Table(
        "test_only_review_attachment",
        SQLModel.metadata,
        Column("id", Integer, primary_key=True),
        Column("review_id", ForeignKey("review.id"), nullable=False),
        Column("caption", String(40), nullable=False),
    )
    try:
        yield table
    finally:
        SQLModel.metadata.remove(table)


def test_a_new_table_is_exported_and_imported_without_changes(
    sqlite_db: Database, extra_table: Table, tmp_path: Path
) -> None:
    with sqlite_db.write() as s:
        me = ensure_clinician(s, "dr_test")
    generate(sqlite_db, clinician="dr_test", clients=2, weeks=3, seed=1, today=TODAY)
    extra_table.create(sqlite_db.engine)
    with sqlite_db.write() as s:
        review_id = s.connection().exec_driver_sql("SELECT min(id) FROM review").scalar_one()
        s.connection().execute(extra_table.insert(), {"review_id": review_id, "caption": "a"})
    data = _export(sqlite_db, me)
    assert data["tables"][extra_table.name] == [{"id": 1, "review_id": review_id, "caption": "a"}]
    restored = _new_db(tmp_path / "restored.sqlite3")
    extra_table.create(restored.engine)
    import_json(restored, data, username="dr_test")
    names = sorted(data["tables"])
    assert _rows(restored, names) == _rows(sqlite_db, names)
    restored.dispose()


# --- What import refuses ------------------------------------------------------------------


def test_import_needs_an_empty_database(db: Database, practice: Actor) -> None:
    data = _export(db, practice)
    before = _rows(db, EXPORTED)
    with pytest.raises(HwtuiError, match=r"import needs an empty database; .* 6 clients"):
        import_json(db, data, username=practice.username)
    assert _rows(db, EXPORTED) == before


@pytest.fixture(scope="module")
def good_export(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One small export, shared by the tests that spoil it in different ways."""
    source = _new_db(tmp_path_factory.mktemp("source") / "source.sqlite3")
    generate(source, clinician="dr_test", clients=2, weeks=3, seed=2, today=TODAY)
    with source.write() as s:
        data = export_json(s, ensure_clinician(s, "dr_test"), None)
    source.dispose()
    parsed: dict[str, Any] = json.loads(json_text(data))
    return parsed


def _broken(change: str) -> Any:
    """Each way a file can be wrong, applied to a copy of a good export."""

    def apply(data: dict[str, Any]) -> Any:
        tables = data["tables"]
        if change == "not an object":
            return [data]
        if change == "format":
            data["format"] = "something-else"
        elif change == "version":
            data["version"] = 2
        elif change == "schema":
            data["schema"] = "0001"
        elif change == "no tables":
            del data["tables"]
        elif change == "unknown table":
            tables["mystery"] = []
        elif change == "missing table":
            del tables["measure"]
        elif change == "missing column":
            del tables["review"][0]["win_text"]
        elif change == "bad date":
            tables["review"][0]["session_date"] = "next tuesday"
        elif change == "naive time":
            tables["review"][0]["started_at"] = "2026-11-25T10:00:00"
        elif change == "text for a number":
            tables["client"][0]["review_interval_days"] = "7"
        elif change == "true for a number":
            tables["measure"][0]["total"] = True
        elif change == "too long":
            tables["client"][0]["code"] = "C" * 500
        elif change == "null required":
            tables["client"][0]["display_name"] = None
        elif change == "two clinicians":
            tables["clinician"].append({**tables["clinician"][0], "id": 99, "username": "x"})
        elif change == "someone else's client":
            tables["client"][0]["clinician_id"] = 99
        elif change == "dangling reference":
            tables["task_outcome"][0]["review_id"] = 999_999
        return data

    return apply


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("not an object", "not an hwtui export"),
        ("format", "not an hwtui export"),
        ("version", "format version 2; this hwtui reads version 1"),
        ("schema", "from database schema '0001' and this hwtui is at"),
        ("no tables", 'has no "tables"'),
        ("unknown table", "tables this hwtui does not know: 'mystery'"),
        ("missing table", "table measure: the file has no list of rows for this table"),
        ("missing column", "table review, id 1: lacks win_text"),
        ("bad date", "table review, id 1, session_date: 'next tuesday' is not in ISO 8601 form"),
        ("naive time", "started_at: '2026-11-25T10:00:00' has no time zone"),
        ("text for a number", "review_interval_days: must be a whole number, not the text '7'"),
        ("true for a number", "total: must be a whole number, not true"),
        ("too long", "code: is too long (500 characters; the limit is 20)"),
        ("null required", "display_name: is empty but required"),
        ("two clinicians", "table clinician: the file holds 2 clinicians; it must hold 1"),
        ("someone else's client", "clinician_id: refers to clinician 99, who is not the one"),
        ("dangling reference", "review_id: refers to review 999999, not in the file"),
    ],
)
def test_import_refuses_a_file_it_cannot_restore(
    good_export: dict[str, Any], tmp_path: Path, change: str, message: str
) -> None:
    target = _new_db(tmp_path / "target.sqlite3")
    data = _broken(change)(copy.deepcopy(good_export))
    with pytest.raises(HwtuiError) as caught:
        import_json(target, data, username="dr_test")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    # All or nothing: the target is as empty as it was.
    assert _rows(target, EXPORTED) == {name: [] for name in EXPORTED}
    target.dispose()


def test_a_failed_import_leaves_nothing_behind(
    db: Database, practice: Actor, target: Database
) -> None:
    """Rows the database refuses half-way through (a key the checks were kept from
    seeing): rolled back on each backend, and said in one line."""
    checked = check_import(_export(db, practice))
    checked.rows["task_outcome"][-1]["review_id"] = 999_999
    with pytest.raises(HwtuiError, match="rows in task_outcome do not fit together"):
        import_json(target, checked, username=practice.username)
    assert _rows(target, EXPORTED) == {name: [] for name in EXPORTED}
    with target.write() as s:  # and the database is usable afterwards
        create_client(s, ensure_clinician(s, "dr_test"), code="C1", display_name="First")


def test_import_cleans_control_characters_out_of_a_tampered_file(
    db: Database, practice: Actor, target: Database
) -> None:
    data = _export(db, practice)
    data["tables"]["client"][0]["display_name"] = HOSTILE
    outcome = data["tables"]["task_outcome"][0]
    outcome["factor_notes"] = {"thinking": HOSTILE}
    outcome["learned"] = f"{HOSTILE}\n{HOSTILE}"
    import_json(target, data, username=practice.username)
    restored = _rows(target, ["client", "task_outcome"])
    names = SQLModel.metadata.tables["client"].c.keys()
    assert restored["client"][0][names.index("display_name")] == HOSTILE_CLEAN
    columns = SQLModel.metadata.tables["task_outcome"].c.keys()
    row = next(r for r in restored["task_outcome"] if r[0] == outcome["id"])
    assert row[columns.index("factor_notes")] == {"thinking": HOSTILE_CLEAN}
    assert row[columns.index("learned")] == f"{HOSTILE_CLEAN}\n{HOSTILE_CLEAN}"


# --- CSV ----------------------------------------------------------------------------------


def _csv_tables(files: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    return {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(text, newline="")))
        for name, text in files.items()
    }


def _check_csv(tables: dict[str, list[dict[str, str]]], data: dict[str, Any]) -> None:
    assert sorted(tables) == EXPORTED
    for name, rows in tables.items():
        assert len(rows) == len(data["tables"][name]), name
        assert [int(r["id"]) for r in rows] == [r["id"] for r in data["tables"][name]]
    # The awkward text survives quoting; JSON columns are JSON text; no value is lost.
    values = {r["text"] for r in tables["client_value"]}
    assert AWKWARD_LINE in values
    assert MARKUP_LIKE[0] in values
    assignment = next(r for r in tables["assignment"] if r["what"] == AWKWARD)
    assert json.loads(assignment["obstacles"]) == ["forgot"]
    assert assignment["rationale_given"] in {"true", "false"}


def test_csv_to_a_folder(db: Database, practice: Actor, tmp_path: Path) -> None:
    out = tmp_path / "export"
    with db.write() as s:
        written = export_csv(s, practice, None, out)
    data = _export(db, practice)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"{name}.csv" for name in EXPORTED]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    _check_csv(_csv_tables({f.name: f.read_text(encoding="utf-8") for f in files}), data)
    assert written.tables == {name: len(rows) for name, rows in data["tables"].items()}


def test_csv_to_a_zip(db: Database, practice: Actor, tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    with db.write() as s:
        export_csv(s, practice, None, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
        files = {i.filename: zf.read(i).decode("utf-8") for i in infos}
    assert {stat.S_IMODE(i.external_attr >> 16) for i in infos} == {0o600}
    _check_csv(_csv_tables(files), _export(db, practice))


def test_csv_of_one_client(db: Database, shared: Actor, tmp_path: Path) -> None:
    with db.read() as s:
        client_id = find_client(s, shared, "C0003").id
    with db.write() as s:
        written = export_csv(s, shared, client_id, tmp_path / "one.zip")
    assert written.tables["client"] == 1
    assert written.tables == {
        name: len(rows) for name, rows in _export(db, shared, client_id)["tables"].items()
    }


@pytest.mark.parametrize("name", ["taken", "taken.zip"])
def test_csv_never_overwrites(db: Database, me: Actor, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    if name.endswith(".zip"):
        out.write_bytes(b"precious")
    else:
        out.mkdir()
        (out / "client.csv").write_text("precious")
    before = last_event_id(db)
    with db.write() as s, pytest.raises(HwtuiError, match="already exists"):
        export_csv(s, me, None, out)
    assert events_after(db, before) == []
    if name.endswith(".zip"):
        assert out.read_bytes() == b"precious"
    else:
        assert [p.name for p in out.iterdir()] == ["client.csv"]


def test_csv_into_a_missing_folder(db: Database, me: Actor, tmp_path: Path) -> None:
    with db.write() as s, pytest.raises(HwtuiError, match="does not exist"):
        export_csv(s, me, None, tmp_path / "nowhere" / "export.zip")
