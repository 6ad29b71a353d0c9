"""The Hex block for the workflow canvas, generated from the tool specs.

``tool_specs/_block.yaml`` holds what the specs cannot say (name, colours,
icon, titles, the dropdown order); everything else comes from the registry,
so a new tool shows up in the block by itself. The shape follows Sim's
``BlockConfig``:

- ``subBlocks``: the form. The first is the ``operation`` dropdown over every
  tool (option id = tool id without ``hex_``). Each param becomes a field:
  ``short-input``, ``long-input``, ``code`` (JSON), ``dropdown`` (enum; an
  empty "Not set" option when the param is optional), ``switch`` (boolean),
  and ``short-input`` with ``password: true`` for a secret. A field carries
  ``condition`` (the operations that show it), ``required`` (``true`` when
  required for every operation that shows it, else the operations where it
  is), ``mode: advanced`` when the param is advanced everywhere and never
  required (hidden in the basic view), ``placeholder`` and ``value`` (the
  default). ``hidden`` params get no field; their defaults apply.
- One field serves every operation whose param has the same name and the
  same kind of field (one ``projectId`` for all project tools). Same name but
  another kind (a free-text ``statusFilter`` here, a dropdown there) gives a
  second field, ``<name>_<operation>``.
- ``tools.config``: the operation -> tool id map and, per operation, which
  field feeds which param. ``resolve_call(block, values)`` applies it.
- ``inputs`` / ``outputs``: every field with its type, and the union of the
  tools' top-level outputs.
- ``formSchema``: the same form as one JSON Schema with ``if``/``then`` on the
  operation, for generic form renderers (see ``block_schema.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..spec.registry import Registry, specs_dir
from ..spec.specs import ParamSpec, SpecError, ToolSpec
from .agents import served_specs
from .icon import icon_svg

BLOCK_FILE = "_block.yaml"
OPERATION = "operation"
Widget = Literal["short-input", "long-input", "code", "dropdown", "switch"]


class BlockMeta(BaseModel):
    """``tool_specs/_block.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: str
    name: str
    description: str
    long_description: str = Field(alias="longDescription")
    docs_link: str | None = Field(None, alias="docsLink")
    category: Literal["tools", "blocks", "triggers"] = "tools"
    bg_color: str = Field(alias="bgColor", pattern=r"^#[0-9A-Fa-f]{6}$")
    icon_color: str = Field(alias="iconColor", pattern=r"^#[0-9A-Fa-f]{6}$")
    icon: str
    auth_mode: Literal["api_key", "oauth", "bot_token"] = Field(alias="authMode")
    operation_prefix: str = Field("", alias="operationPrefix")
    operation_order: list[str] = Field(default_factory=list, alias="operationOrder")
    titles: dict[str, str] = Field(default_factory=dict)
    widgets: dict[str, Literal["short-input", "long-input", "code"]] = Field(default_factory=dict)
    option_labels: dict[str, str] = Field(default_factory=dict, alias="optionLabels")
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)

    def operation_id(self, tool_id: str) -> str:
        prefix = self.operation_prefix
        return tool_id[len(prefix) :] if prefix and tool_id.startswith(prefix) else tool_id

    def translated(self, lang: str, key: str, default: str) -> str:
        return self.translations.get(lang, {}).get(key, default)


def load_block_meta(directory: Path | str | None = None) -> BlockMeta:
    path = Path(directory or specs_dir()) / BLOCK_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return BlockMeta.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise SpecError(f"{path.name}: {exc}") from exc


# -- naming ------------------------------------------------------------------

_ACRONYMS = {"id": "ID", "url": "URL", "sql": "SQL", "api": "API", "ssh": "SSH", "uuid": "UUID"}


def humanize(name: str) -> str:
    """``projectId`` -> ``Project ID``; ``CREATED_AT`` -> ``Created At``."""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name.replace("_", " "))
    return " ".join(_ACRONYMS.get(w.lower(), w.capitalize()) for w in words) or name


# -- fields ------------------------------------------------------------------


@dataclass(frozen=True)
class _Use:
    """One operation's use of one param."""

    operation: str
    name: str
    param: ParamSpec


