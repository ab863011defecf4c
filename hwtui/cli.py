"""The command line. Thin: parse, open the database, call the data core or the app.

User errors print one line to stderr and exit non-zero; no tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from datetime import time as day_time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from hwtui import __version__, opening

if TYPE_CHECKING:  # imported lazily at run time: `hwtui --version` stays instant
    from hwtui.app import HomeworkApp
    from hwtui.config import Defaults
    from hwtui.data.db import Database
    from hwtui.settings import Settings

EXIT_ERROR = 1
EXIT_USAGE = 2
DEV_HELP = (
    "developer mode (or HWTUI_DEV=1): allow Textual's devtools, TEXTUAL_LOG and screenshots, "
    "and show local variables in crash reports; never with real client data"
)


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from *low* to *high*, or a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}: {text[:40]}")
        return value

    return parse


def _iso_date(text: str) -> date:
    """An argparse type: a calendar date, YYYY-MM-DD, or a one-line usage error."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


# The largest id a database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


DB_HELP = "database: an SQLite file path or a postgresql:// URL (env HWTUI_DATABASE_URL)"


def _db_option() -> _Parser:
    """`--db` after a command (`hwtui note C1 --db x`), for every command that opens one;
    `_location` picks it, else the one given before the command."""
    parent = _Parser(add_help=False)
    parent.add_argument("--db", dest="sub_db", metavar="URL|PATH", help=DB_HELP)
    return parent


def _parser() -> _Parser:
    on_db = [_db_option()]
    parser = _Parser(prog="hwtui", description="Review therapy homework with clients.")
    parser.add_argument("--version", action="version", version=f"hwtui {__version__}")
    parser.add_argument("--db", metavar="URL|PATH", help=DB_HELP)
    parser.add_argument("--dev", action="store_true", help=DEV_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="write a demo practice and open hwtui on it")
    demo.add_argument(
        "--clients",
        type=_whole_number(1, 5000),
        default=40,
        metavar="N",
        help="how many made-up clients (1-5000; default: 40)",
    )
    demo.add_argument(
        "--weeks",
        type=_whole_number(1, 520),
        default=26,
        metavar="W",
        help="weeks of weekly reviews before today (1-520; default: 26)",
    )
    demo.add_argument(
        "--seed",
        type=_whole_number(0, 2**32 - 1),
        default=7,
        metavar="S",
        help="the same seed writes the same practice (default: 7)",
    )
    demo.add_argument(
        "--db",
        dest="demo_db",
        metavar="PATH",
        help="where to write it (default: demo.sqlite3 in the data dir; never your real database)",
    )
    demo.add_argument("--no-launch", action="store_true", help="write the data, don't open the app")
    demo.add_argument("--dev", dest="demo_dev", action="store_true", help=DEV_HELP)

    dbp = sub.add_parser(
        "db",
        parents=on_db,
        help="the database: create it (init), upgrade its schema, or show its revision",
    )
    dbp.add_argument("action", choices=["init", "upgrade", "current"])
    note = sub.add_parser("note", parents=on_db, help="print a review's progress note")
    note.add_argument("client", metavar="CLIENT", help="a client code")
    note.add_argument(
        "--review", type=_whole_number(1, MAX_ID), metavar="ID", help="default: the latest"
    )
    note.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    note.add_argument(
        "--style", choices=["dap", "soap", "birp"], help="default: your practice's setting"
    )
    fmt = sub.add_parser(
        "note-format", parents=on_db, help="show or set your practice's progress-note format"
    )
    fmt.add_argument("style", nargs="?", choices=["dap", "soap", "birp"])
    sig = sub.add_parser(
        "signature",
        parents=on_db,
        help="show or set the name and credentials your signed notes carry",
    )
    sig.add_argument("--name", metavar="NAME", help="your name as printed, e.g. Dr A Smith")
    sig.add_argument("--credentials", metavar="TEXT", help="e.g. 'PhD, licensed psychologist'")
    _add_transfer_parsers(sub, on_db)
    _add_handout_parser(sub, on_db)
    return parser


