"""Typed, validated settings: defaults that run with no file, a TOML file, env overrides."""

from switchboard.config.errors import ConfigError, ConfigProblem
from switchboard.config.load import load_settings
from switchboard.config.model import (
    AgiSettings,
    AmiSettings,
    ControlSettings,
    CrmSettings,
    DatabaseSettings,
    FlowsSettings,
    LoggingSettings,
    QueuesSettings,
    ReportSettings,
    SeatSettings,
    Settings,
    WebSettings,
)

__all__ = [
    "AgiSettings",
    "AmiSettings",
    "ConfigError",
    "ConfigProblem",
    "ControlSettings",
    "CrmSettings",
    "DatabaseSettings",
    "FlowsSettings",
    "LoggingSettings",
    "QueuesSettings",
    "ReportSettings",
    "SeatSettings",
    "Settings",
    "WebSettings",
    "load_settings",
]
