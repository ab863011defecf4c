"""Times as a person reads them: in the display zone, with the zone named.

hwtui stores every time as aware UTC (`models.UtcDateTime`), and its machine formats
(`hwtui export` JSON and CSV, a note's JSON) keep UTC in ISO 8601. What a person reads —
a screen, a printed or saved note, `hwtui audit tail`, a message — shows the time in the
display zone, named by its abbreviation ("06 Nov 2026 09:03 EST"), so that a note read
next year in another office still says when.

The display zone is the `time_zone` setting (an IANA name, `use_zone`), else the
server's local zone: TZ, else /etc/localtime, as `datetime.astimezone()` reads them.
Each time is converted with the offset in force at that instant, so a summer time
reads "BST" and a winter one "GMT" from the same zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The configured zone; None: the server's local zone (looked up at each call, so TZ
# changed and `time.tzset()`-ed later is followed).
_zone: ZoneInfo | None = None


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone *name* ("Europe/London"); ValueError, in one sentence, otherwise."""
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError, OSError):
        pass
    raise ValueError(
        f"unknown time zone {name!a}: give an IANA name, such as Europe/London or "
        "America/New_York (`timedatectl list-timezones` lists them)"
    )


def use_zone(name: str | None) -> None:
    """Show times in the zone *name* (the `time_zone` setting); None: the server's zone."""
    global _zone
    _zone = zone_named(name) if name is not None else None


def display_zone() -> tzinfo | None:
    """The zone set with `use_zone`; None when times follow the server's local zone."""
    return _zone


def local(at: datetime) -> datetime:
    """*at* (aware) in the display zone."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime given to local_time: hwtui's times are aware UTC")
    return at.astimezone(_zone)


def local_date(at: datetime) -> date:
    """The display zone's calendar day at the instant *at*."""
    return local(at).date()


def today() -> date:
    """The clinic's calendar day now: in the display zone, as its times are shown. A
    server kept on UTC would otherwise start a New York practice's evening reviews on
    the next day's date and call tomorrow's homework due today."""
    return local_date(datetime.now(UTC))


def zone_label(at: datetime) -> str:
    """The zone's abbreviation at the instant *at* ("EST", "EDT", "IST"); for zones whose
    abbreviation is only an offset ("-03", "+0545"), the offset from UTC ("UTC-03",
    "UTC+05:45")."""
    shown = local(at)
    name = shown.tzname() or ""
    if name[:1].isalpha():
        return name
    return _utc_offset(shown.utcoffset() or timedelta(0))


def stamp(at: datetime) -> str:
    """Day and time, zone named: "06 Nov 2026 14:03 GMT"."""
    return f"{local(at):%d %b %Y %H:%M} {zone_label(at)}"


def clock(at: datetime, *, seconds: bool = False) -> str:
    """Time of day, zone named: "14:03 GMT", or "14:03:05 GMT" with *seconds*."""
    return f"{local(at):{'%H:%M:%S' if seconds else '%H:%M'}} {zone_label(at)}"


def log_stamp(at: datetime) -> str:
    """Year first, to the second, zone named, for lines read in order (`hwtui audit
    tail`): "2026-11-06 14:03:05 GMT"."""
    return f"{local(at):%Y-%m-%d %H:%M:%S} {zone_label(at)}"


def _utc_offset(offset: timedelta) -> str:
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours:02d}" + (f":{minutes:02d}" if minutes else "")
