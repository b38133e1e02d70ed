# -*- test-case-name: tests.unit.test_agi_wire -*-
"""Command lines: quoting arguments for Asterisk, and splitting a line the way Asterisk does.

Asterisk splits an AGI command line on spaces and tabs. A double quote toggles quoting
(and, after whitespace, starts an argument, so ``""`` is an empty argument); a backslash
makes the next character literal; a lone trailing backslash is dropped. We quote an
argument when that splitting would otherwise change it, escaping ``"`` and ``\\``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Arg",
    "Quoted",
    "UnsafeArgument",
    "app_argument",
    "format_command",
    "parse_command_line",
]

_NEEDS_QUOTES = re.compile(r'[\s"\\]')
_FORBIDDEN = re.compile("[\r\n\0]")
# EXEC hands its data to the application, which splits it on ',' (or '|' with
# res_agi's compat option) and drops '"' and '\\' (__ast_app_separate_args, main/app.c).
_APP_SEPARATORS = re.compile(r'[,|"\\\r\n\0]')


class UnsafeArgument(ValueError):
    """An argument holds CR, LF or NUL, which would end or corrupt the command line,
    or a value meant for one application argument holds that application's separators."""


def app_argument(value: object, what: str = "application argument") -> str:
    """``value`` as one argument of an ``EXEC`` application (``Dial``, ``VoiceMail`` ...).

    The command line is quoted for Asterisk's own split already; this guards the split the
    application does next. Join checked values with ``,`` to build the EXEC data.

    Raises:
        UnsafeArgument: the value holds ``,``, ``|``, ``"``, ``\\``, CR, LF or NUL.
    """
    text = str(value)
    if (bad := _APP_SEPARATORS.search(text)) is not None:
        raise UnsafeArgument(
            f"{what} {text[:40]!r} holds {bad.group()!r}, which the application would read"
            " as a separator or drop: check where the value comes from"
        )
    return text


@dataclass(frozen=True, slots=True)
class Quoted:
    """An argument always sent in double quotes (digit sets, messages, expressions)."""

    value: str


Arg = str | int | Quoted


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render(arg: Arg) -> str:
    if isinstance(arg, Quoted):
        return _quote(arg.value)
    text = str(arg)
    if text == "" or _NEEDS_QUOTES.search(text):
        return _quote(text)
    return text


def format_command(verb: str, *args: Arg) -> bytes:
    """Serialize one command: ``format_command("GET DATA", "beep", 4000, 4)``.

    Raises:
        UnsafeArgument: the verb or an argument holds CR, LF or NUL.
    """
    try:
        return _format_cached(verb, *args)
    except TypeError:  # an unhashable argument: not cacheable, format it each time
        return _format(verb, *args)


# An IVR sends the same few commands over and over (its prompts, its variables), so the
# bytes are kept for recent ones. ``typed`` keeps 1 and True apart, which render differently.
# A command that raises UnsafeArgument is never cached.
def _format(verb: str, *args: Arg) -> bytes:
    line = " ".join([verb, *map(_render, args)]) if args else verb
    # Quoting never adds CR, LF or NUL, so one search of the line covers every argument.
    if (bad := _FORBIDDEN.search(line)) is not None:
        raise UnsafeArgument(f"AGI command contains {bad.group()!r}: {line[:60]!r}")
    return (line + "\n").encode("utf-8")


_format_cached = lru_cache(maxsize=1024, typed=True)(_format)


def parse_command_line(line: str) -> list[str]:
    """Split one command line into words exactly as Asterisk's AGI does."""
    line = line.removesuffix("\n").removesuffix("\r")
    words: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    between = True  # in whitespace: the next literal character starts a word
    for char in line:
        if char == '"' and not escaped:
            quoted = not quoted
            if quoted and between:
                words.append("")
                current = []
                between = False
            continue
        if char in " \t" and not quoted and not escaped:
            if not between:
                words[-1] = "".join(current)
            between = True
            continue
        if char == "\\" and not escaped:
            escaped = True
            continue
        escaped = False
        if between:
            words.append("")
            current = []
            between = False
        current.append(char)
    if not between:
        words[-1] = "".join(current)
    return words
