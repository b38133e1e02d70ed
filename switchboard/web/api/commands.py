"""``switchboard tokens create|list|revoke``: API tokens for programs that call the REST
API (``Authorization: Bearer <token>``). The token is printed once, at creation; the
database keeps only its hash, so a lost token is revoked and a new one made."""

# test-case-name: tests.web.api.test_tokens

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from switchboard.config import Settings
from switchboard.store.oneshot import in_database
from switchboard.web.api.tokens import (
    SCOPES,
    ApiToken,
    TokenError,
    create_token,
    list_tokens,
    revoke_token,
)

__all__ = ["add_commands", "run"]


def add_commands(subparsers: Any) -> None:
    tokens = subparsers.add_parser("tokens", help="REST API tokens: create, list, revoke")
    sub = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="make a token and print it (once)")
    create.add_argument("name", help="who or what uses it, e.g. wallboard-tv or crm-sync")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        dest="scopes",
        choices=list(SCOPES),
        required=True,
        help="what it may do (repeatable): " + "; ".join(f"{k}: {v}" for k, v in SCOPES.items()),
    )
    create.add_argument(
        "--queue",
        action="append",
        default=[],
        dest="queues",
        metavar="Q",
        help="limit it to this queue (repeatable; none: every queue)",
    )
    listing = sub.add_parser("list", help="every token: id, name, scopes, queues, status")
    listing.add_argument("--json", action="store_true", help="print JSON")
    revoke = sub.add_parser("revoke", help="stop a token working, at once")
    revoke.add_argument("id", type=int, help="the token's id (from tokens list)")
    for parser in sub.choices.values():
        parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings, now: Callable[[], float] = time.time) -> int:
    try:
        return _run(args, settings, now)
    except TokenError as exc:
        print(f"switchboard tokens: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, settings: Settings, now: Callable[[], float]) -> int:
    action = args.tokens_command
    if action == "create":
        secret, token = in_database(
            settings,
            lambda s: create_token(s, args.name, args.scopes, now(), queues=args.queues),
        )
        print(secret)
        print(
            f"token {token.id} ({token.name}): {', '.join(sorted(token.scopes))}; "
            "shown once: store it now",
            file=sys.stderr,
        )
        return 0
    if action == "revoke":
        token = in_database(settings, lambda s: revoke_token(s, args.id, now()))
        print(f"token {token.id} ({token.name}): revoked")
        return 0
    tokens = in_database(settings, list_tokens)
    if args.json:
        print(json.dumps([_as_dict(t) for t in tokens], indent=2))
    elif not tokens:
        print("no tokens yet: `switchboard tokens create NAME --scope read:stats` makes one")
    else:
        print(f"{'id':<6}{'name':<24}{'status':<10}{'queues':<20}scopes")
        for t in tokens:
            print(
                f"{t.id:<6}{t.name:<24}{'active' if t.active else 'revoked':<10}"
                f"{','.join(t.queues) or '(all)':<20}{' '.join(sorted(t.scopes))}"
            )
    return 0


def _as_dict(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "scopes": sorted(token.scopes),
        "queues": list(token.queues),
        "created_at": token.created_at,
        "revoked_at": token.revoked_at,
    }
