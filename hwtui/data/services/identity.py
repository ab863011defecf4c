"""Who is acting: the OS user running the process, never a typed name."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

from sqlmodel import Session, select

from hwtui.data.models import Clinician


@dataclass(frozen=True, slots=True)
class Actor:
    clinician_id: int
    username: str
    display_name: str


def os_username() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def _display_name_for(username: str) -> str:
    try:
        gecos = pwd.getpwnam(username).pw_gecos.split(",")[0].strip()
    except KeyError:
        gecos = ""
    return gecos or username


def ensure_clinician(session: Session, username: str) -> Actor:
    """The clinician row for *username*, created on first use."""
    row = session.exec(select(Clinician).where(Clinician.username == username)).first()
    if row is None:
        row = Clinician(username=username, display_name=_display_name_for(username))
        session.add(row)
        session.flush()
    assert row.id is not None
    return Actor(row.id, row.username, row.display_name)
