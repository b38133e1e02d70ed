"""Every subcommand of ``switchboard``, and the core ones (serve, db, config, agi).

:data:`COMMANDS` maps each subcommand's name to its one-line help and to the function
that adds its parser, named as ``"module:function"``. The CLI imports that module only
when its subcommand runs, so ``switchboard --help`` and a quick command never pay for
the areas they do not use. To add a subcommand: add its adder to your area and one line
to :data:`COMMANDS`.

A subcommand's parser sets ``run(args, settings) -> exit code``; one that needs the
reactor also sets ``needs_reactor=True`` and finds it as ``args.reactor``.
"""

# test-case-name: tests.unit.test_cli

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.config import Settings
    from switchboard.cti.agi.channel import Handler


@dataclass(frozen=True)
class Subcommand:
    help: str
    adder: str  # "module:function", called with the CLI's subparsers


COMMANDS: dict[str, Subcommand] = {
    "serve": Subcommand("run the FastAGI server and the AMI client", f"{__name__}:add_serve"),
    "db": Subcommand("database schema", f"{__name__}:add_db"),
    "config": Subcommand("settings: check, show, init", f"{__name__}:add_config"),
    "ami": Subcommand(
        "talk to the Asterisk Manager Interface", "switchboard.cti.ami.commands:add_commands"
    ),
    "agi": Subcommand("run one AGI script over stdin/stdout (process AGI)", f"{__name__}:add_agi"),
    "flows": Subcommand(
        "IVR flows: check, graph, try", "switchboard.ivr_flows.commands:add_commands"
    ),
    "prompts": Subcommand("prompt sound files: build", "switchboard.prompts.commands:add_commands"),
    "queues": Subcommand("ACD queues and agents", "switchboard.queue.cli:add_commands"),
    "import-asterisk": Subcommand(
        "convert an Asterisk queues.conf into a switchboard queue file",
        "switchboard.queue.cli:add_commands",
    ),
    "agents": Subcommand(
        "log ACD agents in and out, ready or pause them (needs a running serve)",
        "switchboard.control.commands:add_commands",
    ),
    "sim": Subcommand(
        "run the simulated Asterisk PBX (AMI + FastAGI)", "switchboard.sim.commands:add_commands"
    ),
    "asterisk": Subcommand(
        "check the Asterisk side of a site", "switchboard.sitecheck:add_commands"
    ),
    "demo": Subcommand(
        "run calls through the IVR and the ACD on a simulated PBX", "switchboard.demo:add_commands"
    ),
    "users": Subcommand(
        "web tier accounts: add, passwd, list, disable",
        "switchboard.accounts.commands:add_commands",
    ),
    "tokens": Subcommand(
        "REST API tokens: create, list, revoke", "switchboard.web.api.commands:add_commands"
    ),
    "recordings": Subcommand(
        "call recordings: search, verify, reindex, retention, hold",
        "switchboard.recorder.commands:add_commands",
    ),
    "customers": Subcommand(
        "the customer file: search, import, show, history, merge, unmerge",
        "switchboard.crm.commands:add_commands",
    ),
    "tickets": Subcommand(
        "tickets (工单): open, show, list, set, comment, link, report",
        "switchboard.crm.ticket_commands:add_commands",
    ),
    "forecast": Subcommand(
        "staffing forecast: agents needed per interval to reach a service level (Erlang C)",
        "switchboard.reports.forecast_cli:add_commands",
    ),
    "report": Subcommand(
        "reports: queue, agent, ivr, complaints, scorecard (table, CSV, JSON, XLSX)",
        "switchboard.reports.commands:add_commands",
    ),
}


def add_serve(subparsers: Any) -> None:
    serve = subparsers.add_parser("serve", help=COMMANDS["serve"].help)
    serve.set_defaults(run=_serve, needs_reactor=True)


def add_db(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help=COMMANDS["db"].help)
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply every pending migration")
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(run=_db_upgrade)
    db_sub.add_parser("current", help="print the schema revision").set_defaults(run=_db_current)


def add_config(subparsers: Any) -> None:
    config = subparsers.add_parser("config", help=COMMANDS["config"].help)
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_sub.add_parser("check", help="validate a settings file, listing every problem")
    check.add_argument("file")
    check.set_defaults(run=_config_check)
    config_sub.add_parser(
        "show", help="print the effective settings (secrets hidden)"
    ).set_defaults(run=_config_show)
    init = config_sub.add_parser(
        "init", help="write a commented settings file with every section and its defaults"
    )
    init.add_argument("path", nargs="?", default="switchboard.toml", type=Path)
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(run=_config_init)


def add_agi(subparsers: Any) -> None:
    from switchboard.cti.agi.commands import add_commands

    add_commands(
        subparsers, handlers_for=process_agi_handlers, after_first_command=load_the_database_code
    )


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from switchboard.app import run_until_stopped

    return run_until_stopped(settings, args.reactor)


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
    from switchboard.config import ConfigError, load_settings

    try:
        load_settings(args.file)
    except ConfigError as exc:
        print(exc)
        return 1
    print(f"{args.file}: ok")
    return 0


def _config_show(_args: argparse.Namespace, settings: Settings) -> int:
    import json

    # SecretStr values serialise as '**********'.
    print(json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False))
    return 0


def _config_init(args: argparse.Namespace, _settings: Settings) -> int:
    from switchboard.config.template import settings_template

    path: Path = args.path
    if path.exists() and not args.force:
        print(f"{path} exists; not overwritten (use --force to replace it)")
        return 1
    path.write_text(settings_template(), encoding="utf-8")
    print(f"wrote {path}; check it with: switchboard config check {path}")
    return 0


def process_agi_handlers(settings: Settings, reactor: Any) -> Mapping[str, Handler]:
    """The same handlers as ``serve`` (every flow, then the built-ins), built by the same
    :func:`~switchboard.build_parts.build_flows`, from the few modules a call needs: not
    ``switchboard.app``, whose AMI client, ACD and Alembic would double a process AGI's
    start-up."""
    from switchboard.build_parts import DatabaseOnFirstUse, build_flows
    from switchboard.cti.agi.commands import HandlersUnavailable
    from switchboard.ivr_flows.errors import FlowError

    where, problem = _database_problem(settings)
    if problem is not None:
        raise HandlersUnavailable(
            f"database {where}: {problem}; run "
            "'switchboard -c <the same settings file> db upgrade' as the user Asterisk runs as"
        )
    try:
        return build_flows(settings, reactor, DatabaseOnFirstUse(settings, reactor))
    except FlowError as exc:
        raise HandlersUnavailable(f"flows in {settings.flows.dir}: {exc}") from None


def load_the_database_code() -> None:
    """Import SQLAlchemy and the ORM rows in a thread while the first prompt plays, so that
    a process AGI's first lookup or record does not make the caller wait for them."""
    import threading

    def load() -> None:
        import switchboard.crm.directory
        import switchboard.ivr_flows.records
        import switchboard.store.db  # noqa: F401

    threading.Thread(target=load, name="warm-up", daemon=True).start()


def _database_problem(settings: Settings) -> tuple[str, str | None]:
    """The database named for a log line, and why it cannot serve calls (if it cannot)."""
    from switchboard.store.ready import sqlite_schema_problem

    url = settings.database.url
    if url.startswith("sqlite") and ":memory:" not in url and url.count("/") >= 3:
        return url, sqlite_schema_problem(url)
    from switchboard.store.db import database_url
    from switchboard.store.ready import schema_problem

    full = database_url(settings.database)
    return full.render_as_string(hide_password=True), schema_problem(full)
