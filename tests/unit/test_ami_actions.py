"""Action builders: headers in order, ActionIDs, and no secrets in reprs."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cti.ami import actions
from switchboard.cti.ami.frames import AmiParser, HeaderInjectionError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"


def test_md5_key_matches_the_captured_login() -> None:
    sent = (FIXTURES / "ami-actions" / "ami-md5-login.to-asterisk.raw").read_bytes()
    got = (FIXTURES / "ami-actions" / "ami-md5-login.from-asterisk.raw").read_bytes()
    challenge = next(m for m in AmiParser().feed(got)[1:] if m.get("Challenge")).get("Challenge")
    login = next(m for m in AmiParser(expect_banner=False).feed(sent) if m.action == "Login")
    # The capture README's test PBX uses the secret "switchboard-secret".
    assert actions.md5_key(challenge, "switchboard-secret") == login.get("Key")


def test_login_bytes_match_the_capture_layout() -> None:
    act = actions.login("switchboard", "switchboard-secret", "on").with_action_id("sw-1")
    captured = (FIXTURES / "scenario-6calls" / "ami-scenario-6calls.to-asterisk.raw").read_bytes()
    assert captured.startswith(act.encode())
    assert "switchboard-secret" not in repr(act)


def test_originate_with_variables_and_channel_id() -> None:
    act = actions.originate(
        "Local/agent1002@switchboard-agents/n",
        context="switchboard-callback",
        exten="dial",
        priority=1,
        caller_id='"Callback 5557001" <5557001>',
        timeout_ms=8000,
        variables={"CALLBACK_NUMBER": "5557001", "CALLBACK_ID": "cb-0001"},
        channel_id="cb-0004-agent",
        action_id="cb-c",
    )
    headers = act.to_headers()
    assert headers[:2] == [("Action", "Originate"), ("ActionID", "cb-c")]
    assert ("Async", "true") in headers and ("ChannelId", "cb-0004-agent") in headers
    assert [v for k, v in headers if k == "Variable"] == [
        "CALLBACK_NUMBER=5557001",
        "CALLBACK_ID=cb-0001",
    ]
    with pytest.raises(ValueError):
        actions.originate("Local/x@y")


def test_builders_cover_the_vocabulary() -> None:
    built = [
        actions.ping(),
        actions.logoff(),
        actions.challenge(),
        actions.events("off"),
        actions.filter_add("!Event: VarSet"),
        actions.user_event("Hello", {"A": "1"}),
        actions.command("core show channels"),
        actions.redirect("c", "ctx", "s"),
        actions.hangup("c", 16),
        actions.getvar("V", "c"),
        actions.setvar("V", "1"),
        actions.core_show_channels(),
        actions.status(),
        actions.device_state_list(),
        actions.queue_status("sales"),
        actions.queue_summary(),
        actions.queue_add("q", "i"),
        actions.queue_remove("q", "i"),
        actions.queue_pause("i", True, reason="lunch"),
        actions.queue_penalty("i", 2),
        actions.mix_monitor("c", "/f.wav", "b"),
        actions.stop_mix_monitor("c"),
        actions.mix_monitor_mute("c", True),
        actions.db_get("f", "k"),
        actions.db_put("f", "k", "v"),
    ]
    for act in built:
        [parsed] = AmiParser(expect_banner=False).feed(act.with_action_id("x").encode())
        assert parsed.action == act.name and parsed.action_id == "x"
    assert actions.queue_pause("i", False).to_headers()[-1] == ("Paused", "false")


def test_injection_is_refused_at_encode() -> None:
    with pytest.raises(HeaderInjectionError):
        actions.setvar("V", "x\r\nAction: Hangup").encode()


def test_id_generator_is_deterministic() -> None:
    gen = actions.ActionIdGenerator("t-")
    assert [gen(), gen()] == ["t-1", "t-2"]
    gen.reset()
    assert gen() == "t-1"
