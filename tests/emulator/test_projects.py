"""Projects: filters, sorting, cursors, errors, status updates, queried tables."""

from __future__ import annotations

from typing import Any

import pytest

from aacflow_hex.emulator import Emulator

from .conftest import Api

MISSING = "5e2b7d0e-8a43-4b8e-9a5f-0c1d2e3f4a5b"


async def walk(api: Api, path: str, params: dict[str, Any], key: str = "values") -> list[Any]:
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(1000):
        query = {**params, **({"after": cursor} if cursor else {})}
        reply = await api.get(path, params=query)
        assert reply.status == 200, reply.body
        items.extend(reply.body[key])
        cursor = reply.body["pagination"]["after"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def visible(emu: Emulator, **include: bool) -> set[str]:
    return {
        p.id
        for p in emu.workspace.projects.values()
        if (include.get("archived") or p.archived_at is None)
        and (include.get("trashed") or p.trashed_at is None)
        and (include.get("components") or p.type == "PROJECT")
    }


async def test_default_list_hides_archived_trashed_and_components(api: Api) -> None:
    ids = [p["id"] for p in await walk(api, "/projects", {"limit": "100"})]
    fx = api.emu.fixtures
    assert set(ids) == visible(api.emu)
    for hidden in (fx.archived_project_id, fx.trashed_project_id, fx.component_project_id):
        assert hidden not in ids


async def test_include_flags_show_hidden_projects(api: Api) -> None:
    params = {
        "limit": "100",
        "includeArchived": "true",
        "includeTrashed": "true",
        "includeComponents": "true",
    }
    ids = {p["id"] for p in await walk(api, "/projects", params)}
    assert ids == set(api.emu.workspace.projects)


async def test_default_order_is_newest_created_first(api: Api) -> None:
    projects = await walk(api, "/projects", {"limit": "100"})
    created = [p["createdAt"] for p in projects]
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("sort_by", ["CREATED_AT", "LAST_EDITED_AT", "LAST_PUBLISHED_AT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_sorting_walks_all_projects(api: Api, sort_by: str, direction: str) -> None:
    params = {"limit": "100", "sortBy": sort_by, "sortDirection": direction}
    projects = await walk(api, "/projects", params)
    assert len(projects) == len({p["id"] for p in projects}) == len(visible(api.emu))
    field = {"CREATED_AT": "createdAt", "LAST_EDITED_AT": "lastEditedAt"}.get(sort_by)
    if field:
        values = [p[field] for p in projects]
        assert values == sorted(values, reverse=direction == "DESC")


async def test_filters_by_status_category_emails_and_collection(api: Api) -> None:
    ws = api.emu.workspace
    reply = await walk(api, "/projects", {"limit": "100", "statuses": ["Production", "Deprecated"]})
    assert reply and {p["status"]["name"] for p in reply} <= {"Production", "Deprecated"}
    by_category = await walk(api, "/projects", {"limit": "100", "categories[]": "Finance"})
    assert by_category
    assert all("Finance" in {c["name"] for c in p["categories"]} for p in by_category)
    some = ws.projects[api.emu.fixtures.completing_project_id]
    by_creator = await walk(
        api, "/projects", {"limit": "100", "creatorEmail": some.creator_email.upper()}
    )
    assert some.id in {p["id"] for p in by_creator}
    assert {p["creator"]["email"] for p in by_creator} == {some.creator_email}
    by_owner = await walk(api, "/projects", {"limit": "100", "ownerEmail": some.owner_email})
    assert {p["owner"]["email"] for p in by_owner} == {some.owner_email}
    in_coll = await walk(
        api, "/projects", {"limit": "100", "collectionId": api.emu.fixtures.collection_id}
    )
    assert some.id in {p["id"] for p in in_coll}


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "x"},
        {"sortBy": "TITLE"},
        {"sortDirection": "UP"},
        {"includeArchived": "maybe"},
        {"after": "garbage!"},
        {"after": "a", "before": "b"},
        {"collectionId": "nope"},
    ],
)
async def test_list_projects_rejects_bad_query_with_tsoa_400(
    api: Api, params: dict[str, str]
) -> None:
    reply = await api.get("/projects", params=params)
    assert reply.status == 400
    assert set(reply.body) == {"reason", "traceId"}


async def test_cursor_from_another_sort_is_rejected(api: Api) -> None:
    first = await api.get("/projects", params={"sortBy": "LAST_EDITED_AT"})
    cursor = first.body["pagination"]["after"]
    reply = await api.get("/projects", params={"after": cursor})
    assert reply.status == 400


async def test_get_project_and_its_errors(api: Api) -> None:
    fx = api.emu.fixtures
    ok = await api.get(f"/projects/{fx.never_published_project_id}")
    assert ok.status == 200
    assert ok.body["lastPublishedAt"] is None
    assert "sharing" not in ok.body
    shared = await api.get(f"/projects/{fx.completing_project_id}", params={"includeSharing": "1"})
    assert set(shared.body["sharing"]) == {
        "users",
        "collections",
        "groups",
        "workspace",
        "publicWeb",
        "support",
    }
    missing = await api.get(f"/projects/{MISSING}")
    assert missing.status == 404
    assert missing.body["code"] == "NOT_FOUND"
    malformed = await api.get("/projects/12345")
    assert malformed.status == 400


async def test_update_project_status_sets_and_removes(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    set_ = await api.patch(f"/projects/{pid}", json={"status": "Deprecated"})
    assert set_.status == 200
    assert set_.body["status"] == {"name": "Deprecated"}
    cleared = await api.patch(f"/projects/{pid}", json={"status": None})
    assert cleared.body["status"] is None
    assert api.emu.workspace.projects[pid].status is None


@pytest.mark.parametrize("body", [{"status": "PUBLISHED"}, {"status": 3}, {"title": "x"}])
async def test_update_project_rejects_unknown_labels_and_fields(api: Api, body: Any) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.patch(f"/projects/{pid}", json=body)
    assert reply.status == 400
    assert reply.body["code"] == "BAD_REQUEST"


async def test_explorer_cannot_update_a_project(api: Api) -> None:
    pid = api.emu.fixtures.completing_project_id
    reply = await api.patch(
        f"/projects/{pid}", json={"status": None}, token=api.emu.tokens["EXPLORER"]
    )
    assert reply.status == 403


async def test_queried_tables_page_by_cursor(api: Api) -> None:
    pid = api.emu.fixtures.tables_project_id
    first = await api.get(f"/projects/{pid}/queriedTables")
    assert first.status == 200
    assert len(first.body["values"]) == 25
    assert first.body["traceId"]
    tables = await walk(api, f"/projects/{pid}/queriedTables", {"limit": "7"})
    assert len(tables) == 40
    assert set(tables[0]) == {"dataConnectionId", "dataConnectionName", "tableName"}
    assert (await api.get(f"/projects/{MISSING}/queriedTables")).status == 404


@pytest.mark.parametrize("key", ["statuses", "categories"])
async def test_array_params_are_read_with_or_without_brackets(api: Api, key: str) -> None:
    values = ["Production", "Deprecated"] if key == "statuses" else ["Finance", "Ops"]
    plain = await walk(api, "/projects", {"limit": "100", key: values})
    bracketed = await walk(api, "/projects", {"limit": "100", f"{key}[]": values})
    assert plain and [p["id"] for p in plain] == [p["id"] for p in bracketed]
    everything = await walk(api, "/projects", {"limit": "100"})
    assert len(plain) < len(everything)
