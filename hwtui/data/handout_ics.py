"""The handout as a calendar file (iCalendar, RFC 5545) the client can import.

Each task becomes an event at the time of day agreed ("when"), repeating as agreed
("how often", read by `handout_schedule`) from the day after the handout until the day
before the next session, with a reminder (VALARM) shortly before; a task with a due day
also gets an all-day "done by" event. A task whose "when" names no time of day cannot be
put in a calendar until one is chosen: `needs_time` names them, and `make_calendar`
refuses (ValueError) until each has one (*times*, per assignment, or *at* for all).

UIDs are stable per assignment, so importing a newer handout updates the events rather
than doubling them. Times are in the clinic's display zone (`local_time`: the
`time_zone` setting, else the server's zone) with its VTIMEZONE; when that zone has no
IANA name, times are floating (the client's own clock).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, Timezone, vRecur

from hwtui.data import local_time
from hwtui.data.handout import Handout, HandoutTask
from hwtui.data.handout_schedule import DAY_CODES, Repeat, Schedule, read_schedule
from hwtui.data.handout_text import task_rows
from hwtui.data.text import clean_line

PRODID = "-//hwtui//client handout//EN"
UID_DOMAIN = "handout.hwtui"
REMINDER = timedelta(minutes=10)
DEFAULT_LENGTH = timedelta(minutes=15)
_LENGTH = re.compile(r"\b(\d{1,3})\s*(?:-\s*\d+\s*)?(min|minutes?|mins?|h|hours?|hrs?)\b", re.I)


def task_uid(task: HandoutTask, part: str = "") -> str:
    """The event's UID: the same for an assignment in every handout made from it."""
    return f"assignment-{task.assignment_id}{'-' + part if part else ''}@{UID_DOMAIN}"


def schedule_of(
    task: HandoutTask, times: Mapping[int, time] | None = None, at: time | None = None
) -> Schedule:
    """The task's schedule; a time chosen for it (*times*) or for all (*at*) is used
    only when its "when" names none."""
    chosen = (times or {}).get(task.assignment_id, at)
    return read_schedule(task.when, task.how_often, chosen)


def needs_time(
    handout: Handout, times: Mapping[int, time] | None = None, at: time | None = None
) -> list[HandoutTask]:
    """The tasks that have no time of day yet: ask for one before `make_calendar`."""
    return [t for t in handout.tasks if schedule_of(t, times, at).time is None]


def calendar_zone() -> ZoneInfo | None:
    """The display zone as an IANA zone, if it has a name a calendar can carry."""
    zone = local_time.display_zone()
    if isinstance(zone, ZoneInfo):
        return zone
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        target = os.path.realpath("/etc/localtime")
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    if not name or Path(name).is_absolute():
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        return None


def _length(how_long: str) -> timedelta:
    match = _LENGTH.search(how_long)
    if match is None:
        return DEFAULT_LENGTH
    amount = int(match.group(1))
    minutes = amount * 60 if match.group(2).lower().startswith("h") else amount
    return timedelta(minutes=min(max(minutes, 1), 24 * 60))


def _first_on(start: date, weekdays: tuple[int, ...]) -> date:
    """The first day from *start* that is one of *weekdays* (any day when empty)."""
    if not weekdays:
        return start
    return min(start + timedelta(days=(w - start.weekday()) % 7) for w in weekdays)


def _rule(schedule: Schedule, first: date, last: date, until: datetime | date) -> vRecur | None:
    if schedule.repeat is Repeat.DAILY:
        return vRecur(freq="DAILY", interval=schedule.interval, until=until)
    if schedule.repeat is Repeat.WEEKLY:
        return vRecur(freq="WEEKLY", byday=[DAY_CODES[d] for d in schedule.weekdays], until=until)
    if schedule.repeat is Repeat.SPREAD:
        span = (last - first).days + 1
        count = min(schedule.count, span)
        return vRecur(freq="DAILY", interval=max(1, span // count), count=count)
    return None


def _description(task: HandoutTask) -> str:
    return "\n".join(f"{row.label}: {row.text}" for row in task_rows(task))


def make_calendar(
    handout: Handout,
    times: Mapping[int, time] | None = None,
    at: time | None = None,
    *,
    now: datetime | None = None,
    zone: tzinfo | bool | None = True,
) -> bytes:
    """The handout's tasks as an iCalendar file. *zone*: True for `calendar_zone()`,
    None for floating times, or a zone. ValueError naming the tasks without a time."""
    missing = needs_time(handout, times, at)
    if missing:
        titles = ", ".join(f"“{clean_line(t.title)}”" for t in missing)
        raise ValueError(f"no time of day for {titles}: give one")
    tz = calendar_zone() if zone is True else (zone or None)
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    start = handout.made + timedelta(days=1)
    last = max(start, handout.next_session - timedelta(days=1))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    for task in handout.tasks:
        schedule = schedule_of(task, times, at)
        assert schedule.time is not None
        first = _first_on(start, schedule.weekdays)
        if first > last:
            first = start
        begin = datetime.combine(first, schedule.time, tz)
        end_of_last = datetime.combine(last, time(23, 59, 59), tz)
        until = end_of_last.astimezone(UTC) if tz is not None else end_of_last
        event = Event()
        event.add("uid", task_uid(task))
        event.add("dtstamp", stamp)
        event.add("summary", clean_line(task.title) or "Homework")
        event.add("dtstart", begin)
        event.add("duration", _length(task.how_long))
        if clean_line(task.where):
            event.add("location", clean_line(task.where))
        event.add("description", _description(task))
        rule = _rule(schedule, first, last, until)
        if rule is not None:
            event.add("rrule", rule)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", clean_line(task.title) or "Homework")
        alarm.add("trigger", -REMINDER)
        event.add_component(alarm)
        cal.add_component(event)
        if task.due is not None:
            due = Event()
            due.add("uid", task_uid(task, "due"))
            due.add("dtstamp", stamp)
            due.add("summary", f"Done by today: {clean_line(task.title) or 'homework'}")
            due.add("dtstart", task.due)
            due.add("dtend", task.due + timedelta(days=1))
            due.add("transp", "TRANSPARENT")
            cal.add_component(due)
    if tz is not None:
        # Only the transitions around these weeks: a zone's whole history since 1970 (the
        # default) starts with rules some readers apply to every date (dateutil's tzical
        # read London in December as UTC+1).
        cal.add_component(
            Timezone.from_tzinfo(
                tz,
                tzid=str(getattr(tz, "key", "")) or None,
                first_date=date(handout.made.year - 1, 1, 1),
                last_date=date(handout.next_session.year + 2, 1, 1),
            )
        )
    return bytes(cal.to_ical())
