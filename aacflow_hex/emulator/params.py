"""Parsing of path ids, query parameters and JSON bodies; every failure is a 400 naming it."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from aiohttp import web

from .errors import bad_request
from .ids import is_uuid


def path_uuid(request: web.Request, name: str) -> str:
    value = request.match_info[name]
    if not is_uuid(value):
        raise bad_request(f"{name} must be a UUID, got {value!r}")
    return value.lower()


def uuid_value(value: Any, name: str) -> str:
    if not isinstance(value, str) or not is_uuid(value):
        raise bad_request(f"{name} must be a UUID, got {value!r}")
    return value.lower()


def query_str(request: web.Request, name: str) -> str | None:
    values = request.query.getall(name, [])
    if len(values) > 1:
        raise bad_request(f"{name} must be given at most once")
    return values[0] if values else None


def query_bool(request: web.Request, name: str, default: bool = False) -> bool:
    raw = query_str(request, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise bad_request(f"{name} must be true or false, got {raw!r}")


def query_int(
    request: web.Request, name: str, *, default: int, minimum: int, maximum: int | None = None
) -> int:
    raw = query_str(request, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise bad_request(f"{name} must be {bound}, got {value}")
    return value


def query_limit(request: web.Request, maximum: int, default: int = 25) -> int:
    return query_int(request, "limit", default=default, minimum=1, maximum=maximum)


def query_enum(
    request: web.Request, name: str, choices: Collection[str], default: str | None = None
) -> str | None:
    raw = query_str(request, name)
    if raw is None:
        return default
    if raw not in choices:
        raise bad_request(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def query_list(request: web.Request, name: str) -> list[str]:
    """Array query params: ``name=a&name=b`` (also accepted as ``name[]=a``)."""
    return [*request.query.getall(name, []), *request.query.getall(f"{name}[]", [])]


def query_cursors(request: web.Request) -> tuple[str | None, str | None]:
    after = query_str(request, "after") or None
    before = query_str(request, "before") or None
    if after and before:
        raise bad_request("after and before cannot be combined")
    return after, before


async def json_body(request: web.Request, *, required: bool) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        if required:
            raise bad_request("A JSON request body is required")
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def reject_unknown(body: Mapping[str, Any], allowed: Collection[str], where: str = "body") -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise bad_request(f"Unknown field(s) in {where}: {', '.join(unknown)}")


def body_bool(body: Mapping[str, Any], name: str, default: bool | None = None) -> bool | None:
    if name not in body or body[name] is None:
        return default
    value = body[name]
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be a boolean")
    return value


def body_str(
    body: Mapping[str, Any], name: str, *, required: bool = False, nullable: bool = False
) -> str | None:
    if name not in body:
        if required:
            raise bad_request(f"{name} is required")
        return None
    value = body[name]
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    if required and not value.strip():
        raise bad_request(f"{name} must not be empty")
    return value


def body_object(body: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    if name not in body or body[name] is None:
        return None
    value = body[name]
    if not isinstance(value, dict):
        raise bad_request(f"{name} must be an object")
    return value


def body_list(body: Mapping[str, Any], name: str) -> list[Any] | None:
    if name not in body or body[name] is None:
        return None
    value = body[name]
    if not isinstance(value, list):
        raise bad_request(f"{name} must be an array")
    return value
