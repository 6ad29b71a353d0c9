"""Build the HTTP request for a tool call: a pure function of spec and params."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..spec.specs import WIRE_PLACEHOLDER, ParamSpec, ToolSpec, WireItem
from .safety import path_segment


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    query: list[tuple[str, str]] = field(default_factory=list)
    json: Any = None


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _wire_value(param: ParamSpec, value: Any) -> Any:
    if param.type == "number" and param.integer and isinstance(value, float):
        return int(value)
    return value


def _put(body: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.c`` in a nested body, so params can fill nested Hex payloads.

    Objects meeting at one key are merged (two params may fill one object),
    and the caller's own dicts are copied, never changed.
    """
    *parents, leaf = dotted.split(".")
    for key in parents:
        body = body.setdefault(key, {})
    current = body.get(leaf)
    if isinstance(current, dict) and isinstance(value, dict):
        body[leaf] = {**current, **value}
    else:
        body[leaf] = dict(value) if isinstance(value, dict) else value


def _wrapped(item: WireItem, element: Any, params: dict[str, Any]) -> dict[str, Any]:
    wrapped: dict[str, Any] = {}
    _put(wrapped, item.path, element)
    for key, other in item.with_params.items():
        if other in params:
            _put(wrapped, key, params[other])
    return wrapped


def _wire_path(spec: ToolSpec, wire: str, params: dict[str, Any]) -> str:
    """A wire name with its ``{param}`` placeholders replaced by body keys."""

    def key(match: re.Match[str]) -> str:
        name = match.group(1)
        value = str(params.get(name, ""))
        return spec.params[name].wire_keys.get(value, value)

    return WIRE_PLACEHOLDER.sub(key, wire)


def _sent_as_null(param: ParamSpec, params: dict[str, Any]) -> bool:
    return param.null_when is not None and params.get(param.null_when) is True


def _body_value(param: ParamSpec, value: Any, params: dict[str, Any]) -> Any:
    if _sent_as_null(param, params):
        return None
    if param.wire_item is not None and isinstance(value, list):
        return [_wrapped(param.wire_item, element, params) for element in value]
    return value


def build_request(spec: ToolSpec, params: dict[str, Any], base_url: str) -> HttpRequest:
    """Method, URL, query and JSON body for ``params`` (already validated)."""
    if spec.request is None:
        raise ValueError(f"{spec.id} is run by a handler, not a single request")
    path = spec.request.path
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    for name, param in spec.params.items():
        if name not in params and not _sent_as_null(param, params):
            continue
        value = _wire_value(param, params.get(name))
        wire = param.wire_name or name
        if param.location == "path":
            # Validation already checked the value; this refuses anything that slipped past.
            segment = path_segment(name, value, uuid=param.format == "uuid")
            path = path.replace("{" + name + "}", segment)
        elif param.location == "query":
            if isinstance(value, str) and value in param.local_filters:
                continue  # applied to the returned items instead
            if param.separator is not None and isinstance(value, list):
                value = param.separator.join(_query_text(v) for v in value)
            values = value if isinstance(value, list) else [value]
            query.extend((wire, _query_text(v)) for v in values)
        elif param.location == "body":
            _put(body, _wire_path(spec, wire, params), _body_value(param, value, params))
    # Every body-carrying method sends JSON, even with no option set: Hex parses a POST
    # body as JSON, and `{}` is what its spec's optional request bodies mean by nothing.
    send_body = bool(body) or spec.request.method in ("POST", "PATCH", "PUT")
    return HttpRequest(
        method=spec.request.method,
        url=base_url.rstrip("/") + path,
        query=query,
        json=body if send_body else None,
    )
