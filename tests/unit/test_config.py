"""Settings: defaults run with no file; a bad file is explained in one pass; secrets stay secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.cli import main
from switchboard.config import ConfigError, Settings, load_settings
from switchboard.config.load import absolute_sqlite_url


def test_defaults_need_no_file_and_listen_on_loopback() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.ami.host == "127.0.0.1"
    assert settings.agi.bind == "127.0.0.1"
    assert settings.agi.port == 4573


def test_file_values_then_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "switchboard.toml"
    path.write_text('[ami]\nhost = "pbx1.example"\nport = 5039\n[agi]\nport = 4600\n')
    settings = load_settings(
        path,
        environ={
            "SWITCHBOARD_AMI_PORT": "5040",
            "SWITCHBOARD_AMI_EVENT_FILTERS": "!Event: VarSet, !Event: Cdr",
            "SWITCHBOARD_FLOWS_DIR": "/etc/switchboard/flows",
        },
    )
    assert settings.ami.host == "pbx1.example"
    assert settings.ami.port == 5040  # the environment wins over the file
    assert settings.ami.event_filters == ("!Event: VarSet", "!Event: Cdr")
    assert settings.agi.port == 4600
    assert str(settings.flows.dir) == "/etc/switchboard/flows"


def test_the_config_file_may_be_named_by_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[logging]\nlevel = "debug"\n')
    assert load_settings(environ={"SWITCHBOARD_CONFIG": str(path)}).logging.level == "debug"


def test_every_problem_is_reported_with_file_line_key_expected_and_found(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[ami]\nport = "five"\ncolour = "blue"\n\n[agi]\nmax_sessions = 0\n'
        '[logging]\nlevel = "loud"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={"SWITCHBOARD_AMI_HSOT": "x"})
    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {
        "ami.port",
        "ami.colour",
        "agi.max_sessions",
        "logging.level",
        "SWITCHBOARD_AMI_HSOT",
    }
    assert (problems["ami.port"].line, problems["ami.port"].found) == (2, "'five'")
    assert "integer" in problems["ami.port"].problem
    assert problems["ami.colour"].line == 3
    colour = problems["ami.colour"].problem
    assert "allowed here" in colour and "host" in colour
    assert problems["agi.max_sessions"].line == 6
    assert "'debug'" in problems["logging.level"].problem and problems["logging.level"].line == 8
    assert problems["SWITCHBOARD_AMI_HSOT"].source == "environment"
    text = str(caught.value)
    assert f"{path}:2: ami.port" in text and "5 problem(s)" in text


def test_toml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[ami]\nhost = "x"\nport = \n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    (problem,) = caught.value.problems
    assert problem.key == "(syntax)" and problem.line == 3


def test_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_secrets_come_from_files_or_environment_and_never_show(tmp_path: Path) -> None:
    secret_file = tmp_path / "ami.secret"
    secret_file.write_text("hunter2\n")
    path = tmp_path / "s.toml"
    path.write_text(f'[ami]\nsecret_file = "{secret_file}"\n')
    settings = load_settings(path, environ={"SWITCHBOARD_DATABASE_PASSWORD": "pg-pass"})
    assert settings.ami.secret.get_secret_value() == "hunter2"  # trailing newline dropped
    assert settings.database.password is not None
    assert settings.database.password.get_secret_value() == "pg-pass"
    assert "hunter2" not in repr(settings) and "pg-pass" not in repr(settings)


def test_a_bad_secret_is_reported_without_its_value(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[ami]\nsecret = 12345678\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert "12345678" not in str(caught.value)
    assert caught.value.problems[0].key == "ami.secret"


def test_unreadable_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"SWITCHBOARD_AMI_SECRET_FILE": str(tmp_path / "nope")})
    (problem,) = caught.value.problems
    assert problem.key == "ami.secret_file" and "SWITCHBOARD_AMI_SECRET_FILE" in problem.source


def test_an_unknown_time_zone_is_named_with_an_example(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[queues]\ntimezone = "Asia/Shangai"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    (problem,) = caught.value.problems
    assert problem.key == "queues.timezone" and problem.line == 2
    assert "Asia/Shanghai" in problem.problem


def test_relative_paths_in_a_file_are_taken_from_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 8 item 10: Asterisk runs a process AGI in "/"; the file must mean the same there."""
    site = tmp_path / "etc"
    site.mkdir()
    (site / "ami.secret").write_text("s3cret\n")
    (site / "flows").mkdir()
    settings_file = site / "switchboard.toml"
    settings_file.write_text(
        '[database]\nurl = "sqlite:///data/sb.sqlite"\n'
        '[ami]\nsecret_file = "ami.secret"\n'
        '[flows]\ndir = "flows"\n'
        '[logging]\nfile = "log/switchboard.log"\n'
    )
    monkeypatch.chdir("/")
    settings = load_settings(settings_file, environ={})
    assert settings.database.url == f"sqlite:///{site}/data/sb.sqlite"
    assert settings.ami.secret.get_secret_value() == "s3cret"
    assert settings.flows.dir == site / "flows"
    assert settings.logging.file == site / "log" / "switchboard.log"


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "sqlite:////abs/x.db", "postgresql://u@h/db"],
)
def test_urls_that_do_not_name_a_relative_file_are_kept(url: str) -> None:
    assert absolute_sqlite_url(url, Path("/etc/switchboard")) == url


def test_the_default_database_does_not_depend_on_the_working_directory() -> None:
    url = Settings().database.url
    assert url.startswith("sqlite:////"), url  # four slashes: an absolute path


def test_an_unknown_table_and_a_bad_secret_file_are_reported_with_their_line(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[ami]\nhost = "pbx"\nsecret_file = "missing.secret"\n\n[amii]\nport = 1\n')
    with pytest.raises(ConfigError) as raised:
        load_settings(bad, environ={})
    problems = {p.key: p for p in raised.value.problems}
    assert problems["ami.secret_file"].line == 3
    assert "missing.secret" in problems["ami.secret_file"].found
    assert problems["amii"].line == 5
    assert f"{bad}:5: amii" in str(raised.value)


def test_config_init_writes_a_file_that_config_check_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "switchboard.toml"
    assert main(["config", "init", str(path)]) == 0
    text = path.read_text()
    for section in Settings.model_fields:
        assert f"\n[{section}]\n" in text, section
    assert '# Login "Events:" mask' in text  # the model's own comments come along
    capsys.readouterr()
    assert main(["config", "check", str(path)]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: ok"
    assert load_settings(path, environ={}) == Settings()


def test_config_init_refuses_to_overwrite_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "switchboard.toml"
    path.write_text("# mine\n")
    assert main(["config", "init", str(path)]) == 1
    assert "--force" in capsys.readouterr().out and path.read_text() == "# mine\n"
    assert main(["config", "init", "--force", str(path)]) == 0
    assert "[ami]" in path.read_text()
