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
from switchboard.sim._transfer_events import attended_transfer, blind_transfer
from switchboard.sim.channels import Bridge, Channel
from switchboard.sim.events import build_event

if TYPE_CHECKING:
    from switchboard.sim._dialplan import Dialplan
    from switchboard.sim.pbx import Pbx


def _bridge_peer(chan: Channel) -> Channel | None:
    """The other channel of ``chan``'s two-party bridge (``ast_bridge_peer``)."""
    if chan.bridge is None:
        return None
    return next((c for c in chan.bridge.channels if c is not chan), None)


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

    # -- transfers ---------------------------------------------------------------------
    def do_blindtransfer(self, p: AmiSession, msg: Message) -> Reply:
        """As ``action_blind_transfer`` (main/manager.c) and ``ast_bridge_transfer_blind``
        (main/bridge.c): ``Channel`` is the transferer, its bridge peer the transferee;
        ``Context`` defaults to the channel's. The event is ``blind_transfer_to_ami``'s
        (main/stasis_bridges.c), ``IsExternal: Yes`` as for every AMI transfer; a channel
        in no bridge gets ``Result: Invalid`` and "Transfer invalid". The transferee's
        talk with the agent ends there (its dialplan at the target is not simulated)."""
        name, exten = msg.get("Channel") or "", msg.get("Exten") or ""
        if not name:
            return error("No channel specified")
        if not exten:
            return error("No extension specified")
        chan = self.pbx.find_channel(name)
        if chan is None:
            return error("Channel specified does not exist")
        context = msg.get("Context") or chan.context
        bridge, peer = chan.bridge, _bridge_peer(chan)
        if bridge is None or peer is None:
            self.pbx.publish(blind_transfer("Invalid", chan, None, None, context, exten))
            return error("Transfer invalid")

        def transfer() -> None:
            self.pbx.publish(blind_transfer("Success", chan, peer, bridge, context, exten))
            self.pbx.end_talk(peer)

        return success(("Message", "Transfer succeeded"), then=transfer)

    def do_atxfer(self, p: AmiSession, msg: Message) -> Reply:
        """As ``action_atxfer`` (main/manager.c): the transferer's atxfer feature code and
        ``Exten`` are queued as DTMF and the action is acknowledged at once. The simulated
        feature (main/bridge_basic.c) consults the target for ``atxfer_consult_s`` and
        completes as the transferer hanging up: ``AttendedTransfer`` as
        ``publish_transfer_success`` writes it (the transferer as Orig and Second,
        ``DestType: Bridge``), or ``publish_transfer_fail``'s ``Result: Fail`` when the
        transferee hung up meanwhile. The target is a snapshot, not a simulated phone."""
        name, exten = msg.get("Channel") or "", msg.get("Exten") or ""
        if not name:
            return error("No channel specified")
        if not exten:
            return error("No extension specified")
        chan = self.pbx.find_channel(name)
        if chan is None:
            return error("Channel specified does not exist")
        context = msg.get("Context") or chan.context
        bridge, peer = chan.bridge, _bridge_peer(chan)
        if bridge is None or peer is None:  # the feature code reaches no bridge: nothing
            return success(("Message", "Atxfer successfully queued"))
        pbx = self.pbx

        def complete() -> None:
            second = Bridge(pbx.ids.bridge_id(), [chan])
            if peer.hung_up or peer.soft_hangup or chan.hung_up:
                pbx.publish(attended_transfer("Fail", chan, bridge, second))
                return
            now = pbx.now()
            target = Channel(
                f"Local/{exten}@{context}-{pbx.ids.local_suffix()};1",
                pbx.ids.uniqueid(now),
                "",
                context,
                exten,
                state=6,
                created_at=now,
            )
            target.linkedid = target.uniqueid
            pbx.publish(attended_transfer("Success", chan, bridge, second, peer, target))
            pbx.end_talk(peer)

        consult_s = float(pbx.globals.get("ATXFER_CONSULT_S") or 5.0)
        return success(
            ("Message", "Atxfer successfully queued"),
            then=lambda: pbx.call_later(consult_s, complete),
        )

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
