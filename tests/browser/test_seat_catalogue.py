"""Every string the seat page shows has a translation in both of its catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from switchboard.config import SeatSettings
from switchboard.pause_reasons import DEFAULT_PAUSE_REASONS
from switchboard.queue.core.appqueue import WRAPUP_REASON
from switchboard.queue.core.model import NotReadyReason

WEB = Path(__file__).resolve().parents[2] / "switchboard" / "web"
SCRIPT = "\n".join(p.read_text(encoding="utf-8") for p in sorted((WEB / "static").glob("seat*.js")))
TEMPLATE = (WEB / "templates" / "seat.html").read_text(encoding="utf-8")


def used_msgids() -> set[str]:
    """t("...") and tf("...") in the seat's scripts, their tables' labels, _("...") in seat.html."""
    found = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"\)', SCRIPT))
    found |= set(re.findall(r'\btf\("((?:[^"\\]|\\.)*)"', SCRIPT))
    tables = r"(?:STATE_LABELS|CALL_STATUS|LANGUAGES|RECORDING_LABELS) = \{(.*?)\};"
    for table in re.findall(tables, SCRIPT, re.S):
        found |= set(re.findall(r':\s*"([^"]+)"', table))
    found |= set(re.findall(r"""_\(["']((?:[^"'\\]|\\.)*)["']\)""", TEMPLATE))
    return found


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_seat_string_is_translated(locale: str) -> None:
    with (WEB / "locale" / locale / "LC_MESSAGES" / "seat.po").open("rb") as f:
        translated = {m.id for m in read_po(f) if m.id and m.string}
    used = used_msgids()
    assert len(used) > 40, "the extraction found too few strings: has seat.js changed shape?"
    missing = sorted(used - translated)
    assert not missing, f"seat.po ({locale}) lacks: {missing}"


# The reasons switchboard sets by itself, besides the configured ones: the page shows them
# as pause_reason.<word>, so each needs its words in both languages.
OWN_REASONS = {r.value for r in NotReadyReason} | set(DEFAULT_PAUSE_REASONS)
OWN_REASONS |= {WRAPUP_REASON, SeatSettings().wrapup_pause_reason, "unknown"}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_reason_switchboard_sets_is_translated(locale: str) -> None:
    with (WEB / "locale" / locale / "LC_MESSAGES" / "seat.po").open("rb") as f:
        translated = {m.id for m in read_po(f) if m.id and m.string}
    missing = sorted(r for r in OWN_REASONS if f"pause_reason.{r}" not in translated)
    assert not missing, f"seat.po ({locale}) lacks pause_reason. for: {missing}"
