"""The `switchboard` command: its commands are all there, and bad settings stop it early."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cli import EXIT_CONFIG, build_parser, main


def test_help_lists_every_operator_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    listed = capsys.readouterr().out
    for command in ("serve", "db", "config", "ami", "agi"):
        assert f"    {command} " in listed, command


@pytest.mark.parametrize(
    "argv",
    [
        ["ami", "tail", "--event", "Hangup"],
        ["ami", "action", "QueueStatus", "Queue=support"],
        ["agi", "main-menu"],
        ["db", "upgrade"],
        ["config", "check", "x.toml"],
    ],
)
def test_each_command_parses_to_a_runner(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert callable(args.run)


def test_a_bad_settings_file_exits_with_every_problem_before_doing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[ami]\nport = "x"\n[agi]\nport = 70000\n')
    assert main(["-c", str(bad), "serve"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and f"{bad}:2: ami.port" in err and f"{bad}:4: agi.port" in err


def test_config_check_reports_ok_and_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[ami]\nhost = "127.0.0.1"\n')
    assert main(["config", "check", str(good)]) == 0
    assert "ok" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("[ami]\nprot = 5038\n")
    assert main(["config", "check", str(bad)]) == 1
    assert "ami.prot" in capsys.readouterr().out


def test_config_show_hides_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_AMI_SECRET", "topsecret-123")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "topsecret-123" not in out and '"secret": "**********"' in out


def test_db_upgrade_creates_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    from alembic.script import ScriptDirectory

    from switchboard.store.migrate import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip().endswith(f" at {head}")
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == head
