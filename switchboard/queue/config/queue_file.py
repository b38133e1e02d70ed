# -*- test-case-name: tests.queue.test_config -*-
"""Queues and agents described in a YAML file, validated once with errors that name the
file, the line, the key and the fix.

YAML, like the IVR flows, rather than TOML like the settings: the file is a long list of
agents with nested skill maps and per-queue rule lists, which YAML writes flat and TOML
only as ``[[agents]]`` tables or inline tables; operators edit flows and queues side by
side; and the flows' loader already keeps a line for every key. Example::

    queues:
      sales:
        skills: {sales: 2}
        strategy: longest_idle        # fewest_calls, round_robin, highest_skill, random
        max_wait_s: 600
        fallback: {kind: queue, target: support}
        routing: switchboard          # or app_queue: the dialplan's Queue() routes it
        overflow:
          - {after_s: 60, min_level: 1}
          - {after_s: 120, add_agents_of: [support]}
        language_match: prefer        # or strict: only agents who speak the caller's language
        language_wait_s: 15           # prefer: wait this long for one (0: any agent at once)
    agents:
      "1001": {name: Alice, device: PJSIP/1001, skills: {sales: 3}, languages: [en],
               queues: [sales], initial_state: ready}   # or paused; default logged_out

``initial_state`` logs the agent in when ``switchboard serve`` starts (and when the agent
first appears in a reloaded file): ``ready`` takes calls at once, ``paused`` is logged in
but not ready. Afterwards ``switchboard agents ...`` changes it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.queue.core.model import (
    MAX_SKILL_LEVEL,
    Agent,
    Fallback,
    LanguageMatch,
    OverflowRule,
    Queue,
    Routing,
    Strategy,
    frozen_map,
)

# The flows' line-keeping YAML loader (promote to a shared module: see the report).
from switchboard.yamlines import LineDict, YamlSyntaxError, line_of, load_yaml

__all__ = [
    "InitialState",
    "QueueConfig",
    "QueueConfigError",
    "QueueConfigProblem",
    "check_queue_config",
    "load_queue_config",
    "parse_queue_config",
]


InitialState = Literal["logged_out", "ready", "paused"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _FallbackSpec(_Spec):
    kind: Literal["queue", "voicemail", "callback", "exit"] = "voicemail"
    target: str = ""


class _OverflowSpec(_Spec):
    after_s: float = Field(gt=0)
    min_level: int | None = Field(None, ge=1, le=MAX_SKILL_LEVEL)
    drop_skills: tuple[str, ...] = ()
    add_agents_of: tuple[str, ...] = ()


class _QueueSpec(_Spec):
    skills: dict[str, int] = {}
    strategy: Strategy = Strategy.LONGEST_IDLE
    tiered: bool = False
    service_level_s: float = Field(20.0, gt=0)
    ring_timeout_s: float = Field(15.0, gt=0)
    wrap_up_s: float = Field(10.0, ge=0)
    max_wait_s: float | None = Field(None, gt=0)
    max_length: int | None = Field(None, ge=1)
    fallback: _FallbackSpec = _FallbackSpec()
    overflow: tuple[_OverflowSpec, ...] = ()
    aging_per_min: float = Field(0.0, ge=0)
    weight: int = 0
    announce_interval_s: float | None = Field(30.0, gt=0)
    music_class: str = "default"
    callback_offer_after_s: float | None = Field(None, ge=0)
    callback_attempts: int = Field(3, ge=1, le=20)
    callback_retry_s: float = Field(300.0, gt=0)
    short_abandon_s: float = Field(5.0, ge=0)
    expected_handle_s: float = Field(180.0, gt=0)
    routing: Routing = "switchboard"  # or app_queue: Queue() routes, switchboard tracks
    language_match: LanguageMatch = LanguageMatch.PREFER
    language_wait_s: float = Field(15.0, ge=0)


class _AgentSpec(_Spec):
    name: str = ""
    device: str = Field(min_length=3, pattern=r"^[A-Za-z0-9_-]+/\S+$")
    skills: dict[str, int] = {}
    languages: tuple[str, ...] = ()
    queues: tuple[str, ...] = ()
    initial_state: InitialState = "logged_out"


@dataclass(frozen=True, slots=True)
class QueueConfigProblem:
    file: str
    line: int
    key: str  # dotted path: queues.sales.max_wait_s
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message} (fix: {self.fix})"


class QueueConfigError(Exception):
    def __init__(self, problems: list[QueueConfigProblem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the queue configuration:\n{lines}")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    queues: tuple[Queue, ...]
    agents: tuple[Agent, ...]
    # Agent id -> "ready" or "paused": logged in when the ACD starts (others: logged out).
    initial_states: Mapping[str, InitialState] = field(default_factory=dict)

    def routed_by(self, routing: Routing) -> QueueConfig:
        """Only the queues ``routing`` routes; agents keep only those queues."""
        names = {q.name for q in self.queues if q.routing == routing}
        return QueueConfig(
            tuple(q for q in self.queues if q.name in names),
            tuple(replace(a, queues=tuple(q for q in a.queues if q in names)) for a in self.agents),
            self.initial_states,
        )


def _line(data: Any, path: tuple[Any, ...]) -> int:
    """The line of the deepest part of ``path`` that the YAML still knows."""
    line, node = line_of(data), data
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line, node = node.line_of(part), node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line, node = line_of(node, part) or line, node[part]
        else:
            break
    return line


def _fix_for(error: Any, model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, list(model.model_fields), n=1)
        return (
            f"did you mean '{close[0]}'?"
            if close
            else "remove it; allowed: " + ", ".join(model.model_fields)
        )
    if error["type"] in ("enum", "literal_error"):
        return "use one of: " + str(error["ctx"]["expected"])
    if str(error["loc"][0]) == "device":
        return "an Asterisk dial string such as PJSIP/1001 or Local/1001@agents"
    return "see the example at the top of switchboard/queue/config/queue_file.py"


def parse_queue_config(data: Any, file: str) -> tuple[QueueConfig | None, list[QueueConfigProblem]]:
    problems: list[QueueConfigProblem] = []

    def problem(path: tuple[Any, ...], message: str, fix: str) -> None:
        key = ".".join(str(p) for p in path)
        problems.append(QueueConfigProblem(file, _line(data, path), key, message, fix))

    if not isinstance(data, dict):
        problem((), "expected a mapping with 'queues:' and 'agents:'", "start with 'queues:'")
        return None, problems
    for key in data:
        if key not in ("queues", "agents"):
            problem((key,), "unknown section", "only 'queues:' and 'agents:' are read")
    specs: dict[str, dict[str, Any]] = {"queues": {}, "agents": {}}
    for section, model in (("queues", _QueueSpec), ("agents", _AgentSpec)):
        raw = data.get(section) or {}
        if not isinstance(raw, dict):
            problem((section,), "expected a mapping of name to settings", f"{section}: {{...}}")
            continue
        for name, body in raw.items():
            try:
                specs[section][str(name)] = model.model_validate(body if body is not None else {})
            except ValidationError as exc:
                for error in exc.errors():
                    loc = (section, name, *error["loc"])
                    problem(loc, error["msg"], _fix_for(error, model))
    queues: dict[str, _QueueSpec] = specs["queues"]
    agents: dict[str, _AgentSpec] = specs["agents"]
    names = sorted(queues)

    def check_queue(path: tuple[Any, ...], target: str) -> None:
        if target not in queues and target not in data.get("queues", {}):
            close = difflib.get_close_matches(target, names, n=1)
            problem(
                path,
                f"no queue named '{target}'",
                f"did you mean '{close[0]}'?" if close else "define it under 'queues:'",
            )

    for name, spec in queues.items():
        for skill, level in spec.skills.items():
            if not 1 <= level <= MAX_SKILL_LEVEL:
                problem(
                    ("queues", name, "skills", skill),
                    f"level {level} out of range",
                    f"use 1..{MAX_SKILL_LEVEL}",
                )
        if spec.fallback.kind == "queue":
            check_queue(("queues", name, "fallback", "target"), spec.fallback.target)
        for index, rule in enumerate(spec.overflow):
            for other in rule.add_agents_of:
                check_queue(("queues", name, "overflow", index, "add_agents_of"), other)
    for agent_id, agent_spec in agents.items():
        for queue in agent_spec.queues:
            check_queue(("agents", agent_id, "queues"), queue)
        for skill, level in agent_spec.skills.items():
            if not 1 <= level <= MAX_SKILL_LEVEL:
                problem(
                    ("agents", agent_id, "skills", skill),
                    f"level {level} out of range",
                    f"use 1..{MAX_SKILL_LEVEL}",
                )
    if problems:
        return None, problems
    return QueueConfig(
        queues=tuple(
            Queue(
                name=name,
                required_skills=frozen_map(s.skills),
                strategy=s.strategy,
                tiered=s.tiered,
                service_level_s=s.service_level_s,
                ring_timeout_s=s.ring_timeout_s,
                wrap_up_s=s.wrap_up_s,
                max_wait_s=s.max_wait_s,
                max_length=s.max_length,
                fallback=Fallback(s.fallback.kind, s.fallback.target),
                overflow=tuple(
                    OverflowRule(r.after_s, r.min_level, r.drop_skills, r.add_agents_of)
                    for r in s.overflow
                ),
                aging_per_min=s.aging_per_min,
                weight=s.weight,
                announce_interval_s=s.announce_interval_s,
                music_class=s.music_class,
                callback_offer_after_s=s.callback_offer_after_s,
                callback_attempts=s.callback_attempts,
                callback_retry_s=s.callback_retry_s,
                short_abandon_s=s.short_abandon_s,
                expected_handle_s=s.expected_handle_s,
                routing=s.routing,
                language_match=s.language_match,
                language_wait_s=s.language_wait_s,
            )
            for name, s in sorted(queues.items())
        ),
        agents=tuple(
            Agent(
                id=agent_id,
                name=s.name or agent_id,
                device=s.device,
                skills=frozen_map(s.skills),
                languages=frozenset(s.languages),
                queues=s.queues,
            )
            for agent_id, s in sorted(agents.items())
        ),
        initial_states={
            agent_id: s.initial_state
            for agent_id, s in sorted(agents.items())
            if s.initial_state != "logged_out"
        },
    ), []


def check_queue_config(path: Path) -> tuple[QueueConfig | None, list[QueueConfigProblem]]:
    """Load and validate; the configuration is None when there is any problem."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        return None, [
            QueueConfigProblem(str(path), exc.line, "(file)", f"not valid YAML: {exc}", exc.fix)
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [
            QueueConfigProblem(
                str(path),
                0,
                "(file)",
                f"cannot read: {exc}",
                "check the path, its permissions and that it is UTF-8",
            )
        ]
    return parse_queue_config(data, str(path))


def load_queue_config(path: Path) -> QueueConfig:
    """Raises :class:`QueueConfigError` listing every problem, not just the first."""
    config, problems = check_queue_config(path)
    if config is None:
        raise QueueConfigError(problems)
    return config
