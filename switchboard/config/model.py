"""Frozen settings sections. Every default runs on one machine with no file at all.

Durations carry their unit in the name (``_s``). Secrets are ``SecretStr`` so that
they never print; each may instead be read from a file named by ``<name>_file``.
"""

from __future__ import annotations

import re
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from switchboard import recording_names
from switchboard.accounts.model import LANGUAGES
from switchboard.pause_reasons import DEFAULT_PAUSE_REASONS, reason_problem

_HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# Code -> {language -> what the pages show}: a site's own codes in its own words.
Labels = dict[str, dict[str, str]]
_LABEL_MAX = 64


def _label_problems(labels: Labels, codes: tuple[str, ...], what: str) -> list[str]:
    """Why ``labels`` cannot name the configured ``codes`` (a ``what``) on the pages."""
    problems = []
    for code, by_language in labels.items():
        if code not in codes:
            problems.append(
                f"{what} {code!r} has a label but is not configured: "
                f"label one of {', '.join(codes)}, or add it to the list first"
            )
        for language, text in by_language.items():
            if language not in LANGUAGES:
                problems.append(
                    f"{what} {code!r}: no pages in language {language!r}: write one of "
                    + ", ".join(f'"{lang}"' for lang in LANGUAGES)
                    + " (quoted: a TOML key with '-' needs quotes)"
                )
            if not text.strip() or len(text) > _LABEL_MAX or not text.isprintable():
                problems.append(
                    f"{what} {code!r} in {language}: a label is 1 to {_LABEL_MAX} printable "
                    f"characters on one line, not {text!r}"
                )
    return problems


class AmiSettings(_Section):
    """How to reach one Asterisk Manager Interface."""

    host: str = "127.0.0.1"
    port: int = Field(5038, ge=1, le=65535)
    username: str = "switchboard"
    secret: SecretStr = SecretStr("switchboard")
    secret_file: Path | None = None
    auth: Literal["md5", "plain"] = "md5"
    # Login "Events:" mask: "on", "off", or a class list such as "call,agent".
    events: str = "on"
    # Server-side filters sent as "Filter" actions after login, e.g. "!Event: VarSet".
    event_filters: tuple[str, ...] = ()
    action_timeout_s: float = Field(10.0, gt=0)
    connect_timeout_s: float = Field(5.0, gt=0)
    keepalive_interval_s: float = Field(20.0, gt=0)
    reconnect_initial_delay_s: float = Field(0.5, gt=0)
    reconnect_max_delay_s: float = Field(30.0, gt=0)
    # A peer whose single message exceeds this is cut off (bounded memory).
    max_message_bytes: int = Field(1_048_576, ge=1024)


