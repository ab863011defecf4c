"""Times as a person reads them (`hwtui.data.local_time`): the display zone, named, with
the offset in force at each instant; stored and machine-read times stay UTC.

The other tests run with the server in UTC (conftest.utc_display_zone); these set other
zones, through the `time_zone` setting or the server's TZ.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hwtui.cli import main
from hwtui.config import load_settings
from hwtui.data import local_time
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.data.models import AuditEvent, Measure
from hwtui.data.notes import build_note, render_markdown, render_text, to_dict
from hwtui.data.services import audit
from hwtui.data.services.identity import ensure_clinician, os_username
from hwtui.data.services.reviews import sign_review
from hwtui.data.services.risk import risk_signals
from hwtui.settings import Settings
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review
from tests.test_notes import SOURCE


def _at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def server_zone() -> Callable[[str], None]:
    """`server_zone(name)`: the server's own zone (TZ), as an administrator sets it."""

    def use(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    return use  # conftest.utc_display_zone puts TZ back


# -- the formatter ---------------------------------------------------------------------------

CASES = [
    # New York, the spring change (02:00 EST → 03:00 EDT, 8 Mar 2026).
    ("America/New_York", _at(2026, 3, 8, 6, 59), "08 Mar 2026 01:59 EST"),
    ("America/New_York", _at(2026, 3, 8, 7, 0), "08 Mar 2026 03:00 EDT"),
    # ... and the autumn one (02:00 EDT → 01:00 EST, 1 Nov 2026): 01:30 twice, told apart.
    ("America/New_York", _at(2026, 11, 1, 5, 30), "01 Nov 2026 01:30 EDT"),
    ("America/New_York", _at(2026, 11, 1, 6, 30), "01 Nov 2026 01:30 EST"),
    # A late UTC evening is the next morning in India: the day changes too (half-hour offset).
    ("Asia/Kolkata", _at(2026, 11, 6, 14, 3), "06 Nov 2026 19:33 IST"),
    ("Asia/Kolkata", _at(2026, 11, 6, 20, 45), "07 Nov 2026 02:15 IST"),
    ("Europe/London", _at(2026, 11, 6, 14, 3), "06 Nov 2026 14:03 GMT"),
    ("Europe/London", _at(2026, 7, 6, 14, 3), "06 Jul 2026 15:03 BST"),
    ("UTC", _at(2026, 7, 6, 14, 3), "06 Jul 2026 14:03 UTC"),
    # Zones whose abbreviation is only a number: the offset from UTC, said as one.
    ("America/Sao_Paulo", _at(2026, 7, 6, 14, 3), "06 Jul 2026 11:03 UTC-03"),
    ("Asia/Kathmandu", _at(2026, 7, 6, 14, 3), "06 Jul 2026 19:48 UTC+05:45"),
]


@pytest.mark.parametrize(("zone", "at", "shown"), CASES)
def test_a_time_is_shown_in_the_setting_zone_named(zone: str, at: datetime, shown: str) -> None:
    local_time.use_zone(zone)
    assert local_time.stamp(at) == shown
    day, month, year, clock, name = shown.split()
    assert local_time.clock(at) == f"{clock} {name}"
    assert local_time.local_date(at).strftime("%d %b %Y") == f"{day} {month} {year}"


@pytest.mark.parametrize(("zone", "at", "shown"), CASES)
def test_without_a_setting_the_server_zone_is_used(
    zone: str, at: datetime, shown: str, server_zone: Callable[[str], None]
) -> None:
    server_zone(zone)
    assert local_time.display_zone() is None
    assert local_time.stamp(at) == shown


def test_the_setting_wins_over_the_server_zone(server_zone: Callable[[str], None]) -> None:
    server_zone("Asia/Kolkata")
    local_time.use_zone("America/New_York")
    assert local_time.stamp(_at(2026, 11, 6, 14, 3)) == "06 Nov 2026 09:03 EST"
    local_time.use_zone(None)
    assert local_time.stamp(_at(2026, 11, 6, 14, 3)) == "06 Nov 2026 19:33 IST"


def test_today_is_the_clinics_day_not_the_servers(server_zone: Callable[[str], None]) -> None:
    """Fourteen hours ahead of UTC and eleven behind are never on the same day: whatever
    the server's zone (UTC here), today is the setting zone's."""
    server_zone("UTC")
    days = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        local_time.use_zone(zone)
        days[zone] = local_time.today()
        assert days[zone] == datetime.now(ZoneInfo(zone)).date()
    assert days["Pacific/Kiritimati"] > days["Pacific/Pago_Pago"]
    local_time.use_zone(None)
    assert local_time.today() == date.today() == datetime.now(UTC).date()


def test_the_app_and_the_launch_count_days_from_the_clinics_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server_zone: Callable[[str], None]
) -> None:
    from hwtui import launch
    from hwtui.app import build_app

    # A server eleven hours behind UTC, a clinic fourteen ahead: never the same day.
    server_zone("Pacific/Pago_Pago")
    local_time.use_zone("Pacific/Kiritimati")
    db = Database(tmp_path / "hw.sqlite3", create=True)
    from hwtui.data import migrate

    migrate.upgrade(db)
    app = build_app(db, username="dr_zone")
    assert app.today() == local_time.today() != date.today()
    db.dispose()
    # The launch takes the zone from the settings before its first read counts due days,
    # and that read counts them from the clinic's day.
    local_time.use_zone(None)
    monkeypatch.setenv("HWTUI_TIME_ZONE", "Pacific/Kiritimati")
    begun: list[date] = []

    def begin(location: str | None) -> None:
        begun.append(local_time.today())

    monkeypatch.setattr(launch.FirstRead, "begin", begin)
    launch.make_app(str(tmp_path / "hw.sqlite3"))
    assert begun == [datetime.now(ZoneInfo("Pacific/Kiritimati")).date()]
    assert begun != [date.today()]
    seen: list[date] = []
    monkeypatch.setattr(
        "hwtui.data.first_screen.read_first_screen",
        lambda path, user, today: seen.append(today),
    )
    launch.FirstRead(tmp_path / "hw.sqlite3")._read()
    assert seen == begun


