"""Core subcommands (serve, db, config) and the list of every area's subcommands."""

# test-case-name: tests.unit.test_cli

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from switchboard.config import Settings, load_settings
from switchboard.config.errors import ConfigError

AddCommands = Callable[[Any], None]


def add_core_commands(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help="run the FastAGI server and the AMI client")
    serve.set_defaults(run=_serve)

    db = subparsers.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply every pending migration")
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(run=_db_upgrade)
    db_sub.add_parser("current", help="print the schema revision").set_defaults(run=_db_current)

    config = subparsers.add_parser("config", help="settings")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate a settings file, listing every problem")
    check.add_argument("file")
    check.set_defaults(run=_config_check)
    config_sub.add_parser(
        "show", help="print the effective settings (secrets hidden)"
    ).set_defaults(run=_config_show)


def _serve(_args: argparse.Namespace, settings: Settings) -> int:
    from twisted.internet import reactor

    from switchboard.app import run_until_stopped

    return run_until_stopped(settings, reactor)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.store import database_url, upgrade_database
    from switchboard.store.migrate import current_revision

    url = database_url(settings.database)
    upgrade_database(url, args.revision)
    print(f"database {url.render_as_string(hide_password=True)} at {current_revision(url)}")
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.store import database_url
    from switchboard.store.migrate import current_revision

    print(current_revision(database_url(settings.database)) or "(empty database)")
    return 0


def _config_check(args: argparse.Namespace, _settings: Settings) -> int:
    try:
        load_settings(args.file)
    except ConfigError as exc:
        print(exc)
        return 1
    print(f"{args.file}: ok")
    return 0


def _config_show(_args: argparse.Namespace, settings: Settings) -> int:
    # SecretStr values serialise as '**********'.
    print(json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return 0


def _ami_commands(subparsers: Any) -> None:
    from switchboard.cti.ami.commands import add_commands

    add_commands(subparsers)


def _agi_commands(subparsers: Any) -> None:
    from switchboard.cti.agi.commands import add_commands

    add_commands(subparsers, handlers_for=_process_agi_handlers)


def _process_agi_handlers(settings: Settings) -> Any:
    """The same handlers as ``serve``: every flow, then the built-ins."""
    from twisted.internet import reactor  # the CLI edge owns the real reactor

    from switchboard.app import build_database, build_flows

    return build_flows(settings, reactor, build_database(settings, reactor))


def _sim_commands(subparsers: Any) -> None:
    from switchboard.sim.commands import add_commands

    add_commands(subparsers)


def _flows_commands(subparsers: Any) -> None:
    from switchboard.ivr_flows.commands import add_commands

    add_commands(subparsers)


def _queue_commands(subparsers: Any) -> None:
    from switchboard.queue.commands import add_commands

    add_commands(subparsers)


def _agents_commands(subparsers: Any) -> None:
    from switchboard.control.commands import add_commands

    add_commands(subparsers)


def _prompts_commands(subparsers: Any) -> None:
    from switchboard.prompts.commands import add_commands

    add_commands(subparsers)


def _asterisk_commands(subparsers: Any) -> None:
    from switchboard.sitecheck import add_commands

    add_commands(subparsers)


def _demo_commands(subparsers: Any) -> None:
    from switchboard.demo import add_commands

    add_commands(subparsers)


ALL: list[AddCommands] = [
    add_core_commands,
    _ami_commands,
    _agi_commands,
    _flows_commands,
    _prompts_commands,
    _queue_commands,
    _agents_commands,
    _sim_commands,
    _asterisk_commands,
    _demo_commands,
]
