"""Data connection writes end to end (emulator); their secrets never come back."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from api_emulator import (
    MISSING_ID,
    Refusal,
    assert_refused,
    call,
    failure,
    refusal_ids,
)

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, Fixtures

PASSWORD = "pg-Secret-4711!"
PG_DETAILS = {"hostname": "db.example.com", "port": 5432, "database": "analytics",
              "username": "hex"}  # fmt: skip


async def test_a_connection_is_created_with_its_password_which_never_comes_back(
    emu: Emulator, hex_: HexExecutor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aacflow_hex")
    group_id = emu.fixtures.group_id
    out = await call(
        hex_,
        "hex_create_data_connection",
        name="Analytics DB",
        type="postgres",
        connectionDetails=PG_DETAILS,
        password=PASSWORD,
        description="Read replica",
        workspaceMembersAccess="QUERY",
        groupIds=[group_id],
        groupAccess="VIEW_RESULTS",
    )
    assert out["type"] == "postgres" and out["description"] == "Read replica"
    assert out["connectionDetails"] == {"postgres": PG_DETAILS}
    assert out["sharing"]["workspace"]["members"] == "QUERY"
    assert out["sharing"]["groups"][0]["group"]["id"] == group_id
    assert out["sharing"]["groups"][0]["access"] == "VIEW_RESULTS"
    [request] = emu.requests.filter(method="POST", path="/data-connections")
    assert request.status == 201

    read = await call(hex_, "hex_get_data_connection", dataConnectionId=out["id"])
    assert read["name"] == "Analytics DB"
    assert PASSWORD not in json.dumps(out) + json.dumps(read) + caplog.text


async def test_a_connection_is_renamed_repassworded_and_unscheduled(
    emu: Emulator, hex_: HexExecutor
) -> None:
    conn = next(c for c in emu.workspace.data_connections.values() if c.type == "postgres")
    conn_id = conn.id
    conn.schema_refresh_schedule = {"cadence": "DAILY", "enabled": True}
    out = await call(
        hex_,
        "hex_update_data_connection",
        dataConnectionId=conn_id,
        name="Renamed",
        type="postgres",
        password=PASSWORD,
        connectionDetails={"port": 6543},
        clearSchemaRefreshSchedule=True,
    )
    assert out["name"] == "Renamed" and out["id"] == conn_id
    assert out["connectionDetails"]["postgres"]["port"] == 6543
    assert out["schemaRefreshSchedule"] is None
    assert emu.workspace.data_connections[conn_id].schema_refresh_schedule is None
    [request] = emu.requests.filter(method="PATCH", path=f"/data-connections/{conn_id}")
    assert request.status == 201  # Hex's (sic) status for this PATCH, read as success
    assert PASSWORD not in json.dumps(out)


async def test_a_connection_of_each_type_can_be_created_from_its_own_secrets(
    hex_: HexExecutor,
) -> None:
    created = {}
    for kind, details, secrets in [
        ("snowflake", {"accountName": "acme", "warehouse": "wh", "database": "db",
                       "username": "hex"}, {"privateKey": "-----BEGIN KEY-----x",
                                            "passphrase": "open sesame"}),
        ("databricks", {"jdbcUrl": "jdbc:databricks://x"}, {"accessToken": "dapi-123456"}),
        ("bigquery", {"projectId": "acme-dw"}, {"serviceAccountJsonConfig": '{"type": "sa"}'}),
        ("trino", {"hostname": "trino", "port": 443, "username": "hex"}, {}),
    ]:  # fmt: skip
        out = await call(
            hex_,
            "hex_create_data_connection",
            name=f"{kind} wh",
            type=kind,
            connectionDetails=details,
            **secrets,
        )
        created[kind] = out
        for secret in secrets.values():
            assert secret not in json.dumps(out)
    assert {k: v["type"] for k, v in created.items()} == {k: k for k in created}


async def test_schema_statuses_change_together_or_not_at_all(
    emu: Emulator, hex_: HexExecutor
) -> None:
    conn_id = emu.fixtures.data_connection_id
    conn = emu.workspace.data_connections[conn_id]
    table = next(iter(conn.tables))
    label = emu.workspace.status_labels[0]
    out = await call(
        hex_,
        "hex_update_data_connection_schema",
        dataConnectionId=conn_id,
        updates=[
            {"type": "TABLE", "name": table, "status": label},
            {"type": "DATABASE", "name": "analytics", "status": None},
        ],
    )
    assert out["updated"]["tables"] == [{"name": table, "status": label}]
    assert out["updated"]["databases"] == [{"name": "analytics", "status": None}]
    assert conn.tables[table] == label and conn.databases["analytics"] is None

    error = await failure(
        hex_,
        "hex_update_data_connection_schema",
        dataConnectionId=conn_id,
        updates=[
            {"type": "TABLE", "name": table, "status": None},
            {"type": "SCHEMA", "name": "analytics.nowhere", "status": label},
        ],
    )
    assert error.kind == "not_found" and "analytics.nowhere" in error.message
    assert conn.tables[table] == label  # the first update was not applied either


# (tool, params from the fixtures, token role, error kind, status): each tool's main failure.
ERRORS: list[tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]] = [
    ("hex_create_data_connection",
     lambda f: {"name": "x", "type": "postgres", "connectionDetails": PG_DETAILS,
                "password": PASSWORD}, "GUEST", "permission", 403),
    ("hex_create_data_connection",
     lambda f: {"name": "x", "type": "postgres", "connectionDetails": {"hostname": "db"},
                "password": PASSWORD}, "ADMIN", "invalid_request", 400),
    ("hex_create_data_connection",
     lambda f: {"name": "x", "type": "postgres", "connectionDetails": PG_DETAILS,
                "password": PASSWORD, "groupIds": [MISSING_ID], "groupAccess": "QUERY"},
     "ADMIN", "not_found", 404),
    ("hex_update_data_connection", lambda f: {"dataConnectionId": MISSING_ID, "name": "x"},
     "ADMIN", "not_found", 404),
    ("hex_update_data_connection",
     lambda f: {"dataConnectionId": f.data_connection_id, "name": "x"}, "GUEST",
     "permission", 403),
    ("hex_update_data_connection_schema",
     lambda f: {"dataConnectionId": MISSING_ID,
                "updates": [{"type": "DATABASE", "name": "analytics", "status": None}]},
     "ADMIN", "not_found", 404),
    ("hex_update_data_connection_schema",
     lambda f: {"dataConnectionId": f.data_connection_id,
                "updates": [{"type": "DATABASE", "name": "analytics", "status": "Gold"}]},
     "ADMIN", "invalid_request", 400),
    ("hex_update_data_connection_schema",
     lambda f: {"dataConnectionId": f.data_connection_id,
                "updates": [{"type": "DATABASE", "name": "analytics", "status": None}]},
     "GUEST", "permission", 403),
]  # fmt: skip


@pytest.mark.parametrize("refusal", ERRORS, ids=refusal_ids(ERRORS))
async def test_each_tool_reports_hex_refusals_as_data(emu: Emulator, refusal: Refusal) -> None:
    error = await assert_refused(emu, *refusal)
    assert PASSWORD not in error.message
