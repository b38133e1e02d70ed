# -*- test-case-name: tests.sim.test_actions -*-
"""AMI actions on live channels: Status, Redirect, MixMonitor*, UserEvent, Command ...

Replies and events as the captures show them (``ami-actions``, ``ami-reconnect``,
``ami-supervisor``): ``Status`` reports ``Application: AGI`` for a channel held in the
AGI; ``MixMonitorMute`` answers Success with an event even with no recording running;
a second ``StopMixMonitor`` gives ``Could not stop monitoring channel``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from switchboard.cti.ami.frames import Message
from switchboard.sim._chanspy import repeer
from switchboard.sim._cli import CliFailure
from switchboard.sim._sounds import show_sound
from switchboard.sim.channels import Channel
from switchboard.sim.events import build_event

if TYPE_CHECKING:
    from switchboard.sim._dialplan import Dialplan
    from switchboard.sim.ami import AmiServerProtocol
    from switchboard.sim.pbx import Pbx


class ChannelActions:
    pbx: Pbx
    dialplan: Dialplan

    def _need_channel(self, p: AmiServerProtocol, msg: Message) -> Channel | None:
        chan = self.pbx.find_channel(msg.get("Channel") or "")
        if chan is None:
            p.respond(msg, "Error", ("Message", "No such channel"))
        return chan

    def do_status(self, p: AmiServerProtocol, msg: Message) -> None:
        aid, now = msg.action_id or "", self.pbx.now()
        wanted = msg.get("Channel")
        chans = [c for c in self.pbx.channels.values() if not wanted or c.name == wanted]
        if wanted and not chans:
            p.respond(msg, "Error", ("Message", "No such channel"))
            return
        p.respond(msg, "Success", ("EventList", "start"), ("Message", "Channel status will follow"))
        for chan in chans:
            in_agi = chan.agi_data is not None
            p.send(
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
        p.send(
            build_event("StatusComplete", ActionID=aid, EventList="Complete", ListItems=n, Items=n)
        )

    def do_devicestatelist(self, p: AmiServerProtocol, msg: Message) -> None:
        aid = msg.action_id or ""
        devices = list(self.pbx.devices.items())
        p.respond(
            msg, "Success", ("EventList", "start"), ("Message", "Device State Changes will follow")
        )
        for device, state in devices:
            # A list item: no Privilege header (build_event would add the live one).
            item = (("Event", "DeviceStateChange"), ("ActionID", aid), ("Device", device))
            p.send((*item, ("State", state)))
        p.send(
            build_event(
                "DeviceStateListComplete",
                ActionID=aid,
                EventList="Complete",
                ListItems=len(devices),
            )
        )

    def do_redirect(self, p: AmiServerProtocol, msg: Message) -> None:
        name = msg.get("Channel") or ""
        chan = self.pbx.find_channel(name)
        if chan is None:
            p.respond(msg, "Error", ("Message", f"Channel does not exist: {name}"))
            return
        p.respond(msg, "Success", ("Message", "Redirect successful"))
        priority = int(msg.get("Priority") or 1)
        self.pbx.redirect(chan, msg.get("Context") or "", msg.get("Exten") or "", priority)
        self.dialplan.redirect_agi(chan)

    def do_hangup(self, p: AmiServerProtocol, msg: Message) -> None:
        chan = self._need_channel(p, msg)
        if chan is None:
            return
        p.respond(msg, "Success", ("Message", "Channel Hungup"))
        # A soft hang-up with no event of its own: the channel's dialplan reacts.
        self.pbx.interrupt(chan)

    # -- recordings --------------------------------------------------------------------
    def do_mixmonitor(self, p: AmiServerProtocol, msg: Message) -> None:
        chan = self._need_channel(p, msg)
        if chan is None:
            return
        default = self.pbx.config.spool_dir / "monitor" / f"{chan.uniqueid}.wav"
        path = Path(msg.get("File") or str(default))
        p.respond(msg, "Success")
        self.dialplan.mixmonitor(chan, path)

    def do_stopmixmonitor(self, p: AmiServerProtocol, msg: Message) -> None:
        chan = self._need_channel(p, msg)
        if chan is None:
            return
        if chan.recording is None:
            p.respond(msg, "Error", ("Message", "Could not stop monitoring channel"))
            return
        p.respond(msg, "Success")
        self.dialplan.finish_recording(chan)
        self.pbx.ev("MixMonitorStop", chan)
        self.pbx.call_later_real(0, lambda: repeer(self.pbx, chan))  # the hook detaches

    def do_mixmonitormute(self, p: AmiServerProtocol, msg: Message) -> None:
        chan = self._need_channel(p, msg)
        if chan is None:
            return
        p.respond(msg, "Success")
        direction, state = msg.get("Direction") or "both", msg.get("State") or "1"
        self.pbx.ev("MixMonitorMute", chan, Direction=direction, State=state)

    # -- misc --------------------------------------------------------------------------
    def do_userevent(self, p: AmiServerProtocol, msg: Message) -> None:
        p.respond(msg, "Success", ("Message", "Event Sent"))
        headers: list[tuple[str, str]] = [("Event", "UserEvent"), ("Privilege", "user,all")]
        headers.append(("UserEvent", msg.get("UserEvent") or ""))
        if msg.action_id is not None:
            headers.append(("ActionID", msg.action_id))
        headers += [(k, v) for k, v in msg.headers if k not in ("Action", "ActionID", "UserEvent")]
        self.pbx.publish(tuple(headers))

    def do_command(self, p: AmiServerProtocol, msg: Message) -> None:
        command = " ".join((msg.get("Command") or "").split())
        restart = getattr(self, "on_restart", None)
        if command == "core restart now" and restart is not None:
            restart()  # no response at all: the connection closes with the process
            return
        if command.startswith("core show sound ") and len(command.split()) == 4:
            found, lines = show_sound(self.pbx.config.sounds, command.split()[3])
            out = [("Output", line) for line in lines]
            p.respond(msg, "Success" if found else "Error",
                      ("Message", "Command output follows"), *out)
            return
        try:
            lines = self.dialplan.cli(command)
        except CliFailure as failed:
            out = [("Output", line) for line in failed.lines]
            p.respond(msg, "Error", ("Message", "Command output follows"), *out)
            return
        if lines is None:
            p.respond(
                msg,
                "Error",
                ("Message", "Command output follows"),
                ("Output", f"No such command '{command}' (simulated PBX)"),
            )
            return
        out = [("Output", line) for line in lines]
        p.respond(msg, "Success", ("Message", "Command output follows"), *out)