def _widget(name: str, param: ParamSpec, meta: BlockMeta) -> tuple[Widget, dict[str, Any]]:
    """The kind of form field for a param, and what else defines it (options, language)."""
    if param.secret:
        return "short-input", {"password": True}
    if param.enum is not None:
        return "dropdown", {"options": list(param.enum)}
    if param.type == "boolean":
        return "switch", {}
    if param.type == "json":
        return "code", {"language": "json"}
    override = meta.widgets.get(name)
    if override == "code":
        return "code", {"language": "json"}
    return override or "short-input", {}


def _ordered_specs(specs: list[ToolSpec], meta: BlockMeta) -> list[ToolSpec]:
    rank = {op: i for i, op in enumerate(meta.operation_order)}
    return sorted(
        specs, key=lambda s: (rank.get(meta.operation_id(s.id), len(rank)), specs.index(s))
    )


def _same(values: list[Any]) -> Any:
    first = values[0]
    return first if all(v == first for v in values) else None


def _field(field_id: str, uses: list[_Use], kind: Widget, meta: BlockMeta) -> dict[str, Any]:
    first = uses[0]
    operations = [u.operation for u in uses]
    required_in = [u.operation for u in uses if u.param.required]
    field: dict[str, Any] = {
        "id": field_id,
        "title": meta.titles.get(first.name, humanize(first.name)),
        "type": kind,
        "layout": "full",
    }
    if first.param.secret:
        field["password"] = True
    if kind == "code":
        field["language"] = "json"
    if kind == "dropdown":
        options = [
            {"label": meta.option_labels.get(str(v), humanize(str(v))), "id": v}
            for v in first.param.enum or []
        ]
        if required_in != operations:
            options.insert(0, {"label": "Not set", "id": ""})
        field["options"] = options
    placeholder = next((u.param.placeholder for u in uses if u.param.placeholder), None)
    if placeholder:
        field["placeholder"] = placeholder
    default = _same([u.param.default for u in uses])
    if default is not None:
        field["value"] = default
    elif kind == "dropdown":
        field["value"] = field["options"][0]["id"]
    field["condition"] = {"field": OPERATION, "value": operations}
    if required_in == operations:
        field["required"] = True
    elif required_in:
        field["required"] = {"field": OPERATION, "value": required_in}
    if not required_in and all(u.param.advanced for u in uses):
        field["mode"] = "advanced"
    if first.param.description:
        field["description"] = first.param.description
    return field


_GroupKey = tuple[str, Widget, str]


def _group_key(name: str, param: ParamSpec, meta: BlockMeta) -> _GroupKey:
    kind, extra = _widget(name, param, meta)
    return name, kind, json.dumps(extra, sort_keys=True, default=str)


@dataclass(frozen=True)
class _Form:
    fields: list[dict[str, Any]]
    # operation -> param name -> field id
    mapping: dict[str, dict[str, str]]
    # field id -> {type, description}
    inputs: dict[str, dict[str, str]]


def _form(specs: list[ToolSpec], meta: BlockMeta) -> _Form:
    groups: dict[_GroupKey, list[_Use]] = {}
    for spec in specs:
        for name, param in spec.params.items():
            if param.visibility != "hidden":
                use = _Use(meta.operation_id(spec.id), name, param)
                groups.setdefault(_group_key(name, param, meta), []).append(use)
    field_ids: dict[_GroupKey, str] = {}
    for key, uses in groups.items():
        rivals = [k for k in groups if k[0] == key[0]]
        primary = max(rivals, key=lambda k: len(groups[k]))  # ties: the first seen
        field_ids[key] = key[0] if key == primary else f"{key[0]}_{uses[0].operation}"
    if len(set(field_ids.values())) != len(field_ids) or OPERATION in field_ids.values():
        raise SpecError(
            f"{BLOCK_FILE}: two form fields would share an id: {sorted(field_ids.values())}"
        )
    fields = [_field(field_ids[k], uses, k[1], meta) for k, uses in groups.items()]
    fields.sort(key=lambda f: 2 if f.get("mode") == "advanced" else 1 if f.get("password") else 0)
    mapping = {
        meta.operation_id(spec.id): {
            name: field_ids[_group_key(name, param, meta)]
            for name, param in spec.params.items()
            if param.visibility != "hidden"
        }
        for spec in specs
    }
    inputs = {
        field_ids[k]: {"type": uses[0].param.type, "description": uses[0].param.description}
        for k, uses in groups.items()
    }
    return _Form(fields, mapping, inputs)


