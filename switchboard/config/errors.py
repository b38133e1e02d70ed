"""Configuration errors that name the file, the key, what was expected and what was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the settings, with enough context to fix it."""

    source: str  # a file path, or "environment"
    key: str  # dotted key path, e.g. "ami.port", or an env variable name
    problem: str  # what was expected
    found: str  # what was found (already redacted for secrets)
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.key}: {self.problem} (found {self.found})"


class ConfigError(Exception):
    """Raised once, at load, with every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        lines = [f"{len(problems)} problem(s) in the settings:"]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))
