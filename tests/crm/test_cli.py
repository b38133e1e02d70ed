"""``switchboard customers import|search|show`` on the settings' database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.cli import parser_for
from switchboard.config import Settings
from switchboard.config.model import DatabaseSettings


def _run(tmp_path: Path, *argv: str) -> int:
    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'crm.sqlite'}"))
    args = parser_for(argv[0]).parse_args(list(argv))
    return int(args.run(args, settings))


def test_import_then_search_by_pinyin_and_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "客户.csv"
    source.write_bytes("姓名,手机,标签\n张伟,13800138000,vip\n坏号码,12,\n".encode("gb18030"))
    assert _run(tmp_path, "customers", "import", str(source)) == 1  # a row was rejected
    out = capsys.readouterr().out
    assert "(gb18030): 2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "客户.csv.rejects.csv" in out

    assert _run(tmp_path, "customers", "search", "zw", "--json") == 0
    [found] = json.loads(capsys.readouterr().out)["customers"]
    assert (found["name"], found["tags"], found["match"]) == ("张伟", ["vip"], "initials")

    assert _run(tmp_path, "customers", "search", "--tag", "vip") == 0
    assert "张伟" in capsys.readouterr().out
    assert _run(tmp_path, "customers", "show", str(found["id"])) == 0
    assert json.loads(capsys.readouterr().out)["identifiers"] == [
        {"kind": "phone", "value": "13800138000"}
    ]


def test_a_refused_search_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path, "customers", "search", "x" * 200) == 2
    assert "limited to 100 characters" in capsys.readouterr().err
    assert _run(tmp_path, "customers", "import", str(tmp_path / "none.csv")) == 2
    assert "no such file" in capsys.readouterr().err


def test_tickets_open_work_list_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from switchboard.crm.ticket_commands import run as tickets

    settings = Settings(database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'crm.sqlite'}"))
    friday_5pm = datetime(2026, 9, 25, 17, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()

    def ticket_cli(*argv: str, now: float = friday_5pm) -> int:
        args = parser_for("tickets").parse_args(["tickets", *argv, "--as", "zhao"])
        return tickets(args, settings, now=now)

    assert (
        ticket_cli(
            "open",
            "--category",
            "quality",
            "--priority",
            "urgent",
            "--subject",
            "空调不制冷",
            "--call",
            "c-1",
        )
        == 0
    )
    opened = json.loads(capsys.readouterr().out)
    assert (opened["status"], opened["owner"], opened["links"]) == (
        "open",
        "zhao",
        [{"kind": "call", "ref": "c-1"}],
    )
    due = datetime.fromtimestamp(opened["due_at"], ZoneInfo("Asia/Shanghai"))
    assert due.strftime("%a %H:%M") == "Mon 12:00"  # 4 business hours over the weekend

    assert ticket_cli("set", "1", "--status", "closed") == 1
    assert "from open it can become: in_progress, resolved" in capsys.readouterr().err
    assert ticket_cli("list", "--overdue", now=friday_5pm + 4 * 86400) == 0
    assert "OVERDUE" in capsys.readouterr().out
    assert ticket_cli("set", "1", "--status", "resolved") == 0
    assert ticket_cli("report", "--from", "2026-09-01", "--to", "2026-09-30") == 0
    out = capsys.readouterr().out
    [quality] = [line for line in out.splitlines() if line.startswith("quality")]
    assert quality.split() == (
        [
            "quality",
            "质量",
            "opened",
            "1",
            "resolved",
            "1",
            "within",
            "SLA",
            "1",
            "closure",
            "rate",
            "100%",
        ]
    )


def test_merge_history_and_unmerge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "dupes.csv"
    source.write_text("姓名,手机\n张伟,13800138000\n张伟,01062345678\n", encoding="utf-8")
    assert _run(tmp_path, "customers", "import", str(source)) == 0
    capsys.readouterr()
    assert _run(tmp_path, "customers", "merge", "1", "2", "--as", "li") == 0
    merge = json.loads(capsys.readouterr().out)
    assert (merge["survivor_id"], merge["merged_id"], merge["actor"]) == (1, 2, "li")
    assert _run(tmp_path, "customers", "history", "1") == 0
    history = json.loads(capsys.readouterr().out)
    assert sorted(i["value"] for i in history["customer"]["identifiers"]) == [
        "01062345678",
        "13800138000",
    ]
    assert _run(tmp_path, "customers", "merge", "2", "1") == 1
    assert "was merged into 1; use that one" in capsys.readouterr().err
    assert _run(tmp_path, "customers", "unmerge", str(merge["id"]), "--as", "admin") == 0
    assert json.loads(capsys.readouterr().out)["undone_by"] == "admin"
    assert _run(tmp_path, "customers", "search", "01062345678", "--json") == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)["customers"]] == [2]
