"""Metrics checked against figures worked out by hand."""

from __future__ import annotations

import pytest

from hwtui.data.metrics import Rate, barrier_frequencies, completion, contrast, rolling


def test_completion_scores_done_partly_not_done_and_leaves_out_no_opportunity() -> None:
    # (1 + 0.5 + 0) / 3 = 0.5; the "no opportunity" task does not count at all.
    rate = completion(["done", "partly", "not_done", "no_opportunity"])
    assert rate == Rate(0.5, 3)
    assert rate.percent() == "50%"


def test_completion_of_nothing_scorable_is_unknown_not_zero() -> None:
    assert completion(["no_opportunity"]) == Rate(None, 0)
    assert completion([]).percent() == "n/a"


def test_rolling_mean_over_four_reviews_weighted_by_tasks() -> None:
    rates = [Rate(1.0, 2), Rate(0.0, 2), Rate(None, 0), Rate(0.5, 4), Rate(1.0, 1), Rate(0.0, 1)]
    out = rolling(rates)
    assert out[0] == 1.0  # 2/2
    assert out[1] == 0.5  # (2 + 0) / 4
    assert out[2] == 0.5  # the unscored review changes nothing
    assert out[3] == pytest.approx((2 + 0 + 2) / 8)  # 0.5
    assert out[4] == pytest.approx((0 + 2 + 1) / 7)  # window is reviews 2..5
    assert out[5] == pytest.approx((2 + 1 + 0) / 6)  # reviews 3..6: 0.5


def test_rolling_is_unknown_until_something_is_scored() -> None:
    assert rolling([Rate(None, 0), Rate(None, 0), Rate(1.0, 1)]) == [None, None, 1.0]


def test_barrier_frequencies_count_reviews_not_mentions() -> None:
    per_review = [["forgot", "forgot", "no_time"], ["forgot"], [], ["too_big", "no_time"]]
    assert barrier_frequencies(per_review) == [("forgot", 2), ("no_time", 2), ("too_big", 1)]


def test_contrast_keeps_the_counts() -> None:
    c = contrast(
        "with a set time",
        [
            ("done", True),
            ("done", True),
            ("not_done", True),
            ("not_done", False),
            ("partly", False),
            ("no_opportunity", False),
        ],
    )
    assert c.with_it == Rate(pytest.approx(2 / 3), 3)  # type: ignore[arg-type]
    assert c.without_it == Rate(0.25, 2)
    assert c.describe() == "with a set time: 67% of 3 vs 25% of 2 without"
