"""Hex-shaped response bodies, as the current API sends them."""

from __future__ import annotations

from typing import Any

from aacflow_hex.spec.specs import OutputSpec

PROJECT_ID = "5a8591dd-4039-49df-9202-96385ba3eff8"
RUN_ID = "0e5b2a9c-7f3a-4c8e-9d1b-2a6f4e8c1d3b"
COLLECTION_ID = "9d2f3c4b-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
GROUP_ID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
USER_ID = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
CONNECTION_ID = "3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a"
VIEW_ID = "4e5f6a7b-8c9d-4e0f-9a2b-3c4d5e6f7a8b"

PROJECT: dict[str, Any] = {
    "id": PROJECT_ID,
    "title": "Revenue dashboard",
    "description": "Daily revenue by region",
    "type": "PROJECT",
    "creator": {"email": "ada@example.com"},
    "owner": {"email": "grace@example.com"},
    "status": {"name": "Production"},
    "categories": [{"name": "Finance", "description": "Money matters"}],
    "reviews": {"required": False},
    "analytics": {"publishedResultsUpdatedAt": None, "lastViewedAt": None},
    "lastEditedAt": "2026-11-02T10:00:00.000Z",
    "lastPublishedAt": "2026-11-03T10:00:00.000Z",
    "createdAt": "2026-01-02T10:00:00.000Z",
    "archivedAt": None,
    "trashedAt": None,
    "schedules": [],
    "sharing": {},
}
DRAFT_PROJECT = {**PROJECT, "id": "6b9692ee-5140-4ae0-a313-a7496cb4f009", "lastPublishedAt": None}

RUN: dict[str, Any] = {
    "projectId": PROJECT_ID,
    "projectVersion": "3",
    "runId": RUN_ID,
    "runUrl": f"https://app.hex.tech/acme/app/{PROJECT_ID}/latest?runId={RUN_ID}",
    "status": "COMPLETED",
    "runTrigger": "API",
    "startTime": "2026-11-28T08:00:00.000Z",
    "endTime": "2026-11-28T08:01:01.500Z",
    "elapsedTime": 61500,
    "traceId": "trace-run-1",
}

RUN_TRIGGERED: dict[str, Any] = {
    "projectId": PROJECT_ID,
    "runId": RUN_ID,
    "runUrl": RUN["runUrl"],
    "runStatusUrl": f"https://app.hex.tech/api/v1/projects/{PROJECT_ID}/runs/{RUN_ID}",
    "traceId": "trace-trigger-1",
    "projectVersion": 3,
}

COLLECTION: dict[str, Any] = {
    "id": COLLECTION_ID,
    "name": "Finance",
    "description": "Finance projects",
    "creator": {"email": "ada@example.com", "id": USER_ID},
    "sharing": {"users": [], "groups": [], "workspace": {"members": "CAN_VIEW"}},
}

CONNECTION: dict[str, Any] = {
    "id": CONNECTION_ID,
    "name": "Warehouse",
    "type": "snowflake",
    "description": "Main warehouse",
    "connectionDetails": {"snowflake": {"accountName": "acme"}},
    "connectViaSsh": False,
    "includeMagic": True,
    "allowWritebackCells": False,
    "schemaRefreshAccess": "ADMINS",
    "sharing": {},
}

GROUP: dict[str, Any] = {
    "id": GROUP_ID,
    "name": "Analysts",
    "createdAt": "2026-03-01T00:00:00.000Z",
}

USER: dict[str, Any] = {
    "id": USER_ID,
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "role": "ADMIN",
    "lastLoginDate": None,
}

TABLE: dict[str, Any] = {
    "dataConnectionId": CONNECTION_ID,
    "dataConnectionName": "Warehouse",
    "tableName": "analytics.revenue",
}


def page(values: list[Any], after: str | None = None) -> dict[str, Any]:
    return {"values": values, "pagination": {"after": after, "before": None}}


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def assert_declared_shape(fields: dict[str, OutputSpec], output: dict[str, Any]) -> None:
    """Every declared key is present, and each non-null value has the declared type."""
    assert set(output) == set(fields), f"keys {sorted(output)} != declared {sorted(fields)}"
    for name, spec in fields.items():
        value = output[name]
        if value is None or spec.type == "json":
            continue
        expected = _PYTHON_TYPES[spec.type]
        assert isinstance(value, expected) and not (
            spec.type == "number" and isinstance(value, bool)
        ), f"{name}: {value!r} is not {spec.type}"
        if spec.type == "object" and spec.properties:
            assert_declared_shape(spec.properties, value)
        if spec.type == "array" and spec.items is not None and spec.items.properties:
            for item in value:
                assert_declared_shape(spec.items.properties, item)