def _outputs(specs: list[ToolSpec]) -> dict[str, dict[str, str]]:
    """The union of the tools' top-level outputs; a name typed differently by two tools is json."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        for name, out in spec.outputs.items():
            variants = seen.setdefault(name, [])
            if (out.type, out.description) not in variants:
                variants.append((out.type, out.description))
    outputs: dict[str, dict[str, str]] = {}
    for name, variants in seen.items():
        types = {t for t, _ in variants}
        kind = variants[0][0] if len(types) == 1 else "json"
        descriptions = list(dict.fromkeys(d for _, d in variants if d))
        description = descriptions[0] if len(types) == 1 else " or ".join(descriptions)
        outputs[name] = {"type": kind, "description": description}
    return outputs


def _operation_field(specs: list[ToolSpec], meta: BlockMeta) -> dict[str, Any]:
    options = [{"label": s.name, "id": meta.operation_id(s.id)} for s in specs]
    return {
        "id": OPERATION,
        "title": "Operation",
        "type": "dropdown",
        "layout": "full",
        "options": options,
        "value": options[0]["id"],
        "required": True,
    }


def build_block(
    registry: Registry | None = None,
    *,
    read_only: bool = False,
    meta: BlockMeta | None = None,
) -> dict[str, Any]:
    """The block definition as JSON-ready data (``aacflow-hex export block``)."""
    from ..spec.registry import load_registry
    from .block_schema import form_schema

    registry = registry or load_registry()
    meta = meta or load_block_meta()
    specs = _ordered_specs(served_specs(registry, read_only=read_only), meta)
    if not specs:
        raise ValueError("the block needs at least one tool")
    operations = {meta.operation_id(s.id): s.id for s in specs}
    if len(operations) != len(specs):
        raise SpecError(f"{BLOCK_FILE}: two tools give the same operation id")
    form = _form(specs, meta)
    block: dict[str, Any] = {
        "type": meta.type,
        "name": meta.name,
        "description": meta.description,
        "longDescription": meta.long_description,
        "category": meta.category,
        "bgColor": meta.bg_color,
        "iconColor": meta.icon_color,
        "icon": meta.icon,
        "iconSvg": icon_svg(),
        "authMode": meta.auth_mode,
        "subBlocks": [_operation_field(specs, meta), *form.fields],
        "tools": {
            "access": [s.id for s in specs],
            "config": {
                "tool": {"field": OPERATION, "map": operations},
                "params": form.mapping,
            },
        },
        "inputs": {
            OPERATION: {"type": "string", "description": "Operation to perform"},
            **form.inputs,
        },
        "outputs": _outputs(specs),
    }
    if meta.docs_link:
        block["docsLink"] = meta.docs_link
    block["formSchema"] = form_schema(block, {s.id: s for s in specs})
    return block


def resolve_call(block: Mapping[str, Any], values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The tool id and params that a filled-in block form stands for.

    Only the fields the chosen operation shows are read; empty ones (``None``
    or ``""``) count as not given. Values stay as the form holds them (often
    strings): the executor coerces and validates them.
    """
    config = block["tools"]["config"]
    tool_map: Mapping[str, str] = config["tool"]["map"]
    operation = values.get(OPERATION) or block["subBlocks"][0]["value"]
    if operation not in tool_map:
        known = ", ".join(tool_map)
        raise ValueError(f"{OPERATION}: {operation!r} is not an operation of this block ({known})")
    params = {
        param: values[field]
        for param, field in config["params"][operation].items()
        if values.get(field) is not None and values.get(field) != ""
    }
    return tool_map[operation], params
