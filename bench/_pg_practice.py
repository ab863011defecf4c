"""The benchmark's practice on PostgreSQL (issue 19): the same demo caseloads, in a
database of their own on the server *admin_url* reaches, with the server's roles.

The admin URL's role (a superuser, or one with CREATEDB and CREATEROLE, such as CI's
`hwtui_ci`) creates the database and owns its schema, as `hwtui-server setup` makes the
owner do: it runs the migrations (row-level security forced on every table of client
data, the `hwtui_app` group role), and writes the caseloads naming no clinician. Every
clinician of the practice then gets a login role of their own name in `hwtui_app`, as
`hwtui-server add-clinician` does, so that each session acts under row-level security as
that clinician and no one else:

- you (the OS user running the bench): over the Unix socket with peer authentication, as
  a clinician on the practice server connects;
- the colleagues (`demo_colleague_N`, who have no Unix accounts here): over TCP to
  127.0.0.1 with a password, which Debian's default pg_hba.conf allows.

The database is named for what shapes it (as `_practice` keys its SQLite file) and kept:
writing twenty caseloads of five years takes minutes. A comment on the database marks it
complete, so one cut off halfway is written again.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date

import psycopg
from _practice import MAX_AGE_DAYS, PracticeSpec, _key, _Progress
from psycopg import sql
from sqlalchemy.engine import URL, make_url

from hwtui.data import demo, migrate
from hwtui.data.db import Database
from hwtui.data.services.identity import os_username

APP_ROLE = "hwtui_app"
DEBIAN_SOCKET_DIR = "/var/run/postgresql"
PASSWORD = "hwtui-bench"  # noqa: S105  (bench-only roles on a bench-only database)

# A practice of twenty (issue 19): twenty caseloads of 500 clients and five years.
TWENTY = PracticeSpec(clients=500, weeks=260, other_clinicians=19)
TWENTY_QUICK = PracticeSpec(clients=50, weeks=52, other_clinicians=19)


@dataclass(frozen=True, slots=True)
class PgPractice:
    database: str
    spec: PracticeSpec
    clinician: str
    colleagues: list[str]
    written_on: date
    rows: dict[str, int]
    generate_seconds: float
    socket_dir: str
    port: int

    def url_for(self, username: str) -> str:
        """The URL *username*'s session opens: yours over the socket (peer), a
        colleague's over TCP with the bench's password."""
        if username == self.clinician:
            return f"postgresql:///{self.database}?host={self.socket_dir}&port={self.port}"
        return f"postgresql://{username}:{PASSWORD}@127.0.0.1:{self.port}/{self.database}"


def owner_url(admin_url: str, database: str) -> str:
    """The admin's URL to *database*: the owner, who checks the whole audit chain."""
    url = make_url(admin_url).set(database=database)
    return url.render_as_string(hide_password=False)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _admin(url: URL, database: str | None = None) -> psycopg.Connection:
    target = url.set(drivername="postgresql", database=database or url.database)
    conninfo = target.render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def _socket_dir(conn: psycopg.Connection) -> str:
    """Where the server's Unix socket is: its setting, which only a superuser (or
    pg_read_all_settings) may read; else Debian's place for it."""
    try:
        found = conn.execute("SHOW unix_socket_directories").fetchone()
    except psycopg.errors.InsufficientPrivilege:
        return DEBIAN_SOCKET_DIR
    return str(found[0]).split(",")[0].strip() if found else DEBIAN_SOCKET_DIR


