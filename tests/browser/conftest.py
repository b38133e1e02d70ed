"""The browser layer: Debian's chromium, driven by Playwright, against the seat page.

The page is served by the stand-in web tier (``switchboard.testing.seatpage``), run as its
own process on a free port of 127.0.0.1 for the whole session; each test resets it and
gets a fresh chromium with an empty profile. Playwright never downloads a browser here:
the tests use ``/usr/bin/chromium`` and are skipped, with the reason, when it is missing,
except under ``CI=true``, where a skip would hide a broken setup and fails instead.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.child import child

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
START_LIMIT_S = 30.0


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires the browser tests to run)", pytrace=False)
    pytest.skip(reason)


class StandIn:
    """The test's handle on the stand-in server: its URL and its ``/_test/`` controls."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: object = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def page_url(self, lang: str = "en") -> str:
        return f"{self.url}/seat?lang={lang}"

    def reset(self, snapshot: dict[str, Any]) -> None:
        """Forget what was posted and close old sockets; ``snapshot`` is sent on each connect."""
        self.call("POST", "/_test/reset", {"snapshot": snapshot})

    def set_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.call("POST", "/_test/snapshot", snapshot)

    def send(self, message: dict[str, Any]) -> None:
        sent = self.call("POST", "/_test/send", message)["sent_to"]
        assert sent == 1, f"{sent} pages were listening, expected the one under test"

    def down(self) -> None:
        self.call("POST", "/_test/down", {})

    def up(self) -> None:
        self.call("POST", "/_test/up", {})

    def fail_next(self, path: str, status: int, code: str, message: str) -> None:
        failure = {"path": path, "status": status, "code": code, "message": message}
        self.call("POST", "/_test/fail", failure)

    def posted(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/_test/posted"))

    def status(self) -> dict[str, int]:
        return dict(self.call("GET", "/_test/status"))


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
    return CHROMIUM


@pytest.fixture(scope="session")
def stand_in_server() -> Iterator[StandIn]:
    """``python -m switchboard.testing.seatpage`` for the session; it ends when we close its
    standard input, and is terminated if it does not."""
    with child("switchboard.testing.seatpage", "--port", "0", start_limit_s=START_LIMIT_S) as line:
        if "listening on " not in line:
            pytest.fail(f"the seat page stand-in did not start: {line}", pytrace=False)
        yield StandIn(line.rsplit("listening on ", 1)[1].strip())


@pytest.fixture
def stand_in(stand_in_server: StandIn) -> StandIn:
    return stand_in_server


def _note_console_error(msg: Any, errors: list[str]) -> None:
    # An API error the test asked for is shown by the page: chromium logs its status too.
    if msg.type != "error" or "/api/v1/seat/" in msg.location.get("url", ""):
        return
    errors.append(f"console: {msg.text} ({msg.location.get('url')})")


@pytest.fixture
def page(chromium: Path, tmp_path: Path) -> Iterator[Any]:
    """A page of a fresh chromium (empty user-data-dir) at 1366x768; the test fails on any
    error the page logged (a script error, a CSP violation)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 768},
        )
        errors: list[str] = []
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
            page.on("console", lambda msg: _note_console_error(msg, errors))
            yield page
        finally:
            context.close()
    # A refused reconnect logs "WebSocket connection ... failed": that one is expected.
    unexpected = [e for e in errors if "WebSocket connection" not in e]
    assert not unexpected, "the page logged errors:\n" + "\n".join(unexpected)
