"""Every captured FastAGI transcript replays through the parser; the fixtures carry no
third-party usage text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.cti.agi.wire import AgiEnvironment, HangupNotice, Reply
from switchboard.testing.agi import Capture

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
STEMS = sorted(Path(str(p).removesuffix(".rx.raw")) for p in FIXTURES.glob("*/agi/*.rx.raw"))
# The design repository sits beside the clone (../shared), in development and in CI.
SOURCE = Path(__file__).resolve().parents[3] / "shared" / "protocol-captures" / "asterisk-22"


def test_every_capture_was_copied() -> None:
    assert len(STEMS) == 23


@pytest.mark.parametrize("stem", STEMS, ids=lambda s: s.name)
def test_capture_replays_through_the_parser(stem: Path) -> None:
    capture = Capture.load(stem)
    env, *rest = capture.items()
    assert isinstance(env, AgiEnvironment)
    assert env.script in ("main-menu", "acd-hold")
    assert env.request == f"agi://127.0.0.1:4573/{env.script}"
    assert env.callerid.startswith(("555", "556")) and env.channel.endswith(";2")
    if stem.parent.parent.name == "agi-failures":  # AGI(<url>,${CALLERID(num)})
        assert env.args == (env.callerid,)
    elif env.script == "main-menu":
        assert env.args == (env.callerid, "en")
    else:
        assert len(env.args) == 1
    replies = [item for item in rest if isinstance(item, Reply)]
    # Exactly one reply per command the server sent.
    assert len(replies) == capture.tx.count(b"\n")
    assert {r.code for r in replies} <= {200, 510, 511, 520}
    assert all(isinstance(item, Reply | HangupNotice) for item in rest)
    hangups = capture.hangup_count()
    if "hangup_lines_at" in capture.meta:
        assert hangups == len(capture.meta["hangup_lines_at"])
    else:
        assert hangups == (2 if stem.name == "agi-scenario-002" else 1)
    # Every session ends with the HANGUP Asterisk sends after the server closed.
    assert isinstance(rest[-1], HangupNotice)
    # The chunked transcript holds the same bytes as the raw file.
    assert b"".join(c.data for c in capture.chunks) == capture.rx
    meta = stem.with_name(stem.name + ".meta.json")
    if meta.exists():
        assert json.loads(meta.read_text())["agi_callerid"] == env.callerid


def test_usage_blocks_keep_their_shape_with_placeholder_text() -> None:
    usage = [
        r
        for stem in STEMS
        for r in Capture.load(stem).items()
        if isinstance(r, Reply) and r.code == 520
    ]
    assert len(usage) == 6  # every main-menu session but the dead-channel one
    for reply in usage:
        first, *middle, last = reply.text.split("\n")
        assert first.startswith("520-Invalid command syntax")
        assert last == "520 End of proper usage."
        assert middle and all(line.startswith("usage text withheld") for line in middle)


def test_no_fixture_carries_asterisk_help_text() -> None:
    for path in FIXTURES.rglob("*"):
        if path.is_file() and "/agi/" in str(path):
            text = path.read_bytes()
            for marker in (b"<literal>", b"<variable>", b"<value>", b"Proper usage follows:\nSend"):
                assert marker not in text, (path, marker)


@pytest.mark.skipif(not SOURCE.exists(), reason="original captures not on this machine")
def test_scrub_script_reproduces_the_fixtures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("scrub_usage", FIXTURES / "scrub_usage.py")
    assert spec and spec.loader
    scrub = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scrub)
    monkeypatch.setattr(scrub, "HERE", tmp_path)
    scrub.main(SOURCE)
    for made in tmp_path.rglob("*.*"):
        assert made.read_bytes() == (FIXTURES / made.relative_to(tmp_path)).read_bytes(), made
