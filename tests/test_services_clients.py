"""Clients: create, edit, archive, values, and the caseload boundary between clinicians."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest
from sqlmodel import func, select

from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.models import Client, ClientValue
from hwtui.data.services.assignments import create_assignment, get_assignment
from hwtui.data.services.clients import (
    archive_client,
    create_client,
    find_client,
    get_client,
    get_value,
    list_values,
    set_values,
    update_client,
)
from hwtui.data.services.identity import Actor
from tests.helpers import HOSTILE, HOSTILE_CLEAN, MARKUP_LIKE, Attempt, add_client, rejection


def test_create_client_stores_cleaned_fields_and_values(db: Database, me: Actor) -> None:
    with db.write() as s:
        client = create_client(
            s,
            me,
            code="  C-01 ",
            display_name="Ana\n Smith",
            values=["being a present parent", "   ", "health"],
            review_interval_days=14,
        )
    assert client.id is not None
    with db.read() as s:
        stored = get_client(s, me, client.id)
        values = list_values(s, me, client.id)
    assert (stored.code, stored.display_name) == ("C-01", "Ana Smith")
    assert stored.clinician_id == me.clinician_id
    assert stored.review_interval_days == 14
    assert stored.archived_at is None
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == UTC.utcoffset(None)
    # The blank value is dropped; the order given is kept.
    assert [(v.text, v.position) for v in values] == [
        ("being a present parent", 0),
        ("health", 1),
    ]


def test_find_client_by_code(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "K7")
    with db.read() as s:
        assert find_client(s, me, "K7").id == client_id
        with pytest.raises(NotFound, match="K8"):
            find_client(s, me, "K8")


def test_update_client_changes_only_what_was_given(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", display_name="Ana", review_interval_days=7)
    with db.read() as s:
        before = get_client(s, me, client_id).updated_at
    with db.write() as s:
        update_client(s, me, client_id, display_name="Ana B.", review_interval_days=21)
    with db.read() as s:
        client = get_client(s, me, client_id)
    assert (client.code, client.display_name, client.review_interval_days) == (
        "C01",
        "Ana B.",
        21,
    )
    assert client.updated_at >= before


def test_update_client_keeps_own_code_and_rejects_unknown_fields(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01")
    with db.write() as s:
        assert update_client(s, me, client_id, code="C01").code == "C01"
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        update_client(s, me, client_id, clinician_id=99)
    assert excinfo.value.for_field("clinician_id") == "is not a field hwtui knows"


def test_duplicate_code_is_a_field_problem(db: Database, me: Actor) -> None:
    add_client(db, me, "C01")
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        create_client(s, me, code="C01", display_name="Someone else")
    assert [p.field for p in excinfo.value.problems] == ["code"]
    assert "already used" in (excinfo.value.for_field("code") or "")
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Client)).one() == 1


def test_update_to_a_code_in_use_is_rejected(db: Database, me: Actor) -> None:
    add_client(db, me, "C01")
    second = add_client(db, me, "C02")
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        update_client(s, me, second, code="C01")
    assert excinfo.value.for_field("code") is not None
    with db.read() as s:
        assert get_client(s, me, second).code == "C02"


def test_same_code_for_another_clinician_is_fine(db: Database, me: Actor, other: Actor) -> None:
    mine = add_client(db, me, "C01")
    theirs = add_client(db, other, "C01")
    assert mine != theirs
    with db.read() as s:
        assert find_client(s, me, "C01").id == mine
        assert find_client(s, other, "C01").id == theirs


def test_client_validation_names_the_field(db: Database, me: Actor) -> None:
    ok = {"code": "C1", "display_name": "A"}
    cases: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
        "empty code": (ok | {"code": ""}, [("code", "is required")]),
        "code of controls": (ok | {"code": " \x1b "}, [("code", "is required")]),
        "blank name": (ok | {"display_name": "   "}, [("display_name", "is required")]),
        "long code": (
            ok | {"code": "X" * 21},
            [("code", "is too long (21 characters; the limit is 20)")],
        ),
        "interval 0": (
            ok | {"review_interval_days": 0},
            [("review_interval_days", "must be at least 1 (got 0)")],
        ),
        "long value": (
            ok | {"values": ["v" * 201]},
            [("values", "is too long (201 characters; the limit is 200)")],
        ),
    }
    got = {name: rejection(db, create_client, me, **fields) for name, (fields, _) in cases.items()}
    assert got == {name: expected for name, (_, expected) in cases.items()}
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Client)).one() == 0


def test_name_message_uses_plain_words(db: Database, me: Actor) -> None:
    with pytest.raises(InvalidInput, match=r"^name is required$"), db.write() as s:
        create_client(s, me, code="C01", display_name="")


def test_control_characters_are_stripped_and_markup_kept(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C\x1b[1m01", display_name=HOSTILE, values=list(MARKUP_LIKE))
    with db.read() as s:
        client = get_client(s, me, client_id)
        values = [v.text for v in list_values(s, me, client_id)]
    assert client.code == "C[1m01"
    assert client.display_name == HOSTILE_CLEAN
    assert values == list(MARKUP_LIKE)


def test_archive_client_is_idempotent(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01")
    with db.write() as s:
        first = archive_client(s, me, client_id).archived_at
    assert first is not None
    with db.write() as s:
        assert archive_client(s, me, client_id).archived_at == first
    with db.read() as s:
        assert get_client(s, me, client_id).archived_at == first


def test_set_values_archives_removed_values_and_keeps_links(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "C01", values=["family", "health"])
    with db.read() as s:
        family, health = list_values(s, me, client_id)
    with db.write() as s:
        linked = create_assignment(s, me, client_id, title="Walk", value_id=health.id)
    with db.write() as s:
        values = set_values(s, me, client_id, ["work", "family"])
    assert [(v.text, v.position) for v in values] == [("work", 0), ("family", 1)]
    assert values[1].id == family.id  # kept, not recreated
    with db.read() as s:
        archived = s.get(ClientValue, health.id)
        assert archived is not None
        assert archived.archived_at is not None
        assert linked.id is not None
        assert get_assignment(s, me, linked.id).value_id == health.id
        # Still reachable by id, so the homework that links it can name it.
        assert health.id is not None
        assert get_value(s, me, health.id).text == "health"


def test_another_clinician_cannot_reach_my_client(db: Database, me: Actor, other: Actor) -> None:
    client_id = add_client(db, me, "C01", display_name="Ana", values=["family"])
    with db.read() as s:
        (family,) = list_values(s, me, client_id)
    assert family.id is not None
    value_id = family.id
    attempts: list[Attempt] = [
        lambda s: get_client(s, other, client_id),
        lambda s: update_client(s, other, client_id, display_name="Hijacked"),
        lambda s: archive_client(s, other, client_id),
        lambda s: list_values(s, other, client_id),
        lambda s: set_values(s, other, client_id, ["x"]),
        lambda s: get_value(s, other, value_id),
        lambda s: get_value(s, me, 987654),
        lambda s: find_client(s, other, "C01"),
        lambda s: create_assignment(s, other, client_id, title="Sneaky"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), db.write() as s:
            attempt(s)
    with db.read() as s:
        client = get_client(s, me, client_id)
        assert client.display_name == "Ana"
        assert client.archived_at is None
        assert [v.text for v in list_values(s, me, client_id)] == ["family"]


def test_unknown_client_is_not_found(db: Database, me: Actor) -> None:
    with pytest.raises(NotFound, match="12345"), db.read() as s:
        get_client(s, me, 12345)


def test_the_same_value_twice_is_kept_once(db: Database, me: Actor) -> None:
    from hwtui.data.services.clients import list_values

    client_id = add_client(db, me, values=["health", "Health ", "family", "health"])
    with db.read() as s:
        assert [v.text for v in list_values(s, me, client_id)] == ["health", "family"]
