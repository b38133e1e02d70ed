# -*- test-case-name: tests.ivr.test_parse -*-
"""Typed reads of one YAML mapping, each mistake recorded as a problem with its line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from switchboard.ivr_flows.errors import FlowProblem
from switchboard.yamlines import LineDict, LineList

__all__ = ["Fields"]

_MISSING = object()


class Fields:
    """Reads fields of ``data`` (a step, an option, a flow header) for one file/flow/step."""

    def __init__(
        self, data: LineDict, file: str, flow: str, step: str, problems: list[FlowProblem]
    ) -> None:
        self.data = data
        self.file = file
        self.flow = flow
        self.step = step
        self.problems = problems
        self.used: set[str] = set()

    def line(self, key: str | None = None) -> int:
        return self.data.line_of(key) if key is not None else self.data.line

    def problem(self, key: str | None, code: str, message: str, fix: str) -> None:
        self.problems.append(
            FlowProblem(self.file, self.line(key), code, message, fix, self.flow, self.step)
        )

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self.used.add(key)
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        return None if default is _MISSING else default

    def required(self, key: str, what: str, example: str) -> Any:
        self.used.add(key)
        if self.data.get(key) is None:
            self.problem(
                None, "missing_field", f"'{key}' is required ({what})", f"add '{key}: {example}'"
            )
            return None
        return self.data[key]

    def text(self, key: str, default: str | None = None, *, required: str = "") -> str | None:
        value = self.required(key, required, "...") if required else self.raw(key)
        if value is None:
            return default
        if isinstance(value, dict | list):
            self.problem(
                key, "invalid_field", f"'{key}' must be a single value", f"write '{key}: <text>'"
            )
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def number(self, key: str, default: float, *, low: float, high: float) -> float:
        value = self.raw(key)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (low <= value <= high)
        ):
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be a number from {low:g} to {high:g}, not {value!r}",
                f"e.g. '{key}: {default:g}'",
            )
            return default
        return float(value)

    def integer(self, key: str, default: int, *, low: int, high: int) -> int:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high):
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be a whole number from {low} to {high}, not {value!r}",
                f"e.g. '{key}: {default}'",
            )
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be true or false, not {value!r}",
                f"'{key}: {str(default).lower()}'",
            )
            return default
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; a single string counts as a list of one."""
        value = self.raw(key)
        if value is None:
            return ()
        if isinstance(value, str | int):
            return (str(value),)
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            return tuple(str(v) for v in value)
        self.problem(
            key,
            "invalid_field",
            f"'{key}' must be a name or a list of names",
            f"'{key}: [first, second]'",
        )
        return ()

    def mapping(self, key: str, *, required: str = "") -> LineDict | None:
        value = self.required(key, required, "{...}") if required else self.raw(key)
        if value is None:
            return None
        if not isinstance(value, LineDict):
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be a mapping",
                f"write '{key}:' followed by indented 'name: value' lines",
            )
            return None
        return value

    def sequence(self, key: str) -> LineList | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, LineList):
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be a list",
                f"write '{key}:' followed by '- item' lines",
            )
            return None
        return value

    def choice(self, key: str, allowed: Iterable[str], default: str) -> str:
        allowed = tuple(allowed)
        value = self.text(key)
        if value is None:
            return default
        if value not in allowed:
            self.problem(
                key,
                "invalid_field",
                f"'{key}' must be one of {', '.join(allowed)}, not '{value}'",
                f"'{key}: {default}'",
            )
            return default
        return value

    def finish(self, ignored: Iterable[str] = ()) -> None:
        """Report fields nobody read (typos), suggesting the closest known one."""
        known = self.used | set(ignored)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(str(key), sorted(known), n=1)
                fix = f"did you mean '{close[0]}'?" if close else "remove it"
                self.problem(key, "unknown_field", f"unknown field '{key}'", fix)