def practice(admin_url: str, spec: PracticeSpec) -> PgPractice:
    """The practice for *spec* on the server, written first if missing, partial or stale."""
    url = make_url(admin_url)
    me = os_username()
    name = f"hwtui_bench_{spec.clients}c_{spec.weeks}w_{1 + spec.other_clinicians}k"
    # Not keyed by the schema: twenty caseloads take long to write, and a new revision
    # upgrades them in place, as it does a practice's database.
    name += "_" + _key(spec, me, schema=False)[:10]
    colleagues = [f"{demo.COLLEAGUE_PREFIX}{k}" for k in range(1, spec.other_clinicians + 1)]
    with _admin(url) as conn:
        socket_dir = _socket_dir(conn)
        port = int(conn.execute("SHOW port").fetchone()[0])  # type: ignore[index]
        found = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (name,),
        ).fetchone()
    meta = json.loads(found[0]) if found and found[0] else None
    if meta is not None:
        written_on = date.fromisoformat(meta["written_on"])
        if (date.today() - written_on).days <= MAX_AGE_DAYS:
            _upgrade(url, name)
            _roles(url, name, [me, *colleagues])
            return PgPractice(
                name,
                spec,
                me,
                colleagues,
                written_on,
                meta["rows"],
                meta["seconds"],
                socket_dir,
                port,
            )
    return _write(url, name, spec, me, colleagues, socket_dir, port)


def _write(
    url: URL,
    name: str,
    spec: PracticeSpec,
    me: str,
    colleagues: list[str],
    socket_dir: str,
    port: int,
) -> PgPractice:
    total = spec.clients * (1 + spec.other_clinicians)
    _log(
        f"writing the PostgreSQL practice {name} ({total} clients, {spec.weeks} weeks; "
        "once, kept for a week)"
    )
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db = Database(url.set(database=name))  # the owner, naming no clinician
    try:
        migrate.upgrade(db)
        today = date.today()
        started = time.perf_counter()
        with _row_security_off(url, name):
            stats = _generate(db, spec, me, today)
        print(file=sys.stderr)
    finally:
        db.dispose()
    _roles(url, name, [me, *colleagues])
    with _admin(url, name) as conn:
        conn.execute("ANALYZE")
    seconds = time.perf_counter() - started
    rows = {
        "clients": stats.clients,
        "assignments": stats.assignments,
        "reviews": stats.reviews,
        "outcomes": stats.outcomes,
        "measures": stats.measures,
    }
    meta = {"written_on": today.isoformat(), "rows": rows, "seconds": round(seconds, 1)}
    meta["spec"] = asdict(spec)
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(meta))
            )
        )
    _log(f"  written in {seconds:.0f} s")
    return PgPractice(name, spec, me, colleagues, today, rows, seconds, socket_dir, port)


def _upgrade(url: URL, name: str) -> None:
    db = Database(url.set(database=name))  # the owner, naming no clinician
    try:
        migrate.upgrade(db)
    finally:
        db.dispose()


def _generate(db: Database, spec: PracticeSpec, me: str, today: date) -> demo.DemoStats:
    return demo.generate(
        db,
        clinician=me,
        clients=spec.clients,
        weeks=spec.weeks,
        seed=spec.seed,
        today=today,
        other_clinicians=spec.other_clinicians,
        progress=_Progress(),
    )


@contextmanager
def _row_security_off(url: URL, database: str) -> Iterator[None]:
    """Row-level security off while the caseloads are written, and put back as it was.

    The owner naming no clinician passes every policy, but each row still pays for them
    (0013's checks look up the rows it refers to): 100 clients took 37 s with them on.
    The rows written are the same either way, and the bench measures nothing until the
    policies are back (the practice is marked complete only after)."""
    with _admin(url, database) as conn:
        tables = conn.execute(
            "SELECT c.oid::regclass::text, c.relforcerowsecurity FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relrowsecurity"
        ).fetchall()
        for table, _force in tables:
            conn.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        try:
            yield
        finally:
            for table, force in tables:
                conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
                if force:
                    conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def _roles(url: URL, database: str, usernames: list[str]) -> None:
    """A login role in `hwtui_app` for each clinician (as `hwtui-server add-clinician`),
    with the bench's password for those who connect over TCP."""
    with _admin(url) as conn:
        for username in usernames:
            role = sql.Identifier(username)
            exists = conn.execute(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", (username,)
            ).fetchone()
            if exists is None:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            elif exists[0]:
                raise SystemExit(
                    f"the role {username} is a superuser or bypasses row security: it would "
                    "see every caseload, and the bench would measure nothing real"
                )
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(PASSWORD)))
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_ROLE), role))
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(APP_ROLE)
            )
        )
