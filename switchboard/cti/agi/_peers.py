# -*- test-case-name: tests.unit.test_agi_admission -*-
"""Who may open a FastAGI session: an allow-list of Asterisk addresses and a per-address cap.

Pure bookkeeping (no Twisted): the server factory asks :meth:`PeerPolicy.refusal` before
building a protocol, and reports each connection's end. Refusals are logged at powers of
two per address, so a flood cannot flood the log as well.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

__all__ = ["LOOPBACK", "PeerPolicy", "allowed_networks"]

Network = IPv4Network | IPv6Network
LOOPBACK = ("127.0.0.0/8", "::1/128")
_FORGET_AFTER = 10_000  # refusal counters kept, so that many addresses cannot grow them


def _resolve(name: str) -> list[str]:
    """The addresses of a host name (once, when the server starts)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def allowed_networks(
    entries: Iterable[str], resolve: Callable[[str], list[str]] = _resolve
) -> tuple[tuple[Network, ...], list[str]]:
    """The networks ``entries`` name, and the host names that resolved to nothing."""
    networks: list[Network] = []
    unresolved: list[str] = []
    for entry in entries:
        try:
            networks.append(ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        addresses = resolve(entry)
        if not addresses:
            unresolved.append(entry)
        networks.extend(ip_network(a, strict=False) for a in addresses)
    return tuple(networks), unresolved


def _normal(host: str) -> str:
    """``::ffff:10.0.0.1`` (an IPv4 peer on a dual-stack socket) as ``10.0.0.1``."""
    try:
        address = ip_address(host.partition("%")[0])
    except ValueError:
        return host
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


class PeerPolicy:
    """Admits a connection from ``host`` or says why not."""

    def __init__(self, allowed: tuple[Network, ...] | None, max_per_peer: int) -> None:
        self._allowed = allowed  # None: anyone (tests, or an explicit choice)
        self._max_per_peer = max_per_peer
        self._open: dict[str, int] = {}
        self._refused: dict[str, int] = {}

    def refusal(self, host: str | None) -> str | None:
        """None to admit (and count) the connection, else the reason it is refused."""
        if host is None:
            return None  # not an IP connection (a UNIX socket): the file mode guards it
        host = _normal(host)
        if self._allowed is not None and not self._is_allowed(host):
            return "not_allowed"
        if self._open.get(host, 0) >= self._max_per_peer:
            return "too_many_from_peer"
        self._open[host] = self._open.get(host, 0) + 1
        return None

    def closed(self, host: str | None) -> None:
        if host is None:
            return
        host = _normal(host)
        left = self._open.get(host, 0) - 1
        if left > 0:
            self._open[host] = left
        else:
            self._open.pop(host, None)

    def worth_logging(self, host: str | None) -> tuple[bool, int]:
        """Whether to log this refusal (the 1st, 2nd, 4th, 8th ... per address), and its count."""
        key = _normal(host or "?")
        if len(self._refused) >= _FORGET_AFTER and key not in self._refused:
            self._refused.clear()
        count = self._refused[key] = self._refused.get(key, 0) + 1
        return count & (count - 1) == 0, count

    def _is_allowed(self, host: str) -> bool:
        try:
            address = ip_address(host)
        except ValueError:
            return False
        assert self._allowed is not None
        return any(address in network for network in self._allowed)
