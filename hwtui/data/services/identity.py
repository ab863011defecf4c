"""The clinician row of the OS user running the process (see `hwtui.data.actor`)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from hwtui.data.actor import Actor, display_name_for, os_username
from hwtui.data.errors import DatabaseProblem
from hwtui.data.models import Clinician

# PostgreSQL's insufficient_privilege: a missing grant, or a row-level security refusal.
_REFUSED = "42501"

__all__ = ["Actor", "ensure_clinician", "os_username"]


def ensure_clinician(session: Session, username: str) -> Actor:
    """The clinician row for *username*, created on first use.

    On PostgreSQL this is where a connection that may not act as *username* is first
    refused (see migration 0006): say how to connect instead of quoting the server.
    """
    try:
        row = session.exec(select(Clinician).where(Clinician.username == username)).first()
        if row is None:
            row = Clinician(username=username, display_name=display_name_for(username))
            session.add(row)
            session.flush()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != _REFUSED:
            raise
        raise DatabaseProblem(
            f"the database does not let this connection act as clinician {username!r}: "
            f"connect as the PostgreSQL role {username!r}, a member of hwtui_app "
            "(see the README, PostgreSQL server setup)"
        ) from exc
    assert row.id is not None
    return Actor(row.id, row.username, row.display_name)
