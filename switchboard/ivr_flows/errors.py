# -*- test-case-name: tests.ivr.test_validate -*-
"""What is wrong with a flow file: each problem names the file, line, step and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FlowError", "FlowProblem"]


@dataclass(frozen=True, slots=True)
class FlowProblem:
    """One problem found while loading flows.

    ``code`` is stable and machine-readable (``unknown_step_type``, ``dangling_next``,
    ``unreachable_step``, ``loop_without_input``, ``missing_prompt``,
    ``undefined_variable``, ``invalid_field``, ``yaml_syntax`` ...); ``line`` is 1-based,
    0 when unknown.
    """

    file: str
    line: int
    code: str
    message: str
    fix: str
    flow: str = ""
    step: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        step = f" step '{self.step}'" if self.step else ""
        return f"{where}:{step} {self.message} [{self.code}] (fix: {self.fix})"


class FlowError(Exception):
    """Flows could not be loaded; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: Sequence[FlowProblem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in flows:\n{lines}")
