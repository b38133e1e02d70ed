"""Playing a recording over HTTP: Range requests, who may hear it, the audit, and no
file name ever taken from the request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session
from twisted.internet import _producer_helpers
from twisted.internet.address import IPv4Address
from twisted.internet.defer import succeed
from twisted.internet.task import Clock, Cooperator
from twisted.internet.testing import StringTransport

from switchboard.accounts.model import Role
from switchboard.accounts.passwords import Passwords
from switchboard.accounts.store import add_user
from switchboard.config import WebSettings
from switchboard.recorder.browser_audio import BrowserCopies
from switchboard.recorder.models import Recording, RecordingAccess
from switchboard.recorder.paths import PathMap
from switchboard.recorder.playback import RecordingPlayback
from switchboard.store.db import Database, create_database_engine
from switchboard.web.service import WebService, build_web
from tests.recorder.seed import seed
from tests.web.browser import Browser, Response, _parse
from tests.web.stack import CHEAP, PASSWORD, migrated_copy


@dataclass
class Site:
    web: WebService
    database: Database
    ids: dict[str, int]
    spool: Path

    def browser(self, username: str) -> Browser:
        browser = Browser(self.web.site)
        assert browser.log_in(username, PASSWORD).status == 303
        return browser

    def audit(self) -> list[tuple[int, str, str, str, str]]:
        with Session(self.database.engine) as session:
            rows = session.scalars(select(RecordingAccess).order_by(RecordingAccess.id))
            return [(r.recording_id, r.username, r.action, r.remote, r.range) for r in rows]


PENDING: list[Callable[[], object]] = []


@pytest.fixture(autouse=True)
def file_pulls_in_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """twisted.web pulls a served file through the global cooperator (the real reactor);
    here it runs on a scheduler the test drains, so nothing waits on real time."""
    coop = Cooperator(scheduler=PENDING.append, terminationPredicateFactory=lambda: lambda: False)
    monkeypatch.setattr(_producer_helpers, "cooperate", coop.cooperate)


def fetch(browser: Browser, path: str, headers: dict[str, str] | None = None) -> Response:
    """A GET whose body is pulled from the file producer as a socket would."""
    sent = {"Host": browser.host, **(headers or {})}
    sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items())
    peer = IPv4Address("TCP", browser.address, 50000)
    channel = browser.site.buildProtocol(peer)
    transport = StringTransport(peerAddress=peer)
    channel.makeConnection(transport)
    channel.dataReceived(head.encode() + b"\r\n")
    while PENDING:
        PENDING.pop(0)()
    raw = transport.value()
    channel.connectionLost(None)  # type: ignore[arg-type]
    return _parse(raw)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    db_file = migrated_copy(tmp_path, tmp_path.parent)
    database = Database(
        create_database_engine(make_url(f"sqlite:///{db_file}")),
        None,
        runner=lambda work: succeed(work()),
    )
    spool = tmp_path / "spool"
    hashed = Passwords(CHEAP).hash(PASSWORD)
    with Session(database.engine) as session, session.begin():
        ids = seed(session, spool)
        add_user(session, "sam", hashed, role=Role.SUPERVISOR, queues=("support",))
        add_user(session, "ada", hashed, role=Role.ADMIN)
        add_user(session, "wang", hashed, role=Role.AGENT, agent_id="1002")
        add_user(session, "li", hashed, role=Role.AGENT, agent_id="1001")
    clock = Clock()
    clock.advance(1_800_000_000)
    copies = BrowserCopies(tmp_path / "copies", run=lambda work: succeed(work()))
    playback = RecordingPlayback(
        database, PathMap({}), (spool,), clock.seconds, agent_may_play=True, copies=copies
    )
    web = build_web(WebSettings(), clock, database, hasher=CHEAP, recordings=playback)
    return Site(web, database, ids, spool)


def test_a_supervisor_seeks_with_a_range_request_and_it_is_audited(site: Site) -> None:
    b = site.ids["b"]  # support, 95 s
    whole = (site.spool / "support-b.wav").read_bytes()
    answer = fetch(site.browser("sam"), f"/recordings/{b}/audio", {"Range": "bytes=100-199"})
    assert answer.status == 206
    assert answer.body == whole[100:200]
    assert answer.header("content-range") == f"bytes 100-199/{len(whole)}"
    assert answer.header("content-type") == "audio/wav"
    assert answer.header("accept-ranges") == "bytes"
    full = fetch(site.browser("sam"), f"/recordings/{b}/audio?download=1")
    assert full.status == 200 and full.body == whole
    assert full.header("content-disposition") == f'attachment; filename="recording-{b}.wav"'
    assert site.audit()[-2:] == [
        (b, "sam", "play", "192.0.2.10", "bytes=100-199"),
        (b, "sam", "download", "192.0.2.10", ""),
    ]


def test_others_are_refused_and_the_refusal_is_audited(site: Site) -> None:
    a = site.ids["a"]  # sales, agent 1001
    assert fetch(site.browser("sam"), f"/recordings/{a}/audio").status == 403
    assert fetch(site.browser("wang"), f"/recordings/{a}/audio").status == 403  # not his call
    assert fetch(site.browser("li"), f"/recordings/{a}/audio").status == 200  # hers
    assert fetch(site.browser("ada"), f"/recordings/{a}/audio").status == 200  # admin
    assert fetch(Browser(site.web.site), f"/recordings/{a}/audio").status == 401
    assert [(user, action) for _, user, action, _, _ in site.audit()] == [
        ("sam", "refused:forbidde"),
        ("wang", "refused:forbidde"),
        ("li", "play"),
        ("ada", "play"),
    ]


def test_path_traversal_is_refused(site: Site) -> None:
    ada = site.browser("ada")
    (site.spool.parent / "secret.txt").write_text("do not serve")
    for path in (
        "/recordings/../../secret.txt/audio",
        "/recordings/1%2F..%2F..%2Fsecret.txt/audio",
        "/recordings/..%2Fsecret.txt/audio",
        "/recordings/1/audio/../../../secret.txt",
    ):
        answer = fetch(ada, path)
        assert answer.status in (400, 404), path
        assert b"do not serve" not in answer.body
    # An index row pointing outside the spool (a tampered row, a symlink) is refused too.
    with Session(site.database.engine) as session, session.begin():
        row = session.get(Recording, site.ids["c"])
        assert row is not None
        row.path = str(site.spool / ".." / "secret.txt")
    answer = fetch(ada, f"/recordings/{site.ids['c']}/audio")
    assert answer.status == 403 and b"do not serve" not in answer.body
    (site.spool / "link.wav").symlink_to(site.spool.parent / "secret.txt")
    with Session(site.database.engine) as session, session.begin():
        row = session.get(Recording, site.ids["c"])
        assert row is not None
        row.path = str(site.spool / "link.wav")
    assert fetch(ada, f"/recordings/{site.ids['c']}/audio").status == 403


def test_the_search_api_shows_only_what_the_user_may_hear(site: Site) -> None:
    sam = site.browser("sam").get("/api/v1/recordings").json()
    assert {r["queue"] for r in sam["recordings"]} == {"support"} and sam["total"] == 2
    assert "path" not in sam["recordings"][0]
    li = site.browser("li").get("/api/v1/recordings").json()
    assert {r["agent_id"] for r in li["recordings"]} == {"1001"}
    ada = site.browser("ada").get("/api/v1/recordings?caller=5551002").json()
    assert ada["total"] == 1
    bad = site.browser("ada").get("/api/v1/recordings?per_page=9999")
    assert bad.status == 400 and "per page" in bad.json()["error"]["message"]


def test_the_agent_on_the_call_pauses_and_resumes_its_recording(site: Site, tmp_path: Path) -> None:
    from switchboard.config.model import RecorderSettings
    from tests.recorder.helpers import Pbx

    pbx = Pbx(site.database, RecorderSettings(), Clock())
    pbx.start_call(str(site.spool / "live.wav"))
    pbx.answer(agent="1002")
    playback = RecordingPlayback(site.database, PathMap({}), (site.spool,), pbx.clock.seconds)
    playback.recorder = pbx.recorder
    web = build_web(WebSettings(), Clock(), site.database, hasher=CHEAP, recordings=playback)
    live = Site(web, site.database, site.ids, site.spool)
    wang = live.browser("wang")
    token = wang.get("/account").meta("csrf-token")
    path = "/api/v1/recordings/calls/100.12/pause"
    assert wang.post_json(path).status == 403  # no CSRF token
    answer = wang.post_json(path, csrf=token)
    assert answer.status == 200 and answer.json() == {"call_id": "100.12", "paused": True}
    assert [a.name for a in pbx.ami.sent] == ["MixMonitorMute"]
    li = live.browser("li")
    refused = li.post_json(path, csrf=li.get("/account").meta("csrf-token"))
    assert refused.status == 403
    resumed = wang.post_json("/api/v1/recordings/calls/100.12/resume", csrf=token)
    assert resumed.json()["paused"] is False
    assert [dict(a.headers)["State"] for a in pbx.ami.sent] == ["1", "0"]
    gone = wang.post_json("/api/v1/recordings/calls/nope/pause", csrf=token)
    assert gone.status == 404
