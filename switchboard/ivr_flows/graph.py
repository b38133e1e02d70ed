# -*- test-case-name: tests.ivr.test_commands -*-
"""Draw a flow as a Mermaid flowchart or a Graphviz DOT graph."""

from __future__ import annotations

import re

from switchboard.ivr_flows import model as m
from switchboard.ivr_flows.validate import edges

__all__ = ["to_dot", "to_mermaid"]

_END = "__end__"


def _node_id(step_id: str) -> str:
    return "s_" + re.sub(r"[^A-Za-z0-9_]", "_", step_id)


def _label(flow: m.Flow, step: m.Step) -> str:
    kind = m.STEP_TYPE_NAMES[type(step)]
    extra = ""
    if isinstance(step, m.QueueStep):
        extra = f" {step.queue}"
    elif isinstance(step, m.GotoFlow):
        extra = f" {step.flow}"
    elif isinstance(step, m.Play) and step.prompts:
        extra = f" {step.prompts[0]}"
    return f"{step.id}\\n({kind}{extra})"


def _edge_label(field: str) -> str:
    return (
        field.removeprefix("options.")
        if field.startswith("options.")
        else ("" if field == "next" else field)
    )


def _transitions(flow: m.Flow) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for step in flow.steps.values():
        for target, field in edges(flow, step):
            edge = (step.id, target or _END, _edge_label(field))
            if edge not in seen:
                seen.add(edge)
                found.append(edge)
    return found


def to_mermaid(flow: m.Flow) -> str:
    lines = ["flowchart TD"]
    for step in flow.steps.values():
        label = _label(flow, step).replace("\\n", "<br/>").replace('"', "'")
        shape = ('{{"%s"}}' if isinstance(step, m.INPUT_STEP_TYPES) else '["%s"]') % label
        lines.append(f"    {_node_id(step.id)}{shape}")
    lines.append(f"    {_node_id(_END)}((end))")
    for source, target, label in _transitions(flow):
        arrow = f" -->|{label}| " if label else " --> "
        lines.append(f"    {_node_id(source)}{arrow}{_node_id(target)}")
    return "\n".join(lines) + "\n"


def to_dot(flow: m.Flow) -> str:
    lines = [f'digraph "{flow.name}" {{', "    rankdir=TB;", "    node [shape=box];"]
    for step in flow.steps.values():
        shape = ", shape=diamond" if isinstance(step, m.INPUT_STEP_TYPES) else ""
        lines.append(f'    {_node_id(step.id)} [label="{_label(flow, step)}"{shape}];')
    lines.append(f'    {_node_id(_END)} [label="end", shape=circle];')
    for source, target, label in _transitions(flow):
        attr = f' [label="{label}"]' if label else ""
        lines.append(f"    {_node_id(source)} -> {_node_id(target)}{attr};")
    lines.append("}")
    return "\n".join(lines) + "\n"
