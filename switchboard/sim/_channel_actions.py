# -*- test-case-name: tests.sim.test_actions -*-
"""AMI actions on live channels: Status, Redirect, MixMonitor*, UserEvent, Command ...

Replies and events as the captures show them (``ami-actions``, ``ami-reconnect``,
``ami-supervisor``): ``Status`` reports ``Application: AGI`` for a channel held in the
AGI; ``MixMonitorMute`` answers Success with an event even with no recording running;
a second ``StopMixMonitor`` gives ``Could not stop monitoring channel``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from switchboard.cti.ami.frames import Message
from switchboard.sim._chanspy import repeer
from switchboard.sim._cli import CliFailure
from switchboard.sim._reply import AmiSession, Frame, Reply, error, list_reply, success
from switchboard.sim._sounds import show_sound
from switchboard.sim.channels import Channel
from switchboard.sim.events import build_event

if TYPE_CHECKING:
    from switchboard.sim._dialplan import Dialplan
    from switchboard.sim.pbx import Pbx


def _output(response: str, lines: Sequence[str]) -> Reply:
    """A ``Command`` reply: ``Command output follows`` and one ``Output`` per line."""
    out = tuple(("Output", line) for line in lines)
    return Reply(response, (("Message", "Command output follows"), *out))


class ChannelActions:
    """The actions on live channels, and ``Command``."""

    def __init__(self, pbx: Pbx, dialplan: Dialplan) -> None:
        self.pbx, self.dialplan = pbx, dialplan
        # ``core restart now`` calls this when set (see :mod:`._restart`).
        self.on_restart: Callable[[], None] | None = None

    def _need_channel(self, msg: Message) -> Channel | Reply:
        chan = self.pbx.find_channel(msg.get("Channel") or "")
        return error("No such channel") if chan is None else chan

    def do_status(self, p: AmiSession, msg: Message) -> Reply:
        aid, now = msg.action_id or "", self.pbx.now()
        wanted = msg.get("Channel")
        chans = [c for c in self.pbx.channels.values() if not wanted or c.name == wanted]
        if wanted and not chans:
            return error("No such channel")
        items: list[Frame] = []
        for chan in chans:
            in_agi = chan.agi_data is not None
            items.append(
                build_event(
                    "Status",
                    {"": chan},
                    Type="Local",
                    DNID="",
                    EffectiveConnectedLineNum=chan.connected_num,
                    EffectiveConnectedLineName=chan.connected_name,
                    TimeToHangup=0,
                    BridgeID=chan.bridge.uniqueid if chan.bridge else "",
                    Application="AGI" if in_agi else chan.application,
                    Data=chan.agi_data if in_agi else chan.app_data,
                    Nativeformats="(slin)",
                    Readformat="slin",
                    Readtrans="",
                    Writeformat="slin",
                    Writetrans="",
                    Callgroup=0,
                    Pickupgroup=0,
                    Seconds=int(now - chan.created_at),
                    ActionID=aid,
                )
            )
        n = len(chans)
        items.append(
            build_event("StatusComplete", ActionID=aid, EventList="Complete", ListItems=n, Items=n)
        )
        return list_reply("Channel status will follow", items)

    def do_devicestatelist(self, p: AmiSession, msg: Message) -> Reply:
        aid = msg.action_id or ""
        devices = list(self.pbx.devices.items())
        items: list[Frame] = []
        for device, state in devices:
            # A list item: no Privilege header (build_event would add the live one).
            item = (("Event", "DeviceStateChange"), ("ActionID", aid), ("Device", device))
            items.append((*item, ("State", state)))
        items.append(
            build_event(
                "DeviceStateListComplete",
                ActionID=aid,
                EventList="Complete",
                ListItems=len(devices),
            )
        )
        return list_reply("Device State Changes will follow", items)

    def do_redirect(self, p: AmiSession, msg: Message) -> Reply:
        name = msg.get("Channel") or ""
        chan = self.pbx.find_channel(name)
        if chan is None:
            return error(f"Channel does not exist: {name}")
        priority = int(msg.get("Priority") or 1)

        def redirect() -> None:
            self.pbx.redirect(chan, msg.get("Context") or "", msg.get("Exten") or "", priority)
            self.dialplan.redirect_agi(chan)

        return success(("Message", "Redirect successful"), then=redirect)

    def do_hangup(self, p: AmiSession, msg: Message) -> Reply:
        chan = self._need_channel(msg)
        if isinstance(chan, Reply):
            return chan
        # A soft hang-up with no event of its own: the channel's dialplan reacts.
        return success(("Message", "Channel Hungup"), then=lambda: self.pbx.interrupt(chan))

    # -- recordings --------------------------------------------------------------------
    def do_mixmonitor(self, p: AmiSession, msg: Message) -> Reply:
        """As ``manager_mixmonitor`` (apps/app_mixmonitor.c): Channel required, File,
        Options; Success with no Message, then MIXMONITOR_FILENAME and MixMonitorStart."""
        if not msg.get("Channel"):
            return error("No channel specified")
        chan = self._need_channel(msg)
        if isinstance(chan, Reply):
            return chan
        default = self.pbx.config.spool_dir / "monitor" / f"{chan.uniqueid}.wav"
        path = Path(msg.get("File") or str(default))
        return success(then=lambda: self.dialplan.mixmonitor(chan, path))

    def do_stopmixmonitor(self, p: AmiSession, msg: Message) -> Reply:
        chan = self._need_channel(msg)
        if isinstance(chan, Reply):
            return chan
        if chan.recording is None:
            return error("Could not stop monitoring channel")

        def stop() -> None:
            self.dialplan.finish_recording(chan)
            self.pbx.ev("MixMonitorStop", chan)
            self.pbx.call_later_real(0, lambda: repeer(self.pbx, chan))  # the hook detaches

        return success(then=stop)

    def do_mixmonitormute(self, p: AmiSession, msg: Message) -> Reply:
        chan = self._need_channel(msg)
        if isinstance(chan, Reply):
            return chan
        direction, state = msg.get("Direction") or "both", msg.get("State") or "1"
        return success(
            then=lambda: self.pbx.ev("MixMonitorMute", chan, Direction=direction, State=state)
        )

    # -- misc --------------------------------------------------------------------------
    def do_userevent(self, p: AmiSession, msg: Message) -> Reply:
        headers: list[tuple[str, str]] = [("Event", "UserEvent"), ("Privilege", "user,all")]
        headers.append(("UserEvent", msg.get("UserEvent") or ""))
        if msg.action_id is not None:
            headers.append(("ActionID", msg.action_id))
        headers += [(k, v) for k, v in msg.headers if k not in ("Action", "ActionID", "UserEvent")]
        return success(("Message", "Event Sent"), then=lambda: self.pbx.publish(tuple(headers)))

    def do_command(self, p: AmiSession, msg: Message) -> Reply:
        command = " ".join((msg.get("Command") or "").split())
        if command == "core restart now" and self.on_restart is not None:
            return Reply(then=self.on_restart)  # no response at all: the connection closes with it
        if command.startswith("core show sound ") and len(command.split()) == 4:
            found, output = show_sound(self.pbx.config.sounds, command.split()[3])
            return _output("Success" if found else "Error", output)
        try:
            lines = self.dialplan.cli(command)
        except CliFailure as failed:
            return _output("Error", failed.lines)
        if lines is None:
            return _output("Error", [f"No such command '{command}' (simulated PBX)"])
        return _output("Success", lines)
