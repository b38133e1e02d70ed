# -*- test-case-name: tests.queue.test_queues_conf -*-
"""Import an Asterisk ``queues.conf`` into switchboard's queue file, saying what did not map.

The file is read with pyst2's ``asterisk.config``. That parser knows ``[name]`` sections,
``key = value`` and ``key => value`` items and ``;`` comments, but not the template
syntax ``[name](template)`` / ``[name](!)`` / ``[name](+)`` (it raises "Missing '[' or
']'"), nor ``#include`` (it raises "Item must be in name = value pairs"), and it keeps
the space after ``=`` in values. So :class:`_Conf` rewrites template headers to plain
headers before pyst2 parses (keeping line numbers), remembers their options, comments out
``#include`` lines with a note, and values are stripped here.

Mapping: app_queue strategies become the nearest switchboard strategy; every member gets
a skill named after the queue, its level ``100 - penalty`` (lower penalty, higher level);
a queue whose members have different penalties is ``tiered`` (levels first, as Asterisk
tries lower penalties first). Static members are always logged in under app_queue, so
they start ``ready`` (``initial_state``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from asterisk.config import Config as _PystConfig

from switchboard.queue.core.model import MAX_SKILL_LEVEL

__all__ = ["ImportNote", "ImportResult", "import_queues_conf", "to_yaml"]

_TEMPLATE_HEADER = re.compile(r"^\s*\[([^\]]+)\]\s*\(([^)]*)\)\s*(;.*)?$")
_STRATEGIES: dict[str, tuple[str, str]] = {
    "leastrecent": ("longest_idle", ""),
    "fewestcalls": ("fewest_calls", ""),
    "random": ("random", ""),
    "rrmemory": ("round_robin", ""),
    "rrordered": ("round_robin", ""),
    "ringall": (
        "longest_idle",
        "ringall rings every member at once; switchboard offers one "
        "agent at a time, so the longest idle one is offered first",
    ),
    "linear": (
        "highest_skill",
        "linear rings members in the order listed; mapped to "
        "highest_skill with tiered levels that follow that order",
    ),
    "wrandom": (
        "random",
        "wrandom weights the draw by penalty; switchboard draws evenly "
        "within the tiers the penalties make",
    ),
}
_SECONDS = {
    "timeout": "ring_timeout_s",
    "wrapuptime": "wrap_up_s",
    "servicelevel": "service_level_s",
}
_NOTED = {
    "joinempty": "switchboard always lets callers join and overflows them by time instead",
    "leavewhenempty": "switchboard keeps callers and overflows them by time instead",
    "retry": "switchboard offers the next agent at once",
    "autopause": "a missed offer always pauses the agent ('missed_call')",
    "ringinuse": "switchboard never offers a call to a busy device",
    "context": "to let callers leave with a digit, use the IVR flow",
    "periodic-announce": "use the IVR flow's prompts",
    "periodic-announce-frequency": "use the IVR flow's prompts",
}


@dataclass(frozen=True, slots=True)
class ImportNote:
    line: int
    section: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: [{self.section}] {self.key}: {self.message}"


@dataclass
class ImportResult:
    queues: dict[str, dict[str, Any]] = field(default_factory=dict)
    agents: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[ImportNote] = field(default_factory=list)


class _Conf(_PystConfig):  # type: ignore[misc]
    """pyst2's parser, taught to skip the template syntax and includes it cannot read."""

    def __init__(self, filename: str) -> None:
        self.options: dict[int, list[str]] = {}
        self.skipped: list[tuple[int, str]] = []
        super().__init__(filename)

    def load(self) -> None:
        text = Path(self.filename).read_text(encoding="utf-8", errors="replace")
        lines = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if (match := _TEMPLATE_HEADER.match(raw)) is not None:
                self.options[number] = [o.strip() for o in match.group(2).split(",") if o.strip()]
                raw = f"[{match.group(1).strip()}]"
            elif raw.lstrip().startswith("#"):
                self.skipped.append((number, raw.strip()))
                raw = ";" + raw
            lines.append(raw + "\n")
        self.raw_lines = lines


Items = list[tuple[str, str, int]]  # (key, value, line)


