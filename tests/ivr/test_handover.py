"""A flow's `queue` step hands the caller to switchboard's ACD when one is configured."""

from __future__ import annotations

from twisted.internet.task import Clock

from switchboard.cti.agi.channel import AgiChannel
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.ivr_flows.effects import CustomerView
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from switchboard.queue.shell.hold import QueueOutcome, QueueRequest
from switchboard.testing.agi import FakeAsterisk, env_block
from tests.ivr.helpers import EXAMPLES, TUESDAY_10AM
from tests.ivr.scripted import ScriptedCaller


class RecordingAcd:
    """Stands in for AcdService: keeps the AGI session for one command, then answers."""

    def __init__(self, services: MemoryServices) -> None:
        self.services = services
        self.requests: list[QueueRequest] = []
        self.sessions_saved_before_hold: list[int] = []

    async def hold(self, channel: AgiChannel, request: QueueRequest) -> QueueOutcome:
        self.requests.append(request)
        self.sessions_saved_before_hold.append(len(self.services.sessions))
        await channel.exec("StartMusicOnHold", "default")  # the session is still ours
        return QueueOutcome("answered", channel.env.uniqueid, request.queue, agent_id="1001")


def _call(handlers: FlowHandlers, keys: list[str]) -> ScriptedCaller:
    clock = handlers._clock  # type: ignore[attr-defined]
    factory = AgiServerFactory(handlers, clock, SessionOptions())
    caller = ScriptedCaller(list(keys))
    asterisk = FakeAsterisk(factory, clock)
    asterisk.send(env_block(script="main-menu", callerid="13800138000"))
    for _ in range(500):
        commands = asterisk.commands()
        if not commands:
            if asterisk.closed_by_server:
                break
            clock.advance(1)
            continue
        for words in commands:
            asterisk.reply(*caller.respond(words))
    assert asterisk.closed_by_server
    asterisk.disconnect()
    return caller


def _handlers(services: MemoryServices, acd: RecordingAcd | None) -> FlowHandlers:
    clock = Clock()
    clock.advance(TUESDAY_10AM)
    return FlowHandlers(EXAMPLES, clock, services, acd=acd)


def test_the_queue_step_hands_the_caller_to_the_acd_with_what_the_flow_learned() -> None:
    services = MemoryServices()
    services.add_customer(CustomerView(9, "Wang", 3, "", {}), phone="+8613800138000")
    acd = RecordingAcd(services)
    caller = _call(_handlers(services, acd), ["3"])  # English; a VIP goes straight through
    (request,) = acd.requests
    assert (request.queue, request.priority, request.language) == ("support", 10, "en")
    assert request.customer_tier == 3 and request.ivr_ref == services.sessions[-1].call_id
    # The IVR path is stored before the wait, so the agent's screen pop can show it.
    assert acd.sessions_saved_before_hold == [1]
    assert ["EXEC", "StartMusicOnHold", "default"] in caller.commands
    assert services.sessions[-1].outcome == "queued"


def test_without_an_acd_the_dialplan_queues_the_call_as_before() -> None:
    services = MemoryServices()
    caller = _call(_handlers(services, None), ["1", "2"])
    assert caller.variables["SWITCHBOARD_QUEUE"] == "support"
    assert not any(words[:1] == ["EXEC"] for words in caller.commands)
