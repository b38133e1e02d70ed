"""The REST API's requests and answers as pydantic models: the handlers build these and
the OpenAPI document is generated from them (:mod:`.spec`), so the two cannot drift."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Agent",
    "AgentList",
    "CallDetail",
    "CallLeg",
    "CallList",
    "CallQuery",
    "CallSummary",
    "ControlBody",
    "Disposition",
    "ErrorBody",
    "IvrPath",
    "Offer",
    "Queue",
    "QueueConfig",
    "QueueFigures",
    "QueueList",
    "Report",
    "ReportColumn",
    "ReportQueryArgs",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorDetail(_Model):
    code: str = Field(
        description="bad_request, unauthenticated, forbidden, csrf, not_found, "
        "conflict, unavailable or internal"
    )
    message: str = Field(description="what went wrong and what to do instead")
    field: str | None = Field(description="the request field at fault, if one is")


class ErrorBody(_Model):
    error: ErrorDetail


# -- agents ---------------------------------------------------------------------------


class Agent(_Model):
    id: str
    name: str
    device: str
    state: str = Field(description="logged_out, ready, not_ready, reserved, on_call, wrap_up")
    reason: str = Field(description="the pause reason while not_ready")
    since: float = Field(description="epoch seconds of the last state change")
    queues: list[str]
    call_id: str = Field(description="the call the agent is on, or empty")


class AgentList(_Model):
    agents: list[Agent]


ControlAction = Literal["login", "ready", "pause", "logout", "finish-wrapup"]


class ControlBody(_Model):
    """The body of ``POST /agents/{id}/{action}``; only ``pause`` reads ``reason``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # JSON: no "yes"->True

    reason: str = Field(default="break", description="a configured pause reason (pause)")
    ready: bool = Field(default=False, description="log in straight to ready (login)")


# -- queues ---------------------------------------------------------------------------


class QueueConfig(_Model):
    strategy: str
    service_level_s: float
    ring_timeout_s: float
    wrap_up_s: float
    max_wait_s: float | None
    max_length: int | None


class QueueFigures(_Model):
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    callbacks_requested: int
    called_back: int
    overflowed: int
    voicemail: int
    handled: int
    service_level_pct: float | None
    asa_s: float | None
    aht_s: float | None


class Queue(_Model):
    name: str
    config: QueueConfig | None = Field(description="null for an app_queue queue seen on AMI")
    waiting: int
    longest_wait_s: float
    callbacks_pending: int
    agents_by_state: dict[str, int]
    windows: dict[str, QueueFigures] = Field(description='"today", "15m" and "1h"')


class QueueList(_Model):
    queues: list[Queue]


# -- calls ----------------------------------------------------------------------------


class CallQuery(_Model):
    """The filters of ``GET /calls``; every one is optional."""

    queue: str | None = Field(default=None, description="only calls that visited this queue")
    agent_id: str | None = Field(default=None, description="only calls this agent answered")
    outcome: str | None = Field(
        default=None, description="answered, abandoned, callback, overflowed, voicemail ..."
    )
    caller_number: str | None = None
    since: float | None = Field(default=None, description="entered at or after (epoch s)")
    until: float | None = Field(default=None, description="entered before (epoch s)")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class CallSummary(_Model):
    call_id: str
    queue: str
    caller_number: str
    entered_at: float
    answered_at: float | None
    agent_id: str
    outcome: str = Field(description='"answered" when answered, else how it left the queue')
    waited_s: float | None
    talk_s: float | None


class CallList(_Model):
    calls: list[CallSummary]
    total: int = Field(description="calls matching the filters")
    next_offset: int | None = Field(description="the offset of the next page, null at the end")


class Offer(_Model):
    agent_id: str
    offered_at: float
    ended_at: float | None
    result: str


class CallLeg(_Model):
    """One stay in one queue (a moved call has several) and the agents rung for it."""

    queue: str
    entered_at: float
    priority: int
    answered_at: float | None
    agent_id: str
    left_at: float | None
    outcome: str
    to_queue: str
    waited_s: float | None
    talk_s: float | None
    wrap_s: float | None
    offers: list[Offer]


