# -*- test-case-name: tests.unit.test_ami_actions -*-
"""Typed builders for the AMI actions switchboard sends, and ActionID generation.

An :class:`Action` is a frozen value: a name plus ordered headers. The client stamps an
ActionID from an injectable generator when it is sent (unless the caller chose one), so
tests can keep IDs deterministic. Nothing here touches I/O; ``encode`` returns bytes.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from switchboard.cti import names
from switchboard.cti.ami import values
from switchboard.cti.ami.frames import HeaderInjectionError, encode_message

__all__ = ["Action", "ActionIdGenerator", "md5_key"]

HeaderValue = str | int | float | bool | None
# Set by to_headers() only: a second one among the headers could redirect the action.
_RESERVED = frozenset({"action", "actionid"})


@dataclass(frozen=True, slots=True)
class Action:
    """One AMI action to send: ``Action: <name>``, an ActionID, then ``headers`` in order."""

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    action_id: str | None = None

    def __post_init__(self) -> None:
        for header, _ in self.headers:
            if header.lower() in _RESERVED:
                raise HeaderInjectionError(
                    f"header {header!r} of AMI action {self.name} is reserved: it would change"
                    " the action or its ActionID; rename it"
                )

    def with_action_id(self, action_id: str) -> Action:
        return replace(self, action_id=action_id)

    def to_headers(self) -> list[tuple[str, str]]:
        out = [(names.ACTION, self.name)]
        if self.action_id is not None:
            out.append((names.ACTION_ID, self.action_id))
        out.extend(self.headers)
        return out

    def encode(self) -> bytes:
        """Wire bytes; raises ``HeaderInjectionError`` for CR/LF in any header."""
        return encode_message(self.to_headers())

    def __repr__(self) -> str:  # never show header values: Login carries the secret
        return f"Action({self.name!r}, action_id={self.action_id!r})"


class ActionIdGenerator:
    """Callable giving ``<prefix>1``, ``<prefix>2`` ...; inject your own for tests."""

    def __init__(self, prefix: str = "sw-", start: int = 1) -> None:
        self._prefix = prefix
        self._start = start
        self._counter = itertools.count(start)

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter)}"

    def reset(self) -> None:
        self._counter = itertools.count(self._start)


def _fmt(value: HeaderValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def action(name: str, *pairs: tuple[str, HeaderValue], action_id: str | None = None) -> Action:
    """Generic builder: ``None`` values are left out, booleans become ``true``/``false``."""
    return Action(name, tuple((k, _fmt(v)) for k, v in pairs if v is not None), action_id)


def _variables(
    variables: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> list[tuple[str, HeaderValue]]:
    if not variables:
        return []
    items = variables.items() if isinstance(variables, Mapping) else variables
    return [(names.VARIABLE, values.variable(k, v)) for k, v in items]


# -- session ---------------------------------------------------------------------------------
def md5_key(challenge: str, secret: str) -> str:
    """The ``Key`` of an MD5 login: hex md5 of the challenge followed by the secret."""
    return hashlib.md5((challenge + secret).encode("utf-8"), usedforsecurity=False).hexdigest()


def login(username: str, secret: str, events: str = "on") -> Action:
    return action(
        "Login", (names.USERNAME, username), (names.SECRET, secret), (names.EVENTS, events)
    )


def challenge() -> Action:
    return action("Challenge", (names.AUTH_TYPE, "MD5"))


def login_md5(username: str, key: str, events: str = "on") -> Action:
    return action(
        "Login",
        (names.AUTH_TYPE, "MD5"),
        (names.USERNAME, username),
        (names.KEY, key),
        (names.EVENTS, events),
    )


def ping() -> Action:
    return action("Ping")


def logoff() -> Action:
    return action("Logoff")


def events(mask: str) -> Action:
    return action("Events", (names.EVENT_MASK, mask))


def filter_add(expression: str) -> Action:
    return action("Filter", ("Operation", "Add"), ("Filter", expression))


def user_event(name: str, headers: Mapping[str, str] | None = None) -> Action:
    """``UserEvent`` with extra headers; ``Action``, ``ActionID`` and ``UserEvent`` are refused
    among them (Asterisk drops a second ``UserEvent``; the others would change the action)."""
    for header in headers or {}:
        if header.lower() == "userevent":
            raise HeaderInjectionError(
                f"header {header!r} is reserved in a UserEvent: pass the event name as name="
            )
    return action("UserEvent", ("UserEvent", name), *(headers or {}).items())


def command(cli: str) -> Action:
    return action("Command", ("Command", cli))


# -- calls ----------------------------------------------------------------------------------
def originate(
    channel: str,
    *,
    context: str | None = None,
    exten: str | None = None,
    priority: int | str | None = None,
    application: str | None = None,
    data: str | None = None,
    timeout_ms: int | None = None,
    caller_id: str | None = None,
    variables: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
    account: str | None = None,
    asynchronous: bool = True,
    channel_id: str | None = None,
    other_channel_id: str | None = None,
    action_id: str | None = None,
) -> Action:
    """Originate to a dialplan extension or an application. ``timeout_ms`` is in ms (AMI)."""
    if (application is None) == (exten is None):
        raise ValueError("originate needs exactly one of exten= or application=")
    return action(
        "Originate",
        (names.CHANNEL, channel),
        ("Context", context),
        ("Exten", exten),
        ("Priority", priority),
        ("Application", application),
        ("Data", data),
        ("Timeout", timeout_ms),
        ("CallerID", caller_id),
        ("Account", account),
        ("Async", asynchronous),
        ("ChannelId", channel_id),
        ("OtherChannelId", other_channel_id),
        *_variables(variables),
        action_id=action_id,
    )


def redirect(
    channel: str,
    context: str,
    exten: str,
    priority: int | str = 1,
    extra_channel: str | None = None,
) -> Action:
    return action(
        "Redirect",
        (names.CHANNEL, channel),
        ("ExtraChannel", extra_channel),
        ("Context", context),
        ("Exten", exten),
        ("Priority", priority),
    )


def hangup(channel: str, cause: int | None = None) -> Action:
    return action("Hangup", (names.CHANNEL, channel), ("Cause", cause))


def getvar(variable: str, channel: str | None = None) -> Action:
    return action("Getvar", (names.CHANNEL, channel), (names.VARIABLE, variable))


def setvar(variable: str, value: str, channel: str | None = None) -> Action:
    return action(
        "Setvar", (names.CHANNEL, channel), (names.VARIABLE, variable), (names.VALUE, value)
    )


# -- lists (answered by Response + EventList start ... XxxComplete) ---------------------------
def core_show_channels() -> Action:
    return action("CoreShowChannels")


def status(channel: str | None = None, variables: Iterable[str] = ()) -> Action:
    return action("Status", (names.CHANNEL, channel), ("Variables", ",".join(variables) or None))


def device_state_list() -> Action:
    return action("DeviceStateList")


def queue_status(queue: str | None = None, member: str | None = None) -> Action:
    return action("QueueStatus", (names.QUEUE, queue), ("Member", member))


def queue_summary(queue: str | None = None) -> Action:
    return action("QueueSummary", (names.QUEUE, queue))


def db_get(family: str, key: str) -> Action:
    return action("DBGet", ("Family", family), (names.KEY, key))


def db_put(family: str, key: str, value: str) -> Action:
    return action("DBPut", ("Family", family), (names.KEY, key), ("Val", value))


# -- queues ---------------------------------------------------------------------------------
def queue_add(
    queue: str,
    interface: str,
    *,
    penalty: int | None = None,
    paused: bool | None = None,
    member_name: str | None = None,
    state_interface: str | None = None,
    reason: str | None = None,
) -> Action:
    return action(
        "QueueAdd",
        (names.QUEUE, queue),
        (names.INTERFACE, interface),
        ("Penalty", penalty),
        ("Paused", paused),
        ("MemberName", member_name),
        ("StateInterface", state_interface),
        (names.REASON, reason),
    )


def queue_remove(queue: str, interface: str) -> Action:
    return action("QueueRemove", (names.QUEUE, queue), (names.INTERFACE, interface))


def queue_pause(
    interface: str, paused: bool, *, queue: str | None = None, reason: str | None = None
) -> Action:
    return action(
        "QueuePause",
        (names.QUEUE, queue),
        (names.INTERFACE, interface),
        ("Paused", paused),
        (names.REASON, reason),
    )


def queue_penalty(interface: str, penalty: int, queue: str | None = None) -> Action:
    return action(
        "QueuePenalty", (names.INTERFACE, interface), ("Penalty", penalty), (names.QUEUE, queue)
    )


# -- recordings -----------------------------------------------------------------------------
def mix_monitor(
    channel: str, file: str, options: str | None = None, command: str | None = None
) -> Action:
    return action(
        "MixMonitor",
        (names.CHANNEL, channel),
        ("File", file),
        ("Options", options),
        ("Command", command),
    )


def stop_mix_monitor(channel: str, mix_monitor_id: str | None = None) -> Action:
    return action("StopMixMonitor", (names.CHANNEL, channel), ("MixMonitorID", mix_monitor_id))


def mix_monitor_mute(channel: str, state: bool, direction: str = "both") -> Action:
    return action(
        "MixMonitorMute",
        (names.CHANNEL, channel),
        ("Direction", direction),
        ("State", "1" if state else "0"),
    )


def queue_change_priority_caller(
    queue: str, caller: str, priority: int, immediate: bool = True
) -> Action:
    """``Immediate``: the caller's place changes now, not only for callers joining later."""
    return action(
        "QueueChangePriorityCaller",
        (names.QUEUE, queue),
        ("Caller", caller),
        ("Priority", priority),
        ("Immediate", immediate),
    )


def queue_withdraw_caller(queue: str, caller: str, withdraw_info: str | None = None) -> Action:
    """Queue() returns with QUEUESTATUS=WITHDRAW and QUEUE_WITHDRAW_INFO=``withdraw_info``."""
    return action(
        "QueueWithdrawCaller",
        (names.QUEUE, queue),
        ("Caller", caller),
        ("WithdrawInfo", withdraw_info),
    )
