"""Shared fixtures: global state reset between tests, layer markers, and a database URL
for each supported backend.

The suite runs in random order (pytest-randomly), so no test may depend on what an
earlier one left behind: logging configuration is put back after every test.

PostgreSQL is the production database, so every database test runs on it as
well as on SQLite. Each test run gets a throwaway PostgreSQL database. When
PostgreSQL cannot be reached the tests are skipped with the reason locally, and
fail under CI (``CI=true``), where a skip would hide a broken setup.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import URL, make_url

PG_ADMIN_URL = os.environ.get(
    "SWITCHBOARD_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


# The layer of each test, by where it lives (the longest matching path wins). Area folders
# (queue, ivr, ...) hold pure tests unless listed; a new real-socket or simulator test
# file there is added here, not marked by hand.
LAYERS = {
    "tests/unit": "unit",  # pure logic, no I/O
    "tests/protocol": "protocol",  # codecs and protocols over StringTransport and Clock
    "tests/sim": "sim",  # the simulated PBX, on a fake clock unless marked socket
    "tests/integration": "integration",  # processes, real sockets, databases
    "tests/integration/test_demo_sim.py": "sim",
    "tests/integration/test_demo_site.py": "sim",  # the demo's site on SimNet
    "tests/ivr/test_e2e_sim.py": "sim",
    "tests/ivr/test_fastagi.py": "protocol",  # FastAGI in memory, on SimNet
    "tests/ivr/test_prompt_build.py": "integration",  # runs espeak-ng and sox
    "tests/queue/test_acd_sim.py": "sim",
    "tests/queue/test_ivr_acd_sim.py": "sim",
    "tests/seat/test_both_modes.py": "sim",  # the demo's site on SimNet, both routings
    "tests/ops/test_health_sim.py": "sim",  # /healthz across a simulated Asterisk restart
    "tests/supervise/test_monitor_sim.py": "sim",  # ChanSpy on the simulated PBX
    "tests/web/api/test_control_sim.py": "sim",  # REST agent control, both routings
    "tests/web/ws": "protocol",  # the seat socket over iosim on a task.Clock
    "tests/browser": "browser",  # chromium against the seat page (tests/browser/conftest.py)
    "tests/browser/test_seat_catalogue.py": "unit",
    "tests/web/test_i18n_js.py": "integration",  # runs node
    "tests/integration/test_demo_people.py": "sim",  # the demo's site on SimNet
    "tests/web/wallboard/test_socket.py": "protocol",  # /ws/wallboard over iosim
    "tests/wallboard/test_both_modes.py": "sim",  # the demo's site on SimNet, both routings
    "tests/callrecord/test_restart_sim.py": "sim",  # restarts mid-call, both routings
    "tests/callrecord/test_outage_sim.py": "sim",  # AMI outages mid-call, both routings
    "tests/reports/test_both_modes.py": "sim",  # the demo's site on SimNet, both routings
}
DEFAULT_LAYER = "unit"
# Files whose point is a real socket on 127.0.0.1 (marked ``socket`` as well).
REAL_SOCKETS = (
    "tests/integration/test_agi_loopback.py",
    "tests/integration/test_ami_loopback.py",
    "tests/integration/test_control_loopback.py",
    "tests/integration/test_web_loopback.py",
    "tests/sim/test_appqueue_loopback.py",
    "tests/sim/test_loopback.py",
    "tests/integration/test_seat_ws_loopback.py",
)
ROOT = Path(__file__).resolve().parent.parent


def layer_of(relative: str) -> str:
    """The layer marker for the test file at ``relative`` (a POSIX path from the root)."""
    matches = [p for p in LAYERS if relative == p or relative.startswith(p + "/")]
    return LAYERS[max(matches, key=len)] if matches else DEFAULT_LAYER


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its layer (``-m unit``, ``-m "not sim"``...) by directory."""
    for item in items:
        try:
            relative = item.path.resolve().relative_to(ROOT).as_posix()
        except ValueError:
            continue  # collected from outside the tree (a plugin's own test)
        # A test on each database backend needs a database server: not a pure layer.
        database = "database_url" in getattr(item, "fixturenames", ())
        item.add_marker("integration" if database else layer_of(relative))
        if relative in REAL_SOCKETS:
            item.add_marker("socket")


