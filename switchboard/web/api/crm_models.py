"""The customers and tickets routes' requests and answers (pydantic, so also their part of
the OpenAPI document). Search fields have lengths and ranges here, so an oversized or
mistyped value is a 400 naming the field before anything reaches the database."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "CommentBody",
    "CustomerHistory",
    "CustomerPage",
    "CustomerReads",
    "CustomerRecord",
    "CustomerSearch",
    "LinkBody",
    "Merge",
    "MergeBody",
    "ReadsQuery",
    "TicketBody",
    "TicketDetail",
    "TicketList",
    "TicketPatch",
    "TicketQuery",
    "TicketReport",
    "TicketReportQuery",
    "TransitionBody",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _no_control(value: Any, allowed: str) -> Any:
    if isinstance(value, str) and any(
        (ord(ch) < 32 and ch not in allowed) or ord(ch) == 127 for ch in value
    ):
        raise ValueError("control characters (a NUL byte ...); send plain text")
    return value


class _Query(BaseModel):
    """Query strings: no control character in any text (PostgreSQL refuses a NUL)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return _no_control(value, "")


class _Body(BaseModel):
    # JSON bodies: strict types (no "5" for 5), unknown fields refused, text without control
    # characters but line breaks and tabs.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return _no_control(value, "\t\n\r")


# -- customers ------------------------------------------------------------------------


class CustomerSearch(_Query):
    q: str = Field(
        default="",
        max_length=100,
        description="an identifier of any kind (phone, its last 4+ digits, account, ID card,"
        " plate ...), a name or part of it, its pinyin or initials",
    )
    tag: str = Field(
        default="", max_length=650, description="tags the customer must all have, comma-separated"
    )
    contacted_from: date | None = Field(default=None, description="last contact on or after")
    contacted_to: date | None = Field(default=None, description="last contact on or before")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=20, ge=1, le=100)


class Identifier(_Model):
    kind: str
    value: str


class CustomerRecord(_Model):
    id: int
    name: str
    vip_level: int
    language: str
    identifiers: list[Identifier]
    tags: list[str]
    notes: str
    attributes: dict[str, Any]
    last_contact_at: float | None
    match: str | None = Field(
        default=None, description="how a search found them: identifier, name, pinyin ..."
    )


class CustomerPage(_Model):
    total: int = Field(description="customers matching, counted up to a bound")
    more: bool = Field(description="more than total match: narrow the search")
    page: int
    per_page: int
    customers: list[CustomerRecord]


class IvrStep(_Model):
    flow: str
    last_step: str
    digits: str


class HistoryDisposition(_Model):
    code: str
    note: str
    agent_id: str


class HistoryCall(_Model):
    call_id: str
    at: float | None
    queue: str
    agent_id: str
    outcome: str
    talk_s: float | None
    ivr_path: IvrStep | None = None
    disposition: HistoryDisposition | None
    recording: str | None


class Csat(_Model):
    call_id: str
    score: int
    agent: str
    at: float | None


class TicketSummary(_Model):
    id: int
    type: str
    category: str
    priority: str
    status: str
    subject: str
    customer_id: int | None
    owner: str
    created_by: str
    created_at: float | None
    due_at: float
    resolved_at: float | None
    closed_at: float | None
    overdue: bool


class CustomerHistory(_Model):
    customer: CustomerRecord
    merged_into_id: int | None
    calls: list[HistoryCall]
    tickets: list[TicketSummary]
    csat: list[Csat]


class MergeBody(_Body):
    duplicate_id: int = Field(ge=1, description="the duplicate record, merged into this one")


class Merge(_Model):
    id: int
    survivor_id: int
    merged_id: int
    actor: str
    at: float
    moved: dict[str, list[Any]] = Field(description="identifiers, tags, tickets, ivr_sessions")
    undone_by: str | None
    undone_at: str | None


class ReadsQuery(_Query):
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class CustomerRead(_Model):
    username: str = Field(description='who read it: a username, or "token:<name>"')
    at: float
    via: str = Field(
        description="rest, rest:history, rest:search, seat, seat:search, cli, cli:history,"
        " cli:search"
    )
    address: str = Field(description="the client's address, as the server saw it")


class CustomerReads(_Model):
    total: int
    reads: list[CustomerRead]


# -- tickets --------------------------------------------------------------------------


class TicketQuery(_Query):
    status: str = Field(
        default="",
        max_length=64,
        description="open, in_progress, resolved, closed; comma-separated",
    )
    type: str = Field(default="", max_length=16, description="complaint, request ...")
    category: str = Field(default="", max_length=32)
    owner: str = Field(default="", max_length=64)
    customer: int | None = Field(default=None, ge=1, description="the customer's id")
    overdue: bool = Field(default=False, description="open or in progress and past due")
    due_soon: bool = Field(default=False, description="due within [crm] due_soon_h, not late")
    page: int = Field(default=1, ge=1, le=10_000)
    per_page: int = Field(default=50, ge=1, le=200)


class TicketBody(_Body):
    type: str = Field(max_length=16, description="complaint, request, enquiry, follow_up")
    category: str = Field(max_length=32, description="a key of [crm] ticket_categories")
    priority: str = Field(default="normal", max_length=16, description="low, normal ...")
    subject: str = Field(max_length=200)
    description: str = Field(default="", max_length=10_000)
    customer_id: int | None = Field(default=None, ge=1)
    owner: str = Field(default="", max_length=64, description="a user or group (default: you)")
    call_id: str = Field(default="", max_length=128, description="the call to link")
    recording_id: str = Field(default="", max_length=128, description="the recording to link")


class TransitionBody(_Body):
    to: str = Field(max_length=16, description="the status to move to")


class CommentBody(_Body):
    body: str = Field(min_length=1, max_length=10_000)


class TicketPatch(_Body):
    """Only the fields given change; the status moves by ``/transition``."""

    owner: str | None = Field(default=None, max_length=64)
    priority: str | None = Field(default=None, max_length=16)
    category: str | None = Field(default=None, max_length=32)
    subject: str | None = Field(default=None, max_length=200)
    customer_id: int | None = Field(default=None, ge=1)


class LinkBody(_Body):
    kind: Literal["call", "recording"]
    ref: str = Field(min_length=1, max_length=128, description="the call id or recording id")


class Comment(_Model):
    id: int
    author: str
    at: float | None
    body: str


class Link(_Model):
    kind: str
    ref: str


class AuditEntry(_Model):
    actor: str
    at: float | None
    field: str
    old: str | None
    new: str | None


class TicketDetail(TicketSummary):
    description: str
    allowed_status: list[str] = Field(description="the statuses it may move to now")
    comments: list[Comment]
    links: list[Link]
    audit: list[AuditEntry] = Field(description="every change: who, when, field, old -> new")


class TicketList(_Model):
    total: int
    page: int
    per_page: int
    tickets: list[TicketSummary]


class TicketReportQuery(_Query):
    start: date | None = Field(default=None, description="first day (default: 30 days ago)")
    end: date | None = Field(default=None, description="last day, inclusive (default: today)")


class CategoryFigures(_Model):
    category: str
    label: str
    opened: int
    resolved: int
    within_sla: int
    closure_rate: float | None = Field(description="resolved within SLA / opened")


class TicketReport(_Model):
    start: float
    end: float
    categories: list[CategoryFigures]
