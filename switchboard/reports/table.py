# -*- test-case-name: tests.reports.test_export -*-
"""One report as a value: what it is, its columns and its rows, and the parameters it was
made with. Every report (queue, agent, and later IVR, complaints, scorecards, forecast)
is one :class:`Report`; :mod:`.export` renders any of them as a table, CSV, JSON or XLSX.

A column's ``label`` is an English msgid (the web page translates it; the CLI prints it
as it is) and its ``unit`` tells a renderer and a chart what the numbers are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = ["UNITS", "Cell", "Column", "Report"]

# interval: a datetime (the start of an interval, with its offset); text: a name or code;
# count: a whole number (the forecast's offered calls: a mean of them); s: seconds; pct: a
# percentage 0..100; score: a mean score; erlang: traffic, agents' worth of work.
Unit = Literal["interval", "text", "count", "s", "pct", "score", "erlang"]
UNITS: tuple[Unit, ...] = ("interval", "text", "count", "s", "pct", "score", "erlang")
Cell = datetime | str | int | float | None  # None: no value (a mean of nothing)


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # stable, machine-readable: the JSON key and the CSV header
    label: str  # English msgid, for people
    unit: Unit


@dataclass(frozen=True)
class Report:
    kind: str
    title: str  # English msgid
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        width = len(self.columns)
        bad = [i for i, row in enumerate(self.rows) if len(row) != width]
        if bad:
            raise ValueError(f"row {bad[0]} has {len(self.rows[bad[0]])} cells, not {width}")

    def column(self, key: str) -> list[Cell]:
        """Every row's value in the column ``key``."""
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Cell]]:
        """The rows as ``{key: value}``."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        """The JSON form: numbers as numbers, intervals as ISO 8601 with their offset, rows
        as objects (a chart reads ``rows[i].offered``)."""
        return {
            "v": 1,
            "kind": self.kind,
            "title": self.title,
            "parameters": {k: _json_cell(v) for k, v in self.parameters.items()},
            "columns": [{"key": c.key, "label": c.label, "unit": c.unit} for c in self.columns],
            "rows": [{k: _json_cell(v) for k, v in r.items()} for r in self.records()],
        }


def _json_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_json_cell(v) for v in value]
    return value
