"""``switchboard users add|passwd|list|disable``: the web tier's accounts, in the database
of ``[database]`` (brought up to date first, as ``serve`` does).

A password is read from ``--password-file`` (its first line) or typed at a prompt, twice;
never from the command line, where ``ps`` and the shell history would show it.
"""

# test-case-name: tests.web.test_users_cli

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from switchboard.accounts.model import LANGUAGES, Role, User
from switchboard.accounts.passwords import PasswordProblem, Passwords
from switchboard.accounts.store import (
    AccountError,
    add_user,
    list_users,
    set_disabled,
    set_password_hash,
)
from switchboard.config import Settings
from switchboard.store.oneshot import in_database as _in_database

__all__ = ["add_commands", "run"]

T = TypeVar("T")
Prompt = Callable[[str], str]


def add_commands(subparsers: Any) -> None:
    users = subparsers.add_parser("users", help="web tier accounts: add, passwd, list, disable")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    # No abbreviations: "--password x" must not pass for "--password-file x".
    add = sub.add_parser("add", help="add a user (asks for the password)", allow_abbrev=False)
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENT.value)
    add.add_argument("--agent", help="the ACD/app_queue agent id this user sits as (a seat)")
    add.add_argument("--name", default="", help="display name (default: the username)")
    add.add_argument("--language", choices=LANGUAGES, default=LANGUAGES[0])
    add.add_argument(
        "--queue",
        action="append",
        default=[],
        dest="queues",
        metavar="Q",
        help="a queue a supervisor supervises (repeatable; none: all)",
    )
    add.add_argument("--password-file", type=Path, help="read the password from this file")
    passwd = sub.add_parser(
        "passwd", help="set a new password (ends the user's sessions)", allow_abbrev=False
    )
    passwd.add_argument("username")
    passwd.add_argument("--password-file", type=Path, help="read the password from this file")
    listing = sub.add_parser("list", help="every user, role, seat and language")
    listing.add_argument("--json", action="store_true", help="print JSON")
    disable = sub.add_parser("disable", help="refuse a user's logins and end their sessions")
    disable.add_argument("username")
    for parser in sub.choices.values():
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings, prompt: Prompt = getpass.getpass) -> int:
    try:
        return _run(args, settings, prompt)
    except (AccountError, PasswordProblem) as exc:
        print(f"switchboard users: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings, prompt: Prompt) -> int:
    action = args.users_command
    if action == "list":
        users = _in_database(settings, list_users)
        if args.json:
            print(json.dumps([_as_dict(u) for u in users], indent=2, ensure_ascii=False))
        else:
            _print_table(users)
        return 0
    if action == "disable":
        user = _in_database(settings, lambda s: set_disabled(s, args.username))
        print(f"{user.username}: disabled; their sessions have ended")
        return 0
    role = Role(getattr(args, "role", Role.AGENT.value))
    if action == "add" and role is Role.AGENT and not args.agent:
        raise AccountError("an agent needs a seat: give --agent <agent id>, such as --agent 1001")
    password_hash = Passwords().hash(_password(args.password_file, prompt))
    if action == "passwd":
        _in_database(settings, lambda s: set_password_hash(s, args.username, password_hash))
        print(f"{args.username}: password changed; their sessions have ended")
        return 0
    user = _in_database(
        settings,
        lambda s: add_user(
            s,
            args.username,
            password_hash,
            role=role,
            display_name=args.name,
            agent_id=args.agent,
            language=args.language,
            queues=args.queues,
        ),
    )
    seat = f", seat {user.agent_id}" if user.has_seat else ", no seat"
    print(f"{user.username}: added as {user.role.value}{seat}, {user.language}")
    return 0


def _password(path: Path | None, prompt: Prompt) -> str:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        except OSError as exc:
            raise AccountError(f"cannot read --password-file {path}: {exc.strerror}") from None
    if not sys.stdin.isatty() and prompt is getpass.getpass:
        raise AccountError("no terminal to ask for the password: give --password-file FILE")
    first = prompt("Password: ")
    if prompt("Password again: ") != first:
        raise AccountError("the two passwords differ: nothing changed")
    return first


def _as_dict(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "agent_id": user.agent_id,
        "language": user.language,
        "queues": list(user.queues),
        "disabled": user.disabled,
    }


def _print_table(users: list[User]) -> None:
    if not users:
        print("no users yet: `switchboard users add NAME --agent ID` adds one")
        return
    print(f"{'username':<20}{'role':<12}{'seat':<10}{'language':<10}{'status':<10}name")
    for u in users:
        print(
            f"{u.username:<20}{u.role.value:<12}{u.agent_id or '-':<10}{u.language:<10}"
            f"{'disabled' if u.disabled else 'active':<10}{u.display_name}"
        )
