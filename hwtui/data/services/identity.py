"""The clinician row of the OS user running the process (see `hwtui.data.actor`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from hwtui.data.actor import Actor, display_name_for, os_username
from hwtui.data.errors import DatabaseProblem, InvalidInput, NotFound
from hwtui.data.models import Clinician
from hwtui.data.text import clean_line

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


@dataclass(frozen=True, slots=True)
class Signature:
    """How a clinician signs: the name printed and the credentials after it."""

    display_name: str
    credentials: str


def signature(session: Session, me: Actor) -> Signature:
    row = session.get(Clinician, me.clinician_id)
    if row is None:
        raise NotFound("no such clinician")
    return Signature(row.display_name, row.credentials)


def set_signature(session: Session, me: Actor, display_name: str, credentials: str) -> Signature:
    """Set once, used for every note: the name and credentials the clinician signs with."""
    name, creds = clean_line(display_name)[:120], clean_line(credentials)[:200]
    if not name:
        raise InvalidInput.one("display_name", "is needed to sign")
    row = session.get(Clinician, me.clinician_id)
    if row is None:
        raise NotFound("no such clinician")
    row.display_name, row.credentials = name, creds
    session.add(row)
    session.flush()
    return Signature(name, creds)