def _sections(path: Path, result: ImportResult) -> Iterator[tuple[str, int, Items]]:
    """Each real (non-template) section with its items, templates and '+' merged in."""
    conf = _Conf(str(path))
    for number, line in conf.skipped:
        result.notes.append(
            ImportNote(
                number,
                "(file)",
                line.split()[0],
                "not followed; import the included file on its own",
            )
        )
    items: dict[str, list[tuple[str, str, int]]] = {}
    lines: dict[str, int] = {}
    templates: set[str] = set()
    for category in conf.categories:
        name = category.name.strip()
        options = conf.options.get(category.number, [])
        own = [(i.name.strip().lower(), i.value.strip(), i.number) for i in category.items]
        if "+" in options and name in items:
            items[name] += own
            continue
        inherited: list[tuple[str, str, int]] = []
        for option in options:
            if option == "!":
                templates.add(name)
            elif option in items:
                inherited += items[option]
            elif option != "+":
                result.notes.append(
                    ImportNote(
                        category.number,
                        name,
                        "template",
                        f"template '{option}' is not defined above",
                    )
                )
        items[name], lines[name] = inherited + own, category.number
    for name, values in items.items():
        if name not in templates:
            yield name, lines[name], values


def _agent_id(interface: str) -> str:
    tail = interface.split("/", 1)[-1]
    return re.split(r"[@/]", tail)[0] or interface


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def import_queues_conf(path: Path) -> ImportResult:
    """Read ``path``; raises ``asterisk.config.ParseError`` (args: line, message) if pyst2
    cannot parse it, ``OSError`` if it cannot be read."""
    result = ImportResult()
    for name, header_line, values in _sections(path, result):
        if name.lower() == "general":
            for key, _value, number in values:
                result.notes.append(ImportNote(number, name, key, "general setting not mapped"))
            continue
        queue: dict[str, Any] = {"skills": {name: 1}}
        members: list[tuple[str, int, str, int]] = []
        for key, value, number in values:

            def note(message: str, key: str = key, number: int = number, name: str = name) -> None:
                result.notes.append(ImportNote(number, name, key, message))

            if key == "strategy":
                mapped, why = _STRATEGIES.get(value.lower(), ("longest_idle", ""))
                queue["strategy"] = mapped
                if value.lower() not in _STRATEGIES:
                    note(f"unknown strategy '{value}'; using longest_idle")
                elif why:
                    note(why)
            elif key in _SECONDS and (seconds := _number(value)) is not None:
                if key == "timeout" and seconds <= 0:
                    note("timeout 0 (ring forever) is not allowed; using 15 s")
                    seconds = 15
                queue[_SECONDS[key]] = seconds
            elif key == "maxlen" and (count := _number(value)) is not None:
                if count > 0:
                    queue["max_length"] = int(count)
            elif key == "weight" and (weight := _number(value)) is not None:
                queue["weight"] = int(weight)
            elif key in ("musicclass", "musiconhold"):
                queue["music_class"] = value
            elif key == "announce-frequency" and (seconds := _number(value)) is not None:
                queue["announce_interval_s"] = seconds if seconds > 0 else None
            elif key == "member":
                parts = [p.strip() for p in value.split(",")]
                penalty = int(_number(parts[1]) or 0) if len(parts) > 1 and parts[1] else 0
                member_name = parts[2] if len(parts) > 2 else ""
                if len(parts) > 3 and parts[3] and parts[3] != parts[0]:
                    note(
                        f"state interface {parts[3]} not kept; switchboard follows the "
                        f"device {parts[0]}"
                    )
                members.append((parts[0], penalty, member_name, number))
            elif key in _NOTED:
                note(f"not mapped: {_NOTED[key]}")
            else:
                note(f"not mapped (value '{value}')")
        linear = queue.get("strategy") == "highest_skill"
        penalties = {penalty for _i, penalty, _n, _l in members}
        if len(penalties) > 1 or linear:
            queue["tiered"] = True
        for order, (interface, penalty, member_name, _line) in enumerate(members):
            level = MAX_SKILL_LEVEL - order if linear else MAX_SKILL_LEVEL - penalty
            level = max(1, min(MAX_SKILL_LEVEL, level))
            agent = result.agents.setdefault(
                _agent_id(interface),
                {
                    "name": member_name or _agent_id(interface),
                    "device": interface,
                    "skills": {},
                    "queues": [],
                    "initial_state": "ready",
                },
            )
            agent["skills"][name] = level
            agent["queues"].append(name)
        if not members:
            result.notes.append(
                ImportNote(
                    header_line, name, "member", "no static members: add agents to the queue file"
                )
            )
        result.queues[name] = queue
    return result


def to_yaml(result: ImportResult, source: str) -> str:
    """The queue file, with what could not be mapped listed at the top as comments."""
    head = [f"# Imported from {source} by 'switchboard import-asterisk'."]
    if result.notes:
        head.append("# Not mapped, or mapped approximately:")
        head += [f"#   {note}" for note in result.notes]
    body = yaml.safe_dump(
        {"queues": result.queues, "agents": result.agents}, sort_keys=False, allow_unicode=True
    )
    return "\n".join(head) + "\n" + body
