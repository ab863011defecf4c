"""Where hwtui keeps its files, and its settings when nothing sets them.

Plain Python: a launch with no settings file and no HWTUI_* setting in the environment
starts from these defaults without loading pydantic, which takes longer to import than
the whole first screen (see `hwtui.settings` for the rest, and `hwtui.launch`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from hwtui.settings import Settings

APP_NAME = "hwtui"
ENV_PREFIX = "HWTUI_"


def config_path() -> Path:
    """The TOML settings file; HWTUI_CONFIG points elsewhere (tests, shared servers)."""
    override = os.environ.get("HWTUI_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


# The practice's settings for every user (`server/hwtui-server setup` writes the database
# there); a user's own file and the environment win over it.
SYSTEM_CONFIG = Path("/etc/hwtui/config.toml")


def system_config_path() -> Path:
    """The settings file for every user; HWTUI_SYSTEM_CONFIG points elsewhere (tests)."""
    override = os.environ.get("HWTUI_SYSTEM_CONFIG")
    return Path(override) if override else SYSTEM_CONFIG


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass(frozen=True, slots=True)
class Defaults:
    """The settings and their defaults: the one list of their names. `Settings` declares
    the same fields with their checks and takes its defaults from here; a test holds the
    two to the same names, and `nothing_set` to what pydantic-settings reads."""

    database_url: str | None = None
    idle_minutes: float = 10.0
    autosave_seconds: float = 3.0
    time_zone: str | None = None  # None: the server's local zone (TZ, /etc/localtime)
    # The system of the client-code identifier on a FHIR export's Patient
    # (`hwtui.data.fhir`); "{clinician}" becomes the exporting clinician's login, since
    # client codes are unique per clinician, not per practice.
    fhir_identifier_system: str = "https://hwtui.example/fhir/client-code/{clinician}"


DEFAULTS = Defaults()
SETTING_NAMES = frozenset(field.name for field in fields(Defaults))


def nothing_set(environ: Mapping[str, str]) -> bool:
    """True when `Settings()` could only give the defaults: there is no settings file (the
    user's or the system's) and
    no environment variable it reads, HWTUI_<SETTING> in any case (pydantic-settings is
    not case-sensitive unless told; `tests/test_launch_paths.py` asks it)."""
    # Lower-cased, as pydantic-settings compares them (not casefold: "ß" stays "ß").
    names = {f"{ENV_PREFIX}{name}".lower() for name in SETTING_NAMES}
    if any(variable.lower() in names for variable in environ):
        return False
    return not config_path().exists() and not system_config_path().exists()


def load_settings() -> Settings | Defaults:
    """The settings, checked; the defaults, without loading pydantic, when nothing sets
    them (the everyday launch). A bad value is one line naming the setting."""
    if nothing_set(os.environ):
        return DEFAULTS
    from pydantic import ValidationError

    from hwtui.data.errors import HwtuiError
    from hwtui.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        # A check of hwtui's own (a validator's ValueError) says what is wrong by itself.
        message = first["msg"].removeprefix("Value error, ")
        raise HwtuiError(f"bad setting {field}: {message}") from None
    except (OSError, ValueError) as exc:  # unreadable or malformed config.toml
        raise HwtuiError(f"cannot read the settings file: {exc}") from None
