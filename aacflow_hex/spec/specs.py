"""Tool specifications: the pydantic models, and specs validated against them.

A tool is one YAML file in ``tool_specs/`` (file stem == tool id). Files whose
stem starts with ``_`` hold shared definitions: ``_params.yaml`` (params used
by many tools, referenced with ``ref:``) and ``_shapes.yaml`` (output shapes,
referenced with ``shape:``). References are resolved at load time (loading.py),
so the rest of the package only ever sees complete specs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .loading import SpecData, read_texts, resolve_spec, resolved_specs, spec_data
from .loading import SpecError as SpecError  # defined there; its home for importers

ParamType = Literal["string", "number", "boolean", "json"]
OutputType = Literal["string", "number", "boolean", "object", "array", "json"]
Visibility = Literal["user-only", "user-or-llm", "llm-only", "hidden"]
# Where a param goes: the URL path, the query string, the JSON body, the
# Authorization header, or nowhere (read by the executor or a handler).
ParamLocation = Literal["path", "query", "body", "auth", "control"]
HttpMethod = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalFilter(_Strict):
    """A param value the API does not know, applied to the returned items instead.

    ``field`` names an item field; ``present`` keeps items where it is (not)
    null. An empty filter keeps everything (e.g. ``ALL``).
    """

    field: str | None = None
    present: bool = True


class WireItem(_Strict):
    """How each element of a list param is sent: wrapped in an object.

    ``path`` is the dotted key that holds the element (``user.id`` sends
    ``{"user": {"id": <element>}}``); ``with`` adds keys taken from other params
    (``{access: access}`` adds ``"access": <value of param access>``).
    """

    path: str
    with_params: dict[str, str] = Field(default_factory=dict, alias="with")


class ParamSpec(_Strict):
    type: ParamType
    description: str = ""
    required: bool = False
    visibility: Visibility = "user-or-llm"
    secret: bool = False
    location: ParamLocation = Field("query", alias="in")
    wire_name: str | None = Field(None, alias="wireName")
    default: Any = None
    integer: bool = False
    enum: list[Any] | None = None
    minimum: float | None = None
    maximum: float | None = None
    format: Literal["uuid"] | None = None
    # JSON Schema keywords merged into this param's schema (e.g. items, type: object).
    json_schema: dict[str, Any] = Field(default_factory=dict, alias="schema")
    # For uuid params: URL path segments after which a Hex URL carries the id.
    url_segments: list[str] = Field(default_factory=list, alias="urlSegments")
    local_filters: dict[str, LocalFilter] = Field(default_factory=dict, alias="localFilters")
    advanced: bool = False
    placeholder: str | None = None
    # A list param's elements wrapped in objects on the wire (see WireItem).
    wire_item: WireItem | None = Field(None, alias="wireItem")
    # This param's value -> the body key it stands for when another param's
    # wireName names it as ``{param}`` (e.g. cellType SQL -> sqlCell).
    wire_keys: dict[str, str] = Field(default_factory=dict, alias="wireKeys")
    # A boolean param that, when true, sends this param as JSON null (e.g. to
    # remove a value); this param must then be empty and may be left out.
    null_when: str | None = Field(None, alias="nullWhen")
    # A list query param sent as one value joined by this (Hex's "a,b,c" params).
    separator: str | None = None


class OutputSpec(_Strict):
    type: OutputType
    description: str = ""
    # Where the value comes from: a dotted path in the response body, an
    # input param, a constant, or the length of the list at ``count``.
    path: str | None = None
    param: str | None = None
    value: Any = None
    count: str | None = None
    scale: float | None = None
    properties: dict[str, OutputSpec] = Field(default_factory=dict)
    items: OutputSpec | None = None

    @model_validator(mode="after")
    def _one_source(self) -> OutputSpec:
        sources = [s for s in (self.path, self.param, self.count) if s is not None]
        if self.value is not None:
            sources.append("value")
        if len(sources) > 1:
            raise ValueError("give at most one of path, param, value, count")
        return self


class PaginationSpec(_Strict):
    """How a list endpoint pages: Hex uses opaque cursors or offsets."""

    style: Literal["cursor", "offset"]
    items: str  # body key holding the page's items
    max_page_size: int = Field(alias="maxPageSize")


class RetrySpec(_Strict):
    """A tool's own tuning of the executor's retry policy; unset fields keep the executor's."""

    max_attempts: int | None = Field(None, alias="maxAttempts", ge=1)
    base_delay: float | None = Field(None, alias="baseDelay", ge=0)
    max_delay: float | None = Field(None, alias="maxDelay", ge=0)
    max_retry_after: float | None = Field(None, alias="maxRetryAfter", ge=0)