def test_a_time_in_another_zone_is_the_same_instant() -> None:
    """Aware times from anywhere are converted, not relabelled."""
    local_time.use_zone("Europe/London")
    india = _at(2026, 11, 6, 14, 3).astimezone(local_time.zone_named("Asia/Kolkata"))
    assert local_time.stamp(india) == "06 Nov 2026 14:03 GMT"


def test_clock_with_seconds_and_the_log_stamp() -> None:
    local_time.use_zone("America/New_York")
    at = _at(2026, 11, 1, 6, 30, 5)
    assert local_time.clock(at, seconds=True) == "01:30:05 EST"
    assert local_time.log_stamp(at) == "2026-11-01 01:30:05 EST"


def test_a_naive_time_is_refused() -> None:
    """hwtui's times are aware UTC; a naive one is a bug, not a local time to guess at."""
    with pytest.raises(ValueError, match="naive"):
        local_time.stamp(datetime(2026, 11, 6, 14, 3))


@pytest.mark.parametrize("name", ["Mars/Base", "", "America", "../etc/passwd", "/etc/localtime"])
def test_an_unknown_zone_is_refused_in_one_sentence(name: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone") as caught:
        local_time.use_zone(name)
    assert "\n" not in str(caught.value)
    assert "IANA" in str(caught.value)
    assert local_time.display_zone() is None


# -- the setting -----------------------------------------------------------------------------


def test_the_setting_from_the_environment_and_the_settings_file(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setenv("HWTUI_TIME_ZONE", "Asia/Kolkata")
    assert load_settings().time_zone == "Asia/Kolkata"
    monkeypatch.delenv("HWTUI_TIME_ZONE")
    toml = Path(os.environ["HWTUI_CONFIG"])
    toml.parent.mkdir(parents=True, exist_ok=True)
    toml.write_text('time_zone = "Europe/London"\n')
    assert Settings().time_zone == "Europe/London"


@pytest.mark.parametrize("value", ["Mars/Base", "EST5EDT\x1b[2J", ""])
def test_a_bad_time_zone_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HWTUI_TIME_ZONE", value)
    with pytest.raises(HwtuiError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("bad setting time_zone: unknown time zone ")
    assert "\n" not in message
    assert "\x1b" not in message  # the value is shown escaped, never acted on


def test_a_bad_time_zone_stops_a_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("HWTUI_TIME_ZONE", "Mars/Base")
    assert main(["note", "C1", "--db", str(tmp_path / "none.sqlite3")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "hwtui: error: bad setting time_zone: unknown time zone 'Mars/Base': give an IANA "
        "name, such as Europe/London or America/New_York (`timedatectl list-timezones` "
        "lists them)"
    ]


# -- notes and the audit tail ----------------------------------------------------------------


def test_a_signed_note_names_its_times_in_the_display_zone() -> None:
    local_time.use_zone("America/New_York")
    note = build_note(SOURCE)  # signed 15:30 UTC, alert acknowledged 14:05 UTC, 25 Nov 2026
    text = render_text(note, width=10_000)
    signed = "Signed by Dr Test, PhD, licensed psychologist (dr_test) on 25 Nov 2026 10:30 EST"
    assert signed in text
    assert "the alert was acknowledged by dr_test on 25 Nov 2026 09:05 EST." in text
    assert "UTC" not in text
    assert signed in render_markdown(note)
    # The note's JSON is for machines: its times stay UTC, in ISO 8601.
    data = to_dict(note)
    assert data["homework"]["self_harm"]["acknowledged_at"] == "2026-11-25T14:05:00+00:00"

    summer = build_note(replace(SOURCE, signed_at=_at(2026, 7, 1, 15, 30)))
    assert "on 01 Jul 2026 11:30 EDT" in render_text(summer, width=10_000)


def test_hwtui_note_prints_the_signing_time_in_the_configured_zone(
    tmp_path: Path,
    migrated_sqlite: Callable[[Path], Database],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "signed.sqlite3"
    db = migrated_sqlite(path)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
    client_id = add_client(db, me, code="TZ1", display_name="Zoe")
    walk = add_assignment(db, me, client_id, "Walk")
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"})
    with monkeypatch.context() as m:
        m.setattr("hwtui.data.services.reviews.utcnow", lambda: _at(2026, 11, 25, 15, 30))
        with db.write() as s:
            sign_review(s, me, review_id, assessment="Engaged.")
    db.dispose()

    monkeypatch.setenv("HWTUI_TIME_ZONE", "Asia/Kolkata")
    assert main(["note", "TZ1", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Signed by {os_username()} on 25 Nov 2026 21:00 IST\n" in out


def _event(at: datetime) -> AuditEvent:
    return AuditEvent(
        id=7,
        at=at,
        os_user="alice",
        action="view",
        entity="client",
        entity_id=3,
        client_id=3,
        prev_hash="",
        hash="",
    )


def test_the_audit_tail_shows_local_time_with_the_zone_named() -> None:
    local_time.use_zone("America/New_York")
    before, after = _event(_at(2026, 11, 1, 5, 30)), _event(_at(2026, 11, 1, 6, 30))
    assert audit.describe(before) == (
        "7  2026-11-01 01:30:00 EDT  alice  view  client  id=3 client=3"
    )
    assert audit.describe(after).split("  ")[1] == "2026-11-01 01:30:00 EST"


def test_hwtui_audit_tail_reads_the_setting(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(db_url)
    with db.write() as s:
        audit.record(s, "alice", "view", "client", 1, client_id=1)
    db.dispose()
    monkeypatch.setenv("HWTUI_TIME_ZONE", "Asia/Kolkata")
    assert main(["audit", "tail", "-n", "1", "--db", db_url]) == 0
    assert capsys.readouterr().out.split("  ")[1].endswith(" IST")


def test_a_score_is_dated_by_the_display_zones_calendar(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> None:
    """A PHQ-9 taken at 02:00 UTC on 6 Nov was taken on the evening of 5 Nov in New York:
    the risk signals (the notes' "item 9 was above 0 earlier: …") say 5 Nov there."""
    db = migrated_sqlite(tmp_path / "dates.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, os_username())
    client_id = add_client(db, me, code="TZ2")
    with db.write() as s:
        s.add(
            Measure(
                client_id=client_id,
                instrument="phq9",
                total=10,
                items=[1, 1, 1, 1, 1, 1, 1, 1, 2],
                taken_at=_at(2026, 11, 6, 2, 0),
            )
        )
    local_time.use_zone("America/New_York")
    with db.read() as s:
        assert risk_signals(s, client_id, None) == [(date(2026, 11, 5), 2)]
    local_time.use_zone("Asia/Kolkata")
    with db.read() as s:
        assert risk_signals(s, client_id, None) == [(date(2026, 11, 6), 2)]
    db.dispose()
