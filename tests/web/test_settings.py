"""``[web]`` settings: defaults that run on one machine, and mistakes named with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config import ConfigError, load_settings


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_settings(path)


def test_the_defaults_serve_http_on_loopback_8080() -> None:
    web = load_settings(None).web
    assert (web.enabled, web.bind, web.port, web.origin) == (
        True,
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
    )
    assert not web.tls


@pytest.mark.parametrize(
    "origin", ["127.0.0.1:8080", "http://127.0.0.1:8080/", "ftp://x", "https://x/seat"]
)
def test_an_origin_with_a_path_or_no_scheme_is_refused(tmp_path: Path, origin: str) -> None:
    with pytest.raises(ConfigError, match=r"web\.origin.*no path, no trailing slash"):
        _load(tmp_path, f'[web]\norigin = "{origin}"\n')


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tls_certificate and tls_key together"):
        _load(tmp_path, '[web]\ntls_certificate = "cert.pem"\n')


def test_tls_paths_are_taken_from_the_settings_files_folder(tmp_path: Path) -> None:
    settings = _load(tmp_path, '[web]\ntls_certificate = "c.pem"\ntls_key = "k.pem"\n')
    web = settings.web  # type: ignore[attr-defined]
    assert web.tls and web.tls_certificate == tmp_path / "c.pem"