class RequestSpec(_Strict):
    method: HttpMethod
    path: str
    rate_limit_group: str = Field("hex-api", alias="rateLimitGroup")
    # Success statuses that carry no body (e.g. 204 for a cancelled run).
    empty_ok: bool = Field(False, alias="emptyOk")
    # What to check when a non-idempotent request may or may not have landed.
    ambiguous_hint: str | None = Field(None, alias="ambiguousHint")
    pagination: PaginationSpec | None = None
    retry: RetrySpec | None = None


class Annotations(_Strict):
    read_only: bool = Field(False, alias="readOnly")
    destructive: bool = False
    idempotent: bool = False


class Rule(_Strict):
    """A constraint between params, with the reason shown to the user.

    ``exclusive``: at most one of these may be set. ``together``: all or none.
    ``atLeastOne``: one or more (e.g. an update that would change nothing).
    ``when`` (a param) with optional ``equals`` (values it must have): the rule
    applies only then, and ``requires`` / ``forbids`` name params that must /
    must not be set.
    """

    exclusive: list[str] = Field(default_factory=list)
    together: list[str] = Field(default_factory=list)
    at_least_one: list[str] = Field(default_factory=list, alias="atLeastOne")
    when: str | None = None
    equals: list[Any] | None = None
    requires: list[str] = Field(default_factory=list)
    forbids: list[str] = Field(default_factory=list)
    reason: str

    @property
    def names(self) -> list[str]:
        named = [*self.exclusive, *self.together, *self.at_least_one]
        named += [*self.requires, *self.forbids]
        return named + ([self.when] if self.when is not None else [])

    @property
    def summary(self) -> str:
        """The rule in words, for help texts and agent tool descriptions."""
        if self.exclusive:
            return f"{' and '.join(self.exclusive)} cannot be combined: {self.reason}"
        if self.together:
            return f"Give {' and '.join(self.together)} together or not at all: {self.reason}"
        if self.at_least_one:
            return f"Give at least one of {', '.join(self.at_least_one)}: {self.reason}"
        condition = f"When {self.when} is set"
        if self.equals is not None:
            condition = f"When {self.when} is {' or '.join(str(v) for v in self.equals)}"
        parts = []
        if self.requires:
            parts.append(f"{', '.join(self.requires)} must be given")
        if self.forbids:
            parts.append(f"{', '.join(self.forbids)} must not be given")
        return f"{condition}, {' and '.join(parts)}: {self.reason}"

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        kinds = [self.exclusive, self.together, self.at_least_one, self.when is not None]
        if sum(bool(kind) for kind in kinds) != 1:
            raise ValueError("give exactly one of exclusive, together, atLeastOne, when")
        if self.when is not None and not (self.requires or self.forbids):
            raise ValueError("a `when` rule needs requires or forbids")
        if self.when is None and (self.requires or self.forbids or self.equals is not None):
            raise ValueError("requires, forbids and equals go with `when`")
        return self


