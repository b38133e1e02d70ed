"""The web tier: the agent seat's pages and JSON API on klein, websockets beside them.

:func:`build_web` is its one entry (``switchboard.app`` calls it). Layout: ``routes``
(pages, login, logout), ``seat_api`` (``/api/v1/seat/*`` onto a ``SeatActions``),
``security`` (headers, CSRF), ``static`` (content-hashed assets), ``i18n`` (the Babel
catalogues), ``templating`` (jinja2), ``service`` (the listening twisted Service).
"""

from importlib import import_module
from typing import Any

__all__ = ["WebService", "build_web"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("switchboard.web.service"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
