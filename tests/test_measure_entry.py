"""Quick keyboard entry of measures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hwtui.data.catalog import INSTRUMENTS_BY_CODE
from hwtui.data.measure_entry import parse_items

PHQ9 = INSTRUMENTS_BY_CODE["phq9"]
ORS = INSTRUMENTS_BY_CODE["ors"]


def test_phq9_typed_as_nine_digits_with_item_nine_raising_risk() -> None:
    reading = parse_items(PHQ9, "210312001")
    assert reading.items == [2, 1, 0, 3, 1, 2, 0, 0, 1]
    assert (reading.total, reading.band, reading.risk) == (10, "moderate", True)


def test_ors_needs_separators_and_bands_by_the_cutoff() -> None:
    reading = parse_items(ORS, "7 8, 6;9")
    assert (reading.total, reading.band, reading.risk) == (30, "non-clinical range", False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "type 9"),
        ("21031200", "needs 9 item"),
        ("2103120014", "needs 9 item"),
        ("2 1 0 4 1 2 0 0 1", "item 4 must be 0-3"),
        ("a b c", "whole numbers"),
    ],
)
def test_bad_phq9_entries_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_items(PHQ9, text)


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_any_valid_phq9_round_trips(items: list[int]) -> None:
    reading = parse_items(PHQ9, " ".join(map(str, items)))
    assert reading.items == items
    assert reading.total == sum(items)
    assert reading.risk == (items[8] > 0)
