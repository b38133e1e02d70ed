"""Handlers that send the same commands as the capture drivers' FastAGI scripts.

``captured_main_menu`` is the ``main-menu`` script of the scenario and ami-actions
captures (including its deliberate unknown command and usage error); ``acd_hold`` the
``acd-hold`` script of the agi-exec-dial, ami-supervisor and ami-reconnect captures,
picking its variant from ``agi_arg_1``. Each records what its helpers returned or raised.
"""

from __future__ import annotations

from typing import Any

from switchboard.cti.agi import (
    AgiChannel,
    AgiError,
    AgiHangup,
    Quoted,
)
from switchboard.cti.agi.builtin import route

FULL_EXPRESSION = "${CALLERID(num)}|${CALLERID(name)}|${CHANNEL(linkedid)}|${SWITCHBOARD_CALLID}"
SPOOL = "/opt/ast-run/spool/monitor"


class Recorder:
    def __init__(self) -> None:
        self.outcomes: list[tuple[str, Any]] = []

    async def attempt(self, label: str, awaitable: Any) -> Any:
        try:
            value = await awaitable
        except AgiError as exc:
            self.outcomes.append((label, type(exc).__name__))
            return exc
        self.outcomes.append((label, value))
        return value


async def captured_main_menu(channel: AgiChannel, rec: Recorder) -> None:
    cid = channel.env.callerid
    await channel.answer()
    await channel.verbose(f"switchboard main-menu for {cid}")
    await rec.attempt("status", channel.channel_status())
    digits = ""
    hangup_seen = False
    played = await rec.attempt("stream", channel.stream_file("tt-monkeysintro", "0123456789*#"))
    if isinstance(played, AgiError):
        hangup_seen = True
    elif played.digit:
        digits += played.digit
    entered = await rec.attempt("get_data", channel.get_data("beep", 4000, 4))
    if not isinstance(entered, AgiError):
        digits += entered.digits
    if digits:
        await rec.attempt("say", channel.say_digits(digits))
    await rec.attempt("wait", channel.wait_for_digit(500))
    queue = route(digits, cid)
    await channel.set_variable("SWITCHBOARD_QUEUE", queue)
    await channel.set_variable("SWITCHBOARD_IVR_DIGITS", Quoted(digits))
    await rec.attempt("get_set", channel.get_variable("SWITCHBOARD_QUEUE"))
    await rec.attempt("get_unset", channel.get_variable("NO_SUCH_VARIABLE"))
    await rec.attempt("full", channel.get_full_variable(FULL_EXPRESSION))
    await channel.database_put("switchboard", f"lastqueue/{cid}", queue)
    await rec.attempt("db_hit", channel.database_get("switchboard", f"lastqueue/{cid}"))
    await rec.attempt("db_miss", channel.database_get("switchboard", "no/such/key"))
    await rec.attempt("unknown", channel.command("FROBNICATE the widgets"))
    usage = await rec.attempt("usage", channel.command("STREAM FILE"))
    if hasattr(usage, "usage"):
        rec.outcomes.append(("usage_text", usage.usage))
    hangup_seen = hangup_seen or channel.caller_gone
    await channel.verbose(f"routing {cid} to {queue} digits='{digits}' hangup_seen={hangup_seen}")


AGENT1 = "Local/agent1001@switchboard-agents/n"
AGENT2 = "Local/agent1002@switchboard-agents/n"
_IDLE = {"a": 3.0}
_DIALS = {
    "a": [(AGENT1, "12")],
    "b": [(AGENT1, "12"), (AGENT2, "12")],
    "c": [(AGENT1, "12")],
    "e": [(AGENT1, "12,g")],
    "g": [(AGENT1, "12")],
    "h": [(AGENT1, "12")],
    "sup": [(AGENT1, "30")],
}


async def acd_hold(channel: AgiChannel, rec: Recorder) -> None:
    variant = channel.env.args[0]
    recording = f"{SPOOL}/acd-{channel.env.uniqueid}.wav"
    await channel.answer()
    await channel.exec("MixMonitor", f"{recording},b")
    await channel.set_variable("ACD_RECORDING", recording)
    await channel.exec("StartMusicOnHold", "default")
    if variant not in _DIALS:
        # d, f, hold: wait on hold until the caller leaves.
        try:
            await channel.sleep(3600)
        except AgiHangup:
            rec.outcomes.append(("hold", "hangup"))
        if variant == "f":
            rec.outcomes.append(("dial", await channel.dial(AGENT2, "12")))
        return
    await channel.sleep(_IDLE.get(variant, 1.0))
    await channel.exec("StopMusicOnHold")
    for agent, options in _DIALS[variant]:
        rec.outcomes.append(("dial", await channel.dial(agent, options)))
    if variant in ("e", "h"):
        rec.outcomes.append(("thanks", await channel.stream_file("queue-thankyou", "")))
        rec.outcomes.append(("survey", await channel.get_data("beep", 5000, 1)))


async def failure_cases(channel: AgiChannel, rec: Recorder) -> None:
    """The agi-failures capture's script: the case comes from the caller number."""
    case = "abcdef"[int(channel.env.args[0][-1]) - 1]
    await channel.answer()
    if case in "ad":
        if case == "a":
            await rec.attempt("stream", channel.stream_file("no-such-prompt"))
        await rec.attempt("stream", channel.stream_file("beep"))
        await channel.set_variable("SWITCHBOARD_QUEUE", "sales")
    elif case == "b":
        rec.outcomes.append(("exec", (await channel.exec("NoSuchApplication", "foo")).result_int))
        rec.outcomes.append(("exec", (await channel.exec("Playback", "no-such-prompt")).result_int))
        await rec.attempt("playback", channel.get_variable("PLAYBACKSTATUS"))
    elif case == "c":
        reply = await channel.exec("VoiceMail", "support@default,u")
        rec.outcomes.append(("exec", reply.result_int))
    elif case == "e":
        await rec.attempt("stream", channel.stream_file("beep"))
        await rec.attempt("dial", channel.dial(AGENT1, "10,c"))
        rec.outcomes.append(("exec", (await channel.exec("Queue", "no-such-queue,g")).result_int))
        await rec.attempt("queuestatus", channel.get_variable("QUEUESTATUS"))
    else:
        await rec.attempt("get_data", channel.get_data("no-such-prompt", 3000, 4))
        await rec.attempt("get_data", channel.get_data("beep", 3000, 4))


async def main_menu(channel: AgiChannel, rec: Recorder) -> None:
    """``main-menu`` of every capture: the agi-failures callers are 556xxxx."""
    script = failure_cases if channel.env.callerid.startswith("556") else captured_main_menu
    await script(channel, rec)
