"""One report value, four renderings: the same rows, numbers kept as numbers, intervals
with their offset, nothing as an empty cell or '-'."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from switchboard.reports.export import render, to_table
from switchboard.reports.table import Column, Report

REPORT = Report(
    "demo",
    "Demo report",
    (
        Column("interval", "Interval", "interval"),
        Column("queue", "Queue", "text"),
        Column("offered", "Offered", "count"),
        Column("asa_s", "Average speed of answer", "s"),
    ),
    (
        (datetime.fromisoformat("2026-10-25T01:00:00+01:00"), "sales", 3, 12.25),
        (datetime.fromisoformat("2026-10-25T01:00:00+00:00"), "sales", 0, None),
    ),
    {"from": datetime.fromisoformat("2026-10-25T00:00:00+01:00"), "queues": ["sales"]},
)


def test_json_rows_are_objects_with_numbers_and_offsets() -> None:
    body = json.loads(render(REPORT, "json"))
    assert body["rows"] == [
        {"interval": "2026-10-25T01:00:00+01:00", "queue": "sales", "offered": 3, "asa_s": 12.25},
        {"interval": "2026-10-25T01:00:00+00:00", "queue": "sales", "offered": 0, "asa_s": None},
    ]
    assert body["parameters"] == {"from": "2026-10-25T00:00:00+01:00", "queues": ["sales"]}
    assert body["columns"][3] == {"key": "asa_s", "label": "Average speed of answer", "unit": "s"}


def test_csv_has_the_keys_and_empty_cells_for_nothing() -> None:
    rows = list(csv.reader(io.StringIO(render(REPORT, "csv").decode())))
    assert rows == [
        ["interval", "queue", "offered", "asa_s"],
        ["2026-10-25T01:00:00+01:00", "sales", "3", "12.25"],
        ["2026-10-25T01:00:00+00:00", "sales", "0", ""],
    ]


def test_xlsx_keeps_numbers_as_numbers() -> None:
    book = load_workbook(io.BytesIO(render(REPORT, "xlsx")))
    assert list(book["demo"].values) == [
        ("Interval", "Queue", "Offered", "Average speed of answer"),
        ("2026-10-25T01:00:00+01:00", "sales", 3, 12.25),
        ("2026-10-25T01:00:00+00:00", "sales", 0, None),
    ]
    assert dict(book["parameters"].values)["queues"] == "sales"


def test_the_table_shows_labels_units_and_dashes() -> None:
    text = to_table(REPORT)
    assert "Demo report" in text and "Average speed of answer (s)" in text
    assert "2026-10-25T01:00+01:00" in text and "12.2" in text and " - " in text


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="row 0 has 1 cells, not 4"):
        Report("x", "X", REPORT.columns, (("only",),))
