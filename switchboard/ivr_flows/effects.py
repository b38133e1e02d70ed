# -*- test-case-name: tests.ivr.test_engine -*-
"""What the engine asks for (effects) and what it is told back (results).

Each effect maps to one AGI command or one store call; the runner performs it and feeds
the matching result to :meth:`Engine.resume`. :class:`Finish` ends the call's IVR part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALL_DIGITS",
    "CONTINUE_PROMPT",
    "Answer",
    "CallbackRequest",
    "CustomerView",
    "Dial",
    "Dialed",
    "Done",
    "Effect",
    "Entered",
    "ExecApp",
    "Finish",
    "Found",
    "GetData",
    "GotoExtension",
    "HangupCall",
    "LookupCustomer",
    "Played",
    "ReadVariables",
    "Result",
    "SaveCallback",
    "SaveSurvey",
    "SayDate",
    "SayDigits",
    "SayNumber",
    "SetVariables",
    "StreamFile",
    "SurveyAnswer",
    "Values",
    "WaitForDigit",
]

ALL_DIGITS: Final = "0123456789*#"
# GET DATA needs a file; after a digit interrupted a prompt, this short silence is played
# while the rest of the number is typed.
CONTINUE_PROMPT: Final = "silence/1"


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CustomerView:
    """What a flow may know about a customer (becomes ``${customer.*}``)."""

    id: int
    name: str
    vip_level: int = 0
    language: str = ""
    attributes: Mapping[str, str] = field(default_factory=_empty)

    def variables(self) -> dict[str, str]:
        values = {f"customer.{k}": str(v) for k, v in self.attributes.items()}
        values.update(
            {
                "customer.id": str(self.id),
                "customer.name": self.name,
                "customer.vip_level": str(self.vip_level),
                "customer.language": self.language,
            }
        )
        return values


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    call_id: str
    number: str
    window_start: float  # epoch seconds
    window_end: float
    queue: str = ""
    customer_id: int | None = None
    flow: str = ""


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    call_id: str
    score: int
    agent: str = ""
    queue: str = ""
    flow: str = ""
    # When the caller pressed it, on the call's clock (a demo's runs ahead of the
    # database's); None: the database's time of the insert.
    at: float | None = None


# -- effects -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Answer:
    pass


@dataclass(frozen=True, slots=True)
class StreamFile:
    file: str
    escape_digits: str = ""


@dataclass(frozen=True, slots=True)
class WaitForDigit:
    timeout_ms: int


@dataclass(frozen=True, slots=True)
class GetData:
    file: str
    timeout_ms: int
    max_digits: int


@dataclass(frozen=True, slots=True)
class SayDigits:
    digits: str
    escape_digits: str = ""


@dataclass(frozen=True, slots=True)
class SayNumber:
    number: int
    escape_digits: str = ""


@dataclass(frozen=True, slots=True)
class SayDate:
    epoch: int
    escape_digits: str = ""


@dataclass(frozen=True, slots=True)
class SetVariables:
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ReadVariables:
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExecApp:
    app: str
    data: str = ""


@dataclass(frozen=True, slots=True)
class Dial:
    target: str
    timeout_s: int


@dataclass(frozen=True, slots=True)
class GotoExtension:
    context: str
    extension: str
    priority: int = 1


@dataclass(frozen=True, slots=True)
class HangupCall:
    pass


@dataclass(frozen=True, slots=True)
class LookupCustomer:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class SaveCallback:
    request: CallbackRequest


@dataclass(frozen=True, slots=True)
class SaveSurvey:
    answer: SurveyAnswer


@dataclass(frozen=True, slots=True)
class Finish:
    """The IVR is over for this call: ``outcome`` says how (queued, hangup, error ...)."""

    outcome: str


Effect = (
    Answer
    | StreamFile
    | WaitForDigit
    | GetData
    | SayDigits
    | SayNumber
    | SayDate
    | SetVariables
    | ReadVariables
    | ExecApp
    | Dial
    | GotoExtension
    | HangupCall
    | LookupCustomer
    | SaveCallback
    | SaveSurvey
    | Finish
)


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Done:
    """The effect happened; nothing to report."""


@dataclass(frozen=True, slots=True)
class Played:
    """A prompt/say/wait ended; ``digit`` pressed (None: played out or timed out)."""

    digit: str | None = None


@dataclass(frozen=True, slots=True)
class Entered:
    digits: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class Dialed:
    status: str  # DIALSTATUS


@dataclass(frozen=True, slots=True)
class Found:
    customer: CustomerView | None
    failed: bool = False  # the directory could not be asked (treated as not found)


@dataclass(frozen=True, slots=True)
class Values:
    values: Mapping[str, str | None]


Result = Done | Played | Entered | Dialed | Found | Values
