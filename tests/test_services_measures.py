"""Session measures: item counts and ranges per instrument, totals computed, scoping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from hwtui.data.catalog import INSTRUMENTS
from hwtui.data.db import Database
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.models import Measure
from hwtui.data.services.identity import Actor
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import start_review
from tests.conftest import TODAY
from tests.helpers import Attempt, add_client, rejection

# A valid set of items for every instrument, and the total it must store.
VALID = {
    "scaling": ([7], 7),
    "suds": ([65], 65),
    "ors": ([6, 7, 5, 8], 26),
    "srs": ([9, 10, 9, 8], 36),
    "phq9": ([1, 2, 0, 3, 1, 0, 2, 1, 1], 11),
    "gad7": ([3, 3, 2, 1, 0, 0, 3], 12),
}


def test_every_instrument_is_covered() -> None:
    assert set(VALID) == {i.code for i in INSTRUMENTS}


def test_valid_measures_store_items_and_total(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    taken = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    with db.write() as s:
        ids = {
            code: record_measure(s, me, client_id, code, items, taken_at=taken).id
            for code, (items, _total) in VALID.items()
        }
    with db.read() as s:
        stored = {m.instrument: m for m in s.exec(select(Measure).order_by(col(Measure.id)))}
    assert set(stored) == set(VALID)
    for code, (items, total) in VALID.items():
        measure = stored[code]
        assert measure.id == ids[code]
        assert (measure.items, measure.total) == (items, total), code
        assert measure.client_id == client_id
        assert measure.taken_at == taken


def test_bounds_are_inclusive(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        for spec in INSTRUMENTS:
            low = record_measure(s, me, client_id, spec.code, [spec.item_min] * spec.items)
            high = record_measure(s, me, client_id, spec.code, [spec.item_max] * spec.items)
            assert (low.total, high.total) == (spec.items * spec.item_min, spec.total_max)


def test_wrong_item_count_and_range_are_rejected(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    cases: dict[str, tuple[str, list[int], str]] = {
        "scaling 11": ("scaling", [11], "Scaling question score must be 0-10 (got 11)"),
        "scaling -1": ("scaling", [-1], "Scaling question score must be 0-10 (got -1)"),
        "scaling twice": ("scaling", [1, 2], "Scaling question needs 1 item(s), got 2"),
        "suds 101": ("suds", [101], "SUDS score must be 0-100 (got 101)"),
        "ors short": ("ors", [1, 2, 3], "ORS needs 4 item(s), got 3"),
        "ors 11": ("ors", [5, 5, 11, 5], "ORS item 3 must be 0-10 (got 11)"),
        "srs -1": ("srs", [-1, 5, 5, 5], "SRS item 1 must be 0-10 (got -1)"),
        "phq9 short": ("phq9", [0] * 8, "PHQ-9 needs 9 item(s), got 8"),
        "phq9 item 9 is 4": ("phq9", [0] * 8 + [4], "PHQ-9 item 9 must be 0-3 (got 4)"),
        "gad7 long": ("gad7", [0] * 8, "GAD-7 needs 7 item(s), got 8"),
        "gad7 4": ("gad7", [0, 4, 0, 0, 0, 0, 0], "GAD-7 item 2 must be 0-3 (got 4)"),
        "gad7 empty": ("gad7", [], "GAD-7 needs 7 item(s), got 0"),
    }
    assert {code for code, _, _ in cases.values()} == {i.code for i in INSTRUMENTS}
    got = {
        name: rejection(db, record_measure, me, client_id, code, items)
        for name, (code, items, _) in cases.items()
    }
    assert got == {name: [("items", message)] for name, (_, _, message) in cases.items()}
    with db.read() as s:
        assert s.exec(select(Measure)).all() == []


def test_unknown_instrument_and_bad_items(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        record_measure(s, me, client_id, "bdi", [1])
    assert excinfo.value.for_field("instrument") == "unknown measure 'bdi'"
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        record_measure(s, me, client_id, "scaling", ["lots"])  # type: ignore[list-item]
    assert excinfo.value.for_field("items") == "must be a whole number"


def test_question_is_cleaned(db: Database, me: Actor) -> None:
    client_id = add_client(db, me)
    with db.write() as s:
        measure = record_measure(
            s, me, client_id, "scaling", [8], question="How confident\n are you?\x1b[5m [b]"
        )
    assert measure.question == "How confident are you?[5m [b]"


def test_measure_linked_to_a_review(db: Database, me: Actor, other: Actor) -> None:
    client_id = add_client(db, me, "C01")
    second_client = add_client(db, me, "C02")
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
        other_review_id = start_review(s, me, second_client, TODAY).id
        assert review_id is not None
        assert other_review_id is not None
        measure = record_measure(s, me, client_id, "ors", [5, 5, 5, 5], review_id=review_id)
    assert measure.review_id == review_id
    # A review of another client cannot carry this client's measure.
    with pytest.raises(InvalidInput) as excinfo, db.write() as s:
        record_measure(s, me, client_id, "ors", [5, 5, 5, 5], review_id=other_review_id)
    assert excinfo.value.for_field("review_id") == "belongs to another client"
    # Another clinician can neither record for my client nor attach to my review.
    theirs = add_client(db, other, "T01")
    attempts: list[Attempt] = [
        lambda s: record_measure(s, other, client_id, "scaling", [5]),
        lambda s: record_measure(s, other, theirs, "scaling", [5], review_id=review_id),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound), db.write() as s:
            attempt(s)
    with db.read() as s:
        assert [m.id for m in s.exec(select(Measure))] == [measure.id]
