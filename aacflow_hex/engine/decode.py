"""Read a Hex response: the JSON body, or a classified ToolError. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from .results import ErrorKind, ToolError, ToolFailure


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


# Status code -> error kind; anything else: 4xx invalid_request, 5xx server.
_KIND_BY_STATUS: dict[int, ErrorKind] = {
    400: "invalid_request",
    401: "auth",
    403: "permission",
    404: "not_found",
    408: "timeout",
    409: "invalid_request",
    422: "invalid_request",
    429: "rate_limited",
}

_HINTS: dict[ErrorKind, str] = {
    "auth": "check the API token (HEX_API_KEY or the apiKey param)",
    "permission": "the token's user lacks the rights for this; a workspace token may be needed",
    "rate_limited": "Hex's rate limit was reached; wait before calling again",
}


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The header ``name`` (lower case), whatever case the mapping's keys have."""
    value = headers.get(name)  # aiohttp's headers match any case; a dict may not
    if value is not None:
        return value
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _parse_json(body: bytes) -> Any:
    return json.loads(body.decode("utf-8"))


def _error_text(body: Any) -> tuple[str, str | None]:
    """The message and trace id from either Hex error family.

    ``{reason, traceId?, details?}`` (older endpoints) or ``{code, message,
    issues?}`` (newer ones); run-input 422s carry ``{invalid, notFound}``.
    """
    if not isinstance(body, dict):
        return "", None
    trace = body.get("traceId")
    parts: list[str] = []
    for key in ("reason", "message"):
        if isinstance(body.get(key), str):
            parts.append(body[key])
    details = body.get("details")
    if isinstance(details, str) and details:
        parts.append(details)
    elif isinstance(details, list):
        parts.extend(json.dumps(d, default=str) for d in details)
    for issue in body.get("issues") or []:
        if isinstance(issue, dict) and isinstance(issue.get("message"), str):
            parts.append(issue["message"])
    not_found = body.get("notFound")
    if isinstance(not_found, list) and not_found:
        names = ", ".join(
            str(n.get("paramName", n)) if isinstance(n, dict) else str(n) for n in not_found
        )
        parts.append(f"unknown input parameters: {names}")
    invalid = body.get("invalid")
    if isinstance(invalid, list) and invalid:
        names = ", ".join(
            str(i.get("paramName", i)) if isinstance(i, dict) else str(i) for i in invalid
        )
        parts.append(f"invalid input parameters: {names}")
    if not parts and isinstance(body.get("code"), str):
        parts.append(body["code"])
    return "; ".join(parts), trace if isinstance(trace, str) else None


def _status_phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def classify_error(response: HttpResponse) -> ToolError:
    """The ToolError for a non-2xx response."""
    status = response.status
    kind = _KIND_BY_STATUS.get(status, "server" if status >= 500 else "invalid_request")
    try:
        body = _parse_json(response.body) if response.body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    text, trace = _error_text(body)
    if not text and response.body:
        content_type = header(response.headers, "content-type") or "unknown type"
        text = f"the body was not Hex's JSON error ({content_type.split(';')[0]})"
    message = f"Hex API answered {_status_phrase(status)}" + (f": {text}" if text else "")
    if kind in _HINTS:
        message += f" ({_HINTS[kind]})"
    return ToolError(
        kind=kind,
        message=message,
        status_code=status,
        trace_id=trace or header(response.headers, "x-trace-id"),
        retry_after=retry_after_seconds(header(response.headers, "retry-after")),
    )


def decode_response(response: HttpResponse, *, empty_ok: bool = False) -> Any:
    """The JSON body of a successful response; raises ToolFailure otherwise."""
    if not 200 <= response.status < 300:
        raise ToolFailure(classify_error(response))
    if not response.body.strip():
        if empty_ok or response.status == 204:
            return {}
        raise ToolFailure(
            ToolError(
                kind="invalid_response",
                message=f"Hex API answered {_status_phrase(response.status)} with an empty body",
                status_code=response.status,
            )
        )
    try:
        return _parse_json(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        content_type = header(response.headers, "content-type") or "unknown type"
        raise ToolFailure(
            ToolError(
                kind="invalid_response",
                message=(
                    f"Hex API answered {_status_phrase(response.status)} with a body that is "
                    f"not JSON ({content_type.split(';')[0]}, {len(response.body)} bytes)"
                ),
                status_code=response.status,
            )
        ) from None
