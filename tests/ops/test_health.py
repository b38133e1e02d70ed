"""``/healthz``: 200 with the details while AMI, the database and FastAGI are up; 503
naming each one that is down."""

from __future__ import annotations

from pathlib import Path

import pytest
from twisted.internet.defer import Deferred

from tests.ops.helpers import OpsStack, make_ops_stack


@pytest.fixture
def ops(tmp_path: Path) -> OpsStack:
    return make_ops_stack(tmp_path / "ops")


def test_all_up_is_200_with_details(ops: OpsStack) -> None:
    ops.switches.agi_active = 3
    answer = ops.get("/healthz")
    assert answer.status == 200
    body = answer.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"]["ami"]["ok"] and body["checks"]["database"]["ok"]
    assert body["checks"]["fastagi"]["sessions"] == 3


def test_ami_down_is_503_naming_ami(ops: OpsStack) -> None:
    ops.switches.ami = False
    answer = ops.get("/healthz")
    assert answer.status == 503
    assert answer.json()["down"] == ["ami"]
    assert answer.json()["checks"]["ami"]["detail"] == "not logged in to AMI"


def test_database_error_and_fastagi_down_are_both_named(ops: OpsStack) -> None:
    ops.switches.database = "error"
    ops.switches.agi = False
    answer = ops.get("/healthz")
    assert answer.status == 503
    assert answer.json()["down"] == ["database", "fastagi"]
    assert "connection refused" in answer.json()["checks"]["database"]["error"]


def test_a_hung_database_is_down_after_the_timeout(ops: OpsStack) -> None:
    ops.switches.database = "hung"
    pending = Deferred.fromCoroutine(ops.health.report())
    ops.clock.advance(1.9)
    assert not pending.called  # still within the 2 s database timeout
    ops.clock.advance(0.2)
    report = pending.result
    assert report.status == 503 and report.down == ["database"]
    assert "TimeoutError" in report.checks["database"]["error"]