def _clock_time(text: str) -> day_time:
    """An argparse type: a time of day as HH:MM (24-hour), or a one-line usage error."""
    try:
        hours, minutes = text.split(":")
        return day_time(int(hours), int(minutes))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time of day: {text[:40]!r} (use HH:MM, e.g. 19:30)"
        ) from None


def _add_handout_parser(sub: argparse._SubParsersAction[_Parser], on_db: list[_Parser]) -> None:
    hand = sub.add_parser(
        "handout",
        parents=on_db,
        help="the client's current homework, to give them: text, Markdown, PDF or calendar",
    )
    hand.add_argument("client", metavar="CODE", help="a client code")
    hand.add_argument(
        "--format",
        choices=["text", "markdown", "pdf", "ics"],
        default=None,
        help="default: from --out's name (.md, .pdf, .ics, else text), or text; text or "
        "markdown go to stdout without --out; pdf and ics need --out",
    )
    hand.add_argument("--out", metavar="PATH", help="a new file (never overwritten)")
    hand.add_argument(
        "--at",
        type=_clock_time,
        metavar="HH:MM",
        help="ics: the time of day for tasks whose 'when' names none",
    )


def _add_transfer_parsers(sub: argparse._SubParsersAction[_Parser], on_db: list[_Parser]) -> None:
    exp = sub.add_parser(
        "export", parents=on_db, help="export a client's or your whole caseload's data"
    )
    which = exp.add_mutually_exclusive_group(required=True)
    which.add_argument("client", nargs="?", metavar="CLIENT", help="a client code")
    which.add_argument("--all", action="store_true", help="your whole caseload")
    exp.add_argument(
        "--format",
        choices=["json", "csv", "fhir"],
        default="json",
        help="json: complete, for `hwtui import` (default); csv: one file per table; "
        "fhir: a FHIR R4 bundle per client, for an EHR",
    )
    exp.add_argument(
        "--out",
        metavar="PATH",
        help="a new file (JSON, one client's FHIR), or a new folder or .zip (CSV, a caseload's "
        "FHIR); JSON and one client's FHIR go to stdout without it",
    )
    exp.add_argument(
        "--since",
        type=_iso_date,
        metavar="DATE",
        help="fhir only: what changed on or after DATE (YYYY-MM-DD, the clinic's calendar)",
    )
    exp.add_argument(
        "--with-names",
        action="store_true",
        help="fhir only: put clients' names in (left out unless asked for: codes identify them)",
    )
    exp.add_argument(
        "--process-notes",
        action="store_true",
        help="include your private process notes (left out unless asked for: they are not "
        "part of the record)",
    )

    imp = sub.add_parser(
        "import",
        parents=on_db,
        help="restore a JSON export into an empty database, or add it to your caseload (--merge)",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--merge",
        action="store_true",
        help="add the file's clients to your caseload in a database that holds data already "
        "(yours or colleagues'), as yourself, with new ids; refused, with nothing written, "
        "if one of its client codes is in your caseload already",
    )

    bak = sub.add_parser(
        "backup", parents=on_db, help="copy the SQLite database to DEST and check the copy"
    )
    bak.add_argument("dest", metavar="DEST", help="a new file")

    aud = sub.add_parser("audit", help="check the audit log's hash chain, or show its end")
    aud_sub = aud.add_subparsers(dest="audit_command", metavar="ACTION", parser_class=_Parser)
    aud_sub.required = True
    verify = aud_sub.add_parser(
        "verify", parents=on_db, help="check every event; exit 1 at the first broken one"
    )
    verify.add_argument(
        "--expect",
        type=_sha256,
        metavar="HASH",
        help="a hash kept elsewhere (`hwtui audit head`): the chain must still hold it",
    )
    aud_sub.add_parser(
        "head", parents=on_db, help="print the chain's last hash, to keep somewhere else"
    )
    tail = aud_sub.add_parser("tail", parents=on_db, help="print the last events, one per line")
    tail.add_argument(
        "-n", type=_whole_number(1, 100_000), default=20, metavar="N", help="how many (default: 20)"
    )


