"""Reading ``tool_specs/``: the YAML files, with shared params and shapes resolved.

This module needs neither pydantic nor (on a cache hit) PyYAML, so that listing the tools
costs little at start-up. ``spec_data`` gives each tool's spec as plain data, the way
``ToolSpec`` dumps it: validated (by ``specs.validated_data``) whenever the YAML is read,
and for the packaged specs kept in the user's cache (yamlcache) only once it passed, so a
warm start reads data that was already checked and validates nothing.

``SpecError`` lives here because resolving a reference can fail before any model is built.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .yamlcache import cached_data

SHARED_PARAMS = "_params.yaml"
SHARED_SHAPES = "_shapes.yaml"

# Part of the cache key (with this module's and specs.py's source): change it when the
# same text would be read differently for another reason (e.g. another YAML loader).
_PARSER_VERSION = "pyyaml-safe-1"  # pragma: no mutate: any tag not used before does the same

SpecData = dict[str, Any]  # one tool's spec, as ToolSpec.model_dump(by_alias=True) gives it
# Resolved specs by file name -> each tool's checked spec data by tool id.
Validate = Callable[[dict[str, dict[str, Any]]], dict[str, SpecData]]


class SpecError(ValueError):
    """A tool spec file is malformed; the message names the file and the field."""


def parse_yaml(name: str, text: str) -> Any:
    # Imported here: on a cache hit PyYAML is not needed at all.
    import yaml

    # libyaml's safe loader when PyYAML has it: it parses ~10x faster (cold start).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # pragma: no mutate: reads alike
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise SpecError(f"{name}: not valid YAML: {exc}") from exc


def _resolve_param(raw: Any, shared: Mapping[str, Any], where: str) -> Any:
    if not isinstance(raw, dict) or "ref" not in raw:
        return raw
    name = raw["ref"]
    if name not in shared:
        raise SpecError(f"{where}: ref {name!r} is not in {SHARED_PARAMS}")
    return {**shared[name], **{k: v for k, v in raw.items() if k != "ref"}}


_SOURCES = ("path", "param", "value", "count")


def _merge_fields(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A shape's fields with a tool's overrides laid over them, field by field."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            value = {**merged[key], **value}
        merged[key] = value
    return merged


def _resolve_output(raw: Any, shapes: Mapping[str, Any], where: str) -> Any:
    """Expand ``shape:`` references inside one output field, recursively.

    A field that names no source is read from the body key of its own name.
    """
    if not isinstance(raw, dict):
        return raw
    key = where.rsplit(".", 1)[-1]
    if not any(s in raw for s in _SOURCES) and not where.endswith("[]"):
        raw = {**raw, "path": key}
    if "shape" in raw:
        name = raw["shape"]
        if name not in shapes:
            raise SpecError(f"{where}: shape {name!r} is not in {SHARED_SHAPES}")
        overrides = {k: v for k, v in raw.items() if k != "shape"}
        properties = _merge_fields(shapes[name], overrides.pop("properties", {}))
        raw = {"type": "object", **overrides, "properties": properties}
    resolved = dict(raw)
    if isinstance(raw.get("properties"), dict):
        resolved["properties"] = {
            k: _resolve_output(v, shapes, f"{where}.{k}") for k, v in raw["properties"].items()
        }
    if "items" in raw:
        resolved["items"] = _resolve_output(raw["items"], shapes, f"{where}[]")
    return resolved


def _resolve_outputs(raw: Any, shapes: Mapping[str, Any], where: str) -> Any:
    """Tool outputs may start from a shape (``outputs: {shape: project}``) plus fields."""
    if not isinstance(raw, dict):
        return raw
    fields = dict(raw)
    base: dict[str, Any] = {}
    if "shape" in fields:
        name = fields.pop("shape")
        if name not in shapes:
            raise SpecError(f"{where}: shape {name!r} is not in {SHARED_SHAPES}")
        base = shapes[name]
    merged = _merge_fields(base, fields)
    return {k: _resolve_output(v, shapes, f"{where}.{k}") for k, v in merged.items()}


def resolve_spec(
    raw: Any, *, source: str, shared_params: Mapping[str, Any], shapes: Mapping[str, Any]
) -> dict[str, Any]:
    """One tool's parsed YAML with its ``ref:`` params and ``shape:`` outputs filled in."""
    if not isinstance(raw, dict):
        raise SpecError(f"{source}: a tool spec must be a mapping")
    data = dict(raw)
    if isinstance(data.get("params"), dict):
        data["params"] = {
            k: _resolve_param(v, shared_params, f"{source}: params.{k}")
            for k, v in data["params"].items()
        }
    if "outputs" in data:
        data["outputs"] = _resolve_outputs(data["outputs"], shapes, f"{source}: outputs")
    return data


def _spec_files(directory: Path) -> list[Path]:
    """The shared files (when present) first, then every tool file, by name."""
    shared = [directory / SHARED_PARAMS, directory / SHARED_SHAPES]
    tools = [p for p in sorted(directory.glob("*.yaml")) if not p.name.startswith("_")]
    return [*(p for p in shared if p.exists()), *tools]


def resolved_specs(texts: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Each tool file's resolved spec by file name, from every file's text by file name."""
    documents = {name: parse_yaml(name, text) for name, text in texts.items()}
    shared_params = documents.get(SHARED_PARAMS) or {}
    shapes = documents.get(SHARED_SHAPES) or {}
    return {
        name: resolve_spec(raw, source=name, shared_params=shared_params, shapes=shapes)
        for name, raw in documents.items()
        if not name.startswith("_")
    }


def read_texts(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in _spec_files(directory)}


def _code_version() -> str | None:
    """What the cached data depends on besides the files: the code that reads and checks them
    (this module and specs.py, whose models ``validate`` applies)."""
    here = Path(__file__).parent
    digest = hashlib.sha256(_PARSER_VERSION.encode())
    try:
        for name in ("loading.py", "specs.py"):
            digest.update((here / name).read_bytes())
    except OSError:
        return None  # no sources to key on (a bytecode-only install): no cache
    return digest.hexdigest()


def spec_data(directory: Path, validate: Validate, *, cached: bool = False) -> dict[str, SpecData]:
    """Every tool's spec data by tool id, as ``validate`` gives it; a malformed spec raises.

    ``validate`` (specs.validated_data, passed in so that a cache hit never imports
    pydantic) checks the resolved specs. ``cached``: keep its answer in the user's cache,
    used again only for the same bytes of the same files read by the same code (see
    yamlcache); for the packaged specs, read at every start.
    """

    def read(texts: Mapping[str, str]) -> dict[str, SpecData]:
        return validate(resolved_specs(texts))

    version = _code_version() if cached else None
    if version is None:
        return read(read_texts(directory))
    return dict(cached_data(_spec_files(directory), read, version))
