# -*- test-case-name: tests.web.api.test_openapi -*-
"""Each REST route is declared once, as an :class:`Endpoint`: klein gets its handler and
the OpenAPI 3.1 document gets its path, parameters and schemas from the same pydantic
models the handler parses and answers with."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from switchboard.web.api.models import ErrorBody

__all__ = ["Endpoint", "openapi"]

REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "bad request: the field and the fix are named",
    "401": "no valid session or token",
    "403": "a scope, role, queue or CSRF header is missing",
    "404": "no such agent, queue, call, customer, merge or ticket",
    "409": "refused in the current state",
    "503": "the part of switchboard that would answer is not running",
}


@dataclass(frozen=True)
class Endpoint:
    method: str  # GET | POST | PATCH
    path: str  # klein form: /api/v1/agents/<agent_id>
    name: str  # the operationId and klein endpoint name
    summary: str
    scope: str
    answer: type[BaseModel]
    handler: Callable[..., Awaitable[Any]]  # a BaseModel, or a gate.Download of files
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: dict[str, str] = field(default_factory=dict)  # name -> description
    # Other forms of the 200 answer (content type -> description), e.g. a report as CSV.
    files: dict[str, str] = field(default_factory=dict)

    @property
    def openapi_path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.path)


def _schema(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "description": d, "schema": {"type": "string"}}
        for n, d in endpoint.path_params.items()
    ]
    if endpoint.query is not None:
        schema = endpoint.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", ()))
        for name, prop in schema["properties"].items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


def openapi(endpoints: Sequence[Endpoint], *, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error = _schema(ErrorBody, components, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "operationId": endpoint.name,
            "summary": endpoint.summary,
            "security": [{"session": []}, {"token": [endpoint.scope]}],
            "parameters": _parameters(endpoint),
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": _schema(endpoint.answer, components, "serialization")
                        },
                        **{
                            kind: {"schema": {"type": "string", "description": text}}
                            for kind, text in endpoint.files.items()
                        },
                    },
                },
                **{
                    status: {
                        "description": text,
                        "content": {"application/json": {"schema": error}},
                    }
                    for status, text in ERRORS.items()
                },
            },
        }
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": False,
                "content": {
                    "application/json": {"schema": _schema(endpoint.body, components, "validation")}
                },
            }
        paths.setdefault(endpoint.openapi_path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "switchboard REST API",
            "version": version,
            "description": "Agents, queues, calls, customers and tickets; see docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "sb_session"},
                "token": {"type": "http", "scheme": "bearer"},
            },
        },
    }
