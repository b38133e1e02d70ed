"""Load ``Settings`` from a TOML file plus ``SWITCHBOARD_*`` environment overrides.

Environment variables are ``SWITCHBOARD_<SECTION>_<KEY>`` (``SWITCHBOARD_AMI_SECRET``,
``SWITCHBOARD_DATABASE_URL``) or ``SWITCHBOARD_<KEY>`` for top-level keys. Every problem
is collected and reported together, each naming where it came from and how to fix it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from switchboard.config.errors import ConfigError, ConfigProblem
from switchboard.config.model import Settings

ENV_PREFIX = "SWITCHBOARD_"
# Variables with this prefix that are not settings.
_ENV_NOT_SETTINGS = {"SWITCHBOARD_CONFIG"}
_SECRET_KEYS = re.compile(r"(secret|password|token|key)$")
_SECRET_FILES = {("ami", "secret"), ("database", "password"), ("control", "token")}


def load_settings(
    path: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from defaults, then the file (if any), then the environment.

    Raises:
        ConfigError: with one problem per bad key, unreadable file or bad variable.
    """
    environ = os.environ if environ is None else environ
    if path is None and environ.get("SWITCHBOARD_CONFIG"):
        path = environ["SWITCHBOARD_CONFIG"]
    problems: list[ConfigProblem] = []
    data: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    text = ""
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError(
                [ConfigProblem(source, "(file)", "a readable TOML settings file", "no such file")]
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(
                [ConfigProblem(source, "(file)", "a readable file", str(exc))]
            ) from None
        except tomllib.TOMLDecodeError as exc:
            # Python 3.11's TOMLDecodeError has no lineno attribute; its message does.
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else None
            raise ConfigError(
                [ConfigProblem(source, "(syntax)", "valid TOML", str(exc), line)]
            ) from None
        for key_path in _leaf_paths(data):
            origin[key_path] = source
    _apply_environment(data, origin, environ, problems)
    _read_secret_files(data, origin, problems)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems += _problems_from(exc, data, origin, text, source)
    if problems:
        raise ConfigError(problems)
    return settings


def _leaf_paths(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            paths += _leaf_paths(value, (*prefix, key))
        else:
            paths.append((*prefix, key))
    return paths


def _sections() -> dict[str, type[BaseModel]]:
    out: dict[str, type[BaseModel]] = {}
    for name, field in Settings.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out[name] = ann
    return out


def _apply_environment(
    data: dict[str, Any],
    origin: dict[tuple[str, ...], str],
    environ: Mapping[str, str],
    problems: list[ConfigProblem],
) -> None:
    sections = _sections()
    for var in sorted(environ):
        if not var.startswith(ENV_PREFIX) or var in _ENV_NOT_SETTINGS:
            continue
        rest = var[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        value: Any = environ[var]
        if section in sections and key in sections[section].model_fields:
            value = _env_value(sections[section].model_fields[key].annotation, value)
            data.setdefault(section, {})[key] = value
            origin[(section, key)] = f"environment ({var})"
        elif rest in Settings.model_fields and rest not in sections:
            data[rest] = value
            origin[(rest,)] = f"environment ({var})"
        else:
            problems.append(
                ConfigProblem(
                    "environment",
                    var,
                    "a known setting such as SWITCHBOARD_AMI_HOST or SWITCHBOARD_DATABASE_URL; "
                    "unset it or fix the spelling",
                    "an unknown name",
                )
            )


def _env_value(annotation: Any, raw: str) -> Any:
    # Lists in the environment are comma-separated; pydantic converts the rest.
    if getattr(annotation, "__origin__", None) is tuple:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _read_secret_files(
    data: dict[str, Any], origin: dict[tuple[str, ...], str], problems: list[ConfigProblem]
) -> None:
    for section, key in _SECRET_FILES:
        block = data.get(section)
        if not isinstance(block, dict) or not block.get(f"{key}_file"):
            continue
        file_key = (section, f"{key}_file")
        secret_path = Path(block[f"{key}_file"])
        try:
            block[key] = secret_path.read_text(encoding="utf-8").rstrip("\r\n")
            origin[(section, key)] = f"{origin.get(file_key, 'settings')} via {secret_path}"
        except OSError as exc:
            problems.append(
                ConfigProblem(
                    origin.get(file_key, "settings"),
                    ".".join(file_key),
                    "a readable file holding the secret",
                    exc.strerror or str(exc),
                )
            )


def _problems_from(
    exc: ValidationError,
    data: Mapping[str, Any],
    origin: Mapping[tuple[str, ...], str],
    text: str,
    default_source: str,
) -> list[ConfigProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(str(part) for part in err["loc"])
        source = origin.get(loc, origin.get(loc[:1], default_source))
        secret = any(_SECRET_KEYS.search(part) for part in loc)
        found = "(hidden)" if secret else repr(_lookup(data, loc))
        expected = err["msg"]
        if err["type"] == "extra_forbidden":
            expected = f"a known key (allowed here: {_allowed(loc)}); remove it or fix the spelling"
            found = "an unknown key"
        line = _line_of(text, loc) if source == default_source else None
        problems.append(ConfigProblem(source, ".".join(loc), expected, found, line))
    return problems


def _lookup(data: Mapping[str, Any], loc: tuple[str, ...]) -> Any:
    value: Any = data
    for part in loc:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list | tuple) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return "nothing"
    if isinstance(value, SecretStr):
        return "(hidden)"
    return value


def _allowed(loc: tuple[str, ...]) -> str:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        ann = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            break
        model = ann
    return ", ".join(sorted(model.model_fields))


def _line_of(text: str, loc: tuple[str, ...]) -> int | None:
    """Best-effort line number of ``loc`` in the TOML text (tomllib keeps none)."""
    if not text or not loc:
        return None
    section, key = (loc[0], loc[1]) if len(loc) > 1 else ("", loc[0])
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            current = stripped.strip("[]").strip()
            if not key and current == section:
                return number
            continue
        if current == section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return None
