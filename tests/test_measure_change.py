"""Reliable and clinically significant change (Jacobson & Truax), by the catalog's rules."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from hwtui.data.catalog import INSTRUMENTS, INSTRUMENTS_BY_CODE, ChangeRule
from hwtui.data.measure_change import Score, measure_change

ORS = INSTRUMENTS_BY_CODE["ors"].change
PHQ9 = INSTRUMENTS_BY_CODE["phq9"].change
GAD7 = INSTRUMENTS_BY_CODE["gad7"].change


def scores(*totals: int) -> list[Score]:
    return [Score(t, date(2026, 10, 1 + i)) for i, t in enumerate(totals)]


def test_the_catalog_cites_its_figures() -> None:
    assert ORS is not None
    assert PHQ9 is not None
    assert GAD7 is not None
    assert (ORS.reliable, ORS.cutoff, ORS.higher_is_better) == (5, 25, True)
    assert (PHQ9.reliable, PHQ9.cutoff, PHQ9.higher_is_better) == (6, 10, False)
    assert (GAD7.reliable, GAD7.cutoff, GAD7.higher_is_better) == (4, 8, False)
    for spec in INSTRUMENTS:
        if spec.change is not None:
            assert spec.name in spec.change.source
            assert str(spec.change.reliable) in spec.change.source
    # The alliance and SUDS are not outcome measures: no change is claimed for them.
    assert INSTRUMENTS_BY_CODE["srs"].change is None
    assert INSTRUMENTS_BY_CODE["suds"].change is None


def test_an_ors_drop_of_five_is_a_reliable_deterioration() -> None:
    assert ORS is not None
    change = measure_change(ORS, scores(20, 17), 12)
    assert change is not None
    assert change.previous is not None
    assert (change.previous.delta, change.previous.reliable) == (-5, "deteriorated")
    assert change.first is not None
    assert (change.first.delta, change.first.reliable) == (-8, "deteriorated")
    assert change.deteriorated
    assert not change.clinically_significant
    assert change.describe().startswith("previous 17 (02 Oct 2026): -5, a reliable deterioration")


def test_phq9_from_severe_to_mild_is_clinically_significant() -> None:
    assert PHQ9 is not None
    change = measure_change(PHQ9, scores(20, 14), 7)
    assert change is not None
    assert change.first is not None
    assert change.first.reliable == "improved"
    assert change.clinically_significant
    assert "clinically significant improvement" in change.describe()


def test_a_small_move_is_not_reliable_and_a_first_score_has_no_change() -> None:
    assert GAD7 is not None
    change = measure_change(GAD7, scores(12), 9)
    assert change is not None
    assert change.previous is not None
    assert change.previous.reliable is None
    assert change.first is None
    assert not change.deteriorated
    assert measure_change(GAD7, [], 9) is None


rules = st.sampled_from([r for r in (ORS, PHQ9, GAD7) if r is not None])


@given(rules, st.lists(st.integers(0, 40), min_size=1, max_size=6), st.integers(0, 40))
def test_reliable_means_at_least_the_rule_and_significant_means_reliable(
    rule: ChangeRule, earlier: list[int], current: int
) -> None:
    change = measure_change(rule, scores(*earlier), current)
    assert change is not None
    for step in (change.previous, change.first):
        if step is None:
            continue
        assert (step.reliable is not None) == (abs(step.delta) >= rule.reliable)
        assert step.delta == current - step.since.total
    if change.clinically_significant:
        baseline = change.first or change.previous
        assert baseline is not None
        assert baseline.reliable == "improved"
