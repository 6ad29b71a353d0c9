"""Hex's two error body families and the exception handlers raise to produce them.

ERR-T (tsoa): ``{reason, traceId?, details?}``; ERR-N: ``{code, message, issues?:[{message}]}``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from aiohttp import web

Family = Literal["T", "N"]

ERR_N_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "UNPROCESSABLE_CONTENT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ApiError(Exception):
    """An error answer. ``body`` replaces the family body entirely when given."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        details: str | None = None,
        issues: list[str] | None = None,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.issues = issues
        self.body = body
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, f"{what} {ident} not found")


def error_body(
    family: Family,
    status: int,
    message: str,
    trace_id: str,
    *,
    details: str | None = None,
    issues: list[str] | None = None,
) -> dict[str, Any]:
    if family == "T":
        body: dict[str, Any] = {"reason": message, "traceId": trace_id}
        if details is not None:
            body["details"] = details
        return body
    body = {"code": ERR_N_CODES.get(status, "INTERNAL_SERVER_ERROR"), "message": message}
    if issues:
        body["issues"] = [{"message": issue} for issue in issues]
    return body


def error_response(family: Family, err: ApiError, trace_id: str) -> web.Response:
    body = err.body
    if body is None:
        body = error_body(
            family, err.status, err.message, trace_id, details=err.details, issues=err.issues
        )
    return web.Response(
        status=err.status,
        text=json.dumps(body),
        content_type="application/json",
        headers=err.headers,
    )
