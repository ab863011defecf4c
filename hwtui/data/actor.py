"""Who is acting: the OS user running the process, never a typed name.

Plain Python, no database: the launch names the clinician before the ORM is loaded.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    clinician_id: int
    username: str
    display_name: str


def os_username() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def display_name_for(username: str) -> str:
    """The name in the passwd entry's comment field, else the username."""
    try:
        gecos = pwd.getpwnam(username).pw_gecos.split(",")[0].strip()
    except KeyError:
        gecos = ""
    return gecos or username
