"""``switchboard users add|passwd|list|disable`` on the settings' database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.accounts.commands import run
from switchboard.cli import main, parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings


def _settings(tmp_path: Path) -> Settings:
    return Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'users.sqlite'}"))


def _run(tmp_path: Path, argv: list[str], prompt: object = None) -> int:
    args = parser_for("users").parse_args(["users", *argv])
    kw = {"prompt": prompt} if prompt is not None else {}
    return run(args, _settings(tmp_path), **kw)  # type: ignore[arg-type]


def _password_file(tmp_path: Path, text: str = "a long password\n") -> str:
    path = tmp_path / f"pw-{len(list(tmp_path.glob('pw-*')))}.txt"
    path.write_text(text)
    return str(path)


def _listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert _run(tmp_path, ["list", "--json"]) == 0
    listed: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return listed


def test_add_then_list_shows_role_seat_and_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = _password_file(tmp_path)
    assert (
        _run(
            tmp_path, ["add", "wang", "--agent", "1003", "--name", "王小明", "--password-file", pw]
        )
        == 0
    )
    assert "wang: added as agent, seat 1003, zh-CN" in capsys.readouterr().out
    assert (
        _run(
            tmp_path,
            [
                "add",
                "boss",
                "--role",
                "supervisor",
                "--language",
                "en",
                "--queue",
                "sales",
                "--password-file",
                pw,
            ],
        )
        == 0
    )
    assert _listed(tmp_path, capsys) == [
        {
            "username": "boss",
            "display_name": "boss",
            "role": "supervisor",
            "agent_id": None,
            "language": "en",
            "queues": ["sales"],
            "disabled": False,
        },
        {
            "username": "wang",
            "display_name": "王小明",
            "role": "agent",
            "agent_id": "1003",
            "language": "zh-CN",
            "queues": [],
            "disabled": False,
        },
    ]
    assert _run(tmp_path, ["list"]) == 0
    table = capsys.readouterr().out
    assert "wang" in table and "1003" in table and "active" in table


def test_the_password_is_asked_twice_when_no_file_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["a long password", "a long passwore"])
    assert _run(tmp_path, ["add", "wang", "--agent", "1"], lambda _: next(answers)) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter(["a long password", "a long password"])
    assert _run(tmp_path, ["add", "wang", "--agent", "1"], lambda _: next(answers)) == 0


def test_the_password_never_comes_from_argv() -> None:
    with pytest.raises(SystemExit):
        parser_for("users").parse_args(["users", "add", "wang", "--password", "x"])


def test_mistakes_are_named_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = _password_file(tmp_path)
    assert _run(tmp_path, ["add", "wang", "--password-file", pw]) == 1
    assert "an agent needs a seat: give --agent" in capsys.readouterr().err
    assert (
        _run(
            tmp_path,
            ["add", "wang", "--agent", "1", "--password-file", _password_file(tmp_path, "short")],
        )
        == 1
    )
    assert "at least 8 characters" in capsys.readouterr().err
    assert (
        _run(tmp_path, ["add", "wang", "--agent", "1", "--password-file", str(tmp_path / "nope")])
        == 1
    )
    assert "cannot read --password-file" in capsys.readouterr().err
    assert _run(tmp_path, ["passwd", "ghost", "--password-file", pw]) == 1
    assert "no user 'ghost'" in capsys.readouterr().err


def test_disable_and_passwd_change_what_login_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import make_url
    from sqlalchemy.orm import Session

    from switchboard.accounts.passwords import Passwords
    from switchboard.accounts.store import find_user
    from switchboard.store.db import create_database_engine

    pw = _password_file(tmp_path)
    assert _run(tmp_path, ["add", "wang", "--agent", "1", "--password-file", pw]) == 0
    new = _password_file(tmp_path, "another long one\n")
    assert _run(tmp_path, ["passwd", "wang", "--password-file", new]) == 0
    assert _run(tmp_path, ["disable", "wang"]) == 0
    assert "wang: disabled" in capsys.readouterr().out
    engine = create_database_engine(make_url(f"sqlite:///{tmp_path / 'users.sqlite'}"))
    with Session(engine) as session:
        found = find_user(session, "wang")
    engine.dispose()
    assert found is not None and found[0].disabled
    assert Passwords().check(found[1], "another long one")
    assert not Passwords().check(found[1], "a long password")


def test_users_is_a_switchboard_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "    users " in capsys.readouterr().out
