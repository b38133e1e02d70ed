# -*- test-case-name: tests.ivr.test_parse -*-
"""The flow language as typed, frozen values: one class per step type, a flow, a flow set.

Parsing (:mod:`.parse`) builds these from YAML; the engine (:mod:`.engine`) only reads them.
String fields documented as *templates* may use ``${var}`` interpolation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final

from switchboard.ivr_flows.prompts import PromptCatalog

__all__ = [
    "INPUT_STEP_TYPES",
    "RECORDING_ACTIONS",
    "STEP_TYPES",
    "Branch",
    "Callback",
    "Case",
    "Collect",
    "Flow",
    "FlowSet",
    "GotoFlow",
    "Hangup",
    "Hours",
    "Language",
    "Lookup",
    "Menu",
    "MenuOption",
    "Play",
    "QueueStep",
    "Recording",
    "Return",
    "Say",
    "SetVars",
    "Step",
    "Survey",
    "Transfer",
    "Voicemail",
]


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


def _frozen_lines() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """Fields every step has. ``next`` is None for "the step below" (or the end)."""

    id: str
    line: int = 0
    set: Mapping[str, str] = field(default_factory=_frozen)  # templates, applied on entry
    next: str | None = None
    field_lines: Mapping[str, int] = field(default_factory=_frozen_lines)

    def line_of(self, name: str) -> int:
        """The line of one of the step's fields (the step's own line when unknown)."""
        return self.field_lines.get(name, self.line)


@dataclass(frozen=True, slots=True, kw_only=True)
class Play(Step):
    prompts: tuple[str, ...]
    interruptible: bool = True  # a digit stops the prompt and is kept for the next input step


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuOption:
    next: str
    set: Mapping[str, str] = field(default_factory=_frozen)
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class _Prompted(Step):
    """Input steps: prompts, retries, and what to say after a wrong key or silence."""

    prompts: tuple[str, ...] = ()
    retries: int = 2
    timeout_s: float = 5.0
    invalid_prompts: tuple[str, ...] = ()
    timeout_prompts: tuple[str, ...] = ()
    fallback: str | None = None  # after the last retry (None: end the IVR, dialplan decides)
    on_timeout: str | None = None  # after the last retry when the caller stayed silent


@dataclass(frozen=True, slots=True, kw_only=True)
class Menu(_Prompted):
    options: Mapping[str, MenuOption]
    var: str = "menu_choice"


@dataclass(frozen=True, slots=True, kw_only=True)
class Collect(_Prompted):
    var: str
    min_digits: int = 1
    max_digits: int = 20
    terminator: str = "#"
    pattern: str | None = None
    luhn: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Say(Step):
    kind: str  # digits | number | date
    value: str  # template
    interruptible: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVars(Step):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    var: str
    op: str  # equals not_equals in gte gt lte lt matches is_set is_empty
    value: object
    next: str
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Branch(Step):
    cases: tuple[Case, ...]
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Hours(Step):
    timezone: str
    schedule: Mapping[int, tuple[tuple[int, int], ...]]  # weekday (Mon=0) -> minute ranges
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days (调休) on the Monday plan
    open: str | None = None
    closed: str | None = None
    holiday: str | None = None  # defaults to ``closed``


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup(Step):
    kind: str  # phone | account | id_card | plate | any ...
    value: str  # template
    found: str | None = None
    not_found: str | None = None
    vip: tuple[tuple[int, str], ...] = ()  # (min level, step), highest level first


@dataclass(frozen=True, slots=True, kw_only=True)
class Language(_Prompted):
    options: Mapping[str, str]  # digit -> language code
    default: str | None = None  # used after the last retry


@dataclass(frozen=True, slots=True, kw_only=True)
class GotoFlow(Step):
    flow: str
    returns: bool = False  # come back to ``next`` when the other flow ends


@dataclass(frozen=True, slots=True, kw_only=True)
class Return(Step):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStep(Step):
    queue: str  # template
    priority: str = ""  # template; integer once interpolated
    skills: tuple[str, ...] = ()
    dial: str | None = None  # template: dial this target instead of handing over
    dial_timeout_s: int = 30
    on_no_answer: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Voicemail(Step):
    mailbox: str  # template, e.g. "support@default"
    options: str = "u"


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback(Step):
    number: str = "${caller_number}"
    queue: str = ""
    within_minutes: int = 120
    window: tuple[int, int] | None = None  # minute range in ``timezone`` (today, or tomorrow)
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(Step):
    extension: str  # template
    context: str = "from-internal"
    priority: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Survey(_Prompted):
    agent: str = ""  # template
    queue: str = ""  # template
    scale: int = 5
    var: str = "csat_score"


@dataclass(frozen=True, slots=True, kw_only=True)
class Hangup(Step):
    pass


RECORDING_ACTIONS: Final = ("pause", "resume")


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording(Step):
    """Pause or resume the call's recording around sensitive input (a card number)."""

    action: str  # one of RECORDING_ACTIONS


STEP_TYPES: Final[Mapping[str, type[Step]]] = MappingProxyType(
    {
        "play": Play,
        "menu": Menu,
        "collect": Collect,
        "say": Say,
        "set": SetVars,
        "branch": Branch,
        "hours": Hours,
        "lookup": Lookup,
        "language": Language,
        "goto": GotoFlow,
        "return": Return,
        "queue": QueueStep,
        "voicemail": Voicemail,
        "callback": Callback,
        "transfer": Transfer,
        "survey": Survey,
        "hangup": Hangup,
        "recording": Recording,
    }
)
STEP_TYPE_NAMES: Final[Mapping[type[Step], str]] = MappingProxyType(
    {cls: name for name, cls in STEP_TYPES.items()}
)
INPUT_STEP_TYPES: Final = (Menu, Collect, Language, Survey)
# Steps after which the flow never goes on to "the step below".
TERMINAL_STEP_TYPES: Final = (Hangup, Return, Transfer)


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow file: its steps in file order (the first is where the flow starts)."""

    name: str
    file: str
    steps: Mapping[str, Step]
    order: tuple[str, ...]
    language: str = ""
    variables: Mapping[str, str] = field(default_factory=_frozen)
    channel_variables: Mapping[str, str] = field(default_factory=_frozen)
    answer: bool = True
    description: str = ""

    @property
    def start(self) -> str:
        return self.order[0]

    def below(self, step_id: str) -> str | None:
        """The step written after ``step_id``, or None for the last one."""
        index = self.order.index(step_id)
        return self.order[index + 1] if index + 1 < len(self.order) else None


@dataclass(frozen=True, slots=True)
class FlowSet:
    """Every flow of a directory, validated together, plus the prompt catalogue."""

    flows: Mapping[str, Flow]
    prompts: PromptCatalog = field(default_factory=PromptCatalog)
