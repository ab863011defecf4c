"""The handout's calendar file: read back by icalendar and by vobject (with dateutil's
rrule expanding the occurrences), for every frequency the library offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from hwtui.data import catalog
from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.handout_ics import make_calendar, needs_time, task_uid

LONDON = ZoneInfo("Europe/London")
MADE = date(2026, 11, 25)  # a Wednesday
NEXT = date(2026, 12, 2)  # the next session, a week later
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
# Days the events may fall on: from the day after the handout to the day before the session.
PERIOD = [MADE + timedelta(days=n) for n in range(1, 7)]


def handout(*tasks: HandoutTask) -> Handout:
    return Handout(1, "Ana", MADE, NEXT, tasks)


def occurrences(data: bytes) -> dict[str, list[datetime]]:
    """Every event's start times, per UID, expanded by vobject and dateutil."""
    cal = vobject.readOne(data.decode("utf-8"))
    found: dict[str, list[datetime]] = {}
    for event in cal.vevent_list:
        found[event.uid.value] = list(event.getrruleset(addRDate=True) or [event.dtstart.value])
    return found


# Every frequency of the library's kinds, and those "make smaller" writes: what each gives
# between Thu 26 Nov and Tue 01 Dec (6 days) at 19:00.
EXPECTED: dict[str, list[date]] = {
    "daily": PERIOD,
    "when it happens, up to once a day": PERIOD,
    "2-3 times a week": [date(2026, 11, 26), date(2026, 11, 30)],  # Thu, Mon
    "3 times a week": [date(2026, 11, 27), date(2026, 11, 30)],  # Mon/Wed/Fri: Fri, Mon
    "once": [date(2026, 11, 26)],
    "3 times before the real one": [date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 30)],
    "when triggered": [date(2026, 11, 26)],
    "once, reviewed weekly": [date(2026, 11, 26)],
    "whenever you notice one": [date(2026, 11, 26)],
    "as agreed": [date(2026, 11, 26)],
    "on 3 days a week": [date(2026, 11, 27), date(2026, 11, 30)],
    "twice a week": [date(2026, 11, 26), date(2026, 11, 30)],
    "once a week": [date(2026, 11, 30)],
    "every other day": [date(2026, 11, 26), date(2026, 11, 28), date(2026, 11, 30)],
}


def test_every_library_frequency_is_covered() -> None:
    assert {k.frequency for k in catalog.HOMEWORK_KINDS} <= set(EXPECTED)


@pytest.mark.parametrize("often", sorted(EXPECTED))
def test_occurrences_for_each_frequency(often: str) -> None:
    task = HandoutTask(7, "Practise", when="", how_often=often, due=None)
    data = make_calendar(handout(task), at=time(19, 0), now=NOW, zone=LONDON)
    [starts] = occurrences(data).values()
    assert [s.date() for s in starts] == EXPECTED[often]
    assert all(s.timetz().replace(tzinfo=None) == time(19, 0) for s in starts)
    assert all(s.utcoffset() == timedelta(0) for s in starts)  # London in winter
    # icalendar reads it back too: one event, the UID, the stamp and the reminder.
    cal = Calendar.from_ical(data)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == task_uid(task)
    assert event["DTSTAMP"].dt == NOW
    assert str(cal["PRODID"]) == "-//hwtui//client handout//EN"
    [alarm] = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == -timedelta(minutes=10)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_weekdays_and_time_come_from_when() -> None:
    task = HandoutTask(
        3, "Walk", when="Tuesday and Friday evenings at 6.30pm", how_often="twice a week"
    )
    [starts] = occurrences(make_calendar(handout(task), now=NOW, zone=LONDON)).values()
    assert [(s.date(), s.time()) for s in starts] == [
        (date(2026, 11, 27), time(18, 30)),
        (date(2026, 12, 1), time(18, 30)),
    ]


def test_a_due_day_is_an_all_day_event_and_uids_are_stable() -> None:
    task = HandoutTask(9, "Letter", when="at 9pm", how_often="once", due=date(2026, 11, 30))
    first = make_calendar(handout(task), now=NOW, zone=LONDON)
    again = make_calendar(handout(task), now=NOW + timedelta(days=3), zone=LONDON)
    found = occurrences(first)
    assert set(found) == {"assignment-9@handout.hwtui", "assignment-9-due@handout.hwtui"}
    assert set(occurrences(again)) == set(found)
    due = next(e for e in Calendar.from_ical(first).walk("VEVENT") if "due" in str(e["UID"]))
    assert due["DTSTART"].dt == date(2026, 11, 30)


def test_a_vague_time_must_be_chosen_first() -> None:
    vague = HandoutTask(1, "Journal", when="whenever there is time", how_often="daily")
    timed = HandoutTask(2, "Walk", when="every night at 10pm", how_often="daily")
    sheet = handout(vague, timed)
    assert needs_time(sheet) == [vague]
    with pytest.raises(ValueError, match="“Journal”"):
        make_calendar(sheet, now=NOW, zone=LONDON)
    # A time chosen for the vague task only; the other keeps its own.
    data = make_calendar(sheet, {1: time(8, 15)}, now=NOW, zone=LONDON)
    starts = occurrences(data)
    assert starts["assignment-1@handout.hwtui"][0].time() == time(8, 15)
    assert starts["assignment-2@handout.hwtui"][0].time() == time(22, 0)


def test_hostile_words_are_cleaned_and_floating_times_without_a_zone() -> None:
    words = "[@click=app.quit]x[/] \x1b]52;c;AAAA\x07 مريم 漢字"
    task = HandoutTask(1, words, what=words, where=words, when="at 7am", how_often="daily")
    data = make_calendar(handout(task), now=NOW, zone=None)
    assert b"\x1b" not in data
    assert b"\x07" not in data
    event = Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "[@click=app.quit]x[/] ]52;c;AAAA مريم 漢字"
    assert event["DTSTART"].dt.tzinfo is None  # floating: the client's own clock
    assert not Calendar.from_ical(data).walk("VTIMEZONE")
    [starts] = occurrences(data).values()
    assert len(starts) == 6
