"""``switchboard tokens create|list|revoke`` and what the API does with the tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings
from switchboard.store.db import create_database_engine
from switchboard.web.api.commands import run
from switchboard.web.api.tokens import ApiTokenRow, revoke_token
from tests.web.api.helpers import ApiStack, make_api_stack


def _settings(tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'tokens.sqlite'}"))


def _run(tmp_path: Path, argv: list[str]) -> int:
    args = parser_for("tokens").parse_args(["tokens", *argv])
    return run(args, _settings(tmp_path), now=lambda: 1_800_000_000.0)


def test_create_prints_the_token_once_and_stores_only_its_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _run(tmp_path, ["create", "crm-sync", "--scope", "read:calls", "--scope", "read:stats"])
        == 0
    )
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("sbt_") and len(secret) > 40
    engine = create_database_engine(make_url(f"sqlite:///{tmp_path / 'tokens.sqlite'}"))
    with Session(engine) as session:
        stored = session.scalars(select(ApiTokenRow)).one()
    engine.dispose()
    assert secret not in (stored.token_hash, stored.name, stored.scopes)
    assert _run(tmp_path, ["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {
            "id": 1,
            "name": "crm-sync",
            "scopes": ["read:calls", "read:stats"],
            "queues": [],
            "created_at": 1_800_000_000.0,
            "revoked_at": None,
        }
    ]


def test_revoke_marks_it_revoked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(tmp_path, ["create", "tv", "--scope", "read:stats", "--queue", "sales"])
    assert _run(tmp_path, ["revoke", "1"]) == 0
    assert "token 1 (tv): revoked" in capsys.readouterr().out
    _run(tmp_path, ["list"])
    assert "revoked" in capsys.readouterr().out.splitlines()[1]


def test_revoking_an_unknown_token_says_how_to_find_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, ["revoke", "7"]) == 1
    assert "tokens list" in capsys.readouterr().err


def test_an_unknown_scope_is_refused_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(tmp_path, ["create", "x", "--scope", "write:everything"])


def test_a_revoked_token_stops_working_at_once(tmp_path: Path) -> None:
    stack: ApiStack = make_api_stack(tmp_path / "api")
    secret = stack.token("read:stats")
    assert stack.bearer(secret, "GET", "/api/v1/agents").status == 200
    stack.run(lambda s: revoke_token(s, 1, stack.clock.seconds()))
    refused = stack.bearer(secret, "GET", "/api/v1/agents")
    assert refused.status == 401 and "revoked" in refused.json()["error"]["message"]


def test_a_malformed_authorization_header_says_the_form(tmp_path: Path) -> None:
    stack = make_api_stack(tmp_path / "api")
    answer = stack.browser().request("GET", "/api/v1/agents", headers={"Authorization": "Token x"})
    assert answer.status == 401 and "Bearer" in answer.json()["error"]["message"]
