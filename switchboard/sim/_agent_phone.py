# -*- test-case-name: tests.sim.test_acd,tests.sim.test_conformance -*-
"""``switchboard-agents`` on an agent phone's ``;2``: the captured priorities.

The same lines run whoever rings the phone (app_queue's member call or ``EXEC Dial``):
offered (``NoOp``, ``GotoIf``, ``Ringing``), then, once answered, the conversation
(``Set(AGENT_TALK=…)``, ``PlayTones``, ``Wait``).
"""

from __future__ import annotations

from switchboard.sim.channels import Bridge, Channel
from switchboard.sim.pbx import Pbx


def offer(pbx: Pbx, a2: Channel, two: Channel) -> float | None:
    """Ring the agent's phone for the caller on ``two``: seconds until it answers
    (``None``: never, ``NOANSWER_<exten>`` or a behaviour that does not answer)."""
    exten = a2.exten
    behaviour = pbx.config.agents.get(exten, pbx.config.default_agent)
    never = pbx.globals.get(f"NOANSWER_{exten}") == "yes" or behaviour.answer_after_s is None
    number = exten.removeprefix("agent")
    pbx.newexten(a2, "NoOp", f"AGENT {number} offered {two.uniqueid} from queue ", 1)
    pbx.newexten(a2, "GotoIf", f"{int(never)}?noanswer", 2)
    if not never:
        pbx.newexten(a2, "GotoIf", "0?noanswer", 3)
    pbx.newexten(a2, "Ringing", "", 12 if never else 4)
    return None if never else float(behaviour.answer_after_s or 0.0)


def talk_time(pbx: Pbx) -> float:
    """How long the next call is talked through: drawn from the ``AGENT_TALK_MIN`` /
    ``AGENT_TALK_MAX`` globals (the agents' dialplan reads them whoever dialled the
    phone: the ACD or app_queue), else from the configured range."""
    lo = float(pbx.globals.get("AGENT_TALK_MIN") or pbx.config.talk_range_s[0])
    hi = float(pbx.globals.get("AGENT_TALK_MAX") or pbx.config.talk_range_s[1])
    return pbx.talk_time(lo, hi)


def talk(pbx: Pbx, a2: Channel, seconds: float) -> float:
    """The answered agent talks for ``seconds`` (whole seconds, as ``Wait`` takes them)."""
    pbx.newexten(a2, "Set", f"AGENT_TALK={int(seconds)}", 7)
    pbx.setvar(a2, "AGENT_TALK", str(int(seconds)))
    pbx.newexten(a2, "PlayTones", "440/300,0/1700", 8)
    pbx.newexten(a2, "Wait", str(int(seconds)), 9)
    return float(int(seconds))


def join(pbx: Pbx, bridge: Bridge, a1: Channel, two: Channel) -> None:
    """The agent's leg ``a1`` and the caller ``two`` enter ``bridge`` (the agent first);
    each one's ``BRIDGEPEER`` is the other."""
    for chan in (a1, two):
        bridge.channels.append(chan)
        chan.bridge = bridge
        pbx.emit("BridgeEnter", {"": chan}, bridge)
    pbx.setvar(a1, "BRIDGEPEER", two.name)
    pbx.setvar(two, "BRIDGEPEER", a1.name)
