"""Every endpoint of Hex's current API is a tool, with the right rate-limit group and hints.

The table is transcribed by hand from shared/hex-api/hex-api-latest.derived.md (the
summary of Hex's newest OpenAPI spec); the left-out endpoints are listed, with the
reason, in docs/deviations.md.
"""

from __future__ import annotations

import json
import re

import pytest

from aacflow_hex import load_registry
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS
from aacflow_hex.spec.specs import ToolSpec
from aacflow_hex.surfaces.cli import main

# (method, path relative to /v1, rate-limit group) for each endpoint of the summary.
CURRENT_API = [
    # Projects
    ("GET", "/projects", "hex-api"),
    ("POST", "/projects", "hex-api"),
    ("GET", "/projects/{projectId}", "hex-api"),
    ("PATCH", "/projects/{projectId}", "hex-api"),
    ("GET", "/projects/{projectId}/queriedTables", "hex-api"),
    ("PATCH", "/projects/{projectId}/sharing/collections", "hex-api"),
    ("PATCH", "/projects/{projectId}/sharing/groups", "hex-api"),
    ("PATCH", "/projects/{projectId}/sharing/users", "hex-api-30rpm"),
    ("PATCH", "/projects/{projectId}/sharing/workspaceAndPublic", "hex-api"),
    ("POST", "/projects/export", "hex-api"),
    # Runs
    ("POST", "/projects/{projectId}/runs", "hex-run-kernel"),
    ("GET", "/projects/{projectId}/runs", "hex-api"),
    ("GET", "/projects/{projectId}/runs/{runId}", "hex-api"),
    ("DELETE", "/projects/{projectId}/runs/{runId}", "hex-api"),
    ("GET", "/projects/{projectId}/runs/{runId}/cells/{staticId}/image", "hex-chart-image"),
    # Embedding
    ("POST", "/embedding/createPresignedUrl/{projectId}", "hex-api"),
    # Semantic projects (the status update; ingest is left out)
    ("PATCH", "/semantic-projects/{id}", "hex-api"),
    # Groups
    ("GET", "/groups", "hex-api"),
    ("POST", "/groups", "hex-api"),
    ("GET", "/groups/{groupId}", "hex-api"),
    ("PATCH", "/groups/{groupId}", "hex-api"),
    ("DELETE", "/groups/{groupId}", "hex-api"),
    # Users
    ("GET", "/users/me", "hex-api-30rpm"),
    ("GET", "/users", "hex-api-30rpm"),
    ("POST", "/users/{userId}/deactivate", "hex-api-30rpm"),
    # Collections
    ("GET", "/collections", "hex-api"),
    ("POST", "/collections", "hex-api"),
    ("GET", "/collections/{id}", "hex-api"),
    ("PATCH", "/collections/{id}", "hex-api"),
    # Data connections
    ("GET", "/data-connections", "hex-api"),
    ("POST", "/data-connections", "hex-api"),
    ("GET", "/data-connections/{id}", "hex-api"),
    ("PATCH", "/data-connections/{id}", "hex-api"),
    ("PATCH", "/data-connections/{id}/schema", "hex-api"),
    # Cells
    ("GET", "/cells", "hex-api-30rpm"),
    ("POST", "/cells", "hex-api-30rpm"),
    ("GET", "/cells/{cellId}", "hex-api-30rpm"),
    ("PATCH", "/cells/{cellId}", "hex-api-30rpm"),
    ("DELETE", "/cells/{cellId}", "hex-api-30rpm"),
    ("GET", "/cells/{cellId}/output", "hex-api"),
    ("GET", "/cells/{cellId}/image", "hex-chart-image"),
    # Agent threads and context
    ("GET", "/threads", "hex-api"),
    ("POST", "/threads", "hex-run-kernel"),
    ("GET", "/threads/{id}", "hex-api"),
    ("GET", "/threads/{threadId}/messages", "hex-api"),
    ("POST", "/threads/{id}/followup", "hex-run-kernel"),
    ("GET", "/context/topics", "hex-api"),
]

