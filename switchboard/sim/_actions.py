# -*- test-case-name: tests.sim.test_ami -*-
"""AMI actions answered the way Asterisk 22 answers them (texts from the captures)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from twisted.internet.defer import Deferred

from switchboard.cti.ami.frames import Message
from switchboard.sim._app_args import originate_variables
from switchboard.sim._channel_actions import ChannelActions
from switchboard.sim._dialplan import Dialplan, OriginateRequest
from switchboard.sim._queue_actions import QueueActions
from switchboard.sim._reply import AmiSession, Reply, actions_of, error, list_reply, success
from switchboard.sim.channels import Channel
from switchboard.sim.events import Headers, build_event
from switchboard.sim.pbx import Pbx

Handler = Callable[[AmiSession, Message], Reply]
_OPEN = {"login", "challenge", "logoff"}


class ActionHandler:
    """Answers each manager action with a :class:`Reply` (the protocol writes it):
    the session's and the core's actions here, the channels' and app_queue's in the
    parts it holds."""

    def __init__(self, pbx: Pbx, dialplan: Dialplan, auth_fail_delay_s: float = 1.0) -> None:
        self.pbx, self.dialplan = pbx, dialplan
        self.auth_fail_delay_s = auth_fail_delay_s
        self.channel_actions = ChannelActions(pbx, dialplan)
        self.queue_actions = QueueActions(dialplan.queues)
        self._rng = random.Random(0)
        # Once set (``core restart now``), logins are refused as a stopping Asterisk does.
        self.shutting_down = False
        self._logins = 0
        self.refused_logins = 0  # logins refused while shutting down
        self._table: dict[str, Handler] = {
            **actions_of(self.queue_actions),
            **actions_of(self.channel_actions),
            **actions_of(self),
        }

    @property
    def on_restart(self) -> Callable[[], None] | None:
        """What ``Command: core restart now`` calls (see :mod:`._restart`)."""
        return self.channel_actions.on_restart

    @on_restart.setter
    def on_restart(self, restart: Callable[[], None] | None) -> None:
        self.channel_actions.on_restart = restart

    def handle(self, p: AmiSession, msg: Message) -> Reply:
        action = msg.get("Action")
        if action is None:
            return error("Missing action in request")
        if not p.authenticated and action.lower() not in _OPEN:
            return error("Permission denied")
        handler = self._table.get(action.lower())
        if handler is None:
            return error(
                f"Invalid/unknown command: {action}. Use "
                "Action: ListCommands to show available commands."
            )
        return handler(p, msg)

    # -- session -----------------------------------------------------------------------
    def do_challenge(self, p: AmiSession, msg: Message) -> Reply:
        p.challenge = str(self._rng.randrange(100_000_000, 999_999_999))
        return success(("Challenge", p.challenge))

    def do_login(self, p: AmiSession, msg: Message) -> Reply:
        if self.shutting_down:  # ami-reconnect: the old process, during core restart
            self.refused_logins += 1
            return Reply("Error", (("Message", "Asterisk is shutting down"),), close=True)
        user = msg.get("Username") or ""
        secret = self.pbx.config.ami_users.get(user)
        ok = secret is not None and (
            msg.get("Secret") == secret
            or (msg.get("Key") is not None and p.check_key(secret, msg.get("Key") or ""))
        )
        if not ok:
            failed: Deferred[Reply] = Deferred()
            refusal = Reply("Error", (("Message", "Authentication failed"),), close=True)
            # Real seconds, not simulated ones: this is the server's own policy.
            self.pbx.call_later_real(self.auth_fail_delay_s, lambda: failed.callback(refusal))
            return Reply(ignore_rest=True, later=failed)

        def welcome() -> None:
            p.logged_in(user, msg.get("Events") or "on")
            now = int(self.pbx.now() - self.pbx.epoch) + 158
            p.event(build_event("FullyBooted", Uptime=now, LastReload=now, Status="Fully Booted"))
            self._logins += 1
            session_id = f"0x7f40{self._logins:08x}"  # deterministic, shaped like a pointer
            self.pbx.publish(successful_auth(p, user, self.pbx.now(), session_id))

        return success(("Message", "Authentication accepted"), then=welcome)

    def do_logoff(self, p: AmiSession, msg: Message) -> Reply:
        return Reply("Goodbye", (("Message", "Thanks for all the fish."),), close=True)

    def do_events(self, p: AmiSession, msg: Message) -> Reply:
        mask = msg.get("EventMask") or "off"
        p.set_events(mask)
        return success(("Events", "Off" if p.classes == set() else "On"))

    def do_ping(self, p: AmiSession, msg: Message) -> Reply:
        return success(("Ping", "Pong"), ("Timestamp", f"{self.pbx.now():.6f}"))

    def do_coresettings(self, p: AmiSession, msg: Message) -> Reply:
        return success(
            ("AMIversion", "11.0.0"),
            ("AsteriskVersion", "22.10.1"),
            ("SystemName", ""),
            ("CoreMaxCalls", "400"),
            ("CoreMaxLoadAvg", "0.000000"),
            ("CoreRunUser", "root"),
            ("CoreRunGroup", "root"),
            ("CoreMaxFilehandles", "0"),
            ("CoreRealTimeEnabled", "No"),
            ("CoreCDRenabled", "Yes"),
            ("CoreHTTPenabled", "No"),
            ("SoundsSearchCustomDir", "No"),
        )

    def do_corestatus(self, p: AmiSession, msg: Message) -> Reply:
        started = time.gmtime(self.pbx.epoch)
        day, clock = time.strftime("%Y-%m-%d", started), time.strftime("%H:%M:%S", started)
        calls = {c.linkedid for c in self.pbx.channels.values()}
        return success(
            ("CoreStartupDate", day),
            ("CoreStartupTime", clock),
            ("CoreReloadDate", day),
            ("CoreReloadTime", clock),
            ("CoreCurrentCalls", str(len(calls))),
            ("CoreProcessedCalls", str(self.pbx.ids.allocated)),
        )

    # -- variables ---------------------------------------------------------------------
    def _channel(self, msg: Message) -> Channel | Reply | None:
        """The ``Channel:`` named (``None`` when none is), or the error to answer."""
        name = msg.get("Channel")
        if not name:
            return None
        chan = self.pbx.find_channel(name)
        return error("No such channel") if chan is None else chan

    def do_setvar(self, p: AmiSession, msg: Message) -> Reply:
        chan = self._channel(msg)
        if isinstance(chan, Reply):
            return chan
        name, value = msg.get("Variable") or "", msg.get("Value") or ""
        if name.startswith("GLOBAL(") and name.endswith(")"):
            name, chan = name[7:-1], None

        def set_it() -> None:
            if chan is None:
                self.pbx.set_global(name, value)
            else:
                self.pbx.setvar(chan, name, value)

        return success(("Message", "Variable Set"), then=set_it)

    def do_getvar(self, p: AmiSession, msg: Message) -> Reply:
        chan = self._channel(msg)
        if isinstance(chan, Reply):
            return chan
        name = msg.get("Variable") or ""
        inner = name[7:-1] if name.startswith("GLOBAL(") and name.endswith(")") else None
        if inner is not None:
            value = self.pbx.globals.get(inner, "")
        elif chan is not None and name.endswith(")"):
            value = self.pbx.read_function(chan, name) or ""
        else:
            value = self.pbx.getvar(chan, name) or ""
        return success(("Variable", name), ("Value", value))

    # -- calls -------------------------------------------------------------------------
    def do_originate(self, p: AmiSession, msg: Message) -> Reply:
        caller = msg.get("CallerID") or ""
        name, _, num = caller.rpartition("<")
        variables = originate_variables(msg.get_all("Variable"))
        timeout_ms = msg.get("Timeout") or "30000"
        sync = (msg.get("Async") or "false").lower() not in ("true", "yes", "1")
        channel = msg.get("Channel") or ""
        req = OriginateRequest(
            channel=channel,
            context=msg.get("Context") or "",
            exten=msg.get("Exten") or "",
            priority=int(msg.get("Priority") or 1),
            caller_num=num.rstrip(">").strip(),
            caller_name=name.strip().strip('"'),
            variables=variables,
            action_id=msg.action_id,
            channel_id=msg.get("ChannelId"),
            other_channel_id=msg.get("OtherChannelId"),
            timeout_s=int(timeout_ms) / 1000 if timeout_ms.isdigit() else 30.0,
            application=msg.get("Application") or "",
            data=msg.get("Data") or "",
        )
        # A synchronous Originate answers once the call is answered or has failed.
        answered: Deferred[Reply] = Deferred()

        def result(outcome: str, one: Channel | None, reason: int) -> None:
            if sync:
                answered.callback(
                    success(("Message", "Originate successfully queued"))
                    if outcome == "Success"
                    else error("Originate failed")
                )
                return
            target = (
                {"Application": req.application, "Data": req.data}
                if req.application
                else {"Context": req.context, "Exten": req.exten}
            )
            fields = dict(
                ActionID=msg.action_id or "",
                Response=outcome,
                Channel=one.name if one else channel,
                **target,
                Reason=reason,
                Uniqueid=one.uniqueid if one else (req.channel_id or "<unknown>"),
                CallerIDNum=req.caller_num or "<unknown>",
                CallerIDName=req.caller_name or "<unknown>",
            )
            self.pbx.emit("OriginateResponse", None, **fields)

        req.on_result = result
        start = lambda: self.dialplan.originate(req)  # noqa: E731
        if sync:
            return Reply(later=answered, then=start)
        return success(("Message", "Originate successfully queued"), then=start)

    def do_coreshowchannels(self, p: AmiSession, msg: Message) -> Reply:
        aid = msg.action_id or ""
        chans = list(self.pbx.channels.values())
        now = self.pbx.now()
        items: list[Headers] = []
        for chan in chans:
            secs = int(now - chan.created_at)
            items.append(
                build_event(
                    "CoreShowChannel",
                    {"": chan},
                    ActionID=aid,
                    Application=chan.application,
                    ApplicationData=chan.app_data,
                    Duration=f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}",
                    BridgeId=chan.bridge.uniqueid if chan.bridge else "",
                )
            )
        items.append(
            build_event(
                "CoreShowChannelsComplete", ActionID=aid, EventList="Complete", ListItems=len(chans)
            )
        )
        return list_reply("Channels will follow", items)

    def do_dbput(self, p: AmiSession, msg: Message) -> Reply:
        self.pbx.astdb[(msg.get("Family") or "", msg.get("Key") or "")] = msg.get("Val") or ""
        return success(("Message", "Updated database successfully"))

    def do_dbget(self, p: AmiSession, msg: Message) -> Reply:
        family, key = msg.get("Family") or "", msg.get("Key") or ""
        value = self.pbx.astdb.get((family, key))
        if value is None:
            return error("Database entry not found")
        aid = msg.action_id or ""
        return list_reply(
            "Result will follow",
            [
                build_event("DBGetResponse", Family=family, Key=key, Val=value, ActionID=aid),
                build_event("DBGetComplete", ActionID=aid, EventList="Complete", ListItems=1),
            ],
        )


def _address(address: object) -> str:
    host, port = getattr(address, "host", "127.0.0.1"), getattr(address, "port", 0)
    return f"IPV4/TCP/{host}/{port}"


def successful_auth(p: AmiSession, user: str, now: float, session_id: str) -> Headers:
    """The security event every session allowed ``security`` events sees at a login."""
    stamp = (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}+0000"
    )
    transport = p.transport
    return build_event(
        "SuccessfulAuth",
        EventTV=stamp,
        Severity="Informational",
        Service="AMI",
        EventVersion=1,
        AccountID=user,
        SessionID=session_id,
        LocalAddress=_address(transport.getHost() if transport else None),
        RemoteAddress=_address(transport.getPeer() if transport else None),
        UsingPassword=0,
        SessionTV=stamp,
    )
