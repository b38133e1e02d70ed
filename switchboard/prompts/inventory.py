# -*- test-case-name: tests.ivr.test_prompt_inventory -*-
"""Prompt files the PBX is known to lack, consulted before a prompt is sent.

A ``STREAM FILE`` of a missing file makes Asterisk answer ``-1`` and end the session with
``AGISTATUS=FAILURE`` (capture ``agi-failures``), and a ``GET DATA`` with a missing prompt
returns at once without collecting digits. So a prompt known to be missing is not sent:
``STREAM FILE`` is skipped as if it had played, and ``GET DATA`` collects the digits over
a short silence instead. Each skipped file is logged once.

The inventory is filled by the check against Asterisk (:mod:`.asterisk`); until then (and
in process-AGI mode, which has no AMI) nothing is known missing and everything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import structlog

from switchboard.cti.agi.channel import AgiChannel, DigitsInput, Playback
from switchboard.prompts.files import PromptFile

__all__ = ["SILENCE", "GuardedChannel", "PromptInventory"]

logger = structlog.get_logger(__name__)
# Asterisk's core sounds have it in every language folder; GET DATA needs some file.
SILENCE: Final = "silence/1"


class PromptInventory:
    """Which prompt files are missing on the PBX, by the path played (no extension)."""

    def __init__(self) -> None:
        self._missing: dict[str, PromptFile] = {}
        self._bare: dict[str, PromptFile] = {}  # ACD prompts missing in every language
        self._logged: set[str] = set()

    def replace(self, missing: Iterable[PromptFile], *, acd_everywhere: Iterable[str] = ()) -> None:
        """What the latest check found missing; ``acd_everywhere``: bare names missing in
        every language (Asterisk would find no file at all)."""
        found = list(missing)
        self._missing = {f.path.lower(): f for f in found}
        wholly = {name.lower() for name in acd_everywhere}
        self._bare = {f.name.lower(): f for f in found if f.acd and f.name.lower() in wholly}
        self._logged &= set(self._missing) | set(self._bare)

    def known_missing(self) -> list[PromptFile]:
        return list(self._missing.values())

    def missing(self, file: str) -> PromptFile | None:
        """The missing prompt ``file`` names, or None if it exists (or nothing is known)."""
        key = file.lower()
        return self._missing.get(key) or self._bare.get(key)

    def skip(self, file: str, log: Any = None) -> bool:
        """True if ``file`` must not be sent; logs the first skip of each file."""
        prompt = self.missing(file)
        if prompt is None:
            return False
        if file.lower() not in self._logged:
            self._logged.add(file.lower())
            (log or logger).warning(
                "prompt_missing_skipped", file=file, prompt=prompt.name, language=prompt.language
            )
        return True

    def guard(self, channel: AgiChannel, log: Any = None) -> GuardedChannel:
        return GuardedChannel(channel, self, log)


class GuardedChannel:
    """An :class:`AgiChannel` that does not send prompts the inventory knows are missing."""

    def __init__(self, inner: AgiChannel, inventory: PromptInventory, log: Any = None) -> None:
        self._inner = inner
        self._inventory = inventory
        self._log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def stream_file(self, file: str, escape_digits: str = "") -> Playback:
        if self._inventory.skip(file, self._log):
            return Playback(digit=None, endpos=0)
        return await self._inner.stream_file(file, escape_digits)

    async def get_data(
        self, file: str, timeout_ms: int | None = None, max_digits: int | None = None
    ) -> DigitsInput:
        if self._inventory.skip(file, self._log):
            file = SILENCE
        return await self._inner.get_data(file, timeout_ms, max_digits)