# Left out on purpose (docs/deviations.md says why).
LEFT_OUT = [
    ("GET", "/guides/draft/list"),
    ("PUT", "/guides/draft"),
    ("POST", "/guides/publish"),
    ("DELETE", "/guides/draft/{orgGuideFileId}"),
    ("POST", "/semantic-projects/{id}/ingest"),
]

REGISTRY = load_registry()
REQUEST_SPECS = [s for s in REGISTRY.specs() if s.request is not None]


def endpoint(method: str, path: str) -> tuple[str, str]:
    """Method and path with every ``{param}`` blanked, so names need not match."""
    return method, re.sub(r"\{[^}]+\}", "{}", path)


def tools_for(method: str, path: str) -> list[ToolSpec]:
    wanted = endpoint(method, path)
    return [
        s
        for s in REQUEST_SPECS
        if s.request is not None and endpoint(s.request.method, s.request.path) == wanted
    ]


@pytest.mark.parametrize(("method", "path", "group"), CURRENT_API, ids=lambda v: str(v))
def test_each_endpoint_has_one_tool_in_its_rate_limit_group(
    method: str, path: str, group: str
) -> None:
    [spec] = tools_for(method, path)
    assert spec.request is not None
    assert spec.request.rate_limit_group == group, spec.id


def test_no_tool_calls_an_endpoint_outside_the_current_api() -> None:
    known = {endpoint(m, p) for m, p, _ in CURRENT_API}
    strays = [
        s.id
        for s in REQUEST_SPECS
        if s.request is not None and endpoint(s.request.method, s.request.path) not in known
    ]
    assert strays == []


@pytest.mark.parametrize(("method", "path"), LEFT_OUT)
def test_left_out_endpoints_have_no_tool(method: str, path: str) -> None:
    assert tools_for(method, path) == []


def test_the_cli_lists_a_tool_for_every_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", "--json"]) == 0
    listed = {tool["id"] for tool in json.loads(capsys.readouterr().out)}
    for method, path, _ in CURRENT_API:
        [spec] = tools_for(method, path)
        assert spec.id in listed, (method, path)


@pytest.mark.parametrize("spec", REQUEST_SPECS, ids=lambda s: s.id)
def test_annotations_match_the_http_method(spec: ToolSpec) -> None:
    assert spec.request is not None
    method = spec.request.method
    if method == "GET":
        assert spec.annotations.read_only and spec.annotations.idempotent
    if method == "DELETE":
        assert spec.annotations.destructive and not spec.annotations.read_only
    if method in ("PATCH", "PUT", "DELETE"):
        assert spec.annotations.idempotent
    if spec.annotations.read_only:
        assert not spec.annotations.destructive


@pytest.mark.parametrize(
    "spec", [s for s in REQUEST_SPECS if not s.annotations.idempotent], ids=lambda s: s.id
)
def test_a_request_that_may_not_be_repeated_says_what_to_check_first(spec: ToolSpec) -> None:
    assert spec.request is not None and spec.request.ambiguous_hint


@pytest.mark.parametrize(
    "spec",
    [s for s in REQUEST_SPECS if s.request is not None and s.request.pagination is not None],
    ids=lambda s: s.id,
)
def test_a_list_tool_takes_a_limit_and_cursors_and_says_where_to_read_on(spec: ToolSpec) -> None:
    assert spec.request is not None and spec.request.pagination is not None
    assert "limit" in spec.params
    limit = spec.params["limit"]
    assert limit.integer and limit.minimum == 1
    if spec.request.pagination.style == "cursor":
        assert {"after", "before"} <= set(spec.params)
        assert spec.outputs["after"].path == "pagination.after"


def test_every_tool_is_paced_in_a_group_hex_publishes() -> None:
    groups = {s.request.rate_limit_group for s in REQUEST_SPECS if s.request is not None}
    assert groups <= set(HEX_RATE_LIMITS)
