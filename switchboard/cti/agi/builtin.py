# -*- test-case-name: tests.unit.test_agi_builtin -*-
"""The built-in ``main-menu`` handler: placeholder routing until the IVR flow language lands.

It decides what the captured test PBX's FastAGI script decides: answer, play a prompt that
any digit interrupts, collect up to 4 digits, then pick a queue from the first digit
(1 → sales, 2 → support); with no digits, an even last caller-ID digit → support, else
sales. The queue and the digits go to the dialplan as ``SWITCHBOARD_QUEUE`` and
``SWITCHBOARD_IVR_DIGITS``. The digit that interrupts the prompt is kept: Asterisk drops
digits pressed between commands, so it would otherwise be lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from switchboard.cti.agi.channel import AgiChannel, Handler
from switchboard.cti.agi.wire import Quoted

__all__ = ["BUILTIN_HANDLERS", "DIGITS_VARIABLE", "QUEUE_VARIABLE", "main_menu", "route"]

QUEUE_VARIABLE: Final = "SWITCHBOARD_QUEUE"
DIGITS_VARIABLE: Final = "SWITCHBOARD_IVR_DIGITS"
PROMPT: Final = "tt-monkeysintro"
DIGITS_PROMPT: Final = "beep"
ESCAPE_DIGITS: Final = "0123456789*#"
DIGIT_TIMEOUT_MS: Final = 4000
MAX_DIGITS: Final = 4
_BY_FIRST_DIGIT: Final = {"1": "sales", "2": "support"}


def route(digits: str, callerid: str) -> str:
    """The queue for these digits and caller ID (pure)."""
    if digits:
        return _BY_FIRST_DIGIT.get(digits[0], "sales")
    last = callerid[-1:]
    return "support" if last.isdigit() and int(last) % 2 == 0 else "sales"


async def main_menu(channel: AgiChannel) -> None:
    """Answer, prompt, collect digits, set the queue for the dialplan."""
    await channel.answer()
    played = await channel.stream_file(PROMPT, ESCAPE_DIGITS)
    entered = await channel.get_data(DIGITS_PROMPT, DIGIT_TIMEOUT_MS, MAX_DIGITS)
    digits = (played.digit or "") + entered.digits
    queue = route(digits, channel.env.callerid)
    await channel.set_variable(QUEUE_VARIABLE, queue)
    await channel.set_variable(DIGITS_VARIABLE, Quoted(digits))


BUILTIN_HANDLERS: Final[Mapping[str, Handler]] = {"main-menu": main_menu}
