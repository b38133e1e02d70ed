# -*- test-case-name: tests.ivr.test_prompt_asterisk -*-
"""``core show sound NAME`` as Asterisk 22 answers it, from the simulated sounds folder.

Asterisk's index (``main/sounds.c``, ``main/media_index.c``) takes each folder directly
under ``sounds/`` as a language and names a file by its path below that folder:
``sounds/switchboard/en/welcome.wav`` is ``en/welcome`` in language ``switchboard``. Found::

    Indexed Information for en/welcome:
      Language switchboard:
        Format: wav

Not found: ``ERROR: File en/welcome not found in index`` (the CLI fails, so AMI answers
``Response: Error``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["EVERY_SOUND_FOLDERS", "has_sound", "show_sound"]

# With no list of installed sounds the simulated PBX has every sound in every folder a
# site's prompts use: Asterisk's own (en), switchboard's flow prompts, the ACD's languages.
EVERY_SOUND_FOLDERS: Final = ("en", "switchboard", "zh_CN", "zh_HK")


def show_sound(installed: Iterable[str] | None, name: str) -> tuple[bool, list[str]]:
    """(found, output lines); ``installed``: paths under sounds/ without extension
    (``switchboard/en/welcome``), None for every sound."""
    if installed is None:
        folders: list[str] = list(EVERY_SOUND_FOLDERS)
    else:
        wanted = name.lower()
        folders = sorted(
            {
                folder
                for folder, _, rest in (path.partition("/") for path in installed)
                if rest.lower() == wanted
            }
        )
    if not folders:
        return False, [f"ERROR: File {name} not found in index"]
    lines = [f"Indexed Information for {name}:"]
    for folder in folders:
        lines += [f"  Language {folder}:", "    Format: wav"]
    return True, lines


def has_sound(installed: Iterable[str] | None, path: str) -> bool:
    """Whether a file Asterisk is asked to play (``switchboard/en/welcome``) exists."""
    return installed is None or path.lower() in {p.lower() for p in installed}