class IvrPath(_Model):
    flow: str
    digits: str
    outcome: str
    language: str
    steps: list[str] = Field(description="the steps the caller went through, in order")


class Disposition(_Model):
    agent_id: str
    code: str
    note: str
    at: float


class CallDetail(_Model):
    call_id: str
    caller_number: str
    legs: list[CallLeg]
    ivr: IvrPath | None
    recording: str | None = Field(description="the recording's file, when one was made")
    disposition: Disposition | None


# -- supervision ----------------------------------------------------------------------


class MonitorBody(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    mode: Literal["listen", "whisper", "barge"] = Field(
        description="listen: nobody hears you; whisper: the agent hears you; barge: both do"
    )
    device: str = Field(
        pattern=r"^[A-Za-z0-9_]+/[^\s,;|]+$",
        description="your phone, as Asterisk dials it: PJSIP/2001, Local/2001@phones ...",
    )


class PriorityBody(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    priority: int = Field(
        ge=0, le=1000, description="higher goes first; callers join with the IVR's (often 0)"
    )


class MoveBody(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    queue: str = Field(min_length=1, description="the queue to wait in from now on")


class WaitingCaller(_Model):
    """A caller waiting in a queue, after a supervisor's priority change or move."""

    call_id: str
    queue: str = Field(description="the queue the caller waits in (for a move: the target)")
    priority: int | None = Field(description="null when app_queue routes the queue")


class Monitoring(_Model):
    id: int
    supervisor: str
    device: str
    agent_id: str
    channel: str = Field(description="the agent channel's full name")
    mode: str
    started_at: float
    ended_at: float | None


class MonitoringList(_Model):
    sessions: list[Monitoring]


# -- reports --------------------------------------------------------------------------


class ReportQueryArgs(_Model):
    """The parameters of ``GET /reports/{kind}``; checked as the CLI checks them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: str | None = Field(
        default=None,
        alias="from",
        description="first day (2026-12-01) or time (2026-12-01T08:00, the centre's zone, "
        "or with an offset)",
    )
    end: str | None = Field(
        default=None, alias="to", description="last day, included, or a time (excluded)"
    )
    queue: str | None = Field(
        default=None, description="only these queues (comma-separated); forecast: the one queue"
    )
    agent: str | None = Field(default=None, description="only these agents (comma-separated)")
    interval: str | None = Field(
        default=None,
        description="15m, hour (default), day, week, month; forecast: 15m, 30m (default), hour",
    )
    format: str = Field(default="json", description="json, csv or xlsx (a file)")
    # The forecast's own (reports/forecast_report.py OPTIONS); another kind refuses them.
    target: str | None = Field(
        default=None, description="forecast: PERCENT/SECONDS answered within (default 80/20)"
    )
    weeks: str | None = Field(
        default=None, description="forecast: whole weeks of history before today, 1-52 (4)"
    )
    shrinkage: str | None = Field(
        default=None, description="forecast: share of paid time off the phones, 0 up to 1 (0.3)"
    )
    max_occupancy: str | None = Field(
        default=None, description="forecast: busiest share of time on calls, to 1 (0.85)"
    )
    weekday: str | None = Field(
        default=None, description="forecast: only these weekdays, mon ... sun (comma-separated)"
    )


class ReportColumn(_Model):
    key: str = Field(description="the key of this column in each row")
    label: str = Field(description="English label (a msgid)")
    unit: str = Field(description="interval, text, count, s, pct, score or erlang")


class Report(_Model):
    v: int = Field(description="version of this form (1)")
    kind: str
    title: str
    parameters: dict[str, str | float | bool | list[str] | list[float] | None] = Field(
        description="the range (widened to whole intervals), zone, filters and thresholds"
    )
    columns: list[ReportColumn]
    rows: list[dict[str, str | int | float | None]] = Field(
        description="one object per row; intervals as ISO 8601 with their UTC offset"
    )
