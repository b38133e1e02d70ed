# -*- test-case-name: tests.integration.test_web_loopback -*-
"""The web tier over TLS on a real loopback socket: the certificate and key from ``[web]``
really serve HTTPS, and the login cookie comes back Secure (in memory:
tests/web/test_service.py)."""

from __future__ import annotations

import http.client
import ssl
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import make_url
from twisted.internet import defer, reactor, threads
from twisted.trial.unittest import TestCase

from switchboard.config import WebSettings
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.web.service import build_web
from tests.web.stack import CHEAP
from tests.web.test_service import _self_signed


class TlsLoopbackTests(TestCase):
    timeout = 20

    @defer.inlineCallbacks
    def test_the_login_page_is_served_over_https_with_a_secure_cookie(self) -> Any:
        temporary = tempfile.TemporaryDirectory()  # not trial's mktemp: under the cwd
        self.addCleanup(temporary.cleanup)
        folder = Path(temporary.name)
        cert, key = _self_signed(folder)
        url = make_url(f"sqlite:///{folder / 'web.sqlite'}")
        upgrade_database(url)
        database = Database(create_database_engine(url), reactor, threads=1)
        self.addCleanup(database.close)
        settings = WebSettings(
            port=0, origin="https://127.0.0.1:8443", tls_certificate=cert, tls_key=key
        )
        web = build_web(settings, reactor, database, hasher=CHEAP)
        web.startService()
        self.addCleanup(web.stopService)
        port = (yield web.listening()).getHost().port
        status, headers = yield threads.deferToThread(_get_login, port, cert)
        assert status == 200
        assert headers["strict-transport-security"] == "max-age=31536000"
        login_cookie = headers["set-cookie"]
        assert login_cookie.startswith("sb_login=") and "Secure" in login_cookie


def _get_login(port: int, cert: Path) -> tuple[int, dict[str, str]]:
    context = ssl.create_default_context(cafile=str(cert))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        connection.request("GET", "/login")
        answer = connection.getresponse()
        answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        connection.close()
