# -*- test-case-name: tests.ivr.test_validate -*-
"""Load a flows directory: every flow file, the prompt manifest and holiday calendars.

Files whose name starts with ``_`` are not flows: ``_prompts.yaml`` (see :mod:`.prompts`)
and ``_calendars.yaml``::

    calendars:
      cn-2026:
        holidays: [2026-01-01, 2026-10-01..2026-10-07]
        workdays: [2026-09-27]        # make-up working days (调休)
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from switchboard.ivr_flows.errors import FlowError, FlowProblem
from switchboard.ivr_flows.model import Flow, FlowSet
from switchboard.ivr_flows.parse import Calendar, parse_flow
from switchboard.ivr_flows.prompts import MANIFEST_NAME, PromptCatalog, parse_manifest
from switchboard.ivr_flows.schedule import parse_date_spec
from switchboard.ivr_flows.validate import validate_flows
from switchboard.yamlines import LineDict, YamlSyntaxError, line_of, load_yaml

__all__ = ["CALENDARS_NAME", "check_directory", "flow_files", "load_calendars", "load_flows"]

CALENDARS_NAME: Final = "_calendars.yaml"
_SUFFIXES: Final = (".yaml", ".yml")


def flow_files(directory: Path) -> list[Path]:
    """Every YAML file of the directory that the loader reads, sorted."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.suffix in _SUFFIXES and p.is_file())


def _read(path: Path, problems: list[FlowProblem]) -> Any:
    """The file's YAML, or None with a problem added (an empty file is one: an editor or
    deploy that truncates before it writes must not retire the flow)."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.append(
            FlowProblem(str(path), exc.line, exc.code, f"not valid YAML: {exc}", exc.fix)
        )
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            FlowProblem(
                str(path),
                0,
                "unreadable",
                f"cannot read: {exc}",
                "check the file's permissions and that it is UTF-8",
            )
        )
    else:
        if data is not None:
            return data
        problems.append(
            FlowProblem(
                str(path),
                0,
                "empty_file",
                "the file is empty (no YAML document in it)",
                "write its content, or delete the file if it is not wanted",
            )
        )
    return None


def _calendars(data: Any, file: str, problems: list[FlowProblem]) -> dict[str, Calendar]:
    found: dict[str, Calendar] = {}
    raw = data.get("calendars") if isinstance(data, LineDict) else None
    if not isinstance(raw, LineDict):
        problems.append(
            FlowProblem(
                file,
                line_of(data),
                "invalid_calendar",
                "expected a 'calendars:' mapping",
                "calendars: {cn-2026: {holidays: [2026-10-01]}}",
            )
        )
        return found
    for name, spec in raw.items():
        days: list[set[Any]] = [set(), set()]
        for slot, key in enumerate(("holidays", "workdays")):
            items = spec.get(key) if isinstance(spec, LineDict) else None
            for index, item in enumerate(items or []):
                try:
                    days[slot].update(parse_date_spec(item))
                except ValueError as exc:
                    problems.append(
                        FlowProblem(
                            file,
                            line_of(items, index),
                            "invalid_calendar",
                            f"calendar '{name}': {exc}",
                            "use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD",
                        )
                    )
        found[str(name)] = (frozenset(days[0]), frozenset(days[1]))
    return found


def check_directory(directory: Path) -> tuple[FlowSet | None, list[FlowProblem]]:
    """Load and validate; the flow set is None when there is any problem."""
    problems: list[FlowProblem] = []
    if not directory.is_dir():
        problems.append(
            FlowProblem(
                str(directory),
                0,
                "no_directory",
                "no such directory",
                "create it, or point [flows] dir (SWITCHBOARD_FLOWS_DIR) at the right place",
            )
        )
        return None, problems
    catalog = PromptCatalog()
    manifest = directory / MANIFEST_NAME
    if manifest.exists():
        data = _read(manifest, problems)
        if data is not None:
            catalog, found = parse_manifest(data, str(manifest))
            problems.extend(found)
    calendars: dict[str, Calendar] = {}
    if (directory / CALENDARS_NAME).exists():
        data = _read(directory / CALENDARS_NAME, problems)
        if data is not None:
            calendars = _calendars(data, str(directory / CALENDARS_NAME), problems)
    flows: dict[str, Flow] = {}
    for path in flow_files(directory):
        if path.name.startswith("_"):
            continue
        data = _read(path, problems)
        if data is None:
            continue
        flow, found = parse_flow(data, str(path), path.stem, calendars)
        problems.extend(found)
        if flow is None:
            continue
        if flow.name in flows:
            problems.append(
                FlowProblem(
                    str(path),
                    1,
                    "duplicate_flow",
                    f"flow '{flow.name}' is also defined in {flows[flow.name].file}",
                    "rename one of them",
                    flow.name,
                )
            )
            continue
        flows[flow.name] = flow
    flow_set = FlowSet(MappingProxyType(flows), catalog)
    problems.extend(validate_flows(flow_set))
    return (None if problems else flow_set), problems


def load_flows(directory: Path) -> FlowSet:
    """The validated flows of ``directory``; raise :class:`FlowError` listing every problem."""
    flows, problems = check_directory(directory)
    if flows is None:
        raise FlowError(problems)
    return flows


def load_calendars(directory: Path) -> tuple[dict[str, Calendar], list[FlowProblem]]:
    """The holiday calendars of a flows directory (none when it has no _calendars.yaml),
    for other areas that honour the same days (the CRM's ticket SLAs)."""
    problems: list[FlowProblem] = []
    path = directory / CALENDARS_NAME
    if not path.exists():
        return {}, problems
    data = _read(path, problems)
    return ({} if data is None else _calendars(data, str(path), problems)), problems
