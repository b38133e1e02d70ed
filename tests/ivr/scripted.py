# -*- test-case-name: tests.ivr.test_runner,tests.ivr.test_fastagi -*-
"""A scripted caller on Asterisk's side of FastAGI: answers each command as Asterisk 22 would.

The script is consumed at each chance to act (see ``switchboard.ivr_flows.simulate``):
one key interrupts the next prompt played with escape digits or answers a digit wait,
several keys answer a GET DATA, ``-`` is silence, ``hangup`` hangs up during the next
command (the command gets ``200 result=-1`` after a ``HANGUP`` line, later media commands
get ``511``, as in the captures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

_MEDIA = (
    "STREAM FILE",
    "WAIT FOR DIGIT",
    "GET DATA",
    "SAY DIGITS",
    "SAY NUMBER",
    "SAY DATE",
    "ANSWER",
    "EXEC",
)


@dataclass
class ScriptedCaller:
    script: list[str]
    channel_variables: dict[str, str] = field(default_factory=dict)
    dial_status: str = "ANSWER"
    commands: list[list[str]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    gone: bool = False

    def respond(self, words: list[str]) -> list[str]:
        """The lines Asterisk sends back for one command."""
        self.commands.append(words)
        verb = (
            " ".join(words[:2])
            if words[0] in ("STREAM", "WAIT", "GET", "SAY", "SET")
            else (words[0])
        )
        if verb == "WAIT FOR":
            verb = "WAIT FOR DIGIT"
        head = self.script[0] if self.script else None
        if self.gone:
            if any(verb.startswith(m) for m in _MEDIA):
                return ["511 Command Not Permitted on a dead channel or intercept routine"]
            return self._plain(verb, words)
        if head == "hangup" and any(verb.startswith(m) for m in _MEDIA):
            self.script.pop(0)
            self.gone = True
            return ["HANGUP", "200 result=-1"]
        if verb == "STREAM FILE" or verb.startswith("SAY"):
            escape = words[-1]
            if head is not None and len(head) == 1 and head in escape:
                self.script.pop(0)
                return [f"200 result={ord(head)} endpos=8000"]
            return ["200 result=0 endpos=16000"]
        if verb == "WAIT FOR DIGIT":
            if head is None:
                return ["200 result=0"]
            action = self.script.pop(0)
            return ["200 result=0" if action == "-" else f"200 result={ord(action[0])}"]
        if verb == "GET DATA":
            if head is None or head == "-":
                if self.script:
                    self.script.pop(0)
                return ["200 result= (timeout)"]
            keys = self.script.pop(0)
            typed = keys.split("#")[0][: int(words[4])]
            ended = "#" in keys or len(typed) >= int(words[4])
            return [f"200 result={typed}" + ("" if ended else " (timeout)")]
        return self._plain(verb, words)

    def _plain(self, verb: str, words: list[str]) -> list[str]:
        if verb == "SET VARIABLE":
            self.variables[words[2]] = words[3]
            return ["200 result=1"]
        if verb == "GET VARIABLE":
            name = words[2]
            value = self.dial_status if name == "DIALSTATUS" else self.channel_variables.get(name)
            return [f"200 result=1 ({value})"] if value is not None else ["200 result=0"]
        if verb == "HANGUP":
            self.gone = True
            return ["200 result=1", "HANGUP"]
        return ["200 result=0"]
