"""Settings: defaults < /etc/hwtui/config.toml < the user's TOML file (the platform config
dir) < HWTUI_* environment."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from hwtui.config import DEFAULTS, ENV_PREFIX, config_path, system_config_path
from hwtui.data.local_time import zone_named


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    database_url: str | None = Field(
        default=DEFAULTS.database_url,
        description="SQLAlchemy URL or SQLite path; default: the data dir",
    )
    idle_minutes: float = Field(
        default=DEFAULTS.idle_minutes,
        gt=0,
        description="Minutes without key or mouse input before logging off",
    )
    autosave_seconds: float = Field(
        default=DEFAULTS.autosave_seconds, gt=0, description="Draft autosave delay"
    )
    time_zone: str | None = Field(
        default=DEFAULTS.time_zone,
        description="IANA zone for times shown and written in notes; default: the server's",
    )
    fhir_identifier_system: str = Field(
        default=DEFAULTS.fhir_identifier_system,
        description="Identifier system (a URI) of client codes in FHIR exports; "
        "{clinician} becomes the exporting clinician's login",
    )

    @field_validator("fhir_identifier_system")
    @classmethod
    def _absolute_uri(cls, system: str) -> str:
        from hwtui.data.fhir.ids import identifier_system_problem

        problem = identifier_system_problem(system)
        if problem:
            raise ValueError(problem)
        return system

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name is not None:
            zone_named(name)  # ValueError, naming the setting's value, if unknown
        return name

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Of two files the later wins: the user's own over the practice's.
        files = [system_config_path(), config_path()]
        toml = TomlConfigSettingsSource(settings_cls, toml_file=files)
        return (init_settings, env_settings, toml)
