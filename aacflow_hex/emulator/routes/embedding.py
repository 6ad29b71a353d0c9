"""CreatePresignedUrl (ERR-T): a signed embedding URL for a published project."""

from __future__ import annotations

from aiohttp import web

from ..errors import ApiError, bad_request
from ..params import body_bool, body_list, body_object, json_body, path_uuid
from ..routing import RouteTable
from ..runtime import json_ok, state_of

routes = RouteTable()

MAX_EXPIRES_MS = 300_000
SCOPES = ("EXPORT_PDF", "EXPORT_CSV")


@routes.route(
    "POST",
    "/embedding/createPresignedUrl/{projectId}",
    op="CreatePresignedUrl",
    family="T",
    min_role="ADMIN",
)
async def create_presigned_url(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    project = state.project(path_uuid(request, "projectId"))
    body = await json_body(request, required=False)  # extra properties are allowed
    attributes = body_object(body, "hexUserAttributes") or {}
    if not all(isinstance(v, str) for v in attributes.values()):
        raise bad_request("hexUserAttributes must map strings to strings")
    for scope in body_list(body, "scope") or []:
        if scope not in SCOPES:
            raise bad_request(f"scope entries must be one of {', '.join(SCOPES)}")
    body_object(body, "inputParameters")
    expires = body.get("expiresIn", 15_000)
    if isinstance(expires, bool) or not isinstance(expires, (int, float)):
        raise bad_request("expiresIn must be a number of milliseconds")
    if not 0 < expires <= MAX_EXPIRES_MS:
        raise bad_request(f"expiresIn must be between 1 and {MAX_EXPIRES_MS} ms")
    display = body_object(body, "displayOptions") or {}
    if display.get("theme") not in (None, "light", "dark"):
        raise bad_request("displayOptions.theme must be light or dark")
    test_mode = bool(body_bool(body, "testMode", False))
    if project.published_version is None:
        raise ApiError(422, f"Project {project.id} is not published and cannot be embedded")
    signature = state.new_id().replace("-", "")
    url = (
        f"https://app.hex.tech/{state.workspace.name}/app/{project.id}/embed"
        f"?signature={signature}&expiresAt={int(state.now() * 1000 + expires)}"
        + ("&testMode=true" if test_mode else "")
    )
    return json_ok({"url": url})
