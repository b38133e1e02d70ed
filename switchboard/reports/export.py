# -*- test-case-name: tests.reports.test_export -*-
"""Any :class:`~.table.Report` as a terminal table (rich), CSV, JSON or XLSX (openpyxl).

CSV and JSON name columns by their ``key`` (stable for scripts); the table and the XLSX
sheet by their ``label`` (for people). Intervals are written as ISO 8601 with their UTC
offset everywhere, so that the two 01:00 hours of a day when the clocks go back stay
apart (Excel has no time zones: a date cell would merge them).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Literal

from switchboard.reports.table import Cell, Column, Report

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Format",
    "render",
    "to_csv",
    "to_json",
    "to_table",
    "to_xlsx",
]

Format = Literal["table", "csv", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "xlsx")
CONTENT_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "table": "text/plain; charset=utf-8",
}


def _text(value: Cell, column: Column) -> str:
    """A cell as people read it: seconds and percentages to one decimal, nothing as '-'."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, float) and column.unit in ("s", "pct", "score", "erlang"):
        return f"{value:.1f}"
    return str(value)


def to_table(report: Report, width: int = 200) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=report.title, show_lines=False)
    for column in report.columns:
        unit = {"s": " (s)", "pct": " (%)"}.get(column.unit, "")
        numeric = column.unit not in ("interval", "text")
        table.add_column(column.label + unit, justify="right" if numeric else "left")
    for row in report.rows:
        table.add_row(*(_text(v, c) for v, c in zip(row, report.columns, strict=True)))
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, legacy_windows=False).print(table)
    return out.getvalue()


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in report.columns])
    for row in report.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def to_json(report: Report) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=1)


def to_xlsx(report: Report) -> bytes:
    """A workbook: the rows on one sheet (labels as the header), the parameters on another."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(report.kind[:31])
    sheet.append([c.label for c in report.columns])
    for row in report.rows:
        sheet.append([_csv_cell(v) if isinstance(v, datetime) else v for v in row])
    about = book.create_sheet("parameters")
    for key, value in report.to_json()["parameters"].items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        about.append([key, shown])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report: Report, fmt: Format) -> bytes:
    """The report in ``fmt``, as the bytes of a file."""
    if fmt == "xlsx":
        return to_xlsx(report)
    text = {"table": to_table, "csv": to_csv, "json": to_json}[fmt](report)
    return text.encode("utf-8")
