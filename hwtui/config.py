"""Settings: defaults < TOML file in the platform config dir < HWTUI_* environment."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "hwtui"


def config_path() -> Path:
    """The TOML settings file; HWTUI_CONFIG points elsewhere (tests, shared servers)."""
    override = os.environ.get("HWTUI_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HWTUI_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL or SQLite path; default: the data dir"
    )
    idle_minutes: float = Field(
        default=10, gt=0, description="Minutes without key or mouse input before logging off"
    )
    autosave_seconds: float = Field(default=3.0, gt=0, description="Draft autosave delay")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_path())
        return (init_settings, env_settings, toml)
