# -*- test-case-name: tests.browser.test_recordings_page -*-
"""The real web tier with recordings playback, over a SQLite file and a spool folder
that a browser test filled (real WAV files, index rows, users), for the browser tests.

Nothing is faked: ``build_web`` serves ``/recordings`` and ``/recordings/<id>/audio``
through :class:`~switchboard.recorder.playback.RecordingPlayback`, which checks access,
serves Range requests from the spool and writes the audit to the file.

Run as ``python -m switchboard.testing.recordingsite --db FILE --spool DIR
[--agents-may-play]``: prints ``recordingsite listening on http://127.0.0.1:PORT`` and
ends when standard input closes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import make_url
from twisted.internet import stdio

from switchboard.config import WebSettings
from switchboard.config.model import LoggingSettings
from switchboard.logs import configure_logging
from switchboard.recorder.paths import PathMap
from switchboard.recorder.playback import RecordingPlayback
from switchboard.store import Database, upgrade_database
from switchboard.store.db import create_database_engine
from switchboard.testing.wallboardsite import _free_port, _StopWhenStdinCloses
from switchboard.web.service import build_web

__all__ = ["CHEAP", "main"]

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # the test's users' hasher


def main(argv: list[str] | None = None) -> None:
    from twisted.internet import reactor as installed

    reactor: Any = installed
    parser = argparse.ArgumentParser(prog="python -m switchboard.testing.recordingsite")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite file (kept)")
    parser.add_argument("--spool", type=Path, required=True, help="the recordings' folder")
    parser.add_argument("--agents-may-play", action="store_true")
    args = parser.parse_args(argv)
    # Standard output carries the one ready line; the log (access refusals too) goes to stderr.
    configure_logging(LoggingSettings(level="info"))
    url = make_url(f"sqlite:///{args.db}")
    upgrade_database(url)
    database = Database(create_database_engine(url), reactor)
    playback = RecordingPlayback(
        database,
        PathMap({}),
        (args.spool,),
        reactor.seconds,
        agent_may_play=args.agents_may_play,
    )
    port = _free_port()
    settings = WebSettings(port=port, origin=f"http://127.0.0.1:{port}")
    web = build_web(settings, reactor, database, hasher=CHEAP, recordings=playback)

    def start() -> None:
        web.startService()
        web.listening().addCallback(
            lambda _: print(f"recordingsite listening on {settings.origin}", flush=True)
        )

    reactor.callWhenRunning(start)
    stdio.StandardIO(_StopWhenStdinCloses(reactor))
    reactor.run()
    database.close()


if __name__ == "__main__":
    main()
