"""Headers every response carries, the session cookie's attributes, and the CSRF check.

CSP allows scripts and styles from this origin only (no inline script, no ``eval``);
the page's data reaches scripts as ``<meta>`` tags and a JSON ``<script>`` block, which
browsers never run. Cookies are HttpOnly and SameSite=Strict, Secure over TLS.
"""

# test-case-name: tests.web.test_security

from __future__ import annotations

import hmac
from collections.abc import Mapping

from twisted.web.server import Request

__all__ = [
    "CSRF_HEADER",
    "STATE_CHANGING",
    "csrf_matches",
    "security_headers",
    "set_cookie",
    "ws_url",
]

CSRF_HEADER = b"x-csrf-token"
STATE_CHANGING = frozenset({b"POST", b"PUT", b"PATCH", b"DELETE"})


def ws_url(origin: str) -> str:
    """The seat's websocket URL for the public ``origin``."""
    scheme, _, host = origin.partition("://")
    return f"{'wss' if scheme == 'https' else 'ws'}://{host}/ws/seat"


def security_headers(origin: str) -> Mapping[str, str]:
    csp = "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            # 'self' covers ws: only in newer browsers: name the websocket's origin too.
            f"connect-src 'self' {ws_url(origin).removesuffix('/ws/seat')}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )
    return {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    } | ({"Strict-Transport-Security": "max-age=31536000"} if origin.startswith("https") else {})


def set_cookie(
    request: Request, name: str, value: str, *, secure: bool, max_age: int | None
) -> None:
    """``max_age`` 0 deletes the cookie; None: it lasts until the browser closes."""
    request.addCookie(
        name.encode(),
        value.encode(),
        path=b"/",
        max_age=None if max_age is None else str(max_age).encode(),
        httpOnly=True,
        secure=secure,
        sameSite=b"strict",
    )


def csrf_matches(sent: bytes | str | None, expected: str) -> bool:
    if not sent or not expected:
        return False
    text = sent.decode("ascii", "replace") if isinstance(sent, bytes) else sent
    return hmac.compare_digest(text.encode(), expected.encode())