def _error(message: str, code: int = EXIT_ERROR) -> int:
    # Only ever one line: a message from the database may hold several.
    line = " ".join(str(message).split())
    print(f"hwtui: error: {line}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    # Everything hwtui creates (database, backups, exports) is private to the clinician.
    os.umask(0o077)
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        return _error(str(exc), EXIT_USAGE)
    from hwtui.data.errors import HwtuiError

    try:
        return _dispatch(args)
    except HwtuiError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # A path or stream the person named or redirected (a full disk, a closed pipe):
        # theirs to fix, so one line, naming it, never a traceback.
        from hwtui.data.sqlite_file import os_problem

        _quiet_stdout()
        return _error(os_problem(exc.filename or "standard output", exc))


def _dispatch(args: argparse.Namespace) -> int:
    command = COMMANDS.get(args.command)
    return command(args) if command is not None else _launch(args)


def _launch(args: argparse.Namespace) -> int:
    """`hwtui` alone: the app."""
    from hwtui import launch

    _need_terminal()
    return _run(launch.make_app(args.db, dev=args.dev))


def _need_terminal() -> None:
    """The app draws on a terminal and reads keys from it; from cron or a pipe it can't."""
    from hwtui.data.errors import HwtuiError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise HwtuiError(
            "hwtui needs a terminal (its input or output is a pipe or a file); for scripts, "
            "use the commands: note, export, backup, audit (see `hwtui --help`)"
        )


def _location(args: argparse.Namespace) -> str | None:
    """The database a command names: its own --db, else the one before the command.
    An empty value is kept, so that it is refused rather than read as "not given"."""
    sub: str | None = getattr(args, "sub_db", None)
    return sub if sub is not None else args.db


def _times_shown() -> Settings | Defaults:
    """The settings, read and checked once, for a command that prints times: they are
    shown in the `time_zone` setting's zone, else the server's (`data.local_time`)."""
    from hwtui.config import load_settings
    from hwtui.data import local_time

    settings = load_settings()
    local_time.use_zone(settings.time_zone)
    return settings


def _quiet_stdout() -> None:
    """After standard output failed: point it at /dev/null, so that Python's own flush
    at exit does not fail again with a traceback."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _whole(db: Database, command: str, instead: str = "") -> Database:
    """*db* naming no clinician, for a command about the whole database (*instead*: what
    a clinician may run instead, said after)."""
    from hwtui.data.errors import HwtuiError

    whole = db.for_clinician(None)
    if not whole.sees_every_row():
        raise HwtuiError(
            f"hwtui {command} needs every clinician's rows: on PostgreSQL, run it as the "
            f"role that owns hwtui's tables{instead}"
        )
    return whole


def _run(app: HomeworkApp) -> int:
    """Run the app; then, however it ended, keep what was typed and close the database."""
    try:
        app.run()
    finally:
        # After a crash too: whatever was typed since the last autosave is kept.
        try:
            app.flush_drafts()
        finally:
            app.close_database()
    if app.logged_off:
        print(app.logged_off, file=sys.stderr)
    return app.return_code or 0


def _db(args: argparse.Namespace) -> int:
    from hwtui.data import migrate

    if args.action == "init":
        return _db_init(_location(args))
    # `db current` only looks: it leaves the file's mode as it is.
    db = opening.connect(_location(args), tidy=args.action != "current")
    try:
        if args.action == "current":
            st = migrate.status(db)
            if st.state is migrate.SchemaState.EMPTY:
                print(f"empty database (head is {st.head})")
            else:
                print(f"{st.revision or 'none'} ({st.state.value}; head is {st.head})")
            return 0 if st.state in {migrate.SchemaState.CURRENT, migrate.SchemaState.EMPTY} else 1
        before = migrate.status(db)
        if before.state in {migrate.SchemaState.AHEAD, migrate.SchemaState.FOREIGN}:
            migrate.prepare(db)  # raises the clear message for these states
        migrate.upgrade(db)
        after = migrate.status(db)
        if before.revision == after.revision:
            print(f"already at {after.revision} (head)")
        else:
            print(f"upgraded {before.revision or 'empty database'} -> {after.revision}")
        return 0
    finally:
        db.dispose()


def _db_init(location: str | None) -> int:
    """Create a new database (or finish one begun and interrupted) at the head schema."""
    from hwtui.data import migrate

    db = opening.connect(location, create=True)
    try:
        state = migrate.status(db).state
        if state is not migrate.SchemaState.EMPTY:
            print(f"{opening.where(db)} is already a database ({state.value}); nothing changed")
            return 0
        migrate.upgrade(db)
    finally:
        db.dispose()
    print(f"created {opening.where(db)}")
    return 0


def _progress(done: int, total: int) -> None:
    print(f"\r  {done}/{total} clients", end="", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> int:
    from hwtui.config import data_dir
    from hwtui.data import demo, local_time, migrate
    from hwtui.data.db import Database
    from hwtui.data.errors import HwtuiError
    from hwtui.data.services.identity import os_username

    if not args.no_launch:
        _need_terminal()
    from hwtui import launch

    # Before anything is written.
    dev = False if args.no_launch else launch.developer_mode(args.dev or args.demo_dev)
    if args.demo_db:
        path = Path(args.demo_db).expanduser()
        if "://" in args.demo_db:
            raise HwtuiError("demo --db takes a file path; the demo is always SQLite")
        if path.exists() and path.stat().st_size > 0:
            raise HwtuiError(f"{path} already exists; the demo only writes a new file")
    else:
        path = data_dir() / "demo.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    _times_shown()  # the demo's weeks end on the clinic's day (`local_time.today`)
    db = Database(path, create=True)
    migrate.upgrade(db)
    print(
        f"hwtui: writing a demo practice ({args.clients} clients x {args.weeks} weeks) to {path}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    stats = demo.generate(
        db,
        clinician=os_username(),
        clients=args.clients,
        weeks=args.weeks,
        seed=args.seed,
        today=local_time.today(),
        progress=_progress if sys.stderr.isatty() else None,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    elapsed = time.perf_counter() - started
    size = sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )
    print(
        f"hwtui: {stats.clients} clients, {stats.assignments} assignments, "
        f"{stats.reviews} reviews, {stats.outcomes} outcomes, {stats.measures} measures "
        f"in {elapsed:.1f} s ({size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    if args.no_launch:
        db.dispose()
        return 0
    return _run(launch.app_over(db, dev=dev))


def _note(args: argparse.Namespace) -> int:
    import json

    from hwtui.data.errors import HwtuiError, NotFound
    from hwtui.data.notes import render_markdown, render_text, to_dict
    from hwtui.data.services.clients import find_client
    from hwtui.data.services.identity import ensure_clinician, os_username
    from hwtui.data.services.notes import latest_review_id, note_for
    from hwtui.data.services.reviews import get_review

    settings = _times_shown()  # a note names when it was signed, in the clinic's zone
    try:
        db = opening.open_database(_location(args), settings, writes_schema=False)
    except HwtuiError as exc:
        raise HwtuiError(f"{exc}{_demo_hint(args)}") from None
    try:
        with db.write() as session:  # printing a note is a read of client data: audited
            me = ensure_clinician(session, os_username())
            try:
                client = find_client(session, me, args.client)
            except NotFound as exc:
                raise NotFound(f"{exc} in {opening.where(db)}{_demo_hint(args)}") from None
            assert client.id is not None
            review_id = args.review or latest_review_id(session, me, client.id)
            if get_review(session, me, review_id).client_id != client.id:
                raise NotFound(f"review {review_id} is not one of {args.client}'s reviews")
            note = note_for(session, me, review_id, args.style)
    finally:
        db.dispose()
    if args.format == "json":
        text = json.dumps(to_dict(note), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        text = render_markdown(note)
    else:
        text = render_text(note)
    return _to_stdout(text)


def _demo_hint(args: argparse.Namespace) -> str:
    """After a failed look-up in the usual database: where `hwtui demo` put its practice,
    if there is one and it was not the database looked in (a demo is never the default)."""
    from hwtui.config import data_dir

    demo = data_dir() / "demo.sqlite3"
    location = _location(args)
    if not demo.is_file() or (location and Path(location).expanduser() == demo):
        return ""
    return f"; the demo practice is in {demo}, not here: hwtui note {args.client} --db {demo}"


def _note_format(args: argparse.Namespace) -> int:
    from hwtui.data.services.identity import ensure_clinician, os_username
    from hwtui.data.services.notes import note_style, set_note_style

    db = opening.open_database(_location(args))
    try:
        with db.write() as session:
            me = ensure_clinician(session, os_username())
            style = (
                set_note_style(session, me, args.style) if args.style else note_style(session, me)
            )
    finally:
        db.dispose()
    return _to_stdout(f"{style.value}\n")


def _signature(args: argparse.Namespace) -> int:
    from hwtui.data.services.identity import (
        ensure_clinician,
        os_username,
        set_signature,
        signature,
    )

    db = opening.open_database(_location(args))
    try:
        with db.write() as session:
            me = ensure_clinician(session, os_username())
            now = signature(session, me)
            if args.name is not None or args.credentials is not None:
                now = set_signature(
                    session,
                    me,
                    now.display_name if args.name is None else args.name,
                    now.credentials if args.credentials is None else args.credentials,
                )
    finally:
        db.dispose()
    from hwtui.data.text import clean_line

    line = clean_line(now.display_name + (f", {now.credentials}" if now.credentials else ""))
    return _to_stdout(f"{line}\n")


def _export(args: argparse.Namespace) -> int:
    from hwtui.data import export
    from hwtui.data.errors import HwtuiError
    from hwtui.data.export_csv import export_csv
    from hwtui.data.services.clients import find_client
    from hwtui.data.services.identity import ensure_clinician, os_username

    if args.format == "fhir":
        return _export_fhir(args)
    if args.since is not None or args.with_names:
        raise HwtuiError("--since and --with-names go with --format fhir")
    out = Path(args.out).expanduser() if args.out else None
    if out is not None:
        export.check_new_path(out)  # before anything is read or audited
    elif args.format == "csv":
        raise HwtuiError("a CSV export is one file per table: give --out FOLDER or --out FILE.zip")
    db = opening.open_database(_location(args), writes_schema=False)
    try:
        with db.write() as session:
            me = ensure_clinician(session, os_username())
            client_id = None if args.all else find_client(session, me, args.client).id
            private = args.process_notes
            if out is not None and args.format == "csv":
                written = export_csv(session, me, client_id, out, process_notes=private)
                counts = written.tables
            else:
                data = export.export_json(session, me, client_id, process_notes=private)
                counts = {name: len(rows) for name, rows in data["tables"].items()}
    finally:
        db.dispose()
    if args.process_notes:
        print(
            f"hwtui: the export includes {counts.get('process_note', 0)} private process "
            "note(s): keep it apart from the record",
            file=sys.stderr,
        )
    # The audit event is committed: only now does the JSON leave the database.
    if args.format == "json":
        if out is None:
            return _to_stdout(export.json_text(data))
        export.write_json(data, out)
    print(
        f"hwtui: exported {_clients(counts['client'])}, {sum(counts.values())} rows, to {out}",
        file=sys.stderr,
    )
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    from hwtui.data import export
    from hwtui.data.errors import HwtuiError
    from hwtui.data.fhir.export import export_fhir, write_bundles
    from hwtui.data.services.clients import find_client
    from hwtui.data.services.identity import ensure_clinician, os_username

    if args.process_notes:
        raise HwtuiError("process notes are not part of the record: a FHIR export leaves them out")
    out = Path(args.out).expanduser() if args.out else None
    if out is not None:
        export.check_new_path(out)  # before anything is read or audited
        if args.all and out.suffix.lower() == ".json":
            raise HwtuiError(
                "a caseload's FHIR export is one bundle per client: give --out FOLDER or FILE.zip"
            )
    elif args.all:
        raise HwtuiError("a caseload's FHIR export is one file per client: give --out FOLDER")
    # Days and times are the clinic's: --since's day starts at its midnight.
    settings = _times_shown()
    db = opening.open_database(_location(args), settings, writes_schema=False)
    try:
        with db.write() as session:
            me = ensure_clinician(session, os_username())
            client_id = None if args.all else find_client(session, me, args.client).id
            written = export_fhir(
                session,
                me,
                client_id,
                identifier_setting=settings.fhir_identifier_system,
                with_names=args.with_names,
                since=args.since,
            )
    finally:
        db.dispose()
    # The audit event is committed: only now does the record leave the database.
    if out is None:
        return _to_stdout(written.bundles[0].text())
    write_bundles(written, out, one=not args.all)
    print(
        f"hwtui: exported {_clients(len(written.bundles))}, {written.resources} FHIR "
        f"resources, to {out}",
        file=sys.stderr,
    )
    return 0


def _handout(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from hwtui.data import local_time
    from hwtui.data.errors import HwtuiError
    from hwtui.data.export import check_new_path
    from hwtui.data.files import write_private
    from hwtui.data.handout_formats import format_for, render
    from hwtui.data.services.clients import find_client
    from hwtui.data.services.handout import read_handout, record_handout
    from hwtui.data.services.identity import ensure_clinician, os_username

    out = Path(args.out).expanduser() if args.out else None
    # As in the app: a file's name says its format unless --format does.
    fmt = args.format or (format_for(out) if out is not None else "text")
    if out is None and fmt in {"pdf", "ics"}:
        raise HwtuiError(f"a {fmt} handout is a file: give --out PATH")
    if out is not None:
        check_new_path(out)  # before anything is read or audited
    settings = _times_shown()  # its days, and the calendar's zone, are the clinic's
    db = opening.open_database(_location(args), settings, writes_schema=False)
    try:
        with db.write() as session:
            me = ensure_clinician(session, os_username())
            client = find_client(session, me, args.client)
            assert client.id is not None
            today = local_time.local_date(datetime.now(UTC))
            handout = read_handout(session, me, client.id, today)
            try:
                data = render(handout, fmt, at=args.at)
            except ValueError as exc:
                raise HwtuiError(f"{exc} with --at HH:MM") from None
            # Committed with the transaction, before the handout leaves hwtui.
            record_handout(session, me, handout, fmt)
    finally:
        db.dispose()
    if out is None:
        return _to_stdout(data.decode("utf-8"))
    write_private(out, data)
    print(f"hwtui: handout ({fmt}) written to {out}", file=sys.stderr)
    return 0


def _to_stdout(text: str) -> int:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, without a traceback at exit.
        _quiet_stdout()
        return EXIT_ERROR
    except OSError as exc:  # a full disk behind a redirection, say
        from hwtui.data.sqlite_file import os_problem

        _quiet_stdout()
        return _error(os_problem("standard output", exc))
    return 0


def _clients(count: int) -> str:
    return f"{count} client" if count == 1 else f"{count} clients"


# Problems of an import file printed under the first line; the rest are counted.
IMPORT_PROBLEMS_SHOWN = 20
MERGE_HINT = "hwtui import FILE --merge"


def _import(args: argparse.Namespace) -> int:
    from hwtui.data import import_file
    from hwtui.data.import_checks import ImportRefused
    from hwtui.data.import_merge import CodesTaken, merge_json
    from hwtui.data.services.identity import os_username
    from hwtui.data.sqlite_file import remove_new_database

    path = Path(args.file).expanduser()
    # Read and checked completely before the database is opened (or created).
    data = import_file.read_json(path)
    try:
        checked = import_file.check_import(data)
    except ImportRefused as exc:
        return _refused(exc.headline, exc.lines(IMPORT_PROBLEMS_SHOWN))
    if args.merge:
        # Into a database that is there already, as the clinician (their own role).
        db = opening.open_database(_location(args))
        try:
            stats = merge_json(db, checked, username=os_username())
        except CodesTaken as exc:
            return _refused(exc.headline, exc.lines(IMPORT_PROBLEMS_SHOWN))
        finally:
            db.dispose()
        print(f"added {_clients(stats.clients)}, {stats.rows} rows, from {path} to your caseload")
    else:
        # A new SQLite file is made for the import and kept only if the import succeeds.
        db = opening.open_database(_location(args), create=True)
        try:
            # Only a database with no one's rows may be imported into: it must see them all.
            whole = _whole(db, "import", f"; to add the file to your caseload: {MERGE_HINT}")
            stats = import_file.import_json(whole, checked, username=os_username())
        except BaseException:
            db.dispose()
            if db.created and db.path is not None:
                remove_new_database(db.path)
            raise
        db.dispose()
        print(f"imported {_clients(stats.clients)}, {stats.rows} rows, from {path}")
    for name, count in stats.tables.items():
        print(f"  {name:<16} {count:>8}")
    return 0


def _refused(headline: str, lines: list[str]) -> int:
    # Values from the file appear in the lines only escaped and cut short (import_checks).
    print(f"hwtui: {headline}", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    return EXIT_ERROR


def _backup(args: argparse.Namespace) -> int:
    from hwtui.data.backup import backup

    db = opening.open_database(_location(args))
    try:
        report = backup(db, Path(args.dest))
    finally:
        db.dispose()
    if report.removed:
        print(
            f"hwtui: removed {len(report.removed)} file(s) an interrupted backup left in "
            f"{report.path.parent}",
            file=sys.stderr,
        )
    lines = [
        f"backup written to {report.path}: integrity {report.integrity}, "
        f"{len(report.tables)} tables, {report.rows} rows\n",
        *(f"  {name:<16} {count:>8}\n" for name, count in report.tables.items()),
    ]
    # The backup is in place either way; a reader gone away (`| head`) is no traceback.
    return _to_stdout("".join(lines))


def _sha256(value: str) -> str:
    """A SHA-256 hex digest as typed (64 hex digits), for `audit verify --expect`."""
    digest = value.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise argparse.ArgumentTypeError("must be a SHA-256 hash: 64 hex digits")
    return digest


def _audit(args: argparse.Namespace) -> int:
    from hwtui.data.services import audit

    settings = _times_shown() if args.audit_command == "tail" else None
    db = opening.open_database(_location(args), settings, writes_schema=False)
    try:
        # One chain runs through every clinician's events.
        with _whole(db, f"audit {args.audit_command}").read() as session:
            if args.audit_command == "tail":
                lines = [audit.describe(e) for e in audit.last_events(session, args.n)]
            elif args.audit_command == "head":
                head = audit.chain_head(session)
            else:
                check = audit.verify_chain(session)
                expected = args.expect
                kept_at = audit.event_with_hash(session, expected) if expected else None
    finally:
        db.dispose()
    if args.audit_command == "tail":
        return _to_stdout("".join(f"{line}\n" for line in lines))
    if args.audit_command == "head":
        if head is None:
            return _error("the audit chain has no head: run hwtui audit verify")
        return _to_stdout(f"{head.last_hash}  {head.events} events, last {head.last_id}\n")
    if not check.ok:
        where = f" at event {check.first_bad_id}" if check.first_bad_id is not None else ""
        return _error(f"audit log broken{where}: {check.reason}")
    if expected and kept_at is None:
        return _error(
            f"audit log rewritten: the hash kept elsewhere ({expected[:12]}…) is not in it"
        )
    kept = f"; holds {expected[:12]}… at event {kept_at}" if expected else ""
    return _to_stdout(f"OK: {check.events} events (last hash {check.last_hash}){kept}\n")


# Each command and the function that runs it; no command at all opens the app.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "db": _db,
    "note": _note,
    "note-format": _note_format,
    "signature": _signature,
    "export": _export,
    "handout": _handout,
    "import": _import,
    "backup": _backup,
    "audit": _audit,
}


if __name__ == "__main__":
    sys.exit(main())
