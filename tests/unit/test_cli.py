"""The `switchboard` command: its commands are all there, and bad settings stop it early."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from switchboard.cli import EXIT_CONFIG, main, parser_for


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
    args = parser_for(argv[0]).parse_args(argv)
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


def _imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return set(done.stdout.split())


@pytest.mark.parametrize("codec", ["switchboard.cti.ami.frames", "switchboard.cti.agi.wire"])
def test_importing_a_codec_loads_no_twisted(codec: str) -> None:
    """issue 10: the sans-I/O codecs are usable (and fast to load) without Twisted."""
    loaded = _imported_after(f"import {codec}")
    assert codec in loaded
    assert not {m for m in loaded if m.split(".")[0] == "twisted"}


AREAS = ("app", "cti", "ivr_flows", "queue", "sim", "store", "crm", "demo", "config", "logs")


def test_help_imports_no_area() -> None:
    """issue 10: `switchboard --help` lists every command without importing their areas."""
    loaded = _imported_after(
        "from switchboard.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert "switchboard.cli" in loaded
    areas = {m for m in loaded if m.split(".")[:2] in [["switchboard", a] for a in AREAS]}
    assert areas == set()
    assert not {m for m in loaded if m.split(".")[0] in ("twisted", "pydantic", "sqlalchemy")}


def test_a_subcommand_imports_only_its_own_area() -> None:
    loaded = _imported_after(
        "from switchboard.cli import parser_for\nparser_for('flows').parse_args(['flows', 'check'])"
    )
    assert "switchboard.ivr_flows.commands" in loaded
    assert not {m for m in loaded if m.startswith(("switchboard.queue", "switchboard.sim"))}


def test_the_reactor_is_handed_in_by_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only cli.py imports the global reactor; a caller (a test) may pass its own."""
    from twisted.internet.testing import MemoryReactorClock

    import switchboard.commands

    seen: list[object] = []
    monkeypatch.setattr(
        switchboard.commands, "_serve", lambda args, _s: seen.append(args.reactor) or 0
    )
    reactor = MemoryReactorClock()
    assert main(["serve"], reactor=reactor) == 0
    assert seen == [reactor]
