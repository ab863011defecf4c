"""Where hwtui keeps its files, and its settings when nothing sets them.

Plain Python: a launch with no settings file and no HWTUI_* setting in the environment
starts from these defaults without loading pydantic (see `hwtui.settings` for the rest).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "hwtui"
ENV_PREFIX = "HWTUI_"


def config_path() -> Path:
    """The TOML settings file; HWTUI_CONFIG points elsewhere (tests, shared servers)."""
    override = os.environ.get("HWTUI_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass(frozen=True, slots=True)
class Defaults:
    """Each setting's default; `hwtui.settings.Settings` takes its defaults from here."""

    database_url: str | None = None
    idle_minutes: float = 10.0
    autosave_seconds: float = 3.0


DEFAULTS = Defaults()
SETTING_NAMES = frozenset(Defaults.__dataclass_fields__)


def nothing_set(environ: Mapping[str, str]) -> bool:
    """True when `Settings()` could only give the defaults: there is no settings file and
    no HWTUI_<SETTING> variable (matched without regard to case, as pydantic-settings
    matches them)."""
    prefix = ENV_PREFIX.casefold()
    for name in environ:
        folded = name.casefold()
        if folded.startswith(prefix) and folded[len(prefix) :] in SETTING_NAMES:
            return False
    return not config_path().exists()
