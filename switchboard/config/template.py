"""``switchboard config init``: a settings file with every section and its defaults.

Built from the model itself, so a section or key added there appears here with no edit.
Each section opens with its description; a key whose default is "not set" is written
commented out, so the file loads exactly as the built-in defaults do.
"""

# test-case-name: tests.unit.test_config

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from switchboard.config.model import Settings

_PACKAGE = Path(__file__).resolve().parents[1]

_HEADER = """\
# switchboard settings. Every key below is shown with its built-in default: change what
# your site needs, delete the rest if you like. Check the file with
#   switchboard config check {name}
# and run switchboard with -c {name} (or SWITCHBOARD_CONFIG={name}).
# Relative paths are taken from this file's folder. Secrets can be read from a file
# instead (secret_file, password_file); environment variables such as
# SWITCHBOARD_AMI_SECRET override any key.
"""


def settings_template(name: str = "switchboard.toml") -> str:
    """The text of a complete, commented settings file that loads as the defaults."""
    parts = [_HEADER.format(name=name)]
    for section, field in Settings.model_fields.items():
        model = field.annotation
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        parts.append("")
        parts += [f"# {line}".rstrip() for line in _description(model).splitlines()]
        parts.append(f"[{section}]")
        defaults = model()
        notes = _key_comments(model)
        for key in model.model_fields:
            value = getattr(defaults, key)
            parts += [f"# {note}" for note in notes.get(key, ())]
            if value is None:
                parts.append(f"# {key} = (not set)")
            elif isinstance(value, Path) and value.is_relative_to(_PACKAGE):
                # Follows the installed package: pinning it would break on an upgrade.
                parts.append(f"# {key} = {_toml_value(value)}  (shipped with switchboard)")
            else:
                parts.append(f"{key} = {_toml_value(value)}")
    return "\n".join(parts) + "\n"


def _description(model: type[BaseModel]) -> str:
    doc = inspect.getdoc(model) or model.__name__
    return doc if doc != inspect.getdoc(BaseModel) else model.__name__


def _key_comments(model: type[BaseModel]) -> dict[str, list[str]]:
    """The ``#`` comment lines written just above each field in the model's source."""
    try:
        source = inspect.getsource(model)
    except (OSError, TypeError):  # no source shipped: the file goes without them
        return {}
    notes: dict[str, list[str]] = {}
    pending: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        name = stripped.split(":", 1)[0]
        if pending and name in model.model_fields:
            notes[name] = pending
        pending = []
    return notes


def _toml_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        pairs = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Path):
        value = str(value)
    # A JSON string is a valid TOML basic string (same escapes, UTF-8 kept).
    return json.dumps(str(value), ensure_ascii=False)
