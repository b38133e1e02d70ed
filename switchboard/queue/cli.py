# -*- test-case-name: tests.queue.test_queues_conf,tests.queue.test_queue_log -*-
"""``switchboard import-asterisk``, ``switchboard import queue-log`` and ``queues check``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from switchboard.config import Settings
from switchboard.queue.config.queue_file import check_queue_config, parse_queue_config
from switchboard.queue.config.queues_conf import import_queues_conf, to_yaml
from switchboard.yamlines import load_yaml

__all__ = ["add_commands"]


def add_commands(subparsers: Any) -> None:
    imp = subparsers.add_parser(
        "import-asterisk", help="convert an Asterisk queues.conf into a switchboard queue file"
    )
    imp.add_argument("file", help="the queues.conf to read")
    imp.add_argument("-o", "--output", help="write the queue file here (default: stdout)")
    imp.set_defaults(run=_import_asterisk)

    history = subparsers.add_parser("import", help="bring history from before switchboard in")
    what = history.add_subparsers(dest="import_command", metavar="WHAT", required=True)
    log = what.add_parser(
        "queue-log", help="Asterisk's queue_log into the call records (re-running adds nothing)"
    )
    log.add_argument("file", help="the queue_log file to read")
    log.set_defaults(run=_import_queue_log)

    queues = subparsers.add_parser("queues", help="ACD queues and agents")
    sub = queues.add_subparsers(dest="queues_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate a queue file, listing every problem")
    check.add_argument("file")
    check.set_defaults(run=_check)


def _import_asterisk(args: argparse.Namespace, _settings: Settings) -> int:
    from asterisk.config import ParseError

    source = Path(args.file)
    try:
        result = import_queues_conf(source)
    except OSError as exc:
        print(f"{source}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ParseError as exc:
        line, message = (*exc.args, 0, "")[:2]
        print(f"{source}:{line}: {message}", file=sys.stderr)
        return 1
    text = to_yaml(result, str(source))
    _config, problems = parse_queue_config(load_yaml(text), args.output or "(output)")
    for problem in problems:  # an import that does not load is a bug: say so plainly
        print(f"warning: {problem}", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(
            f"{args.output}: {len(result.queues)} queue(s), {len(result.agents)} agent(s), "
            f"{len(result.notes)} note(s)"
        )
    else:
        sys.stdout.write(text)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 1 if problems else 0


def _check(args: argparse.Namespace, _settings: Settings) -> int:
    config, problems = check_queue_config(Path(args.file))
    for problem in problems:
        print(problem)
    if config is None:
        print(f"{args.file}: {len(problems)} problem(s)")
        return 1
    print(f"{args.file}: ok ({len(config.queues)} queues, {len(config.agents)} agents)")
    return 0


def _import_queue_log(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.orm import Session

    from switchboard.queue.store.queue_log_import import import_file
    from switchboard.store import database_url, upgrade_database
    from switchboard.store.db import create_database_engine

    source = Path(args.file)
    if not source.is_file():
        print(
            f"{source}: no such file (give the path of Asterisk's queue_log, usually "
            "/var/log/asterisk/queue_log)",
            file=sys.stderr,
        )
        return 1
    url = database_url(settings.database)
    upgrade_database(url)
    engine = create_database_engine(url)

    def run(work: Any) -> Any:
        with Session(engine) as session, session.begin():
            return work(session)

    try:
        read, count = import_file(source, run, progress=sys.stderr.isatty())
    finally:
        engine.dispose()
    for problem in read.problems:
        print(f"{source}:{problem}", file=sys.stderr)
    print(
        f"{source}: {count.calls_added} call(s) added, {count.calls_already_there} already "
        f"there; {count.agent_changes_added} agent change(s) added, "
        f"{count.agent_changes_already_there} already there; {len(read.problems)} line(s) "
        f"not usable; {len(read.unfinished)} call(s) still queued at the end (not stored)"
    )
    return 1 if read.problems else 0