# Reactor methods that wait on real time or real sockets: a test outside the socket and
# integration layers that reaches one is refused, naming the fix.
_REAL_WAITS = ("callLater", "listenTCP", "connectTCP", "spawnProcess", "run")


@pytest.fixture(autouse=True)
def _no_real_reactor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only ``socket`` and ``integration`` tests may use the real reactor; the others run on
    a fake clock (``task.Clock``, ``switchboard.testing.simnet.SimNet``) and never wait."""
    if request.node.get_closest_marker("socket") or request.node.get_closest_marker("integration"):
        return
    from twisted.internet import reactor

    def refuse(name: str) -> Any:
        def refused(*_args: object, **_kw: object) -> None:
            raise AssertionError(
                f"{request.node.nodeid} called the real reactor's {name}(): run it on a "
                "task.Clock or switchboard.testing.simnet.SimNet, or, if a real socket is "
                "its point, list its file in REAL_SOCKETS in tests/conftest.py"
            )

        return refused

    for name in _REAL_WAITS:
        monkeypatch.setattr(reactor, name, refuse(name))


@pytest.fixture(autouse=True)
def _no_thread_pool_outlives_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop every Twisted thread pool a test started (``Database.run``'s, for one) and left
    running: its threads are not daemons, so one left behind by a failing test would keep
    the finished pytest process waiting at exit for ever instead of reporting."""
    from twisted.python.threadpool import ThreadPool

    started: list[ThreadPool] = []
    start = ThreadPool.start

    def noting_start(pool: ThreadPool) -> None:
        started.append(pool)
        start(pool)

    monkeypatch.setattr(ThreadPool, "start", noting_start)
    yield
    for pool in started:
        if pool.started:
            pool.stop()


def _forget_cached_loggers() -> None:
    """Undo ``cache_logger_on_first_use``: a lazy logger that cached itself (module-level
    ``log = structlog.get_logger()``) keeps writing to the stream configured when it was
    first used, such as pytest's captured stderr of an earlier test, closed since."""
    for obj in gc.get_objects():
        if isinstance(obj, structlog._config.BoundLoggerLazyProxy):
            obj.__dict__.pop("bind", None)


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """Each test starts with structlog's defaults and the stdlib root logger as found.

    ``switchboard.cli.main()`` configures structlog for the process (on the stderr of
    the moment, caching loggers); without this, every later test logs to a closed file.
    """
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    configure = structlog.configure
    caching: list[bool] = []

    def noting_caching(*args: Any, **kw: Any) -> None:
        caching.append(bool(kw.get("cache_logger_on_first_use")))
        configure(*args, **kw)

    # Noted as it happens: a test's own fixture may reset structlog before this one ends.
    structlog.configure = noting_caching
    try:
        yield
    finally:
        structlog.configure = configure
    if any(caching) or structlog.get_config()["cache_logger_on_first_use"]:
        _forget_cached_loggers()  # only after a test configured caching: gc walks are slow
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.disable(disabled)


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL at {PG_ADMIN_URL} unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true requires it)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[URL]:
    """A fresh, empty PostgreSQL database for this test run, dropped afterwards."""
    import psycopg

    admin = make_url(PG_ADMIN_URL)
    name = f"switchboard_test_{os.getpid()}_{secrets.token_hex(3)}"
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        _pg_unavailable(str(exc).strip())
    yield admin.set(database=name)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """An empty database of each backend; PostgreSQL tests get a fresh schema each."""
    if request.param == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'switchboard.sqlite'}")
        return
    server: URL = request.getfixturevalue("postgres_server_url")
    from sqlalchemy import create_engine, text

    schema = f"t_{secrets.token_hex(4)}"
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    # Each test works in its own schema, found first on the search path.
    yield server.update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(server)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
