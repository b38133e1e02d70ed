# -*- test-case-name: tests.ivr.test_parse -*-
"""``${var}`` interpolation: the one place templates are read.

``${name}`` is replaced by the variable's value (empty when unset), ``$$`` is a literal
``$``. Names are letters, digits, ``_`` and ``.`` (``${customer.name}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

__all__ = ["VARIABLE_NAME", "interpolate", "is_luhn_valid", "references"]

VARIABLE_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_TOKEN: Final = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_.]*)\}")


def interpolate(template: str, variables: Mapping[str, str]) -> str:
    """Fill ``${var}`` from ``variables``; unknown names become empty strings."""
    if "$" not in template:
        return template

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return "$" if name is None else variables.get(name, "")

    return _TOKEN.sub(replace, template)


def references(template: str) -> Iterator[str]:
    """The variable names a template reads."""
    for match in _TOKEN.finditer(template):
        if match.group(1) is not None:
            yield match.group(1)


def is_luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by card and many account numbers."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0
