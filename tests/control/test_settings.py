# -*- test-case-name: tests.control.test_settings -*-
"""``[control]``: loopback only, a token from a file, and serve builds the endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config import ConfigError, load_settings


def settings_problems(path: Path, toml: str) -> str:
    """The error that loading ``toml`` (written to ``path``) raises, as printed."""
    path.write_text(toml)
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ={})
    return str(raised.value)


def test_the_endpoint_must_stay_on_this_machine(tmp_path: Path) -> None:
    text = settings_problems(tmp_path / "s.toml", '[control]\nbind = "0.0.0.0"\n')
    assert "control.bind" in text and "loopback address" in text and "0.0.0.0" in text


def test_the_token_may_come_from_a_file_and_never_prints(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("t0k-123\n")
    path = tmp_path / "s.toml"
    path.write_text(f'[control]\nbind = "::1"\nport = 9999\ntoken_file = "{secret}"\n')
    settings = load_settings(path, environ={})
    assert settings.control.token is not None
    assert settings.control.token.get_secret_value() == "t0k-123"
    assert "t0k-123" not in repr(settings)
    assert (settings.control.bind, settings.control.port) == ("::1", 9999)
