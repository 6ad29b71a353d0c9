"""Build the HTTP request for a tool call: a pure function of spec and params."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from .specs import ParamSpec, ToolSpec


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
    """Set ``a.b.c`` in a nested body, so params can fill nested Hex payloads."""
    *parents, leaf = dotted.split(".")
    for key in parents:
        body = body.setdefault(key, {})
    body[leaf] = value


def build_request(spec: ToolSpec, params: dict[str, Any], base_url: str) -> HttpRequest:
    """Method, URL, query and JSON body for ``params`` (already validated)."""
    if spec.request is None:
        raise ValueError(f"{spec.id} is run by a handler, not a single request")
    path = spec.request.path
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    for name, param in spec.params.items():
        if name not in params:
            continue
        value = _wire_value(param, params[name])
        wire = param.wire_name or name
        if param.location == "path":
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        elif param.location == "query":
            if isinstance(value, str) and value in param.local_filters:
                continue  # applied to the returned items instead
            values = value if isinstance(value, list) else [value]
            query.extend((wire, _query_text(v)) for v in values)
        elif param.location == "body":
            _put(body, wire, value)
    send_body = bool(body) or spec.request.method in ("PATCH", "PUT")
    return HttpRequest(
        method=spec.request.method,
        url=base_url.rstrip("/") + path,
        query=query,
        json=body if send_body else None,
    )
