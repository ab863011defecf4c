"""The handout's PDF: one page however much homework there is (smaller text first, then
the last tasks left out with a line that says so), and letters in any script drawn, or
said not to be."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.handout_pdf import CONTINUED, MISSING, render_pdf
from tests.conftest import TODAY

LONG = (
    "Walk to the end of the road and back, noticing five things you can see, four you "
    "can hear and three you can feel, then write one line about how it went "
)


def handout(tasks: int, words: str = LONG, name: str = "Hana O") -> Handout:
    return Handout(
        1,
        name,
        TODAY,
        date(2026, 12, 2),
        tuple(
            HandoutTask(
                n,
                title=f"Task {n}: {words[:60]}",
                what=words * 2,
                when="every evening after dinner, before the news",
                where="the park by the river, or the street if it rains",
                how_often="daily",
                how_long="20 minutes",
                value="health and being there for my family",
                supports=("Walk for an hour on Sundays",),
                plans=("If you might forget, then set a phone alarm.",),
                confidence=7,
                due=date(2026, 12, 1),
            )
            for n in range(1, tasks + 1)
        ),
        "Went to the party and stayed an hour",
        TODAY,
    )


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("tasks", [1, 4, 16, 40])
def test_one_page_with_any_number_of_long_tasks(tasks: int) -> None:
    shown = pages(render_pdf(handout(tasks)))
    assert len(shown) == 1
    text = flat(shown[0])
    assert "Your homework, Hana O" in text
    assert "Task 1:" in text
    assert "Bring this to your next session" in text  # the end is on the page
    if tasks >= 16:
        # Too many to print at the smallest size: the rest are named as left out.
        assert flat(CONTINUED) in text
        assert f"Task {tasks}:" not in text
    else:
        assert flat(CONTINUED) not in text
        assert f"Task {tasks}:" in text


def test_chinese_japanese_and_korean_are_drawn() -> None:
    words = "漢字かな交じり文 한국어 中文"
    data = render_pdf(handout(2, words, name="山田 花子"))
    text = flat(pages(data)[0])
    assert "山田 花子" in text
    assert words in text
    assert flat(MISSING) not in text
    assert b"DroidSansFallback" in data  # the fallback's letters are embedded


def test_letters_no_font_has_are_said_to_be_missing() -> None:
    data = render_pdf(handout(1, "Walk \U0001f6b6 with Sam ", name="Hana O"))
    text = flat(pages(data)[0])
    assert "Walk" in text
    assert flat(MISSING) in text


def test_latin_only_handouts_do_not_load_the_fallback() -> None:
    data = render_pdf(handout(2))
    assert b"DroidSansFallback" not in data
    assert flat(MISSING) not in flat(pages(data)[0])