class AgiSettings(_Section):
    """The FastAGI server Asterisk connects to."""

    bind: str = "127.0.0.1"
    port: int = Field(4573, ge=0, le=65535)
    max_sessions: int = Field(1000, ge=1)
    # Default time one AGI command may take; commands that wait on people
    # (EXEC Dial, RECORD FILE) get their own, longer allowance.
    command_timeout_s: float = Field(30.0, gt=0)
    # A session in which nothing happens for this long is closed.
    idle_timeout_s: float = Field(3600.0, gt=0)
    max_line_bytes: int = Field(65536, ge=1024)
    # Who may connect: addresses, networks ("10.1.0.0/24") or host names. Unset: loopback
    # and the [ami] host. Anyone else is refused before taking a session slot.
    allowed_peers: tuple[str, ...] | None = None
    # Asterisk sends the environment as soon as it connects; a connection silent for longer
    # is closed, so idle sockets cannot hold the session slots.
    env_timeout_s: float = Field(5.0, gt=0)
    # Connections the kernel queues while we accept (Twisted's default, 50, is short of a
    # burst of calls).
    listen_backlog: int = Field(1024, ge=1)
    # Connections from one address at once, sessions and those still sending their
    # environment (several PBXs sharing one switchboard each get a share).
    max_connections_per_peer: int = Field(1000, ge=1)

    @field_validator("allowed_peers")
    @classmethod
    def _peers_are_addresses(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for entry in value or ():
            try:
                ip_network(entry, strict=False)
            except ValueError:
                if not _HOST_NAME.fullmatch(entry):
                    raise ValueError(
                        f"an address, a network such as 10.1.0.0/24, or a host name, not {entry!r}"
                    ) from None
        return value


class DatabaseSettings(_Section):
    """Where durable records live. SQLite is the embedded default."""

    # An absolute default: a process AGI runs with "/" as its working directory.
    # A relative SQLite path in a settings file is taken from that file's folder.
    url: str = "sqlite:////var/lib/switchboard/switchboard.sqlite"
    password: SecretStr | None = None
    password_file: Path | None = None
    pool_threads: int = Field(4, ge=1, le=64)


EXAMPLE_FLOWS = Path(__file__).parents[1] / "ivr_flows" / "examples"


class FlowsSettings(_Section):
    """Where the IVR flows live, and how often edits are looked for."""

    # The shipped example flows when not set, so a new install answers calls at once.
    dir: Path = EXAMPLE_FLOWS
    poll_interval_s: float = Field(2.0, gt=0)
    # The AGI script names the dialplan runs: each must be a flow to start, and no reload
    # may take one away (docs/flows.md, "Hot reload").
    entry: tuple[str, ...] = ("main-menu",)
    # Serve the capture-compatible built-in ``main-menu`` script when no flow has that
    # name. Only for the captured test PBX: it plays tt-monkeysintro and routes to sales.
    builtin_main_menu: bool = False


class QueuesSettings(_Section):
    """The ACD: queues and agents are described in a YAML file (see docs/queues.md)."""

    file: Path | None = None
    # Midnight in this zone starts the "today" figures.
    timezone: str = "UTC"
    # Seeds the "random" strategy, so that a run can be reproduced.
    seed: int = 0
    poll_interval_s: float = Field(2.0, gt=0)
    # Where MixMonitor writes the ACD's recordings, as Asterisk sees the path.
    recording_dir: Path = Path(recording_names.DEFAULT_DIR)
    # Each recording's name in it: {queue} {call_id} {agent} {caller} {date} {year}
    # {month} {day} {time} ({call_id} required); the extension picks the format.
    recording_name: str = recording_names.DEFAULT_NAME
    # What an agent may give as the reason of a pause (ACD and app_queue alike); any
    # other reason is refused with this list.
    pause_reasons: tuple[str, ...] = DEFAULT_PAUSE_REASONS
    # What the pages call a reason, per language, e.g. { coaching = { en = "Coaching",
    # "zh-CN" = "辅导" } }; shipped reasons are translated already, a site's own show as
    # their code until labelled here.
    pause_reason_labels: Labels = {}

    @field_validator("pause_reasons")
    @classmethod
    def _reasons(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        problems = [p for p in map(reason_problem, value) if p]
        if not value or problems:
            raise ValueError("; ".join(problems) or "name at least one pause reason")
        return value

    @model_validator(mode="after")
    def _reason_labels(self) -> QueuesSettings:
        if problems := _label_problems(
            self.pause_reason_labels, self.pause_reasons, "pause reason"
        ):
            raise ValueError("; ".join(problems))
        return self

    @field_validator("recording_dir", "recording_name")
    @classmethod
    def _recording(cls, value: Path | str, info: ValidationInfo) -> Path | str:
        problems = (
            recording_names.dir_problems(str(value))
            if info.field_name == "recording_dir"
            else recording_names.name_problems(str(value))
        )
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"a time zone name such as Asia/Shanghai or UTC, not {value!r}"
            ) from None
        return value


class ControlSettings(_Section):
    """The control endpoint of ``switchboard serve`` (``switchboard agents ...`` uses it):
    HTTP + JSON on a loopback address only. Set a token on a machine others log in to."""

    enabled: bool = True
    bind: str = "127.0.0.1"
    port: int = Field(4575, ge=0, le=65535)
    # Sent as "Authorization: Bearer <token>"; none: any local process may control agents.
    token: SecretStr | None = None
    token_file: Path | None = None

    @field_validator("bind")
    @classmethod
    def _loopback(cls, value: str) -> str:
        try:
            loopback = ip_address(value).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(
                f"a loopback address such as 127.0.0.1 or ::1, not {value!r} "
                "(the control endpoint is for this machine only)"
            )
        return value


class LoggingSettings(_Section):
    """Where log lines go and how they look (one JSON object a line, or a console view)."""

    # "auto": readable console on a terminal, JSON lines otherwise.
    format: Literal["auto", "json", "console"] = "auto"
    level: Literal["debug", "info", "warning", "error"] = "info"
    # Also append every line to this file (relative: to the settings file's folder).
    file: Path | None = None
    # Also send every line to the system log (journald reads it). "auto" and "off": only
    # for a process AGI with no file set, whose stderr Asterisk throws away.
    syslog: Literal["auto", "on", "off"] = "auto"


_DISPOSITION = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def _disposition_problems(codes: tuple[str, ...], where: str) -> list[str]:
    problems = [
        f"{where}: disposition code {code!r} is not a short lower-case word (letters, digits,"
        " '_' or '-', at most 32): write e.g. follow_up"
        for code in codes
        if not _DISPOSITION.match(code)
    ]
    if not codes:
        problems.append(f"{where}: name at least one disposition code")
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: a disposition code is listed twice")
    return problems


class SeatSettings(_Section):
    """The agent seat: the disposition codes an agent sets after a call, and wrap-up."""

    # Disposition codes for every queue that queue_dispositions does not name.
    dispositions: tuple[str, ...] = ("resolved", "follow_up", "complaint", "transferred")
    # A queue's own codes instead of the list above, e.g. { support = ["resolved", "escalated"] }.
    queue_dispositions: dict[str, tuple[str, ...]] = {}
    # What the pages call a code, per language, e.g. { sold = { en = "Sold", "zh-CN" =
    # "已成交" } }; shipped codes are translated already, a site's own show as their code
    # until labelled here. The API, CSV and XLSX keep the codes.
    disposition_labels: Labels = {}
    # When a wrap-up runs out: true, the agent is ready again (the queue's wrap_up_s);
    # false, the seat pauses them with wrapup_pause_reason until they finish it themselves.
    wrapup_auto_ready: bool = True
    wrapup_pause_reason: str = "after_call_work"

    @field_validator("dispositions")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if problems := _disposition_problems(value, "dispositions"):
            raise ValueError("; ".join(problems))
        return value

    @field_validator("queue_dispositions")
    @classmethod
    def _queue_codes(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        problems = [
            p for queue, codes in value.items() for p in _disposition_problems(codes, queue)
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("wrapup_pause_reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if problem := reason_problem(value):
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _disposition_labels(self) -> SeatSettings:
        codes = tuple(
            dict.fromkeys(
                [*self.dispositions, *(c for q in self.queue_dispositions.values() for c in q)]
            )
        )
        if problems := _label_problems(self.disposition_labels, codes, "disposition code"):
            raise ValueError("; ".join(problems))
        return self

    def dispositions_for(self, queue: str) -> tuple[str, ...]:
        """The codes an agent may set on a call of ``queue``."""
        return self.queue_dispositions.get(queue, self.dispositions)


class WebSettings(_Section):
    """The web tier (the agent seat): HTTP, or HTTPS when a certificate and key are given."""

    enabled: bool = True
    bind: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # The address people type into the browser: the websocket refuses any other Origin.
    origin: str = "http://127.0.0.1:8080"
    # A session ends this long after login (a shift and a half), or at logout.
    session_lifetime_s: float = Field(43200.0, gt=0)
    # Both or neither: PEM files; with them the site is HTTPS only and cookies are Secure.
    tls_certificate: Path | None = None
    tls_key: Path | None = None
    # Failed logins allowed per account and per address in login_window_s, then refused.
    login_failures_per_account: int = Field(5, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    login_window_s: float = Field(900.0, gt=0)

    @field_validator("origin")
    @classmethod
    def _origin(cls, value: str) -> str:
        scheme, sep, rest = value.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
            raise ValueError(
                f"a scheme and host such as https://seat.example.com or "
                f"http://127.0.0.1:8080 (no path, no trailing slash), not {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> WebSettings:
        if (self.tls_key is None) != (self.tls_certificate is None):
            raise ValueError("[web] set tls_certificate and tls_key together, or neither")
        return self

    @property
    def tls(self) -> bool:
        return self.tls_certificate is not None


class WallboardColours(_Section):
    """When a queue's tile turns amber or red (colour plus a word on screen, never colour alone)."""

    # Service level today below this: amber; below red_below_pct: red.
    amber_below_pct: float = Field(default=80.0, ge=0, le=100)
    red_below_pct: float = Field(default=60.0, ge=0, le=100)
    # The longest wait now above this many seconds: amber; above red_wait_s: red.
    amber_wait_s: float = Field(default=30.0, gt=0)
    red_wait_s: float = Field(default=60.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> WallboardColours:
        if self.red_below_pct > self.amber_below_pct:
            raise ValueError(
                f"red_below_pct ({self.red_below_pct}) must not be above amber_below_pct "
                f"({self.amber_below_pct}): red is the worse of the two"
            )
        if self.red_wait_s < self.amber_wait_s:
            raise ValueError(
                f"red_wait_s ({self.red_wait_s}) must not be below amber_wait_s "
                f"({self.amber_wait_s}): red is the worse of the two"
            )
        return self


class WallboardSettings(_Section):
    """The supervisors' wallboard: colour thresholds (per queue) and how often it pushes."""

    # Every queue's tile: service level today below amber_below_pct turns it amber, below
    # red_below_pct red; the longest wait above amber_wait_s / red_wait_s seconds too.
    amber_below_pct: float = Field(default=80.0, ge=0, le=100)
    red_below_pct: float = Field(default=60.0, ge=0, le=100)
    amber_wait_s: float = Field(default=30.0, gt=0)
    red_wait_s: float = Field(default=60.0, gt=0)
    # A queue's own thresholds, e.g. [wallboard.queue_colours.sales] amber_below_pct = 90.
    queue_colours: dict[str, WallboardColours] = {}
    # At most one update per queue per this many seconds, whatever the call rate.
    push_interval_s: float = Field(default=1.0, gt=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> WallboardSettings:
        self.colours  # noqa: B018  # the same checks as a queue's own thresholds
        return self

    @property
    def colours(self) -> WallboardColours:
        """The thresholds of a queue without its own."""
        return WallboardColours(
            amber_below_pct=self.amber_below_pct,
            red_below_pct=self.red_below_pct,
            amber_wait_s=self.amber_wait_s,
            red_wait_s=self.red_wait_s,
        )


class RecorderSettings(_Section):
    """Call recordings: checked and indexed when a call ends (see docs/recorder.md)."""

    enabled: bool = True
    # Asterisk's spool path -> the same folder as this machine sees it (a mount, say):
    # {"/var/spool/asterisk/monitor" = "/mnt/pbx/monitor"}. Longest prefix wins.
    path_map: dict[str, Path] = {}
    # Asterisk may close the file a moment after the hang-up: look again this many times.
    check_attempts: int = Field(5, ge=1, le=100)
    check_delay_s: float = Field(2.0, gt=0)
    # The agent of a call may play its recording (supervisors of the queue always may).
    agent_may_play: bool = False
    # Days a queue's recordings are kept ("*": every other queue); none: kept for ever.
    retention_days: dict[str, int] = {}
    # When serve applies retention_days each day, "HH:MM" in [queues] timezone (a quiet
    # hour); "" leaves it to `switchboard recordings retention` from cron.
    retention_at: str = "03:30"

    @field_validator("retention_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(
                f'a time of day as "HH:MM" such as "03:30", or "" for no schedule; not {value!r}'
            )
        return value

    @field_validator("retention_days")
    @classmethod
    def _positive_days(cls, value: dict[str, int]) -> dict[str, int]:
        bad = [f"{queue} = {days}" for queue, days in value.items() if days < 1]
        if bad:
            raise ValueError(f"retention days must be 1 or more (got {', '.join(bad)})")
        return value


class CrmSettings(_Section):
    """Customers and tickets (工单): identifier kinds, VIP tiers, ticket categories and SLAs."""

    # Numbers typed without a country code are of this region (phonenumbers' code).
    phone_region: str = "CN"
    # Identifier kind -> rule: phone, cn_id (resident ID, checksum), upper, lower or text.
    identifier_kinds: dict[str, Literal["phone", "cn_id", "upper", "lower", "text"]] = {
        "phone": "phone",
        "account": "upper",
        "id_card": "cn_id",
        "plate": "upper",
        "member_card": "upper",
        "order": "upper",
        "email": "lower",
    }
    # VIP tier names, lowest first: a customer's vip_level is the index in this list.
    vip_tiers: tuple[str, ...] = ("normal", "silver", "gold", "platinum")
    # Ticket category code -> its label (the seeds' complaint classes).
    ticket_categories: dict[str, str] = {
        "quality": "质量",
        "service": "服务",
        "general": "综合",
        "emergency": "突发",
    }
    # Priorities, lowest first, and the business hours each allows to resolve a ticket.
    sla_hours: dict[str, float] = {"low": 40.0, "normal": 16.0, "high": 8.0, "urgent": 4.0}
    # A category's own hours per priority, instead of sla_hours.
    category_sla_hours: dict[str, dict[str, float]] = {
        "emergency": {"low": 8.0, "normal": 4.0, "high": 2.0, "urgent": 1.0}
    }
    # Business hours the SLA clock runs in; holidays and make-up workdays come from the
    # IVR's calendar of that name (_calendars.yaml in the flows dir) and from the lists.
    timezone: str = "Asia/Shanghai"
    business_days: str = "mon-fri"
    business_hours: str = "09:00-18:00"
    calendar: str = ""
    holidays: tuple[str, ...] = ()
    workdays: tuple[str, ...] = ()
    # A resolved or closed ticket can be reopened this many days after it was resolved.
    reopen_days: int = Field(7, ge=0)
    # "Due soon": the due time is at most this far ahead.
    due_soon_h: float = Field(4.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> CrmSettings:
        from switchboard.ivr_flows.schedule import (
            parse_date_spec,
            parse_minute_range,
            parse_weekdays,
        )

        problems = []
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone: a name such as Asia/Shanghai, not {self.timezone!r}")
        for name, parse, value in (
            ("business_days", parse_weekdays, self.business_days),
            ("business_hours", parse_minute_range, self.business_hours),
        ):
            try:
                parse(value)  # type: ignore[operator]
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
        for spec in (*self.holidays, *self.workdays):
            try:
                parse_date_spec(spec)
            except ValueError as exc:
                problems.append(f"holidays/workdays: {exc}")
        if not self.vip_tiers or not self.sla_hours or not self.ticket_categories:
            problems.append("vip_tiers, sla_hours and ticket_categories must not be empty")
        for category, hours in self.category_sla_hours.items():
            if category not in self.ticket_categories:
                problems.append(f"category_sla_hours: {category!r} is not a ticket category")
            if unknown := set(hours) - set(self.sla_hours):
                problems.append(
                    f"category_sla_hours.{category}: unknown priority {sorted(unknown)[0]!r};"
                    f" priorities: {', '.join(self.sla_hours)}"
                )
        if any(h <= 0 for h in self.sla_hours.values()):
            problems.append("sla_hours: every priority needs more than 0 hours")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def sla_for(self, category: str, priority: str) -> float:
        """Business hours to resolve a ticket of this category and priority."""
        return self.category_sla_hours.get(category, {}).get(priority, self.sla_hours[priority])


# What an agent scorecard weighs (reports/scorecard.py defines each).
SCORECARD_COMPONENTS = ("quality", "efficiency", "csat")


class ReportSettings(_Section):
    """Reports (docs/reports.md): the centre's time zone and the thresholds of the figures."""

    # Intervals (15 minutes, hour, day, week, month) start at these wall-clock times. Not
    # the machine's zone: a report must not change with the server it runs on.
    timezone: str = "Asia/Shanghai"
    # An abandon after less than this many seconds of waiting is a short abandon: counted
    # apart and left out of the service level (a caller who hung up at once).
    short_abandon_s: float = Field(5.0, ge=0)
    # Service level: answered within each of these many seconds (two thresholds).
    service_level_s: tuple[float, float] = (20.0, 30.0)
    # First-call resolution: an answered caller who did not call again within this many
    # days; the caller is the CRM customer when the IVR knew them, else the number.
    fcr_days: float = Field(7.0, gt=0, le=90)
    # ... and only a call to the same queue counts as calling again (false: any queue).
    fcr_same_queue: bool = False
    # CSAT scores 1..csat_scale are shown one column each (the survey's scale, 5 by default).
    csat_scale: int = Field(5, ge=2, le=9)
    # Agent scorecards: the weight of each component (quality, efficiency, csat), summing
    # to 100, and the points taken off per missed offer (docs/reports.md).
    scorecard_weights: dict[str, float] = {"quality": 60.0, "efficiency": 30.0, "csat": 10.0}
    scorecard_missed_offer_penalty: float = Field(2.0, ge=0, le=100)

    @field_validator("scorecard_weights")
    @classmethod
    def _weights_sum_to_100(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SCORECARD_COMPONENTS))
        if unknown:
            raise ValueError(
                f"unknown scorecard component {', '.join(map(repr, unknown))}: "
                f"weigh only {', '.join(SCORECARD_COMPONENTS)}"
            )
        negative = sorted(k for k, w in value.items() if w < 0)
        if negative:
            raise ValueError(f"the weight of {negative[0]!r} is below 0: give 0 to leave it out")
        if abs(sum(value.values()) - 100.0) > 1e-6:
            raise ValueError(
                f"the weights sum to {sum(value.values()):g}, not 100: for example "
                "{quality = 60, efficiency = 30, csat = 10}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"a time zone name such as Asia/Shanghai or Europe/London, not {value!r}"
            ) from None
        return value

    @field_validator("service_level_s")
    @classmethod
    def _positive_thresholds(cls, value: tuple[float, float]) -> tuple[float, float]:
        if any(t <= 0 for t in value):
            raise ValueError(f"two thresholds above 0 seconds, such as [20, 30], not {value}")
        return value


class Settings(_Section):
    """All settings; the composition root (``switchboard.app``) is the only reader."""

    ami: AmiSettings = AmiSettings()
    agi: AgiSettings = AgiSettings()
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    flows: FlowsSettings = FlowsSettings()
    queues: QueuesSettings = QueuesSettings()
    control: ControlSettings = ControlSettings()
    seat: SeatSettings = SeatSettings()
    web: WebSettings = WebSettings()
    wallboard: WallboardSettings = WallboardSettings()
    recorder: RecorderSettings = RecorderSettings()
    crm: CrmSettings = CrmSettings()
    reports: ReportSettings = ReportSettings()

    @field_validator("seat")
    @classmethod
    def _wrapup_reason_is_a_pause_reason(
        cls, seat: SeatSettings, info: ValidationInfo
    ) -> SeatSettings:
        queues = info.data.get("queues")
        reasons = queues.pause_reasons if isinstance(queues, QueuesSettings) else ()
        if not seat.wrapup_auto_ready and reasons and seat.wrapup_pause_reason not in reasons:
            raise ValueError(
                f"wrapup_pause_reason {seat.wrapup_pause_reason!r} is not one of [queues]"
                f" pause_reasons ({', '.join(reasons)}): add it there or choose one of them"
            )
        return seat
