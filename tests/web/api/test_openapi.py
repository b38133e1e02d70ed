"""``/api/v1/openapi.json``: a valid OpenAPI 3.1 document, generated from the handlers'
models, and every route it documents answers as documented."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from switchboard.crm.directory import add_customer
from switchboard.queue.core.model import AgentState
from switchboard.reports.forecast import WEEKDAYS
from switchboard.web.api.tokens import SCOPES
from tests.reports.test_forecast import SeedCall, store
from tests.web.api.helpers import AGENT_CHANNEL, ApiStack, make_api_stack
from tests.web.api.test_calls import _calls

# A value for each path parameter that names something the stack has.
PATH_VALUES = {
    "agent_id": "1001",
    "name": "sales",
    "call_id": "c1",
    "customer_id": "1",
    "monitoring_id": "1",
    "merge_id": "1",
    "ticket_id": "1",
    "kind": "queue",
}
BODIES = {
    "/api/v1/agents/{agent_id}/monitor": {"mode": "listen", "device": "PJSIP/9000"},
    "/api/v1/calls/{call_id}/priority": {"priority": 5},
    "/api/v1/calls/{call_id}/move": {"queue": "support"},
    "/api/v1/customers/{customer_id}/merge": {"duplicate_id": 2},
    "/api/v1/tickets": {"type": "complaint", "category": "quality", "subject": "空调不制冷"},
    "/api/v1/tickets/{ticket_id}": {"priority": "high"},
    "/api/v1/tickets/{ticket_id}/comments": {"body": "已联系客户"},
    "/api/v1/tickets/{ticket_id}/links": {"kind": "call", "ref": "c1"},
    "/api/v1/tickets/{ticket_id}/transition": {"to": "in_progress"},
}
QUERY = {
    "/api/v1/customers": "?q=5550101",
    "/api/v1/reports/{kind}": "?from=2026-12-01&to=2026-12-01&interval=day",
}


@pytest.fixture
def stack(tmp_path: Path) -> ApiStack:
    s = make_api_stack(tmp_path / "api")
    s.run(_calls)
    s.run(lambda session: add_customer(session, "Zhang Wei", {"account": "A-1"}))  # a duplicate
    return s


def _document(stack: ApiStack) -> dict[str, Any]:
    answer = stack.browser().get("/api/v1/openapi.json")
    assert answer.status == 200
    document: dict[str, Any] = answer.json()
    return document


def test_the_document_is_valid_openapi_3_1(stack: ApiStack) -> None:
    document = _document(stack)
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises with the path of the first problem


def test_the_document_lists_every_area(stack: ApiStack) -> None:
    paths = set(_document(stack)["paths"])
    assert {
        "/api/v1/agents",
        "/api/v1/agents/{agent_id}",
        "/api/v1/agents/{agent_id}/pause",
        "/api/v1/queues",
        "/api/v1/queues/{name}",
        "/api/v1/calls",
        "/api/v1/calls/{call_id}",
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/history",
        "/api/v1/merges/{merge_id}/undo",
        "/api/v1/tickets",
        "/api/v1/tickets/{ticket_id}",
        "/api/v1/tickets/report",
    } <= paths


def _schema_check(document: dict[str, Any], ref: dict[str, Any], body: Any) -> None:
    """``body`` against the response schema the document gives (its refs resolved)."""
    name = "urn:switchboard-api"
    registry: Registry[Any] = Registry().with_resource(
        name, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    pointer = {"$ref": name + ref["$ref"]}
    Draft202012Validator(pointer, registry=registry).validate(body)


def test_every_documented_route_answers_with_its_documented_schema(stack: ApiStack) -> None:
    stack.agent_changed("1001", AgentState.READY)
    stack.agent_on_call()
    stack.acd.caller_waits("c1", "sales")  # for the priority change, then the move
    document = _document(stack)
    token = stack.token(*SCOPES)
    exercised = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
            url += QUERY.get(path, "")
            body: Any = BODIES.get(path, {}) if method in ("post", "patch") else None
            answer = stack.bearer(token, method.upper(), url, body)
            status = str(answer.status)
            # In document order the agent logs in, ... logs out: then there is no wrap-up.
            expected = "409" if url.endswith("/finish-wrapup") else "200"
            assert status == expected, (method, url, answer.text)
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            _schema_check(document, schema, answer.json())
            if path.endswith("/monitor"):  # the supervisor's phone answers: ChanSpy starts
                stack.ami.emit(
                    "ChanSpyStart", SpyerChannel="PJSIP/9000-01", SpyeeChannel=AGENT_CHANNEL
                )
            exercised += 1
    # agents 2, control 5, supervise 3, queues 2, calls 2, waiting callers 2, customers 4,
    # merges 2, tickets 8, reports 1
    assert exercised == 31


def test_the_forecast_kind_answers_with_the_report_schema_and_its_parameters(
    stack: ApiStack,
) -> None:
    """The reports' one route with the forecast's own parameters, documented from the
    same query model: it answers with the documented report schema."""
    document = _document(stack)
    operation = document["paths"]["/api/v1/reports/{kind}"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"target", "weeks", "shrinkage", "max_occupancy", "weekday", "interval"} <= names
    now = datetime.fromtimestamp(stack.clock.seconds(), UTC)
    store(stack.database.engine, [SeedCall("sales", now - timedelta(days=7), 120.0)])
    answer = stack.bearer(
        stack.token(*SCOPES),
        "GET",
        "/api/v1/reports/forecast?queue=sales&target=80/20&weeks=1&shrinkage=0.3"
        f"&max_occupancy=0.85&weekday={WEEKDAYS[now.weekday()]}&interval=hour",
    )
    assert answer.status == 200, answer.text
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    _schema_check(document, schema, answer.json())
    assert sum(r["offered"] for r in answer.json()["rows"]) == 1
