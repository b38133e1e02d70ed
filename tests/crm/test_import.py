"""Customer import: encodings as centres export them, every bad row reported, upserts
that make a re-run change nothing, and a resumed interrupted run."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, func, select, text

from switchboard.crm import importer
from switchboard.crm.identifiers import DEFAULT_RULES
from switchboard.crm.importer import ImportCounts, import_customers, rejects_path, state_path
from switchboard.crm.models import Customer, CustomerIdentifier
from switchboard.crm.reading import ReadError, open_source
from switchboard.crm.rows import plan_columns
from switchboard.crm.search import CustomerQuery, search_customers
from tests.crm.helpers import in_session, migrated_engine

TIERS = ("normal", "silver", "gold", "platinum")
HEADER = ["姓名", "手机", "身份证", "车牌", "VIP等级", "标签", "最近联系", "余额"]
ROWS = [
    [
        "张伟",
        "13800138000;010-62345678",
        "11010519491231002X",
        "粤B 12345",
        "gold",
        "投诉;老客户",
        "2026-11-20",
        "12.50",
    ],
    ["李雷", "139 0000 1111", "", "", "silver", "", "", ""],
    ["坏身份证", "13700001111", "110105194912310021", "", "", "", "", ""],  # bad checksum
    ["无等级", "13600001111", "", "", "diamond", "", "", ""],  # unknown tier
    ["", "13500001111", "", "", "", "", "", ""],  # no name
    ["无标识", "", "", "", "", "", "", ""],  # nothing to find them by
    ["韩梅梅", "13900001111", "", "粤B12345", "", "", "", ""],  # two owners
    ["张伟", "+86 138 0013 8000", "", "", "", "VIP", "2026-10-01", ""],  # same as row 1
    ["王五", "13300001111", "", "", "", "", "not a date", ""],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    with migrated_engine(database_url) as engine:
        yield engine


def run_import(engine: Engine, path: Path, batch: int = 1000, **kw: object) -> ImportCounts:
    source = open_source(path, **kw)  # type: ignore[arg-type]
    plan = plan_columns(source.headers, DEFAULT_RULES)
    return import_customers(engine, source, plan, rules=DEFAULT_RULES, vip_tiers=TIERS, batch=batch)


def rejects_of(path: Path) -> list[tuple[str, str, str]]:
    with rejects_path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["line", "column", "reason"]
    return [(r[0], r[1], r[2]) for r in rows[1:]]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_mixed_file_imports_good_rows_and_reports_every_bad_one(
    engine: Engine, tmp_path: Path, encoding: str
) -> None:
    path = write_csv(tmp_path / "客户.csv", ROWS, encoding)
    counts = run_import(engine, path)
    assert (counts.created, counts.updated, counts.unchanged, counts.rejected) == (2, 1, 0, 6)
    rejects = rejects_of(path)
    assert [(line, column) for line, column, _ in rejects] == [
        ("4", "身份证"),
        ("5", "VIP等级"),
        ("6", "姓名"),
        ("7", "(identifiers)"),
        ("8", "车牌"),
        ("10", "最近联系"),
    ]
    reasons = [reason for *_, reason in rejects]
    assert "not a valid resident ID" in reasons[0]
    assert reasons[1] == "unknown VIP tier 'diamond'; tiers: normal, silver, gold, platinum"
    assert reasons[4].startswith("plate 粤B12345 already belongs to the customer of line 2 (张伟)")
    zhang = in_session(engine, lambda s: search_customers(s, CustomerQuery("zw")).customers[0])
    assert zhang["name"] == "张伟"
    assert zhang["vip_level"] == 2
    assert zhang["tags"] == ["VIP", "投诉", "老客户"]
    assert zhang["attributes"] == {"余额": "12.50"}
    assert {(i["kind"], i["value"]) for i in zhang["identifiers"]} == {
        ("phone", "13800138000"),
        ("phone", "01062345678"),
        ("id_card", "11010519491231002X"),
        ("plate", "粤B12345"),
    }


def test_a_rerun_changes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "customers.csv", ROWS, "utf-8-sig")
    run_import(engine, path)
    # A customer whose identifiers are looked up in different chunks is still one customer.
    monkeypatch.setattr("switchboard.crm.upsert._CHUNK", 1)
    again = run_import(engine, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 6)
    assert in_session(engine, lambda s: s.scalar(select(func.count()).select_from(Customer))) == 2


def test_an_interrupted_import_resumes_where_it_stopped(engine: Engine, tmp_path: Path) -> None:
    rows = [[f"客户{n}", f"1380000{n:04d}", "", "", "", "", "", ""] for n in range(25)]
    rows[12][1] = "12"  # one bad row in the second batch
    path = write_csv(tmp_path / "big.csv", rows, "gb18030")
    source = open_source(path)
    plan = plan_columns(source.headers, DEFAULT_RULES)
    seen: list[int] = []

    def stop_after_two_batches(done: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_customers(
            engine,
            source,
            plan,
            rules=DEFAULT_RULES,
            vip_tiers=TIERS,
            batch=10,
            progress=stop_after_two_batches,
        )
    assert state_path(path).exists()
    counts = run_import(engine, path, batch=10)
    assert counts.resumed_from_line == 21  # two batches of ten after the header
    assert (counts.created, counts.rejected) == (24, 1)
    assert not state_path(path).exists()
    assert [line for line, *_ in rejects_of(path)] == ["14"]
    stored = in_session(
        engine, lambda s: s.scalar(select(func.count()).select_from(CustomerIdentifier))
    )
    assert stored == 24


def test_xlsx_with_a_mapping(engine: Engine, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["客户", "mobile no", "plate", "remark"])
    sheet.append(["赵六", 13800001234, "京A 8888", "call after 6"])
    sheet.append(["钱七", 13800005678.0, None, None])
    path = tmp_path / "export.xlsx"
    book.save(path)
    source = open_source(path)
    plan = plan_columns(source.headers, DEFAULT_RULES, {"mobile no": "phone", "remark": "notes"})
    counts = import_customers(engine, source, plan, rules=DEFAULT_RULES, vip_tiers=TIERS)
    assert (counts.created, counts.rejected) == (2, 0)
    found = in_session(engine, lambda s: search_customers(s, CustomerQuery("1234")).customers)
    assert [(c["name"], c["notes"]) for c in found] == [("赵六", "call after 6")]


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        (["x" * 5000, "13800001234"], "姓名", "longer than 4000"),
        (["a\x00b", "13800001234"], "姓名", "binary"),
        (["Robert'); DROP TABLE crm_customer;--", "' OR 1=1"], "手机", "not a phone number"),
    ],
)
def test_hostile_cells_are_rejected_or_stored_as_text(
    engine: Engine, tmp_path: Path, cells: list[str], column: str, reason: str
) -> None:
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["姓名", "手机"], cells, ["O'Brien; --", "13800009999"]])
    counts = run_import(engine, path)
    assert (counts.created, counts.rejected) == (1, 1)
    [(line, got_column, got_reason)] = rejects_of(path)
    assert (line, got_column) == ("2", column)
    assert reason in got_reason
    found = in_session(engine, lambda s: search_customers(s, CustomerQuery("9999")).customers)
    assert found[0]["name"] == "O'Brien; --"


def test_unreadable_files_are_refused_naming_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("姓名,手机\n张伟,13800138000\n".encode("gb18030"))
    with pytest.raises(ReadError, match="give the right one with --encoding"):
        open_source(path, "utf-8")
    assert open_source(path).encoding == "gb18030"
    twice = tmp_path / "twice.csv"
    twice.write_text("姓名,手机,手机\n", encoding="utf-8")
    with pytest.raises(ReadError, match="column '手机' appears twice"):
        open_source(twice)
    with pytest.raises(ValueError, match="no column holds the name"):
        plan_columns(("手机",), DEFAULT_RULES)
    with pytest.raises(ValueError, match="the mapping's field 'phon' is unknown"):
        plan_columns(("姓名", "tel"), DEFAULT_RULES, {"tel": "phon"})


def test_an_interrupt_while_a_batch_is_written_keeps_that_batch(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are checked while the batch before is written: a stop then waits for that
    batch and records it, so the resume neither loses nor recounts its rows."""
    rows = [[f"客户{n}", f"1380000{n:04d}", "", "", "", "", "", ""] for n in range(25)]
    path = write_csv(tmp_path / "big.csv", rows, "utf-8")
    check_row = importer.check_row

    def stop_in_the_third_batch(cells: tuple[str, ...], *args: object) -> object:
        if cells[0] == "客户23":
            raise KeyboardInterrupt
        return check_row(cells, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "check_row", stop_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        run_import(engine, path, batch=10)
    monkeypatch.setattr(importer, "check_row", check_row)
    counts = run_import(engine, path, batch=10)
    assert counts.resumed_from_line == 21  # the second batch was written, and recorded
    assert (counts.created, counts.unchanged, counts.rejected) == (25, 0, 0)


def test_awkward_text_is_stored_as_given(engine: Engine, tmp_path: Path) -> None:
    """Tabs, backslashes, quotes and new lines in names and free fields (written by COPY
    on PostgreSQL) come back unchanged; customers are numbered in file order."""
    path = tmp_path / "awkward.csv"
    rows = [
        ["姓名", "手机", "备注", "余额"],
        ["a\tb\\c", "13800000001", "line 1\nline 2", 'say "hi"\\N'],
        ["D'Arcy", "13800000002", "\\.", "{}"],
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert run_import(engine, path).created == 2
    stored = in_session(
        engine,
        lambda s: [
            (c.name, c.notes, c.attributes)
            for c in s.scalars(select(Customer).order_by(Customer.id))
        ],
    )
    assert stored == [
        ("a\tb\\c", "line 1\nline 2", {"余额": 'say "hi"\\N'}),
        ("D'Arcy", "\\.", {"余额": "{}"}),
    ]


def test_postgresql_statistics_follow_the_import_as_it_grows(
    engine: Engine, tmp_path: Path
) -> None:
    # Planned from statistics of an empty table, each batch's look-up scans the whole
    # table, and a large import slows to minutes: the import analyzes what it grew.
    rows = [[f"客户{n}", f"13{n:09d}", "", "", "", "vip", "", ""] for n in range(60)]
    path = write_csv(tmp_path / "grow.csv", rows, "utf-8")
    source = open_source(path)
    plan = plan_columns(source.headers, DEFAULT_RULES)
    counts = import_customers(
        engine, source, plan, rules=DEFAULT_RULES, vip_tiers=TIERS, batch=10, analyze_from=20
    )
    assert counts.created == 60
    if engine.dialect.name != "postgresql":
        return  # SQLite plans from its indexes alone
    known = "SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)"
    with engine.connect() as conn:
        believed = {
            table: conn.scalar(text(known), {"table": table})
            for table in ("crm_customer", "crm_customer_identifier", "crm_customer_tag")
        }
    # Analyzed after 20 and 40 rows, so the planner knows at least 40 of each.
    assert all(count is not None and count >= 40 for count in believed.values()), believed
