"""The checks at the seat socket's upgrade: the Origin header and the session cookie."""

from __future__ import annotations

import pytest

from switchboard.web.ws.admission import origin_refusal, session_token

ALLOWED = "https://seat.example.cn"


@pytest.mark.parametrize("origin", [ALLOWED, ALLOWED + "/", "HTTPS://Seat.Example.cn"])
def test_the_configured_origin_is_admitted(origin):
    assert origin_refusal(origin, ALLOWED) is None


@pytest.mark.parametrize(
    "origin",
    [
        "http://seat.example.cn",
        "https://seat.example.cn:8443",
        "https://evil.example",
        "https://seat.example.cn.evil.example",
        "null",
    ],
)
def test_any_other_origin_is_refused_naming_the_one_to_use(origin):
    refusal = origin_refusal(origin, ALLOWED)

    assert refusal == (
        f"origin {origin} is not allowed: open the seat from {ALLOWED} (the [web] origin setting)"
    )


@pytest.mark.parametrize("origin", [None, ""])
def test_a_missing_origin_is_refused(origin):
    assert origin_refusal(origin, ALLOWED) == f"no Origin header: open the seat from {ALLOWED}"


def test_a_non_ascii_origin_is_escaped_for_the_status_line():
    refusal = origin_refusal("http://座席.example", ALLOWED)

    assert refusal is not None and refusal.isascii()


@pytest.mark.parametrize(
    ("cookie", "token"),
    [
        ("sb_session=abc123", "abc123"),
        ("theme=dark; sb_session=abc123; lang=zh-CN", "abc123"),
        ("theme=dark", None),
        ("sb_session=", None),
        ("", None),
    ],
)
def test_the_session_token_is_read_from_the_cookie_header(cookie, token):
    assert session_token({"cookie": cookie}) == token


def test_no_cookie_header_means_no_token():
    assert session_token({}) is None
