# -*- test-case-name: tests.queue.test_recording_names -*-
"""Where a call's recording goes: a folder and a file-name pattern, checked once.

The pattern is a Python format string over :data:`FIELDS`, e.g. the default
``{queue}-{call_id}.wav`` or ``{year}/{month}/{day}/{queue}-{agent}-{call_id}.wav`` (date
folders); its extension picks the format MixMonitor writes. It must hold ``{call_id}``:
the index keeps one row per file, and MixMonitor overwrites a file of the same name, so
two calls under one name would lose a recording. Values are made safe for a path and a
dialplan argument (anything but letters, digits, ``.``, ``_``, ``+`` and ``-`` becomes
``_``). Used where switchboard starts MixMonitor: the ACD, and a recording the seat asks
for; in app_queue mode the dialplan names its own files.

No imports beyond the standard library: the settings validate patterns with it.
"""

from __future__ import annotations

import re
import string
from datetime import datetime
from typing import Final

__all__ = ["DEFAULT_DIR", "DEFAULT_NAME", "FIELDS", "dir_problems", "name_problems", "render"]

DEFAULT_DIR: Final = "/var/spool/asterisk/monitor"  # Asterisk's own spool
DEFAULT_NAME: Final = "{queue}-{call_id}.wav"
FIELDS: Final = {
    "queue": "the queue the call was answered from",
    "call_id": "the ACD's call id (the caller's Asterisk uniqueid)",
    "agent": "the agent's id",
    "caller": "the caller's number",
    "date": "YYYYMMDD when recording starts ([queues] timezone)",
    "year": "YYYY when recording starts",
    "month": "MM when recording starts",
    "day": "DD when recording starts",
    "time": "HHMMSS when recording starts",
}
_MOMENTS: Final = {"date": "%Y%m%d", "year": "%Y", "month": "%m", "day": "%d", "time": "%H%M%S"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]+$")


def name_problems(pattern: str) -> list[str]:
    """What is wrong with a file-name pattern (empty: nothing)."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return [f"not a valid pattern ({exc}); write fields as {{queue}}, and braces as {{{{ }}}}"]
    problems = []
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in FIELDS:
            problems.append(
                f"unknown field {{{name}}}; known fields: " + ", ".join(f"{{{f}}}" for f in FIELDS)
            )
        elif spec or conversion:
            problems.append(f"{{{name}}} takes no format or conversion; write it bare")
    if "," in pattern:
        problems.append("no commas: MixMonitor would read them as its next argument")
    if not any(name == "call_id" for _text, name, _spec, _conv in parts):
        problems.append(
            "put {call_id} in the name: without it two calls can get the same file, and"
            " MixMonitor overwrites it"
        )
    if pattern.startswith("/") or ".." in pattern.split("/"):
        problems.append("a name inside the folder: no leading '/' and no '..'")
    if not _EXTENSION.search(pattern):
        problems.append(
            "end with the format's extension, e.g. .wav (MixMonitor picks the format from it)"
        )
    return problems


def dir_problems(folder: str) -> list[str]:
    problems = []
    if not folder.startswith("/"):
        problems.append("an absolute path on the Asterisk machine, such as " + DEFAULT_DIR)
    if "," in folder:
        problems.append("no commas: MixMonitor would read them as its next argument")
    return problems


def render(folder: str, pattern: str, at: datetime, **values: str) -> str:
    """The recording's full path; ``values`` are the :data:`FIELDS` other than the
    moments (date, year, month, day, time), which come from ``at``."""
    safe = {key: _UNSAFE.sub("_", value) or "_" for key, value in values.items()}
    moments = {key: at.strftime(form) for key, form in _MOMENTS.items()}
    name = pattern.format(**moments, **safe)
    return f"{folder.rstrip('/')}/{name}"
