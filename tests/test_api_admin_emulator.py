"""Users, groups and collections end to end: executor -> HTTP -> the Hex API emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_emulator import (
    MISSING_ID,
    Refusal,
    assert_refused,
    call,
    executor_for,
    failure,
    refusal_ids,
)

from aacflow_hex import HexExecutor
from aacflow_hex.emulator import Emulator, Fixtures


@pytest.mark.parametrize("role", ["ADMIN", "EDITOR", "GUEST"])
async def test_the_current_user_is_the_owner_of_the_token(emu: Emulator, role: str) -> None:
    async with executor_for(emu, role) as ex:
        me = await call(ex, "hex_get_current_user")
    assert me["id"] == emu.fixtures.token_user_ids[role]
    assert me["role"] == role and "@" in me["email"]
    assert me["org"] == {"id": emu.workspace.org_id}


async def test_a_workspace_token_has_no_user_but_the_org(emu: Emulator) -> None:
    async with HexExecutor(base_url=emu.base_url, api_key=emu.workspace_token) as ex:
        me = await call(ex, "hex_get_current_user")
    assert (me["id"], me["name"], me["email"], me["role"]) == (None, None, None, None)
    assert me["org"] == {"id": emu.workspace.org_id}


async def test_a_wrong_token_fails_the_token_check_as_an_auth_error(emu: Emulator) -> None:
    async with HexExecutor(base_url=emu.base_url, api_key="not-a-hex-token") as ex:
        result = await ex.execute("hex_get_current_user", {})
    assert result.error is not None and result.error.kind == "auth"
    assert result.error.status_code == 401


async def test_a_group_is_created_renamed_given_members_and_deleted(
    emu: Emulator, hex_: HexExecutor
) -> None:
    member, editor = emu.fixtures.user_ids["MEMBER"], emu.fixtures.user_ids["EDITOR"]
    created = await call(hex_, "hex_create_group", name="Data team", memberUserIds=[member])
    group_id = created["id"]
    assert created["members"] == {"users": [{"id": member}]}
    assert emu.workspace.groups[group_id].member_ids == [member]

    updated = await call(
        hex_,
        "hex_update_group",
        groupId=group_id,
        name="Analytics",
        addUserIds=editor,  # as a form sends it
        removeUserIds=[member],
    )
    assert updated["name"] == "Analytics" and updated["id"] == group_id
    in_group = await call(hex_, "hex_list_users", groupId=group_id)
    assert [u["id"] for u in in_group["users"]] == [editor]

    deleted = await call(hex_, "hex_delete_group", groupId=group_id)
    assert deleted == {"success": True, "groupId": group_id}
    gone = await failure(hex_, "hex_get_group", groupId=group_id)
    assert gone.kind == "not_found"


async def test_a_deactivated_user_leaves_the_user_list(emu: Emulator, hex_: HexExecutor) -> None:
    user_id = emu.fixtures.user_ids["MEMBER"]
    out = await call(hex_, "hex_deactivate_user", userId=user_id)
    assert out["user"]["id"] == user_id and out["user"]["role"] == "MEMBER"
    listed = await call(hex_, "hex_list_users", fetchAll=True)
    assert user_id not in {u["id"] for u in listed["users"]}
    again = await failure(hex_, "hex_deactivate_user", userId=user_id)
    assert again.kind == "not_found"


async def test_a_collection_is_renamed_and_shared(emu: Emulator, hex_: HexExecutor) -> None:
    collection_id = emu.fixtures.collection_id
    user_id, group_id = emu.fixtures.user_ids["EDITOR"], emu.fixtures.group_id
    out = await call(
        hex_,
        "hex_update_collection",
        collectionId=collection_id,
        name="Finance (audited)",
        description="Signed off by the CFO",
        userIds=[user_id],
        userAccess="CAN_EDIT",
        groupIds=[group_id],
        groupAccess="CAN_VIEW",
        workspaceAccess="CAN_VIEW",
    )
    assert out["name"] == "Finance (audited)" and out["description"] == "Signed off by the CFO"
    assert {"id": user_id, "access": "CAN_EDIT"} in out["sharing"]["users"]
    assert {"id": group_id, "access": "CAN_VIEW"} in out["sharing"]["groups"]
    assert out["sharing"]["workspace"] == {"members": "CAN_VIEW"}
    read = await call(hex_, "hex_get_collection", collectionId=collection_id)
    assert read["name"] == "Finance (audited)"


# (tool, params from the fixtures, token role, error kind, status): each tool's main failure.
ERRORS: list[tuple[str, Callable[[Fixtures], dict[str, Any]], str, str, int]] = [
    ("hex_create_group", lambda f: {"name": "x", "memberUserIds": [MISSING_ID]}, "ADMIN",
     "not_found", 404),
    ("hex_create_group", lambda f: {"name": "x"}, "GUEST", "permission", 403),
    ("hex_update_group", lambda f: {"groupId": MISSING_ID, "name": "x"}, "ADMIN",
     "not_found", 404),
    ("hex_update_group", lambda f: {"groupId": f.group_id, "name": "x"}, "GUEST",
     "permission", 403),
    ("hex_delete_group", lambda f: {"groupId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_delete_group", lambda f: {"groupId": f.group_id}, "GUEST", "permission", 403),
    ("hex_deactivate_user", lambda f: {"userId": MISSING_ID}, "ADMIN", "not_found", 404),
    ("hex_deactivate_user", lambda f: {"userId": f.user_ids["MEMBER"]}, "GUEST",
     "permission", 403),
    ("hex_deactivate_user", lambda f: {"userId": f.token_user_ids["ADMIN"]}, "ADMIN",
     "invalid_request", 422),
    ("hex_update_collection", lambda f: {"collectionId": MISSING_ID, "name": "x"}, "ADMIN",
     "not_found", 404),
    ("hex_update_collection", lambda f: {"collectionId": f.collection_id, "name": "x"}, "GUEST",
     "permission", 403),
    ("hex_update_collection",
     lambda f: {"collectionId": f.collection_id, "userIds": [MISSING_ID], "userAccess": "X"},
     "ADMIN", "not_found", 404),
]  # fmt: skip


@pytest.mark.parametrize("refusal", ERRORS, ids=refusal_ids(ERRORS))
async def test_each_tool_reports_hex_refusals_as_data(emu: Emulator, refusal: Refusal) -> None:
    await assert_refused(emu, *refusal)
