"""Homework progress as numbers: pure functions over plain values, so they are easy to check
by hand. Counts travel with every rate, so nobody over-reads a tiny sample."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hwtui.data.catalog import OUTCOME_SCORES, Outcome

ROLLING_WINDOW = 4


@dataclass(frozen=True, slots=True)
class Rate:
    """A share of scored tasks: `value` is None when nothing could be scored."""

    value: float | None
    scored: int  # tasks that counted (no opportunity is left out)

    def percent(self) -> str:
        return "n/a" if self.value is None else f"{round(self.value * 100)}%"


def completion(outcomes: Iterable[Outcome | str]) -> Rate:
    """Done = 1, partly = 0.5, not done = 0; no opportunity is left out."""
    scores = [s for s in map(_score, outcomes) if s is not None]
    return Rate(sum(scores) / len(scores) if scores else None, len(scores))


def _score(outcome: Outcome | str) -> float | None:
    # A lookup, not an Outcome made of each: an overview scores hundreds of outcomes.
    # (An Outcome is a str: the same key finds both.) What is no outcome is refused.
    try:
        return OUTCOME_SCORES[outcome]  # type: ignore[index]
    except KeyError:
        return Outcome(outcome).score


def rolling(rates: Sequence[Rate], window: int = ROLLING_WINDOW) -> list[float | None]:
    """Mean of the last *window* reviews' completion, at each review (None until scored).

    Weighted by the tasks each review scored, so a one-task week does not swing it.
    """
    out: list[float | None] = []
    for end in range(1, len(rates) + 1):
        recent = [r for r in rates[max(0, end - window) : end] if r.value is not None]
        scored = sum(r.scored for r in recent)
        total = sum(r.value * r.scored for r in recent if r.value is not None)
        out.append(total / scored if scored else None)
    return out


def pooled(rates: Iterable[Rate]) -> Rate:
    """Several reviews' completion as one, each weighted by the tasks it scored."""
    rates = list(rates)
    scored = sum(r.scored for r in rates if r.value is not None)
    done = sum(r.value * r.scored for r in rates if r.value is not None)
    return Rate(done / scored if scored else None, scored)


def barrier_frequencies(per_review: Iterable[Iterable[str]]) -> list[tuple[str, int]]:
    """How many reviews each barrier code appeared in, most frequent first."""
    counts: Counter[str] = Counter()
    for codes in per_review:
        counts.update(set(codes))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class Contrast:
    """Completion with and without something (e.g. a set time), each with its count."""

    label: str
    with_it: Rate
    without_it: Rate

    def describe(self) -> str:
        return (
            f"{self.label}: {self.with_it.percent()} of {self.with_it.scored} "
            f"vs {self.without_it.percent()} of {self.without_it.scored} without"
        )


def contrast(label: str, outcomes: Iterable[tuple[Outcome | str, bool]]) -> Contrast:
    """Split scored outcomes by a yes/no property and compare completion."""
    pairs = list(outcomes)
    return Contrast(
        label,
        completion(o for o, flag in pairs if flag),
        completion(o for o, flag in pairs if not flag),
    )
