# -*- test-case-name: tests.ivr.test_validate -*-
"""Cross-step checks of a set of flows: every problem is collected, none stops the others.

* ``dangling_next``: a transition names a step the flow does not have;
* ``unknown_flow``: ``goto`` names a flow that does not exist;
* ``unreachable_step``: no path leads to the step from the flow's first step;
* ``loop_without_input``: a cycle of steps none of which waits for the caller;
* ``missing_prompt``: a prompt lacks a file in a required language or the fallback;
* ``undefined_variable``: ``${name}`` (or a branch ``var``) nothing defines.

A variable is defined when it is built in (:data:`BUILTIN_VARIABLES`, ``arg1``..,
``query.*``), declared under the flow's ``variables``/``channel_variables``, set by any
step of the flow, or defined in a flow that calls this one with ``goto`` (or, with
``return: true``, in the flow it calls).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows.errors import FlowProblem
from switchboard.ivr_flows.interpolate import references

__all__ = ["BUILTIN_VARIABLES", "edges", "next_of", "step_prompts", "validate_flows"]

BUILTIN_VARIABLES: Final = frozenset(
    {
        "caller_number",
        "caller_name",
        "channel",
        "call_id",
        "uniqueid",
        "dnid",
        "rdnis",
        "context",
        "extension",
        "language",
        "flow",
        "ivr_digits",
        "hours",
    }
)
_DYNAMIC: Final = re.compile(r"^(arg\d+|query\..+)$")


def next_of(flow: m.Flow, step: m.Step) -> str | None:
    """Where a step goes when it simply carries on: ``next``, else the step below."""
    return step.next if step.next is not None else flow.below(step.id)


def edges(flow: m.Flow, step: m.Step) -> Iterator[tuple[str | None, str]]:
    """Every (target step, field) a step can go to; target None means "end of flow"."""
    after = next_of(flow, step)
    if isinstance(step, m.Menu):
        for key, option in step.options.items():
            yield option.next, f"options.{key}"
    elif isinstance(step, m.Branch):
        for case in step.cases:
            yield case.next, "cases"
        yield step.default or after, "default"
    elif isinstance(step, m.Hours):
        yield step.open or after, "open"
        yield step.closed or after, "closed"
        yield step.holiday or step.closed or after, "holiday"
    elif isinstance(step, m.Lookup):
        yield step.found or after, "found"
        yield step.not_found or after, "not_found"
        for _, target in step.vip:
            yield target, "vip"
    if isinstance(step, m.Menu | m.Collect | m.Language | m.Survey):
        if step.fallback is not None:
            yield step.fallback, "fallback"
        if step.on_timeout is not None:
            yield step.on_timeout, "on_timeout"
    if isinstance(step, m.QueueStep) and step.on_no_answer is not None:
        yield step.on_no_answer, "on_no_answer"
    if isinstance(step, (m.Menu, m.Branch, m.Hours, m.Lookup, *m.TERMINAL_STEP_TYPES)):
        return
    if isinstance(step, m.GotoFlow) and not step.returns:
        return
    if isinstance(step, m.QueueStep) and step.dial is None:
        return
    if isinstance(step, m.Voicemail):
        yield step.next, "next"
        return
    yield after, "next"


def step_prompts(step: m.Step) -> Iterator[tuple[str, str]]:
    """Each prompt a step plays, with the field that names it."""
    if isinstance(step, m.Play):
        yield from ((p, "prompts") for p in step.prompts)
    if isinstance(step, m.Menu | m.Collect | m.Language | m.Survey):
        for field in ("prompts", "invalid_prompts", "timeout_prompts"):
            yield from ((p, field) for p in getattr(step, field))


def _templates(step: m.Step) -> Iterator[tuple[str, str]]:
    yield from ((value, f"set.{name}") for name, value in step.set.items())
    for field in ("value", "queue", "priority", "dial", "mailbox", "number", "extension", "agent"):
        value = getattr(step, field, None)
        if isinstance(value, str):
            yield value, field
    yield from step_prompts(step)
    if isinstance(step, m.Menu):
        for key, option in step.options.items():
            yield from ((v, f"options.{key}.set") for v in option.set.values())


def _defined(flow: m.Flow) -> set[str]:
    names = set(flow.variables) | set(flow.channel_variables)
    for step in flow.steps.values():
        names.update(step.set)
        if isinstance(step, m.Menu | m.Collect | m.Survey):
            names.add(step.var)
        if isinstance(step, m.Menu):
            for option in step.options.values():
                names.update(option.set)
        if isinstance(step, m.Lookup):
            names.add("customer.")
    return names


def _is_defined(name: str, defined: set[str]) -> bool:
    if name in BUILTIN_VARIABLES or name in defined or _DYNAMIC.match(name):
        return True
    return name.startswith("customer.") and "customer." in defined


def _cycles_without_input(flow: m.Flow) -> list[list[str]]:
    """Strongly connected groups of non-input steps that can loop (Tarjan)."""
    graph: dict[str, list[str]] = {
        sid: [
            t
            for t, _ in edges(flow, step)
            if t is not None
            and t in flow.steps
            and not isinstance(flow.steps[t], m.INPUT_STEP_TYPES)
        ]
        for sid, step in flow.steps.items()
        if not isinstance(step, m.INPUT_STEP_TYPES)
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                item = stack.pop()
                group.append(item)
                if item == node:
                    break
            if len(group) > 1 or node in graph[node]:
                found.append(sorted(group, key=flow.order.index))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def _check_flow(flow: m.Flow, flows: m.FlowSet, defined: set[str]) -> list[FlowProblem]:
    problems: list[FlowProblem] = []

    def add(step: m.Step, field: str, code: str, message: str, fix: str) -> None:
        line = step.line_of(field.split(".")[0]) if field else step.line
        if field.startswith("options.") and isinstance(step, m.Menu):
            option = step.options.get(field.split(".")[1])
            line = option.line if option is not None else line
        problems.append(FlowProblem(flow.file, line, code, message, fix, flow.name, step.id))

    for step in flow.steps.values():
        links = set(edges(flow, step))
        if step.next is not None:  # also on steps that never use it (a typo all the same)
            links.add((step.next, "next"))
        for target, field in sorted(links, key=lambda link: (link[1], str(link[0]))):
            if target is not None and target not in flow.steps:
                add(
                    step,
                    field,
                    "dangling_next",
                    f"'{field}' goes to '{target}', which is not a step of this flow",
                    f"use one of: {', '.join(flow.order)}",
                )
        if isinstance(step, m.GotoFlow) and step.flow not in flows.flows:
            add(
                step,
                "flow",
                "unknown_flow",
                f"no flow named '{step.flow}'",
                f"use one of: {', '.join(sorted(flows.flows))}",
            )
        if (
            isinstance(step, m.GotoFlow)
            and step.returns
            and step.next is None
            and (flow.below(step.id) is None)
        ):
            add(
                step,
                "return",
                "invalid_field",
                "'return: true' but nothing to return to",
                "add 'next:' or a step below",
            )
        for prompt, field in step_prompts(step):
            missing = flows.prompts.missing_languages(prompt)
            if missing:
                add(
                    step,
                    field,
                    "missing_prompt",
                    f"prompt '{prompt}' has no file for language(s) {', '.join(missing)}",
                    f"record it and list it in _prompts.yaml: '{prompt}: [...]'",
                )
        for template, field in _templates(step):
            for name in references(template):
                if not _is_defined(name, defined):
                    add(
                        step,
                        field,
                        "undefined_variable",
                        f"'${{{name}}}' is never set",
                        f"set it in an earlier step or declare it under 'variables: {{{name}: "
                        '""}\'',
                    )
        if isinstance(step, m.Branch):
            for case in step.cases:
                if not _is_defined(case.var, defined):
                    problems.append(
                        FlowProblem(
                            flow.file,
                            case.line,
                            "undefined_variable",
                            f"branch tests '{case.var}', which is never set",
                            "set it in an earlier step or declare it under 'variables'",
                            flow.name,
                            step.id,
                        )
                    )
    recording = [s for s in flow.steps.values() if isinstance(s, m.Recording)]
    if any(s.action == "pause" for s in recording) and all(s.action != "resume" for s in recording):
        pause = next(s for s in recording if s.action == "pause")
        add(
            pause,
            "action",
            "recording_not_resumed",
            "this flow pauses the call's recording and never resumes it: the rest of the"
            " call, the agent's talk included, would be silence",
            "add a step '{type: recording, action: resume}' after the sensitive input",
        )
    reached: set[str] = set()
    todo = [flow.start]
    while todo:
        sid = todo.pop()
        if sid in reached or sid not in flow.steps:
            continue
        reached.add(sid)
        todo.extend(t for t, _ in edges(flow, flow.steps[sid]) if t is not None)
    for sid in flow.order:
        if sid not in reached:
            add(
                flow.steps[sid],
                "",
                "unreachable_step",
                "no path leads to this step",
                "point a 'next' (or an option) at it, or delete it",
            )
    for group in _cycles_without_input(flow):
        first = flow.steps[group[0]]
        add(
            first,
            "",
            "loop_without_input",
            "steps " + " -> ".join(group) + " loop for ever without waiting for the caller",
            "break the loop or put a menu/collect in it",
        )
    return problems


def validate_flows(flows: m.FlowSet) -> list[FlowProblem]:
    """Every cross-step problem of every flow, in file order."""
    defined = {name: _defined(flow) for name, flow in flows.flows.items()}
    changed = True
    while changed:  # variables flow into called flows (fixed point over goto edges)
        changed = False
        for name, flow in flows.flows.items():
            for step in flow.steps.values():
                if isinstance(step, m.GotoFlow) and step.flow in defined:
                    before = len(defined[step.flow]) + len(defined[name])
                    defined[step.flow] |= defined[name]
                    if step.returns:  # what the called flow sets is known after it returns
                        defined[name] |= defined[step.flow]
                    changed |= len(defined[step.flow]) + len(defined[name]) != before
    problems: list[FlowProblem] = []
    for name in sorted(flows.flows, key=lambda n: flows.flows[n].file):
        problems.extend(_check_flow(flows.flows[name], flows, defined[name]))
    return problems
