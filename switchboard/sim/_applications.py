# -*- test-case-name: tests.sim.test_agi_failures,tests.sim.test_acd -*-
"""Dialplan applications a FastAGI session runs with ``EXEC``.

Only applications the PBX has loaded run (res_agi answers ``-2`` otherwise); those not
simulated here return ``0`` at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from switchboard.sim._agi_commands import DEFAULT_PROMPT_S, PROMPTS
from switchboard.sim._app_args import separate_args
from switchboard.sim._queue import QueueEngine, TalkEnded
from switchboard.sim.channels import Channel
from switchboard.sim.pbx import Hungup, Pbx

if TYPE_CHECKING:
    from switchboard.sim._acd import DialApp
    from switchboard.sim._recording import Recorder

log = structlog.get_logger(__name__)
VOICEMAIL_S = 6.0
# The option letters ``core show application Queue`` lists on Asterisk 22.10.1
# (agi-failures/queue-options.cli.txt): ``c`` continues after the agent hangs up.
QUEUE_OPTIONS = frozenset("bBCcdFhHiIkKmnrRtTxX")


class Applications:
    """``EXEC <app> <data>``: Playback, Queue, MixMonitor, Dial, music on hold, Wait …"""

    def __init__(self, pbx: Pbx, queues: QueueEngine, recorder: Recorder, dial: DialApp) -> None:
        self.pbx, self.queues, self.recorder, self.dial = pbx, queues, recorder, dial

    async def run(self, chan: Channel, command: str) -> int:
        """``EXEC``'s result code for ``command`` (``Name data``) on ``chan``."""
        name, _, data = command.partition(" ")
        app = name.lower()
        if not self.pbx.config.has_application(app):  # res_agi: "Could not find application"
            log.warning("sim_no_such_application", application=name, channel=chan.name)
            return -2
        chan.application, chan.app_data = name, data  # CoreShowChannel shows the last EXEC
        if app == "playback":
            return await self.playback(chan, data)
        if app == "queue":
            return await self.queue(chan, data)
        if app == "mixmonitor":
            path = Path((separate_args(data) or [""])[0])
            self.recorder.mixmonitor(chan, path)
            return 0
        if app == "dial":
            return await self.dial.dial(chan, data)
        if app == "startmusiconhold":
            chan.moh = True
            self.pbx.ev("MusicOnHoldStart", chan, Class=data or "default")
            return 0
        if app == "stopmusiconhold":
            if chan.moh:
                chan.moh = False
                self.pbx.ev("MusicOnHoldStop", chan)
            return 0
        if app == "wait":
            await self.pbx.sleep(float(data or 0), chan)
            return 0
        if app == "voicemail":  # greeting, beep and a short message, then the caller is done
            await self.pbx.sleep(VOICEMAIL_S, chan)
            return 0
        return 0  # loaded, and not simulated: done at once

    async def playback(self, chan: Channel, data: str) -> int:
        """``Playback(file)``: a missing file is no failure of the session, only
        ``PLAYBACKSTATUS=FAILED`` (agi-failures case b)."""
        name = data.split(",")[0].split("&")[0]
        if not self.pbx.config.has_sound(name, chan.language):
            log.warning("sim_sound_missing", file=name, language=chan.language)
            self.pbx.setvar(chan, "PLAYBACKSTATUS", "FAILED")
            return 0
        try:
            await self.pbx.sleep(PROMPTS.get(name, DEFAULT_PROMPT_S), chan)
        except Hungup:
            return -1
        self.pbx.setvar(chan, "PLAYBACKSTATUS", "SUCCESS")
        return 0

    async def queue(self, chan: Channel, data: str) -> int:
        """``Queue(name,options,...)``: unknown option letters are only logged (there is
        no ``g``); an unknown queue sets ``QUEUESTATUS=UNKNOWN`` (agi-failures case e)."""
        parts = separate_args(data)
        name, options = (parts[0] if parts else ""), parts[1] if len(parts) > 1 else ""
        for letter in options:
            if letter not in QUEUE_OPTIONS:
                log.warning("sim_queue_unrecognized_option", option=letter, channel=chan.name)
        for var in ("ANSWEREDTIME", "ANSWEREDTIME_MS", "DIALEDTIME", "DIALEDTIME_MS"):
            self.pbx.setvar(chan, var, "")
        if name not in self.queues.queues:
            self.pbx.setvar(chan, "QUEUEWAIT", "")
            self.pbx.setvar(chan, "QUEUEWAIT_MS", "")
            self.pbx.setvar(chan, "QUEUESTATUS", "UNKNOWN")
            return 0
        try:
            await self.queues.run(chan, name)
        except (Hungup, TalkEnded):
            return -1
        return 0
