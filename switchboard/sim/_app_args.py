# -*- test-case-name: tests.sim.test_app_args -*-
"""How Asterisk cuts an argument string into arguments, for the simulated applications
and the ``Variable:`` headers of AMI actions.

The rules are Asterisk 22's ``__ast_app_separate_args`` (main/app.c) as the standard
macros call it, with quotes and backslashes removed: a comma inside parentheses, square
brackets or double quotes does not separate; a backslash makes the next character
literal; a trailing comma leaves one more, empty, argument; an empty string has none.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["originate_variables", "separate_args"]

# AST_APP_ARG(vars)[64] in main/manager.c: the 64th argument keeps the unsplit rest.
VARIABLES_PER_HEADER = 64
BLANKS = "".join(map(chr, range(1, 33)))  # ast_skip_blanks: every control character and space


def separate_args(text: str, delim: str = ",", limit: int = 0) -> list[str]:
    """``text`` cut at every top-level ``delim``; with ``limit``, the last of at most
    ``limit`` arguments keeps the rest of the string as it is."""
    args: list[str] = []
    if not text:
        return args
    current: list[str] = []
    paren = bracket = 0
    quoted = False
    i, n = 0, len(text)
    while i < n:
        if limit and len(args) == limit - 1:
            current.append(text[i:])  # Asterisk stops parsing: nothing is removed here
            break
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                current.append(text[i + 1])
            i += 2
            continue
        if ch == '"' and delim != '"':
            quoted = not quoted
        elif ch == delim and not (paren or bracket or quoted):
            args.append("".join(current))
            current = []
        else:
            if ch == "(":
                paren += 1
            elif ch == ")" and paren:
                paren -= 1
            elif ch == "[":
                bracket += 1
            elif ch == "]" and bracket:
                bracket -= 1
            current.append(ch)
        i += 1
    args.append("".join(current))  # also the empty one after a trailing delimiter
    return args


def originate_variables(headers: Iterable[str]) -> list[tuple[str, str]]:
    """The channel variables an AMI action's ``Variable:`` headers set, in order.

    main/manager.c (``man_do_variable_value``) reads each header as a comma-separated
    list of ``name=value`` items after its leading blanks; an item without ``=`` or with
    an empty name is skipped. So ``Variable: A=1,B=2`` sets two variables, and a value
    that holds a comma must be quoted or escaped to arrive whole.
    """
    variables: list[tuple[str, str]] = []
    for header in headers:
        for item in separate_args(header.lstrip(BLANKS), ",", VARIABLES_PER_HEADER):
            name, eq, value = item.partition("=")
            if eq and name:
                variables.append((name, value))
    return variables
