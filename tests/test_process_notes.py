"""Process notes (issue 22): the clinician's private notes on a session, apart from the
record. The service (scoped to my own clients, cleaned, every read and change audited
without the words), `Practice`, and a planted string searched for in every output of the
data core and the command line: progress notes in every style and format, `hwtui note`,
exports without `--process-notes` (absent) and with it (present), the audit log; and the
import of a file that has them. The screens are tests/test_app_process_notes.py."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel, col, func, select

from hwtui.cli import main
from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError, InvalidInput, NotFound
from hwtui.data.export import export_json, json_text
from hwtui.data.export_csv import export_csv
from hwtui.data.export_plan import NOT_EXPORTED, Link, plan
from hwtui.data.import_file import import_json
from hwtui.data.inputs import TEXT_MAX
from hwtui.data.lease import Holder
from hwtui.data.models import ProcessNote
from hwtui.data.notes import NoteStyle, render_markdown, render_text, to_dict
from hwtui.data.practice import Practice
from hwtui.data.services.identity import Actor, ensure_clinician, os_username
from hwtui.data.services.notes import note_for, save_note
from hwtui.data.services.process_notes import process_note, save_process_note
from hwtui.data.services.reviews import amend_review, sign_review
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

PLANTED = "PLANTED-PROCESS-7f3a"
WIN = "Walked to the corner twice"


def plant(db: Database, me: Actor, code: str = "PN1") -> tuple[int, int]:
    """A client of *me* with a signed review whose process notes hold PLANTED; a second
    client's review has notes too (so a one-client export has something to leave out).
    Returns the first client's id and review id."""
    client_id = add_client(db, me, code, display_name="Pat N", values=["health"])
    walk = add_assignment(db, me, client_id, "Walk", when="after lunch")
    gym = add_assignment(db, me, client_id, "Gym")
    review_id = add_completed_review(
        db,
        me,
        client_id,
        TODAY,
        {walk: "done", gym: "not_done"},
        win_text=WIN,
        goals=[{"title": "Drive to the gym", "parent_id": gym, "confidence": 8}],
    )
    other_client = add_client(db, me, f"{code}X", display_name="Quinn X")
    other_review = add_completed_review(db, me, other_client, TODAY, {}, win_text="rested")
    with db.write() as s:
        sign_review(s, me, review_id, assessment="Engaged; avoidance is the pattern.")
        save_process_note(s, me, review_id, f"Countertransference: {PLANTED}\nhunch: shame")
        save_process_note(s, me, other_review, f"Other client {PLANTED}-X")
    return client_id, review_id


@pytest.fixture
def planted(db: Database, me: Actor) -> tuple[int, int]:
    return plant(db, me)


def _notes(db: Database) -> list[ProcessNote]:
    with db.read() as s:
        return list(s.exec(select(ProcessNote).order_by(col(ProcessNote.id))))


# --- The service ---------------------------------------------------------------------------


