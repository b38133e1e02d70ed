"""End to end over the FastAGI server: a scripted Asterisk walks the example flows.

The flows' clock is a ``task.Clock`` set to the moment under test (business hours,
night, a holiday); the connection and the AGI timeouts run on a SimNet (in-memory TCP,
a fake clock), so no test waits on the real reactor.
"""

from __future__ import annotations

from typing import Any

from twisted.internet import defer
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.protocol import Factory
from twisted.internet.task import Clock
from twisted.protocols.basic import LineOnlyReceiver
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from switchboard.config.model import AgiSettings
from switchboard.cti.agi.server import AgiServerService
from switchboard.cti.agi.wire import parse_command_line
from switchboard.ivr_flows.effects import CustomerView
from switchboard.ivr_flows.registry import FlowHandlers
from switchboard.ivr_flows.services import MemoryServices
from switchboard.testing.agi import env_block
from switchboard.testing.simnet import SimNet
from tests.ivr.helpers import EXAMPLES, NATIONAL_DAY_10AM, TUESDAY_10AM, TUESDAY_11PM
from tests.ivr.scripted import ScriptedCaller


class _Asterisk(LineOnlyReceiver):
    delimiter = b"\n"

    def __init__(self, caller: ScriptedCaller, script: str, done: defer.Deferred[None]) -> None:
        self.caller, self.script, self.done = caller, script, done
        self.callerid = "13800138000"

    def connectionMade(self) -> None:
        self.transport.write(env_block(script=self.script, callerid=self.callerid))

    def lineReceived(self, line: bytes) -> None:
        for reply in self.caller.respond(parse_command_line(line.decode())):
            self.transport.write(reply.encode() + b"\n")

    def connectionLost(self, reason: Failure = Failure(Exception())) -> None:  # noqa: B008
        self.done.callback(None)


class FastAgiFlowsTest(SynchronousTestCase):
    def setUp(self) -> None:
        self.net = SimNet()
        self.clock = Clock()
        self.services = MemoryServices()
        self.services.add_customer(CustomerView(42, "Gold", 3, "", {}), phone="13900000000")
        self.handlers = FlowHandlers(EXAMPLES, self.clock, self.services)
        self.server = AgiServerService(
            AgiSettings(bind="127.0.0.1", port=0), self.net, self.handlers
        )
        self.server.startService()
        self.addCleanup(lambda: self.net.wait(self.server.stopService()))
        self.net.wait(self.server.listening())

    def call(
        self,
        keys: list[str],
        *,
        at: float = TUESDAY_10AM,
        script: str = "main-menu",
        callerid: str = "13800138000",
        **caller: Any,
    ) -> Any:
        self.clock.advance(at - self.clock.seconds())
        scripted = ScriptedCaller(list(keys), **caller)
        done: defer.Deferred[None] = defer.Deferred()
        endpoint = TCP4ClientEndpoint(self.net, "127.0.0.1", self.server.port)
        protocol = _Asterisk(scripted, script, done)
        protocol.callerid = callerid
        self.net.wait(endpoint.connect(Factory.forProtocol(lambda: protocol)))
        self.net.wait(done, what="the call over")
        return scripted

    def streamed(self, caller: ScriptedCaller) -> list[str]:
        return [w[2] for w in caller.commands if w[:2] == ["STREAM", "FILE"]]

    def test_right_digit_right_queue(self) -> None:
        caller = self.call(["1", "2"])
        self.assertEqual(caller.variables["SWITCHBOARD_QUEUE"], "support")
        self.assertEqual(self.services.sessions[-1].outcome, "queued")

    def test_wrong_digit_retry_prompt(self) -> None:
        caller = self.call(["1", "7", "0"])
        self.assertIn("switchboard/zh_CN/invalid-choice", self.streamed(caller))
        self.assertEqual(caller.variables["SWITCHBOARD_QUEUE"], "sales")

    def test_silence_takes_the_timeout_path(self) -> None:
        caller = self.call(["1", "-", "-", "-"])
        self.assertEqual(self.streamed(caller).count("switchboard/zh_CN/no-input"), 2)
        self.assertEqual(caller.variables["SWITCHBOARD_QUEUE"], "sales")  # fallback: operator

    def test_hangup_mid_menu(self) -> None:
        self.call(["1", "hangup"])
        record = self.services.sessions[-1]
        self.assertEqual((record.outcome, record.last_step), ("caller_hangup", "menu"))

    def test_out_of_hours_offers_callback(self) -> None:
        caller = self.call(["1", "1", "1"], at=TUESDAY_11PM)
        self.assertIn("switchboard/zh_CN/closed", self.streamed(caller))
        [request] = self.services.callbacks
        self.assertEqual(request.number, "13800138000")
        self.assertEqual(request.window_end - request.window_start, 7200)

    def test_holiday_voicemail(self) -> None:
        caller = self.call(["1", "2"], at=NATIONAL_DAY_10AM)
        self.assertIn("switchboard/zh_CN/holiday", self.streamed(caller))
        self.assertIn(["EXEC", "VoiceMail", "support@default,u"], caller.commands)

    def test_vip_fast_path(self) -> None:
        caller = self.call(["3"], callerid="13900000000")
        self.assertIn("switchboard/en/vip-welcome", self.streamed(caller))
        self.assertEqual(caller.variables["QUEUE_PRIO"], "10")
        self.assertEqual(self.services.sessions[-1].customer_id, 42)

    def test_language_choice(self) -> None:
        caller = self.call(["3", "2"])
        self.assertEqual(caller.variables["SWITCHBOARD_LANGUAGE"], "en")
        self.assertIn("switchboard/en/main-menu", self.streamed(caller))

    def test_survey_score_stored(self) -> None:
        self.call(["4"], script="csat", channel_variables={"MEMBERNAME": "agent2001"})
        [answer] = self.services.surveys
        self.assertEqual((answer.score, answer.agent), (4, "agent2001"))
