"""Read a Hex response: the JSON body, or a classified ToolError. Pure functions."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any

from .jsonread import MAX_VALUES, VALUES_PER_ITEM, JsonRefused, TooManyValues, read_json
from .results import ErrorKind, ToolError, ToolFailure

# An error message quotes at most this much of what Hex said (a part, and in all).
MAX_PART = 1_000
MAX_MESSAGE = 4_000
# The longest pause a Retry-After can impose: Hex's longest window is an hour, and a
# larger (or absurd: 1e9, inf, a date in 9999) value must not stop a token for good.
MAX_RETRY_AFTER = 3600.0


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
    """Retry-After as seconds (a number of seconds or an HTTP date), at most MAX_RETRY_AFTER."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        now = now or datetime.now(timezone.utc)
        seconds = (when - now).total_seconds()
    if math.isnan(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The header ``name`` (lower case), whatever case the mapping's keys have."""
    value = headers.get(name)  # aiohttp's headers match any case; a dict may not
    if value is not None:
        return value
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _parse_json(body: bytes, max_values: int = MAX_VALUES) -> Any:
    return read_json(body, max_values=max_values)


def printable(text: str) -> str:
    """``text`` as any UTF-8 writer accepts it: headers decoded with surrogate escapes
    (bytes that are not UTF-8) and lone surrogates become U+FFFD."""
    if text.isascii():
        return text
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _names(entries: Any) -> str:
    if not isinstance(entries, list):
        return ""
    return ", ".join(
        str(e.get("paramName", e)) if isinstance(e, dict) else str(e) for e in entries[:20]
    )


def _error_text(body: Any) -> tuple[str, str | None]:
    """The message and trace id from either Hex error family.

    ``{reason, traceId?, details?}`` (older endpoints) or ``{code, message,
    issues?}`` (newer ones); run-input 422s carry ``{invalid, notFound}``. A field of
    another type than these is passed over; the message is at most MAX_MESSAGE long.
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
        parts.extend(_short(json.dumps(d, default=str), MAX_PART) for d in details[:20])
    issues = body.get("issues")
    for issue in issues[:20] if isinstance(issues, list) else []:
        if isinstance(issue, dict) and isinstance(issue.get("message"), str):
            parts.append(issue["message"])
    not_found = _names(body.get("notFound"))
    if not_found:
        parts.append(f"unknown input parameters: {not_found}")
    invalid = _names(body.get("invalid"))
    if invalid:
        parts.append(f"invalid input parameters: {invalid}")
    if not parts and isinstance(body.get("code"), str):
        parts.append(body["code"])
    text = "; ".join(_short(part, MAX_PART) for part in parts)
    return _short(text, MAX_MESSAGE), _short(trace, 200) if isinstance(trace, str) else None


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
    except ValueError:  # not JSON, or JSON no one can use (see jsonread)
        body = None
    text, trace = _error_text(body)
    if not text and response.body:
        content_type = printable(
            _short(header(response.headers, "content-type") or "unknown type", 100)
        )
        text = f"the body was not Hex's JSON error ({content_type.split(';')[0]})"
    message = f"Hex API answered {_status_phrase(status)}" + (f": {text}" if text else "")
    if kind in _HINTS:
        message += f" ({_HINTS[kind]})"
    return ToolError(
        kind=kind,
        message=message,
        status_code=status,
        trace_id=trace
        or printable(_short(header(response.headers, "x-trace-id") or "", 200))
        or None,
        retry_after=retry_after_seconds(header(response.headers, "retry-after")),
    )


def decode_response(
    response: HttpResponse, *, empty_ok: bool = False, page: tuple[str, int] | None = None
) -> Any:
    """The JSON body of a successful response; raises ToolFailure otherwise.

    ``page`` (items key, most items asked for) marks a list page: one with more items
    than asked for is refused, before its items are parsed when the text shows it.
    """
    if not 200 <= response.status < 300:
        raise ToolFailure(classify_error(response))
    if not response.body.strip():
        if empty_ok or response.status == 204:
            return {}
        raise ToolFailure(_invalid(response, "with an empty body"))
    max_values = MAX_VALUES if page is None else min(MAX_VALUES, (page[1] + 1) * VALUES_PER_ITEM)
    try:
        body = _parse_json(response.body, max_values)
    except TooManyValues as exc:
        if page is not None:
            raise ToolFailure(_too_many_items(response, page)) from None
        raise ToolFailure(_invalid(response, f"that cannot be used: {exc}")) from None
    except JsonRefused as exc:
        raise ToolFailure(_invalid(response, f"that cannot be used: {exc}")) from None
    except ValueError:
        content_type = printable(
            _short(header(response.headers, "content-type") or "unknown type", 100)
        )
        what = f"{content_type.split(';')[0]}, {len(response.body)} bytes"
        raise ToolFailure(_invalid(response, f"with a body that is not JSON ({what})")) from None
    if page is not None and isinstance(body, dict):
        items = body.get(page[0])
        if isinstance(items, list) and len(items) > page[1]:
            raise ToolFailure(_too_many_items(response, page, len(items)))
    return body


def _invalid(response: HttpResponse, what: str) -> ToolError:
    return ToolError(
        kind="invalid_response",
        message=f"Hex API answered {_status_phrase(response.status)} {what}",
        status_code=response.status,
    )


def _too_many_items(response: HttpResponse, page: tuple[str, int], count: int = 0) -> ToolError:
    sent = f"{count} items" if count else "far more items"
    return _invalid(
        response,
        f"with {sent} on a page that asked for at most {page[1]}; the page was refused",
    )
