# -*- test-case-name: tests.unit.test_ami_values -*-
"""Values from outside (caller ID, names, digits, customer fields) on their way into AMI.

The frame encoder already refuses CR, LF and NUL, which would end a header. Some headers
are split again by Asterisk, and each of those has its own separators:

* ``Variable: NAME=value``: Asterisk splits every ``Variable:`` value on commas
  (``man_do_variable_value`` in main/manager.c, through ``AST_STANDARD_APP_ARGS``), and
  that split also drops double quotes and backslashes (``__ast_app_separate_args`` in
  main/app.c). A caller ID of ``5551234,DB(sw/owned)=1`` would set a second variable, or
  write through a dialplan function. Such values are refused, never rewritten: a changed
  phone number or customer field is worse than a clear error.
* ``CallerID: "name" <number>``: a quote or angle bracket in the name ends the quoting.
  The name is only shown on a phone, so it is cleaned; the number must be a phone number.
* ``MemberName:`` of ``QueueAdd`` is shown in ``queue show`` and queue_log (whose fields
  are separated by ``|``): it is cleaned the same way, ``|`` dropped too.

A refused value raises :class:`UnsafeValue`, which names the value, the destination and
the fix.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["UnsafeValue", "caller_id", "member_name", "phone_number", "variable"]

# Plain channel variables, with the ``_``/``__`` inheritance prefixes. Parentheses would
# make the name a dialplan function (``DB(...)``, ``SHELL(...)``) and are refused.
_VARIABLE_NAME: Final = re.compile(r"_{0,2}[A-Za-z][A-Za-z0-9_]*")
# Separators of Asterisk's argument splitting, plus what the frame encoder refuses.
_VARIABLE_VALUE_FORBIDDEN: Final = re.compile(r'[,"\\\r\n\0]')
_PHONE_NUMBER: Final = re.compile(r"\+?[0-9]{1,32}")
_CALLER_NAME_DROPPED: Final = re.compile(r'["\\<>\x00-\x1f\x7f]')
_CALLER_NAME_MAX: Final = 80
_MEMBER_NAME_DROPPED: Final = re.compile(r"[|\x00-\x1f\x7f]")


class UnsafeValue(ValueError):
    """A value that Asterisk would split or reinterpret at its destination."""


def variable(name: str, value: object) -> str:
    """``NAME=value`` for one ``Variable:`` header of an action such as ``Originate``.

    Raises:
        UnsafeValue: the name is not a plain variable name, or the value holds a comma,
            a double quote, a backslash, CR, LF or NUL.
    """
    if not _VARIABLE_NAME.fullmatch(name):
        raise UnsafeValue(
            f"AMI variable name {name!r} is not a plain variable name: use letters, digits"
            " and '_' (a name with parentheses would call a dialplan function)"
        )
    text = str(value)
    if (bad := _VARIABLE_VALUE_FORBIDDEN.search(text)) is not None:
        raise UnsafeValue(
            f"value {text[:40]!r} of AMI variable {name} holds {bad.group()!r}, which"
            " Asterisk splits or drops in a Variable: header: check where the value comes"
            " from, or send it another way (an AGI SET VARIABLE keeps it whole)"
        )
    return f"{name}={text}"


def phone_number(value: str, what: str = "phone number") -> str:
    """``value`` when it is digits with an optional leading ``+`` (at most 32)."""
    if not _PHONE_NUMBER.fullmatch(value):
        raise UnsafeValue(
            f"{what} {value[:40]!r} is not a phone number (digits with an optional leading"
            " '+'): it cannot be dialled and is not sent to Asterisk"
        )
    return value


def caller_id(name: str, number: str) -> str:
    """``"name" <number>`` for a ``CallerID:`` header.

    The name is cleaned (quotes, backslashes, angle brackets and control characters
    dropped, at most 80 characters) since it is only displayed; the number must pass
    :func:`phone_number`.
    """
    clean = " ".join(_CALLER_NAME_DROPPED.sub("", name).split())[:_CALLER_NAME_MAX]
    return f'"{clean}" <{phone_number(number, "caller ID number")}>'


def member_name(name: str) -> str:
    """A queue member's display name for ``QueueAdd``: control characters and ``|`` (the
    queue_log separator) dropped, spaces collapsed, at most 80 characters."""
    return " ".join(_MEMBER_NAME_DROPPED.sub("", name).split())[:_CALLER_NAME_MAX]
