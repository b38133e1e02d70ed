"""The real AmiClient against a tiny AMI server on 127.0.0.1 that replays captured answers."""

from __future__ import annotations

from pathlib import Path

from twisted.internet import defer, reactor
from twisted.internet.endpoints import TCP4ServerEndpoint
from twisted.internet.protocol import Factory, Protocol
from twisted.trial.unittest import TestCase

from switchboard.config.model import AmiSettings
from switchboard.cti.ami import AmiActionFailed, EventList, Message, actions
from switchboard.cti.ami.frames import AmiParser, encode_message
from switchboard.cti.ami.service import AmiClient

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "captures"


def _captured_answers() -> tuple[dict[str, list[Message]], list[Message]]:
    """For each action name, the first captured answer (response + its list events)."""
    sent = (FIXTURES / "ami-actions" / "ami-actions.to-asterisk.raw").read_bytes()
    got = (FIXTURES / "ami-actions" / "ami-actions.from-asterisk.raw").read_bytes()
    by_id = {m.action_id: m.action for m in AmiParser(expect_banner=False).feed(sent)}
    answers: dict[str, list[Message]] = {}
    first_id: dict[str, str] = {}
    events: list[Message] = []
    for m in AmiParser().feed(got)[1:]:
        if m.action_id is None:
            if m.event is not None:
                events.append(m)
            continue
        name = by_id.get(m.action_id)
        if name is not None and first_id.setdefault(name, m.action_id) == m.action_id:
            answers.setdefault(name, []).append(m)
    return answers, events


ANSWERS, EVENTS = _captured_answers()


class ReplayAmi(Protocol):
    def connectionMade(self) -> None:
        self.parser = AmiParser(expect_banner=False)
        self.transport.write(b"Asterisk Call Manager/11.0.0\r\n")

    def dataReceived(self, data: bytes) -> None:
        for action in self.parser.feed(data):
            assert isinstance(action, Message)
            for m in ANSWERS[action.action or ""]:
                headers = [
                    (k, action.action_id or "") if k.lower() == "actionid" else (k, v)
                    for k, v in m.headers
                ]
                self.transport.write(encode_message(headers))
            if action.action == "Login":
                for event in EVENTS[:5]:
                    self.transport.write(encode_message(event.headers))


class LoopbackTest(TestCase):
    timeout = 10

    @defer.inlineCallbacks
    def test_login_actions_and_events_over_real_sockets(self) -> defer.Generator:
        port = yield TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1").listen(
            Factory.forProtocol(ReplayAmi)
        )
        self.addCleanup(port.stopListening)
        settings = AmiSettings(
            host="127.0.0.1", port=port.getHost().port, auth="plain", secret="switchboard-secret"
        )
        client = AmiClient(settings, reactor)
        seen: list[Message] = []
        got_events = defer.Deferred()

        def on_event(m: Message) -> None:
            seen.append(m)
            if len(seen) == 5:
                got_events.callback(None)

        client.subscribe("*", on_event)
        client.startService()
        self.addCleanup(client.stopService)
        yield client.when_ready(fail_after_failures=1)
        pong = yield client.send(actions.ping())
        self.assertEqual(pong.get("Ping"), "Pong")
        queues = yield client.send_list(actions.queue_summary())
        self.assertIsInstance(queues, EventList)
        self.assertEqual(queues.declared_items, len(queues.items))
        failure = yield self.assertFailure(
            client.send(actions.hangup("Local/none")), AmiActionFailed
        )
        self.assertEqual(failure.message, "No such channel")
        yield got_events
        self.assertEqual([m.event for m in seen], [m.event for m in EVENTS[:5]])
