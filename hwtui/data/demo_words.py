"""The demo's words: names, values, homework, wins and what is said in a review.

They live in `hwtui/data/corpora/*.toml`, shipped in the package, and are read once
(`words()`). Every list keeps its order: the demo picks entries with a seeded
`random.Random`, so the order is part of what a seed gives. The codes they are keyed by
(homework kinds, factors, barriers, win kinds) must match the catalog; `words()` checks
that, so a new code without demo text fails at once rather than halfway through a demo.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hwtui.data import catalog
from hwtui.data.catalog import WinKind


@dataclass(frozen=True, slots=True)
class KindText:
    """Specifics a clinician might write down for one kind of homework."""

    code: str
    tasks: tuple[tuple[str, str], ...]  # (title, what)
    whens: tuple[str, ...]
    wheres: tuple[str, ...]
    how_longs: tuple[str, ...]
    rationales: tuple[str, ...]
    smaller: tuple[str, str, str, str]  # graded-down (title, what, how_often, how_long)
    # Depends on a situation turning up (a panic, an argument), so "no opportunity" is common.
    situational: bool = False
    # Done once and then finished, rather than practised week after week.
    one_off: bool = False


@dataclass(frozen=True, slots=True)
class WinText:
    """The pieces of a win of one kind: opener, core and tail make one sentence or two."""

    openers: tuple[str, ...]
    cores: tuple[str, ...]
    tails: tuple[str, ...]  # "" for a win said plainly


@dataclass(frozen=True, slots=True)
class DemoWords:
    first_names: tuple[str, ...]
    initials: str
    values: tuple[str, ...]
    kinds: tuple[KindText, ...]
    habit_whens: tuple[str, ...]
    vague_how_often: tuple[str, ...]
    wins: Mapping[WinKind, WinText]
    factor_notes: Mapping[str, tuple[str, ...]]
    worked: tuple[str, ...]
    double_down: tuple[str, ...]
    barrier_notes: Mapping[str, tuple[str, ...]]
    learned: Mapping[str, str]
    no_opportunity_note: str
    retire_reasons: tuple[str, ...]
    stuck_reason: str
    habit_reason: str
    replaced_reason: str
    scaling_questions: tuple[str, ...]
    suds_question: str


@functools.cache
def words() -> DemoWords:
    """The demo's words, read from the package once per process."""
    people = _read("people.toml")
    homework = _read("homework.toml")
    wins = _read("wins.toml")
    sessions = _read("sessions.toml")
    loaded = DemoWords(
        first_names=_strings(people, "first_names"),
        initials=_text(people, "initials"),
        values=_strings(people, "values"),
        kinds=tuple(_kind(kind) for kind in _tables(homework, "kind")),
        habit_whens=_strings(homework, "habit_whens"),
        vague_how_often=_strings(homework, "vague_how_often"),
        wins={kind: _win(_table(wins, kind.value)) for kind in WinKind},
        factor_notes=_string_lists(_table(sessions, "factor_notes")),
        worked=_strings(sessions, "worked"),
        double_down=_strings(sessions, "double_down"),
        barrier_notes=_string_lists(_table(sessions, "barrier_notes")),
        learned=_texts(_table(sessions, "learned")),
        no_opportunity_note=_text(sessions, "no_opportunity_note"),
        retire_reasons=_strings(sessions, "retire_reasons"),
        stuck_reason=_text(sessions, "stuck_reason"),
        habit_reason=_text(sessions, "habit_reason"),
        replaced_reason=_text(sessions, "replaced_reason"),
        scaling_questions=_strings(sessions, "scaling_questions"),
        suds_question=_text(sessions, "suds_question"),
    )
    _check_codes(loaded)
    return loaded


def _check_codes(loaded: DemoWords) -> None:
    """Text for every code the demo may draw, and none for codes the catalog lacks."""
    expected = {
        "homework kinds": (set(catalog.KINDS_BY_CODE), [k.code for k in loaded.kinds]),
        "factor notes": ({f.code for f in catalog.FACTORS}, list(loaded.factor_notes)),
        "barrier notes": (set(catalog.BARRIERS_BY_CODE), list(loaded.barrier_notes)),
        "lessons learned": (set(catalog.BARRIERS_BY_CODE), list(loaded.learned)),
    }
    for what, (codes, have) in expected.items():
        if sorted(have) != sorted(codes):
            raise ValueError(
                f"hwtui/data/corpora: the demo's {what} are for {sorted(have)}, "
                f"the catalog has {sorted(codes)}"
            )


def _read(name: str) -> dict[str, Any]:
    text = resources.files("hwtui.data").joinpath("corpora", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _kind(raw: Mapping[str, Any]) -> KindText:
    smaller = _table(raw, "smaller")
    return KindText(
        code=_text(raw, "code"),
        tasks=tuple((_text(t, "title"), _text(t, "what")) for t in _tables(raw, "tasks")),
        whens=_strings(raw, "whens"),
        wheres=_strings(raw, "wheres"),
        how_longs=_strings(raw, "how_longs"),
        rationales=_strings(raw, "rationales"),
        smaller=(
            _text(smaller, "title"),
            _text(smaller, "what"),
            _text(smaller, "how_often"),
            _text(smaller, "how_long"),
        ),
        situational=_flag(raw, "situational"),
        one_off=_flag(raw, "one_off"),
    )


def _win(raw: Mapping[str, Any]) -> WinText:
    return WinText(_strings(raw, "openers"), _strings(raw, "cores"), _strings(raw, "tails"))


# The files are part of hwtui, not outside input; these checks only make a slip in
# editing them fail with the name of the key rather than deep inside a demo.


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise ValueError(f"hwtui/data/corpora: {key!r} should be text")
    return value


def _strings(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"hwtui/data/corpora: {key!r} should be a list of text, not empty")
    return tuple(value)


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"hwtui/data/corpora: {key!r} should be true or false")
    return value


def _table(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"hwtui/data/corpora: [{key}] is missing")
    return value


def _tables(raw: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"hwtui/data/corpora: [[{key}]] is missing")
    return value


def _texts(raw: Mapping[str, Any]) -> dict[str, str]:
    return {key: _text(raw, key) for key in raw}


def _string_lists(raw: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    return {key: _strings(raw, key) for key in raw}
