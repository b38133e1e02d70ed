# -*- test-case-name: tests.unit.test_agi_wire -*-
"""The ``agi_*`` environment block as one frozen value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import parse_qsl, unquote

__all__ = ["AgiEnvironment", "parse_env_line"]


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


def parse_env_line(line: str) -> tuple[str, str] | None:
    """Split ``agi_name: value`` into its name and value (the value may be empty)."""
    name, colon, value = line.partition(":")
    if not colon or not name.strip():
        return None
    return name.strip(), value.removeprefix(" ")


_NO_QUERY: Mapping[str, str] = MappingProxyType({})


def _script_and_query(request: str, network_script: str) -> tuple[str, Mapping[str, str]]:
    """Script name and query parameters from ``agi_request`` (``agi://h:p/name?k=v``)."""
    if "?" not in request and network_script and "?" not in network_script:
        # The usual FastAGI case: Asterisk named the script and there is no query, so
        # there is nothing to gain from splitting the URL.
        return network_script, _NO_QUERY
    path, _, query = _after_authority(request).partition("?")
    name = network_script.partition("?")[0] or unquote(path.lstrip("/"))
    params = MappingProxyType(dict(parse_qsl(query, keep_blank_values=True)))
    return name, params


def _after_authority(request: str) -> str:
    """``/name?k=v#f`` of ``agi://host:port/name?k=v#f``; process AGI's script path as is.

    Split by hand rather than with ``urlsplit``, which raises on a peer's bad host
    (``agi://[::1/x``): the codec never raises on what the peer sends.
    """
    _, sep, rest = request.partition("://")
    if not sep:
        return request
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    return rest[cut:].partition("#")[0]


@dataclass(frozen=True, slots=True)
class AgiEnvironment:
    """What Asterisk told us about the call leg when the session opened.

    ``variables`` keeps every ``agi_*`` line as sent (names with their prefix). ``script``
    is the handler name (``main-menu`` for ``agi://host:4573/main-menu?lang=yue``),
    ``query`` its query parameters and ``args`` the dialplan arguments ``agi_arg_1..N``.
    """

    variables: Mapping[str, str] = field(default_factory=_empty)
    script: str = ""
    query: Mapping[str, str] = field(default_factory=_empty)
    args: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> AgiEnvironment:
        """Build from ``(name, value)`` pairs; a repeated name keeps its last value."""
        variables = dict(pairs)
        numbered = [
            (int(name[8:]), value)
            for name, value in variables.items()
            # isdigit() alone lets "²" through, which int() refuses.
            if name.startswith("agi_arg_") and name[8:].isascii() and name[8:].isdigit()
        ]
        script, query = _script_and_query(
            variables.get("agi_request", ""), variables.get("agi_network_script", "")
        )
        return cls(
            variables=MappingProxyType(variables),
            script=script,
            query=query,
            args=tuple(value for _, value in sorted(numbered)),
        )

    def get(self, name: str, default: str = "") -> str:
        """One variable by name, with or without the ``agi_`` prefix."""
        if not name.startswith("agi_"):
            name = "agi_" + name
        return self.variables.get(name, default)

    @property
    def network(self) -> bool:
        return self.get("network") == "yes"

    @property
    def request(self) -> str:
        return self.get("request")

    @property
    def channel(self) -> str:
        return self.get("channel")

    @property
    def uniqueid(self) -> str:
        return self.get("uniqueid")

    @property
    def callerid(self) -> str:
        return self.get("callerid")

    @property
    def calleridname(self) -> str:
        return self.get("calleridname")

    @property
    def language(self) -> str:
        return self.get("language")

    @property
    def context(self) -> str:
        return self.get("context")

    @property
    def extension(self) -> str:
        return self.get("extension")

    @property
    def priority(self) -> str:
        return self.get("priority")
