"""The demo's words are package data: read from the package, and shipped with it."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

from hwtui.data import catalog, demo_words
from hwtui.data.catalog import WinKind

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "hwtui" / "data" / "corpora"


def test_words_cover_every_code_the_demo_draws() -> None:
    words = demo_words.words()
    assert {k.code for k in words.kinds} == set(catalog.KINDS_BY_CODE)
    assert set(words.wins) == set(WinKind)
    assert set(words.factor_notes) == {f.code for f in catalog.FACTORS}
    assert set(words.barrier_notes) == set(words.learned) == set(catalog.BARRIERS_BY_CODE)
    assert all(kind.tasks and kind.whens and kind.wheres for kind in words.kinds)
    assert demo_words.words() is words  # read once


def test_a_code_without_words_fails_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    demo_words.words.cache_clear()
    monkeypatch.setitem(catalog.BARRIERS_BY_CODE, "new_barrier", catalog.BARRIERS[0])
    try:
        with pytest.raises(ValueError, match=r"barrier notes.*new_barrier"):
            demo_words.words()
    finally:
        demo_words.words.cache_clear()


def test_every_corpus_file_is_package_data() -> None:
    """A file the globs in pyproject.toml miss is there in a checkout but not in a wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["hwtui.data"]
    files = sorted(CORPORA.iterdir())
    assert files
    for path in files:
        relative = path.relative_to(ROOT / "hwtui" / "data").as_posix()
        assert any(fnmatch.fnmatch(relative, glob) for glob in globs), relative
