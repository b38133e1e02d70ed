"""The demo's web side: the seat on 8080 or a free port, and logins that work."""

from __future__ import annotations

from sqlalchemy.orm import Session
from twisted.internet.protocol import ServerFactory

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import find_user, list_users
from switchboard.config import Settings
from switchboard.demo.site import EXAMPLE_QUEUES
from switchboard.demo.web import add_demo_users, demo_logins, with_control_port, with_web_port
from switchboard.queue.config.queue_file import load_queue_config
from switchboard.testing.simnet import SimNet
from tests.web.stack import PASSWORD, Stack


def _port(net: SimNet) -> tuple[Settings, str]:
    got: list[tuple[Settings, str]] = []
    from twisted.internet.defer import Deferred

    Deferred.fromCoroutine(with_web_port(net, Settings())).addCallback(got.append)
    net.advance(0)
    return got[0]


def test_the_demo_seat_is_on_8080_and_on_a_free_port_when_8080_is_taken() -> None:
    net = SimNet()
    settings, note = _port(net)
    assert (settings.web.port, settings.web.origin, note) == (8080, "http://127.0.0.1:8080", "")
    net.listenTCP(8080, ServerFactory(), interface="127.0.0.1")
    settings, note = _port(net)
    assert settings.web.port != 8080 and settings.web.origin.endswith(f":{settings.web.port}")
    assert note == "port 8080 is taken, so a free one"


def test_every_demo_agent_and_the_supervisor_can_log_in(stack: Stack) -> None:
    agents = load_queue_config(EXAMPLE_QUEUES).agents
    logins = demo_logins(agents)
    stack.database.run(lambda s: add_demo_users(s, logins))
    stack.database.run(lambda s: add_demo_users(s, logins))  # a second run's database: fine
    users: list[object] = []
    stack.database.run(lambda s: users.extend(list_users(s)))
    by_name = {u.username: u for u in users}  # type: ignore[attr-defined]
    assert by_name["1001"].agent_id == "1001" and by_name["1001"].language == "zh-CN"
    assert by_name["supervisor"].role is Role.SUPERVISOR and not by_name["supervisor"].has_seat
    assert len(users) == len(agents) + 1
    browser = stack.browser()
    assert browser.log_in("1001", "demo-1001").status == 303
    assert browser.get("/").header("location") == "/seat"
    boss = stack.browser()
    assert boss.log_in("supervisor", "demo-supervisor").status == 303
    assert PASSWORD not in {x.password for x in logins}


def test_demo_passwords_are_argon2id(stack: Stack) -> None:
    logins = demo_logins(load_queue_config(EXAMPLE_QUEUES).agents[:1])

    def work(session: Session) -> None:
        add_demo_users(session, logins)
        found = find_user(session, "1001")
        assert found is not None and found[1].startswith("$argon2id$")
        assert Passwords().check(found[1], "demo-1001")

    stack.database.run(work)


def test_the_demo_control_endpoint_moves_to_a_free_port_when_4575_is_taken() -> None:
    from twisted.internet.defer import Deferred

    def control_port(net: SimNet) -> tuple[Settings, str]:
        got: list[tuple[Settings, str]] = []
        Deferred.fromCoroutine(with_control_port(net, Settings())).addCallback(got.append)
        net.advance(0)
        return got[0]

    net = SimNet()
    settings, note = control_port(net)
    assert (settings.control.port, note) == (4575, "")
    net.listenTCP(4575, ServerFactory(), interface="127.0.0.1")  # a serve already runs
    settings, note = control_port(net)
    assert settings.control.port not in (0, 4575) and note == "port 4575 is taken, so a free one"