class ToolSpec(_Strict):
    id: str
    name: str
    description: str
    annotations: Annotations = Annotations()
    params: dict[str, ParamSpec]
    rules: list[Rule] = Field(default_factory=list)
    request: RequestSpec | None = None
    handler: str | None = None
    # Seconds one call may take in all; None: the executor's default; 0: no cap (a tool
    # that waits bounds itself, e.g. with a timeout param).
    call_timeout: float | None = Field(None, alias="callTimeout")
    outputs: dict[str, OutputSpec]

    @model_validator(mode="after")
    def _consistent(self) -> ToolSpec:
        if (self.request is None) == (self.handler is None):
            raise ValueError("give exactly one of request and handler")
        for rule in self.rules:
            unknown = [p for p in rule.names if p not in self.params]
            if unknown:
                raise ValueError(f"rules name unknown params {unknown}")
        for name, param in self.params.items():
            referenced = list(param.wire_item.with_params.values()) if param.wire_item else []
            referenced += placeholders(param.wire_name or "")
            referenced += [param.null_when] if param.null_when else []
            for other in referenced:
                if other not in self.params:
                    raise ValueError(f"params.{name} names unknown param {other!r}")
        if self.request is not None:
            for name, param in self.params.items():
                if param.location == "path" and "{" + name + "}" not in self.request.path:
                    raise ValueError(f"params.{name} is a path param missing from request.path")
            for name in placeholders(self.request.path):
                if name not in self.params or self.params[name].location != "path":
                    # Else the request would go out with the literal {name} in its URL.
                    raise ValueError(f"request.path names {{{name}}}, which is no path param")
        for name in sorted(params_in_outputs(self.outputs)):
            if name not in self.params:
                raise ValueError(f"outputs name unknown param {name!r}")
        return self

    @property
    def secret_params(self) -> list[str]:
        return [name for name, p in self.params.items() if p.secret]


WIRE_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def params_in_outputs(fields: Mapping[str, OutputSpec]) -> set[str]:
    """The input params ``fields`` take values from (``param:`` at any depth)."""
    names: set[str] = set()
    for spec in fields.values():
        if spec.param is not None:
            names.add(spec.param)
        names |= params_in_outputs(spec.properties)
        if spec.items is not None:
            names |= params_in_outputs({"": spec.items})
    return names


@functools.cache  # a handful of wire names, asked on every call
def placeholders(wire_name: str) -> tuple[str, ...]:
    """Params named as ``{param}`` in a wire name (their value picks the body key)."""
    return tuple(WIRE_PLACEHOLDER.findall(wire_name))


def _format_pydantic_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def _validate(data: Any, source: str) -> ToolSpec:
    try:
        return ToolSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(f"{source}: {_format_pydantic_error(exc)}") from exc


def parse_spec(
    raw: Any, *, source: str, shared_params: Mapping[str, Any], shapes: Mapping[str, Any]
) -> ToolSpec:
    """One tool's parsed YAML as a ToolSpec; SpecError names ``source`` and the field."""
    resolved = resolve_spec(raw, source=source, shared_params=shared_params, shapes=shapes)
    return _validate(resolved, source)


def validate_specs(resolved: Mapping[str, Any]) -> dict[str, ToolSpec]:
    """Resolved specs by file name (see loading.resolved_specs) as ToolSpecs by tool id."""
    specs: dict[str, ToolSpec] = {}
    for source, data in resolved.items():
        spec = _validate(data, source)
        if spec.id != source.removesuffix(".yaml"):
            raise SpecError(f"{source}: id {spec.id!r} must equal the file name")
        specs[spec.id] = spec
    return specs


def validated_data(resolved: Mapping[str, Any]) -> dict[str, SpecData]:
    """Resolved specs by file name as plain data by tool id, checked (loading.spec_data)."""
    return {
        tool_id: spec.model_dump(by_alias=True, exclude_defaults=True, mode="json")
        for tool_id, spec in validate_specs(resolved).items()
    }


def spec_from_data(data: Mapping[str, Any]) -> ToolSpec:
    """A ToolSpec again from the data loading.spec_data gives (validated when it was read)."""
    return _validate(data, f"{data.get('id')}.yaml (as cached)")


def load_specs(directory: Path, *, cached: bool = False) -> dict[str, ToolSpec]:
    """Load every tool spec in ``directory``; a malformed one raises SpecError.

    ``cached``: keep the validated specs' data in the user's cache, used again only
    for the same bytes (see loading.spec_data); for the packaged specs, read at every start.
    """
    if cached:
        return {
            tool_id: spec_from_data(data)
            for tool_id, data in spec_data(directory, validated_data, cached=True).items()
        }
    return validate_specs(resolved_specs(read_texts(directory)))
