"""Every emulator answer checked against Hex's newest OpenAPI spec.

``check_reply`` finds the spec operation of a request by method and path and validates
the answer against the schema of its status code. Where the emulator knowingly answers
something the spec does not list, the rule used instead is named in ``KNOWN`` below and in
docs/emulator.md ("Differences from the newest spec"); nothing else is let through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .openapi_schemas import SPEC_LATEST, ResponseSchemas, load_spec

LATEST = load_spec(SPEC_LATEST)
SCHEMAS = ResponseSchemas(LATEST) if LATEST is not None else None

# The legacy 2022 paths are not in the newest spec; test_spec_conformance checks them
# against the 2022 spec.
LEGACY_PREFIX = "/project/"

# Generic shapes of the two error families, for statuses an operation does not list.
ERR_N = "error.BAD_REQUEST"  # {code, message, issues?}; every error.* schema is this shape
ERR_T = "TsoaErrorResponsePayload"  # {reason, traceId?, details?}

KNOWN = {
    "unlisted error status": (
        "401, 404, 405, 409, 422 and 429 where an operation does not list them are answered "
        "in the operation's error family and checked against that family's schema"
    ),
    "unknown path": "a path the spec does not have is a 404 in the ERR-T family",
}


@dataclass
class Recorded:
    method: str
    path: str  # relative to /api/v1
    status: int
    text: str
    content_type: str
    faulted: bool = False  # a fault rule was armed: the answer may be corrupt on purpose


def family_of(operation: dict[str, Any]) -> str:
    """The spec's error family of an operation: its error schemas are ERR-T or ERR-N."""
    for status, response in operation["responses"].items():
        if status.startswith(("4", "5")):
            schema = (response.get("content") or {}).get("application/json", {}).get("schema")
            text = json.dumps(schema)
            if "TsoaErrorResponsePayload" in text:
                return ERR_T
            if "error." in text:
                return ERR_N
    return ERR_T


def check_reply(reply: Recorded) -> tuple[str | None, list[str]]:
    """(operationId or None, problems); an empty list when the answer conforms."""
    assert SCHEMAS is not None
    if reply.faulted or reply.path.startswith(LEGACY_PREFIX):
        return None, []
    try:
        body = json.loads(reply.text) if reply.text else None
    except ValueError:
        return None, [f"{reply.method} {reply.path} -> {reply.status}: body is not JSON"]
    where = f"{reply.method} {reply.path} -> {reply.status}"
    found = SCHEMAS.operation(reply.method, reply.path)
    if found is None:
        if reply.status not in (404, 405):
            return None, [f"{where}: the spec has no such operation"]
        problems = SCHEMAS.component_errors(ERR_T, body)
        return None, [f"{where} (unknown path): {p}" for p in problems]
    op_id, operation = found
    if str(reply.status) in operation["responses"]:
        schema = SCHEMAS.response_schema(op_id, operation, reply.status)
        if schema is None:
            problems = [] if not reply.text else ["the spec gives this status no body"]
        else:
            problems = SCHEMAS.errors_for_schema((op_id, str(reply.status)), schema, body)
    elif reply.status >= 400:
        problems = SCHEMAS.component_errors(family_of(operation), body)
    else:
        problems = [f"success status {reply.status} is not the spec's"]
    if problems and reply.status >= 400 and "application/json" not in reply.content_type:
        problems.append(f"content type {reply.content_type}")
    return op_id, [f"{where} ({op_id}): {p}" for p in problems]
