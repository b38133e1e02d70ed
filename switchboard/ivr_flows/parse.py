# -*- test-case-name: tests.ivr.test_parse -*-
"""YAML flow files -> :class:`~.model.Flow` values, collecting every field-level problem.

Cross-step checks (dangling ``next``, reachability, loops, prompts, variables) are in
:mod:`.validate`; this module checks each step on its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import Any

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows._fields import Fields
from switchboard.ivr_flows.errors import FlowProblem
from switchboard.ivr_flows.interpolate import VARIABLE_NAME
from switchboard.ivr_flows.schedule import (
    parse_date_spec,
    parse_minute_range,
    parse_weekdays,
)
from switchboard.yamlines import LineDict, line_of

__all__ = ["Calendar", "parse_flow"]

Calendar = tuple[frozenset[date], frozenset[date]]  # holidays, make-up working days
_DIGITS = set("0123456789*#")
_OPS = ("equals", "not_equals", "in", "gte", "gt", "lte", "lt", "matches", "is_set", "is_empty")
_Builder = Callable[[Fields, dict[str, Any], Mapping[str, Calendar]], m.Step | None]


def _common(f: Fields) -> dict[str, Any]:
    variables: dict[str, str] = {}
    raw = f.mapping("set")
    if raw is not None:
        for name, value in raw.items():
            if not VARIABLE_NAME.match(str(name)):
                f.problem(
                    "set",
                    "invalid_field",
                    f"'{name}' is not a variable name",
                    "use letters, digits, '_' and '.'",
                )
            variables[str(name)] = "" if value is None else str(value)
    return {
        "id": f.step,
        "line": f.line(),
        "set": MappingProxyType(variables),
        "next": f.text("next"),
        "field_lines": MappingProxyType({str(k): v for k, v in f.data.key_lines.items()}),
    }


def _prompted(f: Fields) -> dict[str, Any]:
    return {
        "prompts": f.texts("prompts") or f.texts("prompt"),
        "retries": f.integer("retries", 2, low=0, high=9),
        "timeout_s": f.number("timeout_s", 5.0, low=0.5, high=60),
        "invalid_prompts": f.texts("invalid_prompts"),
        "timeout_prompts": f.texts("timeout_prompts"),
        "fallback": f.text("fallback"),
        "on_timeout": f.text("on_timeout"),
    }


def _play(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    prompts = f.texts("prompts") or f.texts("prompt")
    if not prompts:
        f.problem(None, "missing_field", "a play step needs 'prompts'", "add 'prompts: [name]'")
    return m.Play(**c, prompts=prompts, interruptible=f.flag("interruptible", True))


def _menu(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    options: dict[str, m.MenuOption] = {}
    raw = f.mapping("options", required="digit -> step")
    for key, value in (raw or LineDict()).items():
        line = raw.line_of(key) if raw is not None else 0
        if str(key) not in _DIGITS:
            f.problems.append(
                FlowProblem(
                    f.file,
                    line,
                    "invalid_field",
                    f"menu key '{key}' is not one keypad digit",
                    "use 0-9, '*' or '#' (quote '*' and '#')",
                    f.flow,
                    f.step,
                )
            )
            continue
        if isinstance(value, LineDict):
            sub = Fields(value, f.file, f.flow, f.step, f.problems)
            option = _common(sub)
            sub.finish()
            target = option["next"]
            options[str(key)] = m.MenuOption(next=target or "", set=option["set"], line=line)
        else:
            options[str(key)] = m.MenuOption(next=str(value), line=line)
    return m.Menu(
        **c,
        **_prompted(f),
        options=MappingProxyType(options),
        var=f.text("var", "menu_choice") or "menu_choice",
    )


def _collect(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    low = f.integer("min_digits", 1, low=1, high=64)
    high = f.integer("max_digits", max(low, 20), low=1, high=64)
    if high < low:
        f.problem(
            "max_digits",
            "invalid_field",
            "'max_digits' is below 'min_digits'",
            "raise max_digits or lower min_digits",
        )
    pattern = f.text("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            f.problem(
                "pattern",
                "invalid_field",
                f"'pattern' is not a regular expression: {exc}",
                "e.g. pattern: '[0-9]{6,12}'",
            )
            pattern = None
    var = f.text("var", required="the variable that receives the digits") or "digits"
    return m.Collect(
        **c,
        **_prompted(f),
        var=var,
        min_digits=low,
        max_digits=high,
        terminator=f.choice("terminator", ["#"], "#"),
        pattern=pattern,
        luhn=f.flag("luhn", False),
    )


def _say(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    kinds = [k for k in ("digits", "number", "date") if k in f.data]
    if len(kinds) != 1:
        f.problem(
            None,
            "missing_field",
            "a say step needs exactly one of digits/number/date",
            "e.g. 'number: ${customer.balance}'",
        )
        kinds = kinds[:1] or ["digits"]
    return m.Say(
        **c,
        kind=kinds[0],
        value=f.text(kinds[0], "") or "",
        interruptible=f.flag("interruptible", True),
    )


def _branch(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    cases: list[m.Case] = []
    raw: list[Any] = f.sequence("cases") or []
    for index, item in enumerate(raw):
        line = raw.line_of(index) if hasattr(raw, "line_of") else 0
        ops = [op for op in _OPS if isinstance(item, dict) and op in item]
        if (
            not isinstance(item, LineDict)
            or "var" not in item
            or "next" not in item
            or len(ops) != 1
        ):
            f.problems.append(
                FlowProblem(
                    f.file,
                    line,
                    "invalid_field",
                    "a case needs 'var', one test and 'next'",
                    f"e.g. '- {{var: customer.vip_level, gte: 2, next: vip}}' (tests: "
                    f"{', '.join(_OPS)})",
                    f.flow,
                    f.step,
                )
            )
            continue
        value = item[ops[0]]
        if ops[0] == "matches":
            try:
                re.compile(str(value))
            except re.error as exc:
                f.problems.append(
                    FlowProblem(
                        f.file,
                        line,
                        "invalid_field",
                        f"bad regular expression: {exc}",
                        "fix the pattern",
                        f.flow,
                        f.step,
                    )
                )
        cases.append(
            m.Case(var=str(item["var"]), op=ops[0], value=value, next=str(item["next"]), line=line)
        )
    return m.Branch(**c, cases=tuple(cases), default=f.text("default"))


def _hours(f: Fields, c: dict[str, Any], calendars: Mapping[str, Calendar]) -> m.Step:
    timezone = f.text("timezone", "UTC") or "UTC"
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except (ValueError, KeyError, OSError):
        f.problem(
            "timezone",
            "invalid_field",
            f"unknown timezone '{timezone}'",
            "use an IANA name such as Asia/Shanghai",
        )
        timezone = "UTC"
    schedule: dict[int, list[tuple[int, int]]] = {}
    raw = f.mapping("schedule", required="weekdays -> opening ranges") or LineDict()
    for days, ranges in raw.items():
        try:
            weekdays = parse_weekdays(str(days))
            spans = [
                parse_minute_range(str(r))
                for r in (ranges if isinstance(ranges, list) else [ranges])
            ]
        except ValueError as exc:
            f.problems.append(
                FlowProblem(
                    f.file,
                    raw.line_of(days),
                    "invalid_field",
                    f"bad schedule entry '{days}': {exc}",
                    'e.g. \'mon-fri: ["09:00-12:00", "13:00-18:00"]\'',
                    f.flow,
                    f.step,
                )
            )
            continue
        for day in weekdays:
            schedule.setdefault(day, []).extend(spans)
    holidays: set[date] = set()
    workdays: set[date] = set()
    for key, into in (("holidays", holidays), ("workdays", workdays)):
        items: list[Any] = f.sequence(key) or []
        for index, spec in enumerate(items):
            try:
                into.update(parse_date_spec(spec))
            except ValueError as exc:
                f.problems.append(
                    FlowProblem(
                        f.file,
                        line_of(items, index),
                        "invalid_field",
                        f"bad date in '{key}': {exc}",
                        "use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD",
                        f.flow,
                        f.step,
                    )
                )
    for name in f.texts("calendar"):
        if name not in calendars:
            f.problem(
                "calendar",
                "unknown_calendar",
                f"no calendar named '{name}'",
                f"define it in _calendars.yaml or use: {', '.join(calendars) or '(none)'}",
            )
            continue
        holidays.update(calendars[name][0])
        workdays.update(calendars[name][1])
    return m.Hours(
        **c,
        timezone=timezone,
        schedule=MappingProxyType({d: tuple(s) for d, s in schedule.items()}),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        open=f.text("open"),
        closed=f.text("closed"),
        holiday=f.text("holiday"),
    )


def _lookup(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    by = f.text("by", "caller") or "caller"
    kind = f.text("kind", "phone" if by == "caller" else "any") or "any"
    value = "${caller_number}" if by == "caller" else by
    vip: list[tuple[int, str]] = []
    raw = f.mapping("vip")
    for level, target in (raw or LineDict()).items():
        if not str(level).isdigit():
            f.problem(
                "vip",
                "invalid_field",
                f"VIP level '{level}' is not a number",
                "e.g. 'vip: {2: vip_menu}'",
            )
            continue
        vip.append((int(level), str(target)))
    return m.Lookup(
        **c,
        kind=kind,
        value=value,
        found=f.text("found"),
        not_found=f.text("not_found"),
        vip=tuple(sorted(vip, reverse=True)),
    )


def _language(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    raw = f.mapping("options", required="digit -> language code") or LineDict()
    options = {str(k): str(v) for k, v in raw.items()}
    for key in options:
        if key not in _DIGITS:
            f.problem(
                "options",
                "invalid_field",
                f"key '{key}' is not one keypad digit",
                "use 0-9, '*' or '#'",
            )
    return m.Language(
        **c, **_prompted(f), options=MappingProxyType(options), default=f.text("default")
    )


def _goto(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    return m.GotoFlow(
        **c, flow=f.text("flow", required="the flow to run") or "", returns=f.flag("return", False)
    )


def _queue(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    return m.QueueStep(
        **c,
        queue=f.text("queue", required="the queue name") or "",
        priority=f.text("priority", "") or "",
        skills=f.texts("skills"),
        dial=f.text("dial"),
        dial_timeout_s=f.integer("dial_timeout_s", 30, low=1, high=600),
        on_no_answer=f.text("on_no_answer"),
    )


def _voicemail(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    return m.Voicemail(
        **c,
        mailbox=f.text("mailbox", required="mailbox@context") or "",
        options=f.text("options", "u") or "",
    )


def _callback(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    window = None
    spec = f.text("window")
    if spec is not None:
        try:
            window = parse_minute_range(spec)
        except ValueError as exc:
            f.problem("window", "invalid_field", str(exc), 'e.g. window: "14:00-18:00"')
    return m.Callback(
        **c,
        number=f.text("number", "${caller_number}") or "",
        queue=f.text("queue", "") or "",
        within_minutes=f.integer("within_minutes", 120, low=1, high=7 * 24 * 60),
        window=window,
        timezone=f.text("timezone", "UTC") or "UTC",
    )


def _transfer(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    return m.Transfer(
        **c,
        extension=f.text("extension", required="where to send") or "",
        context=f.text("context", "from-internal") or "from-internal",
        priority=f.integer("priority", 1, low=1, high=999),
    )


def _survey(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    return m.Survey(
        **c,
        **_prompted(f),
        agent=f.text("agent", "") or "",
        queue=f.text("queue", "") or "",
        scale=f.integer("scale", 5, low=2, high=9),
        var=f.text("var", "csat_score") or "csat_score",
    )


def _recording(f: Fields, c: dict[str, Any], _cal: Mapping[str, Calendar]) -> m.Step:
    action = f.text("action", required="pause or resume") or ""
    if action and action not in m.RECORDING_ACTIONS:
        f.problem(
            "action",
            "invalid_field",
            f"'action' must be pause or resume, not '{action}'",
            "'action: pause' before the sensitive input, 'action: resume' after it",
        )
    return m.Recording(**c, action=action)


def _plain(cls: type[m.Step]) -> _Builder:
    return lambda _f, c, _cal: cls(**c)


_BUILDERS: dict[str, _Builder] = {
    "play": _play,
    "menu": _menu,
    "collect": _collect,
    "say": _say,
    "set": _plain(m.SetVars),
    "branch": _branch,
    "hours": _hours,
    "lookup": _lookup,
    "language": _language,
    "goto": _goto,
    "return": _plain(m.Return),
    "queue": _queue,
    "voicemail": _voicemail,
    "callback": _callback,
    "transfer": _transfer,
    "survey": _survey,
    "hangup": _plain(m.Hangup),
    "recording": _recording,
}


def parse_flow(
    data: Any, file: str, default_name: str, calendars: Mapping[str, Calendar] | None = None
) -> tuple[m.Flow | None, list[FlowProblem]]:
    """One flow from a file's parsed YAML, with every field-level problem."""
    problems: list[FlowProblem] = []
    if not isinstance(data, LineDict):
        problems.append(
            FlowProblem(
                file,
                line_of(data),
                "invalid_flow",
                "a flow file must be a mapping with 'steps'",
                "start the file with 'steps:'",
            )
        )
        return None, problems
    head = Fields(data, file, default_name, "", problems)
    name = head.text("flow", default_name) or default_name
    head.flow = name
    steps: dict[str, m.Step] = {}
    raw_steps = head.mapping("steps", required="the steps, in order")
    for step_id, raw in (raw_steps or LineDict()).items():
        step_id = str(step_id)
        line = raw_steps.line_of(step_id) if raw_steps is not None else 0
        if not isinstance(raw, LineDict):
            problems.append(
                FlowProblem(
                    file,
                    line,
                    "invalid_step",
                    "a step must be a mapping",
                    "write 'type: ...' and its fields under it",
                    name,
                    step_id,
                )
            )
            continue
        fields = Fields(raw, file, name, step_id, problems)
        kind = fields.text("type", required="what the step does")
        builder = _BUILDERS.get(kind or "")
        if builder is None:
            if kind is not None:
                close = difflib.get_close_matches(kind, list(_BUILDERS), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "use one of: " + ", ".join(_BUILDERS)
                )
                fields.problem("type", "unknown_step_type", f"unknown step type '{kind}'", hint)
            continue
        step = builder(fields, _common(fields), calendars or {})
        fields.finish()
        if step is not None:
            steps[step_id] = replace(step, line=line)  # the line of the step's name
    if raw_steps is not None and not raw_steps:
        head.problem("steps", "invalid_flow", "the flow has no steps", "add at least one step")
    channel_vars: dict[str, Any] = head.mapping("channel_variables") or {}
    variables: dict[str, Any] = head.mapping("variables") or {}
    flow = m.Flow(
        name=name,
        file=file,
        steps=MappingProxyType(steps),
        order=tuple(steps),
        language=head.text("language", "") or "",
        variables=MappingProxyType(
            {str(k): "" if v is None else str(v) for k, v in variables.items()}
        ),
        channel_variables=MappingProxyType({str(k): str(v) for k, v in channel_vars.items()}),
        answer=head.flag("answer", True),
        description=head.text("description", "") or "",
    )
    head.finish()
    return (flow if steps else None), problems
