# -*- test-case-name: tests.sim.test_scenario -*-
"""Scripted people: callers and agent phones, from YAML and a seeded random generator.

A scenario file (YAML) has optional top-level keys ``seed``, ``max_calls``,
``max_duration_s``, ``random_calls``, ``calls`` (a list of callers) and ``agents``
(a mapping from agent extension, e.g. ``agent1001``, to its phone's behaviour).
Every value is validated once, at load; a mistake raises :class:`ScenarioError`
naming the file and the key path (``calls[2].digits``) and what is expected.

A caller who walks a multi-level menu lists ``keys``, pressed in order::

    calls:
      - at_s: 0
        number: "13800138000"
        keys:
          - {after_s: 2, digits: "3"}                      # 2 s after answer
          - {prompt: main-menu, after_s: 0.5, digits: "2"} # 0.5 s into that prompt

Keys without ``prompt`` are timed from the answer; with ``prompt`` from the next time
that prompt starts playing (``main-menu`` matches ``switchboard/en/main-menu``).
Asterisk drops digits pressed between AGI commands, so press while a prompt or a
digit wait runs, as a person does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from switchboard.sim.pbx import AgentBehaviour

BEHAVIOURS = ("dtmf", "silent", "abandon")
HANGS_UP = ("agent", "caller")
LANGUAGES = ("en", "zh", "cmn", "yue")
_DIGITS = set("0123456789*#")


class ScenarioError(ValueError):
    """A scenario file (or mapping) is not valid; the message names file and key."""


@dataclass(frozen=True)
class KeyPress:
    """``digits`` pressed ``after_s`` after answer, or after ``prompt`` starts playing."""

    digits: str
    after_s: float = 0.0
    prompt: str = ""


@dataclass(frozen=True)
class ScriptedCall:
    """One caller: when they call, who they are and what they do.

    ``behaviour`` is the ``switchboard-caller`` extension the ``;1`` half runs:
    ``dtmf`` presses ``digits`` ``delay_s`` after answer, then ``more_digits`` 1 s later;
    ``silent`` presses nothing; ``abandon`` hangs up ``abandon_after_s`` after answer
    (patience). ``keys`` are further presses (:class:`KeyPress`), made whatever the
    behaviour. ``callback``: when offered a callback (a prompt whose name contains
    ``callback_prompt`` starts, ``callback_after_s`` or more after answer) the caller
    presses ``callback_digit``, once. ``csat`` is the rating pressed for the survey (at a
    prompt containing ``csat_prompt``, or 2 s after an ACD conversation ends).
    """

    at_s: float
    number: str
    name: str
    behaviour: str = "silent"
    digits: str = ""
    delay_s: float = 1.5
    more_digits: str = ""
    abandon_after_s: float = 14.0
    language: str = "en"
    callback: bool = False
    callback_digit: str = "1"
    callback_after_s: float = 0.0
    csat: int | None = None
    keys: tuple[KeyPress, ...] = ()
    callback_prompt: str = "callback"
    csat_prompt: str = "csat"


@dataclass(frozen=True)
class Scenario:
    calls: tuple[ScriptedCall, ...] = ()
    random_calls: int = 0
    max_calls: int = 100
    max_duration_s: float = 3600.0
    agents: dict[str, AgentBehaviour] = field(default_factory=dict)
    seed: int | None = None

    def bounded(
        self,
        *,
        random_calls: int | None = None,
        max_calls: int | None = None,
        max_duration_s: float | None = None,
    ) -> Scenario:
        """A copy with command-line overrides (``None`` keeps the scenario's value)."""
        return replace(
            self,
            random_calls=self.random_calls if random_calls is None else random_calls,
            max_calls=self.max_calls if max_calls is None else max_calls,
            max_duration_s=self.max_duration_s if max_duration_s is None else max_duration_s,
        )

    def all_calls(self, rng: random.Random) -> list[ScriptedCall]:
        """Scripted calls plus ``random_calls`` people drawn from ``rng``, capped."""
        calls = list(self.calls)
        for i in range(self.random_calls):
            calls.append(random_caller(rng, i + 1))
        return sorted(calls, key=lambda c: c.at_s)[: self.max_calls]


def random_caller(rng: random.Random, n: int, spread_s: float = 60.0) -> ScriptedCall:
    """One plausible caller drawn from ``rng`` (same seed, same person)."""
    kind = rng.choice(["dtmf", "dtmf", "silent", "abandon"])
    return ScriptedCall(
        at_s=round(rng.uniform(0, spread_s), 1),
        number=f"555{rng.randrange(10**4):04d}",
        name=f"Caller {n}",
        behaviour=kind,
        digits=rng.choice("12"),
        delay_s=round(rng.uniform(0.5, 2.5), 1),
        more_digits=rng.choice(["", "#", "45#"]),
        abandon_after_s=round(rng.uniform(3, 40), 1),
        language=rng.choice(LANGUAGES),
        callback=rng.random() < 0.2,
        callback_after_s=round(rng.uniform(10, 60), 1),
        csat=rng.choice([None, 1, 2, 3, 4, 5]),
    )


# -- validation ------------------------------------------------------------------------
class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.source}: {key}: {message}")

    def number(self, value: Any, key: str, *, minimum: float = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be >= {minimum:g}, got {value!r}")
        return float(value)

    def integer(self, value: Any, key: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be >= {minimum}, got {value!r}")
        return value

    def text(self, value: Any, key: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)  # phone numbers written without quotes
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {value!r}")
        return value

    def choice(self, value: Any, key: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(key, f"expected one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def digits(self, value: Any, key: str) -> str:
        text = self.text(value, key)
        bad = sorted(set(text) - _DIGITS)
        if bad:
            raise self.fail(key, f"only 0-9, * and # can be pressed, got {''.join(bad)!r}")
        return text

    def mapping(self, value: Any, key: str, known: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(str(k) for k in value if k not in known)
        if unknown:
            raise self.fail(
                f"{key}.{unknown[0]}" if key else unknown[0],
                f"unknown key; expected one of {', '.join(sorted(known))}",
            )
        return value


def _call(c: _Checker, raw: Any, key: str) -> ScriptedCall:
    known = {f.name for f in fields(ScriptedCall)}
    data = c.mapping(raw, key, known)
    for required in ("at_s", "number"):
        if required not in data:
            raise c.fail(f"{key}.{required}", "required")
    out: dict[str, Any] = {
        "at_s": c.number(data["at_s"], f"{key}.at_s"),
        "number": c.digits(data["number"], f"{key}.number"),
        "name": c.text(data.get("name", f"Caller {data['number']}"), f"{key}.name"),
    }
    for name in ("delay_s", "abandon_after_s", "callback_after_s"):
        if name in data:
            out[name] = c.number(data[name], f"{key}.{name}")
    for name in ("digits", "more_digits", "callback_digit"):
        if name in data:
            out[name] = c.digits(data[name], f"{key}.{name}")
    if "behaviour" in data:
        out["behaviour"] = c.choice(data["behaviour"], f"{key}.behaviour", BEHAVIOURS)
    if "language" in data:
        out["language"] = c.choice(data["language"], f"{key}.language", LANGUAGES)
    if "callback" in data:
        if not isinstance(data["callback"], bool):
            raise c.fail(f"{key}.callback", f"expected true or false, got {data['callback']!r}")
        out["callback"] = data["callback"]
    if data.get("csat") is not None:
        rating = c.integer(data["csat"], f"{key}.csat", minimum=1)
        if rating > 5:
            raise c.fail(f"{key}.csat", f"a rating is 1-5, got {rating}")
        out["csat"] = rating
    for name in ("callback_prompt", "csat_prompt"):
        if name in data:
            out[name] = c.text(data[name], f"{key}.{name}")
    if "keys" in data:
        out["keys"] = _keys(c, data["keys"], f"{key}.keys")
    if out.get("behaviour") == "dtmf" and not out.get("digits"):
        raise c.fail(f"{key}.digits", "a dtmf caller needs digits to press")
    return ScriptedCall(**out)


def _keys(c: _Checker, raw: Any, key: str) -> tuple[KeyPress, ...]:
    if not isinstance(raw, list):
        raise c.fail(key, "expected a list of {after_s, digits[, prompt]}")
    presses = []
    for i, item in enumerate(raw):
        where = f"{key}[{i}]"
        data = c.mapping(item, where, {"after_s", "digits", "prompt"})
        if not data.get("digits"):
            raise c.fail(f"{where}.digits", "required: the keys to press")
        presses.append(
            KeyPress(
                digits=c.digits(data["digits"], f"{where}.digits"),
                after_s=c.number(data.get("after_s", 0.0), f"{where}.after_s"),
                prompt=c.text(data.get("prompt", ""), f"{where}.prompt"),
            )
        )
    return tuple(presses)


def _agent(c: _Checker, raw: Any, key: str) -> AgentBehaviour:
    data = c.mapping(raw, key, {f.name for f in fields(AgentBehaviour)})
    answer = data.get("answer_after_s", 1.0)
    talk = data.get("talk_s")
    return AgentBehaviour(
        answer_after_s=None if answer is None else c.number(answer, f"{key}.answer_after_s"),
        talk_s=None if talk is None else c.number(talk, f"{key}.talk_s"),
        hangs_up=c.choice(data.get("hangs_up", "agent"), f"{key}.hangs_up", HANGS_UP),
    )


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping (as loaded from YAML)."""
    c = _Checker(source)
    if data is None:
        return Scenario()
    known = {"seed", "max_calls", "max_duration_s", "random_calls", "calls", "agents"}
    data = c.mapping(data, "", known)
    calls_raw = data.get("calls", [])
    if not isinstance(calls_raw, list):
        raise c.fail("calls", "expected a list of callers")
    agents_raw = data.get("agents", {}) or {}
    agents = {
        str(name): _agent(c, value, f"agents.{name}")
        for name, value in c.mapping(agents_raw, "agents", set(agents_raw)).items()
    }
    seed = data.get("seed")
    return Scenario(
        calls=tuple(_call(c, raw, f"calls[{i}]") for i, raw in enumerate(calls_raw)),
        random_calls=c.integer(data.get("random_calls", 0), "random_calls"),
        max_calls=c.integer(data.get("max_calls", 100), "max_calls", minimum=1),
        max_duration_s=c.number(data.get("max_duration_s", 3600.0), "max_duration_s"),
        agents=agents,
        seed=None if seed is None else c.integer(seed, "seed"),
    )


def load_scenario(path: Path) -> Scenario:
    """Read and validate a YAML scenario file."""
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise ScenarioError(f"{path}: {where}: not valid YAML ({exc})") from None
    return parse_scenario(data, str(path))
