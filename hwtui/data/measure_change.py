"""Change in an outcome measure: against the previous score and the first, reliable or
not, and clinically significant where the instrument has a cutoff.

Jacobson & Truax (1991): a change is *reliable* when it is larger than the instrument's
measurement error (the figure in `catalog.ChangeRule.reliable`), and *clinically
significant* when it is a reliable improvement that also crosses from the clinical into
the non-clinical range. The first score is the baseline; the previous one says what
happened since the last session, which is what a clinician acts on today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from hwtui.data.catalog import ChangeRule

Direction = Literal["improved", "deteriorated"]


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    day: date


@dataclass(frozen=True, slots=True)
class Step:
    """A move from one earlier score to now."""

    since: Score
    delta: int  # now minus then, in the instrument's own direction (not "better")
    reliable: Direction | None


@dataclass(frozen=True, slots=True)
class Change:
    current: int
    previous: Step | None
    first: Step | None  # None when the first score is the previous one, or there is none
    clinically_significant: bool
    rule: ChangeRule

    @property
    def deteriorated(self) -> bool:
        """A reliable deterioration since the last score or the baseline: to be looked
        at before new homework is set."""
        return any(
            s is not None and s.reliable == "deteriorated" for s in (self.previous, self.first)
        )

    def describe(self) -> str:
        """In words, e.g. "previous 17 (20 Nov 2026): -5, a reliable deterioration"."""
        parts = []
        for label, step in (("previous", self.previous), ("first", self.first)):
            if step is None:
                continue
            text = f"{label} {step.since.total} ({step.since.day:%d %b %Y}): {step.delta:+d}"
            if step.reliable == "improved":
                text += ", a reliable improvement"
            elif step.reliable == "deteriorated":
                text += ", a reliable deterioration"
            parts.append(text)
        if self.clinically_significant:
            parts.append("clinically significant improvement since the first score")
        return "; ".join(parts)


def _step(rule: ChangeRule, since: Score, current: int) -> Step:
    delta = current - since.total
    better = delta if rule.higher_is_better else -delta
    reliable: Direction | None = None
    if abs(delta) >= rule.reliable:
        reliable = "improved" if better > 0 else "deteriorated"
    return Step(since, delta, reliable)


def _clinical(rule: ChangeRule, total: int) -> bool:
    assert rule.cutoff is not None
    return total < rule.cutoff if rule.higher_is_better else total >= rule.cutoff


def measure_change(rule: ChangeRule, earlier: list[Score], current: int) -> Change | None:
    """The change from *earlier* scores (oldest first, before this one) to *current*;
    None without an earlier score."""
    if not earlier:
        return None
    previous = _step(rule, earlier[-1], current)
    first = _step(rule, earlier[0], current) if len(earlier) > 1 else None
    baseline = first or previous
    significant = (
        rule.cutoff is not None
        and baseline.reliable == "improved"
        and _clinical(rule, baseline.since.total)
        and not _clinical(rule, current)
    )
    return Change(current, previous, first, significant, rule)