def test_notes_are_stored_cleaned_and_read_back(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    review_id = add_completed_review(db, me, client_id, TODAY)
    typed = f"  {HOSTILE}\n{MARKUP_LIKE[2]}\r\n\tindented [TODO]\n\n"
    with db.write() as s:
        saved = save_process_note(s, me, review_id, typed)
    expected = f"{HOSTILE_CLEAN}\n{MARKUP_LIKE[2]}\n\tindented [TODO]"
    assert saved.text == expected
    with db.write() as s:
        shown = process_note(s, me, review_id)
    assert (shown.text, shown.review_id, shown.client_id) == (expected, review_id, client_id)
    assert shown.client_code == "C01"
    assert shown.updated_at is not None
    [row] = _notes(db)
    assert (row.text, row.clinician_id, row.client_id) == (expected, me.clinician_id, client_id)


def test_a_review_without_notes_reads_as_empty(db: Database, me: Actor) -> None:
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    with db.write() as s:
        view = process_note(s, me, review_id)
    assert (view.text, view.updated_at) == ("", None)
    assert _notes(db) == []


def test_every_read_and_change_is_audited_without_the_words(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    review_id = add_completed_review(db, me, client_id, TODAY)
    before = last_event_id(db)
    for deed in (
        lambda s: save_process_note(s, me, review_id, f"first {PLANTED}"),
        lambda s: process_note(s, me, review_id),
        lambda s: save_process_note(s, me, review_id, f"second {PLANTED}"),
        lambda s: save_process_note(s, me, review_id, f"second {PLANTED}"),  # no change
        lambda s: save_process_note(s, me, review_id, " \n\t "),
        lambda s: process_note(s, me, review_id),
        lambda s: save_process_note(s, me, review_id, ""),  # nothing to delete
    ):
        with db.write() as s:
            deed(s)
    events = events_after(db, before)
    assert [(e.action, e.entity, e.entity_id, e.client_id) for e in events] == [
        ("create", "process_note", review_id, client_id),
        ("view", "process_note", review_id, client_id),
        ("update", "process_note", review_id, client_id),
        ("delete", "process_note", review_id, client_id),
        ("view", "process_note", review_id, client_id),
    ]
    assert {e.os_user for e in events} == {me.username}
    assert all(PLANTED not in e.detail for e in events)


def test_empty_text_deletes_the_notes(db: Database, me: Actor) -> None:
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    with db.write() as s:
        save_process_note(s, me, review_id, "something")
    assert len(_notes(db)) == 1
    with db.write() as s:
        view = save_process_note(s, me, review_id, "\n  \x1b\x07 \n")  # nothing but blanks
    assert (view.text, view.updated_at) == ("", None)
    assert _notes(db) == []


def test_another_clinician_can_neither_read_nor_change_them(
    db: Database, me: Actor, other: Actor
) -> None:
    """Scoped by the service on either backend (PostgreSQL's row-level security is
    tests/test_pg_rls.py's): another clinician's review is not found."""
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    with db.write() as s:
        save_process_note(s, me, review_id, f"mine {PLANTED}")
    before = last_event_id(db)
    for attempt in (
        lambda s: process_note(s, other, review_id),
        lambda s: save_process_note(s, other, review_id, "overwritten"),
        lambda s: save_process_note(s, other, review_id, ""),
    ):
        with db.write() as s, pytest.raises(NotFound, match=f"no review with id {review_id}"):
            attempt(s)
    assert [row.text for row in _notes(db)] == [f"mine {PLANTED}"]
    assert events_after(db, before) == []
    # Their own review's notes are theirs, and mine stay apart.
    theirs = add_completed_review(db, other, add_client(db, other, "T1"), TODAY)
    with db.write() as s:
        save_process_note(s, other, theirs, "theirs")
        assert process_note(s, other, theirs).text == "theirs"
        assert process_note(s, me, review_id).text == f"mine {PLANTED}"
        with pytest.raises(NotFound):
            process_note(s, me, theirs)


def test_an_amendment_shares_the_sessions_notes(db: Database, me: Actor) -> None:
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    with db.write() as s:
        save_process_note(s, me, review_id, "before signing")
        sign_review(s, me, review_id, assessment="Engaged.")
        amendment = amend_review(s, me, review_id, "typo in the win").id
    assert amendment is not None
    with db.write() as s:
        view = process_note(s, me, amendment)
        assert (view.text, view.review_id) == ("before signing", review_id)
        save_process_note(s, me, amendment, "after amending")
        assert process_note(s, me, review_id).text == "after amending"
    assert [(row.review_id, row.text) for row in _notes(db)] == [(review_id, "after amending")]


def test_too_long_notes_are_refused_and_the_stored_ones_kept(db: Database, me: Actor) -> None:
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    with db.write() as s:
        save_process_note(s, me, review_id, "kept")
    with db.write() as s, pytest.raises(InvalidInput, match="text is too long") as caught:
        save_process_note(s, me, review_id, "x" * (TEXT_MAX + 1))
    assert caught.value.for_field("text") == (
        f"is too long ({TEXT_MAX + 1} characters; the limit is {TEXT_MAX})"
    )
    assert [row.text for row in _notes(db)] == ["kept"]


def test_practice_reads_and_saves_them_each_in_one_audited_transaction(
    db: Database, me: Actor
) -> None:
    review_id = add_completed_review(db, me, add_client(db, me), TODAY)
    practice = Practice(lambda: db, me, lambda: TODAY, Holder.this_process())
    before = last_event_id(db)
    assert practice.process_note(review_id).text == ""
    assert practice.save_process_note(review_id, f"{HOSTILE} noted").text == (
        f"{HOSTILE_CLEAN} noted"
    )
    assert practice.process_note(review_id).text == f"{HOSTILE_CLEAN} noted"
    assert [e.action for e in events_after(db, before)] == ["view", "create", "view"]


# --- Never in a progress note ----------------------------------------------------------------


def test_no_progress_note_holds_them(
    db: Database, me: Actor, planted: tuple[int, int], tmp_path: Path
) -> None:
    _client_id, review_id = planted
    with db.write() as s:
        for style in NoteStyle:
            note = note_for(s, me, review_id, style)
            outputs = [render_text(note), render_markdown(note), json.dumps(to_dict(note))]
            for output in outputs:
                assert WIN in output  # the note is all there...
                assert PLANTED not in output  # ...but for the process notes
        saved = save_note(s, me, review_id, tmp_path / "note.md")
    assert PLANTED not in saved.read_text()
    practice = Practice(lambda: db, me, lambda: TODAY, Holder.this_process())
    record = practice.record_view(review_id)
    assert WIN in record.note
    assert PLANTED not in record.note


@pytest.fixture
def cli_practice(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Path:
    """An SQLite file with the planted notes, for the OS user (the command line's)."""
    path = tmp_path / "cli.sqlite3"
    db = migrated_sqlite(path)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
    plant(db, me)
    db.dispose()
    return path


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


@pytest.mark.parametrize("style", ["dap", "soap", "birp"])
def test_hwtui_note_never_prints_them(
    cli_practice: Path, capsys: pytest.CaptureFixture[str], style: str
) -> None:
    for fmt in ("text", "markdown", "json"):
        out, err = _cli(
            capsys, "note", "PN1", "--style", style, "--format", fmt, "--db", str(cli_practice)
        )
        assert WIN in out, (style, fmt)
        assert PLANTED not in out + err, (style, fmt)


# --- Exports: absent unless asked for ------------------------------------------------------


def test_the_plan_adds_them_only_when_asked() -> None:
    assert "process_note" in NOT_EXPORTED
    assert "process_note" not in {link.table for link in plan()}
    links = {link.table: link for link in plan(private=True)}
    assert links["process_note"] == Link("process_note", "client_id", "client", "id", True)
    assert set(links) - {link.table for link in plan()} == {"process_note"}


@pytest.mark.parametrize("scope", ["caseload", "client"])
def test_a_json_export_holds_them_only_with_the_flag(
    db: Database, me: Actor, planted: tuple[int, int], scope: str
) -> None:
    client_id, review_id = planted
    chosen = client_id if scope == "client" else None
    before = last_event_id(db)
    with db.write() as s:
        without = json_text(export_json(s, me, chosen))
    with db.write() as s:
        data = export_json(s, me, chosen, process_notes=True)
    assert PLANTED not in without
    assert "process_note" not in json.loads(without)["tables"]
    text = json_text(data)
    assert PLANTED in text
    rows = data["tables"]["process_note"]
    if scope == "client":
        assert [(r["review_id"], r["client_id"]) for r in rows] == [(review_id, client_id)]
        assert f"{PLANTED}-X" not in text  # the other client's stay home
    else:
        assert len(rows) == 2
    # Everything else is what the export without them holds.
    rest = {k: v for k, v in data["tables"].items() if k != "process_note"}
    assert rest == json.loads(without)["tables"]
    details = [e.detail for e in events_after(db, before)]
    assert "process_notes" not in details[0]
    assert details[1].endswith(f" process_notes={len(rows)}")


@pytest.mark.parametrize("out_name", ["folder", "export.zip"])
def test_a_csv_export_holds_them_only_with_the_flag(
    db: Database, me: Actor, planted: tuple[int, int], tmp_path: Path, out_name: str
) -> None:
    def files(out: Path) -> dict[str, str]:
        if out.suffix == ".zip":
            with zipfile.ZipFile(out) as zf:
                return {name: zf.read(name).decode("utf-8") for name in zf.namelist()}
        return {f.name: f.read_text(encoding="utf-8") for f in out.iterdir()}

    before = last_event_id(db)
    with db.write() as s:
        plain = export_csv(s, me, None, tmp_path / f"a-{out_name}")
    with db.write() as s:
        private = export_csv(s, me, None, tmp_path / f"b-{out_name}", process_notes=True)
    without, with_notes = files(plain.path), files(private.path)
    assert "process_note.csv" not in without
    assert not any(PLANTED in text for text in without.values())
    assert set(with_notes) - set(without) == {"process_note.csv"}
    assert PLANTED in with_notes["process_note.csv"]
    assert not any(PLANTED in t for n, t in with_notes.items() if n != "process_note.csv")
    assert private.tables["process_note"] == 2
    details = [e.detail for e in events_after(db, before)]
    assert details[0].startswith("format=csv")
    assert "process_notes" not in details[0]
    assert details[1].startswith("format=csv")
    assert details[1].endswith(" process_notes=2")


def test_hwtui_export_asks_for_them_by_their_own_flag(
    cli_practice: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(cli_practice)
    outputs: dict[str, str] = {}
    for name, argv in {
        "client": ["export", "PN1", "--db", db],
        "all": ["export", "--all", "--db", db],
        "all to a file": ["export", "--all", "--db", db, "--out", str(tmp_path / "all.json")],
        "csv": ["export", "--all", "--format", "csv", "--db", db, "--out", str(tmp_path / "c")],
        "zip": ["export", "PN1", "--format", "csv", "--db", db, "--out", str(tmp_path / "z.zip")],
    }.items():
        out, err = _cli(capsys, *argv)
        outputs[name] = out + err
        assert "process note" not in err, name
    outputs["file"] = (tmp_path / "all.json").read_text()
    outputs.update({f"csv {f.name}": f.read_text() for f in (tmp_path / "c").iterdir()})
    with zipfile.ZipFile(tmp_path / "z.zip") as zf:
        outputs.update({f"zip {n}": zf.read(n).decode() for n in zf.namelist()})
    assert outputs["client"].startswith("{")  # the JSON itself, searched below
    assert [name for name, text in outputs.items() if PLANTED in text] == []

    out, err = _cli(capsys, "export", "PN1", "--process-notes", "--db", db)
    assert json.loads(out)["tables"]["process_note"][0]["text"].endswith(f"{PLANTED}\nhunch: shame")
    assert err.splitlines()[0] == (
        "hwtui: the export includes 1 private process note(s): keep it apart from the record"
    )
    csv_out = tmp_path / "with"
    _cli(
        capsys,
        "export",
        "--all",
        "--format",
        "csv",
        "--process-notes",
        "--db",
        db,
        "--out",
        str(csv_out),
    )
    assert PLANTED in (csv_out / "process_note.csv").read_text()
    # The audit log says which exports held them, and never holds the words.
    out, _err = _cli(capsys, "audit", "tail", "-n", "50", "--db", db)
    exports = [line for line in out.splitlines() if "  export  " in line]
    assert len(exports) == 7
    assert [
        line.endswith(" process_notes=1") or line.endswith(" process_notes=2") for line in exports
    ] == [False] * 5 + [True] * 2
    assert PLANTED not in out


# --- Import ------------------------------------------------------------------------------------


def _new_db(path: Path) -> Database:
    target = Database(path)
    migrate.upgrade(target)
    return target


def test_an_export_with_them_is_imported_with_them(
    db: Database, me: Actor, planted: tuple[int, int], tmp_path: Path
) -> None:
    _client_id, review_id = planted
    with db.write() as s:
        data = json.loads(json_text(export_json(s, me, None, process_notes=True)))
    target = _new_db(tmp_path / "restored.sqlite3")
    stats = import_json(target, data, username=me.username)
    assert stats.tables["process_note"] == 2
    with target.write() as s:
        there = ensure_clinician(s, me.username)
        assert PLANTED in process_note(s, there, review_id).text
        again = export_json(s, there, None, process_notes=True)
    assert again["tables"] == data["tables"]
    target.dispose()


def test_an_export_without_them_is_imported_without_them(
    db: Database, me: Actor, planted: tuple[int, int], tmp_path: Path
) -> None:
    with db.write() as s:
        data = json.loads(json_text(export_json(s, me, None)))
    target = _new_db(tmp_path / "restored.sqlite3")
    stats = import_json(target, data, username=me.username)
    assert "process_note" not in stats.tables
    with target.read() as s:
        assert s.exec(select(func.count()).select_from(ProcessNote)).one() == 0
    target.dispose()


def _tampered(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    change(data["tables"]["process_note"][0])
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda row: row.update(review_id=999),
            "process_note, id 1, review_id: refers to review 999",
        ),
        (
            lambda row: row.update(text=7),
            "process_note, id 1, text: must be text, not the number 7",
        ),
        (lambda row: row.update(text="x" * (TEXT_MAX + 1)), "text: is too long"),
        (lambda row: row.pop("text"), "process_note, id 1: lacks text"),
    ],
)
def test_import_checks_their_rows_like_every_other(
    sqlite_db: Database, tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with sqlite_db.write() as s:
        me = ensure_clinician(s, "dr_test")
    plant(sqlite_db, me)
    with sqlite_db.write() as s:
        data = json.loads(json_text(export_json(s, me, None, process_notes=True)))
    target = _new_db(tmp_path / "target.sqlite3")
    before = last_event_id(target)
    with pytest.raises(HwtuiError, match="nothing was imported") as caught:
        import_json(target, _tampered(data, change), username="dr_test")
    assert message in str(caught.value)
    assert events_after(target, before) == []
    target.dispose()


def test_import_refuses_notes_on_an_amendment(sqlite_db: Database, tmp_path: Path) -> None:
    """hwtui keeps a session's notes on its first version and looks for them there."""
    with sqlite_db.write() as s:
        me = ensure_clinician(s, "dr_test")
    _client_id, review_id = plant(sqlite_db, me)
    with sqlite_db.write() as s:
        amendment = amend_review(s, me, review_id, "typo").id
        data = json.loads(json_text(export_json(s, me, None, process_notes=True)))
    row = next(r for r in data["tables"]["process_note"] if r["review_id"] == review_id)
    row["review_id"] = amendment
    target = _new_db(tmp_path / "target.sqlite3")
    with pytest.raises(HwtuiError, match=f"review {amendment} is an amendment"):
        import_json(target, data, username="dr_test")
    target.dispose()


def test_every_table_but_theirs_and_the_audit_log_is_free_of_them(
    db: Database, planted: tuple[int, int]
) -> None:
    """The words live in one table: nothing else a future export, view or note could
    read holds a copy (the audit log records that they were read, never what they say)."""
    with db.read() as s:
        conn = s.connection()
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "process_note":
                continue
            for row in conn.execute(select(table)):
                assert PLANTED not in repr(tuple(row)), table.name
