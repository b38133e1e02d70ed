# -*- test-case-name: tests.ivr.test_prompt_asterisk -*-
"""Ask Asterisk which prompt files it has: AMI ``Command`` ``core show sound NAME``.

Asterisk's sound index (``main/sounds.c``, ``main/media_index.c``) treats each folder
directly under ``sounds/`` as a language and names files by their path below it, so
``sounds/switchboard/en/welcome.wav`` is sound ``en/welcome`` in "language"
``switchboard``, and ``sounds/zh_CN/switchboard-queue-callback-offer.wav`` is sound
``switchboard-queue-callback-offer`` in ``zh_CN``. The answer lists each language::

    Indexed Information for en/welcome:
      Language switchboard:
        Format: wav

and a name the index lacks fails (``Response: Error``) with
``ERROR: File en/welcome not found in index``. The AMI user needs the ``command``
privilege; without it nothing is concluded and every prompt is still sent. (``STAT()`` and
``FILE()`` are refused to AMI unless ``live_dangerously`` is set, so they are not used.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import structlog
from twisted.internet.defer import Deferred, ensureDeferred

from switchboard.cti.ami import actions
from switchboard.cti.ami.errors import AmiActionFailed, AmiError
from switchboard.cti.ami.frames import Message
from switchboard.ivr_flows.prompts import PromptCatalog
from switchboard.prompts.files import PromptFile, manifest_files
from switchboard.prompts.inventory import PromptInventory

__all__ = ["PromptCheck", "SoundCheckUnavailable", "index_key", "sound_languages"]

log = structlog.get_logger(__name__)


class SoundCheckUnavailable(Exception):
    """Asterisk gave an answer that says neither "found" nor "not found"."""


class Ami(Protocol):
    def send(self, action: actions.Action, *, timeout_s: float | None = None) -> Deferred[Any]: ...


def index_key(path: str) -> tuple[str, str]:
    """(folder Asterisk calls the language, the sound's name in its index) of a path."""
    folder, _, name = path.partition("/")
    return folder.lower(), name


def sound_languages(output: Sequence[str]) -> frozenset[str] | None:
    """The languages a ``core show sound`` answer lists (lower case); None: not understood.

    An empty set means the name is not in the index at all.
    """
    if any("not found in index" in line for line in output):
        return frozenset()
    if not any(line.startswith("Indexed Information for") for line in output):
        return None
    found = set()
    for line in output:
        words = line.strip().rstrip(":").split()
        if len(words) == 2 and words[0] == "Language":
            found.add(words[1].lower())
    return frozenset(found)


async def _ask(ami: Ami, name: str) -> frozenset[str]:
    try:
        response: Message = await ami.send(actions.command(f"core show sound {name}"))
    except AmiActionFailed as exc:
        response = exc.response
    found = sound_languages(response.get_all("Output"))
    if found is None:
        said = response.get_all("Output") or [response.get("Message") or ""]
        raise SoundCheckUnavailable(f"'core show sound {name}' answered: {said[0]}")
    return found


async def find_missing(ami: Ami, files: Iterable[PromptFile]) -> list[PromptFile]:
    """The files Asterisk's sound index lacks (one question per distinct sound name)."""
    files = list(files)
    languages: dict[str, frozenset[str]] = {}
    for f in files:
        _, name = index_key(f.path)
        if name and name not in languages:
            languages[name] = await _ask(ami, name)
    keys = [(f, *index_key(f.path)) for f in files]
    return [f for f, folder, name in keys if name and folder not in languages[name]]


class PromptCheck:
    """Keeps ``inventory`` true to Asterisk: checks after each AMI login and flows reload.

    ``catalog()`` gives the manifest in service (it changes when flows reload). Runs one
    check at a time; a request during a check runs another one after it.
    """

    def __init__(
        self, ami: Ami, catalog: Callable[[], PromptCatalog], inventory: PromptInventory
    ) -> None:
        self._ami = ami
        self._catalog = catalog
        self.inventory = inventory
        self.running: Deferred[None] | None = None
        self._again = False

    def request(self) -> None:
        """Check soon (now, or after the check in progress)."""
        if self.running is not None:
            self._again = True
            return
        running = ensureDeferred(self._loop())
        if not running.called:  # a check that answered at once has already finished
            self.running = running

    async def _loop(self) -> None:
        try:
            while True:
                self._again = False
                await self.check()
                if not self._again:
                    return
        finally:
            self.running = None

    async def check(self) -> list[PromptFile] | None:
        """Ask Asterisk now; the missing files, or None when it could not be told."""
        files = manifest_files(self._catalog())
        if not files:
            return []
        try:
            missing = await find_missing(self._ami, files)
        except (AmiError, SoundCheckUnavailable) as exc:
            log.warning(
                "prompt_check_unavailable",
                error=str(exc),
                fix="add 'command' to the AMI user's 'write =' in manager.conf; "
                "until then every prompt is sent",
            )
            return None
        except Exception:
            log.exception("prompt_check_failed")
            return None
        wholly = _missing_everywhere(files, missing)
        self.inventory.replace(missing, acd_everywhere=wholly)
        if missing:
            log.warning(
                "prompts_missing",
                count=len(missing),
                of=len(files),
                files=sorted(f.path for f in missing),
                fix="run 'switchboard prompts build' and copy the files into "
                "Asterisk's sounds folder (see docs/flows.md)",
            )
        else:
            log.info("prompts_all_present", count=len(files))
        return missing


def _missing_everywhere(files: list[PromptFile], missing: list[PromptFile]) -> set[str]:
    """ACD prompt names with no file in any language (Asterisk has nothing to fall back on)."""
    gone = {f.path for f in missing}
    names = {f.name for f in files if f.acd}
    return {n for n in names if all(f.path in gone for f in files if f.acd and f.name == n)}
