"""The Hex block for the workflow canvas, generated from the tool specs.

``tool_specs/_block.yaml`` holds what the specs cannot say (name, colours,
icon, titles, the dropdown order, AACFlow's own block that this one replaces);
everything else comes from the registry, so a new tool shows up in the block
by itself. The shape is Sim's ``BlockConfig``, and the block is a drop-in for
AACFlow's (Sim's) own Hex block: a workflow saved with that one runs here.

- ``subBlocks``: the form. The first is the ``operation`` dropdown over every
  tool (option id = tool id without ``hex_``). Each param becomes a field:
  ``short-input``, ``long-input``, ``code`` (JSON), ``dropdown`` (enum; an
  empty "Not set" option when the param is optional), ``switch`` (boolean),
  and ``short-input`` with ``password: true`` for a secret. A field carries
  ``condition`` (the operations that show it), ``required`` (``true`` when
  required for every operation that shows it, else the operations where it
  is), ``mode: advanced`` when the param is advanced everywhere and never
  required (hidden in the basic view), ``placeholder`` and ``defaultValue``.
  ``hidden`` params get no field; their defaults apply.
- Field ids: on AACFlow's operations, a param takes the field AACFlow's block
  saves it under (``groupIdInput`` for a group's id, ``runStatusFilter`` for
  runs); a param of ours there whose name is one of AACFlow's ids gets an id
  of its own (``after_get_queried_tables``), so no saved value is read as
  another param. Elsewhere one field serves every operation whose param has
  the same name and kind of field; the same name with another kind gives
  ``<name>_<operation>``.
- ``canvasPresentation``: per operation, the sentence the canvas shows.
- ``inputs`` / ``outputs``: every field with its type, and the union of the
  tools' top-level outputs (objects and lists typed ``json``, as the host has them).
- ``x-aacflow``: what a host has as code, which JSON cannot carry: the icon
  (file name and SVG), the operation -> tool id map and, per operation, which
  field feeds which param (``resolve_call(block, values)`` applies it), and
  ``formSchema``, the form as one JSON Schema (see ``block_schema.py``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..spec.registry import Registry, specs_dir
from ..spec.specs import ParamSpec, SpecError, ToolSpec
from .agents import served_specs
from .icon import icon_svg

BLOCK_FILE = "_block.yaml"
OPERATION = "operation"
Widget = Literal["short-input", "long-input", "code", "dropdown", "switch"]


class HostField(BaseModel):
    """One field of the host's own block: the param it feeds per operation, and where
    its form field differs from the one derived from the param."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    params: dict[str, str]  # operation -> param
    type: Widget | None = None
    options: list[str] | None = None
    mode: Literal["advanced"] | None = None


class HostBlock(BaseModel):
    """The host platform's own block that this one replaces (see ``_block.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    operations: list[str] = Field(default_factory=list)
    fields: dict[str, HostField] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, raw: Any) -> Any:
        """``id: [ops]`` (the param has the field's name), ``id: {op: param}``, or
        ``id: {ops: [...], type: ..., options: [...], mode: ...}``."""
        if not isinstance(raw, dict) or not isinstance(raw.get("fields"), dict):
            return raw
        fields: dict[str, Any] = {}
        for field_id, value in raw["fields"].items():
            if isinstance(value, list):
                value = {"params": {op: field_id for op in value}}
            elif isinstance(value, dict) and "ops" in value:
                rest = {k: v for k, v in value.items() if k != "ops"}
                value = {"params": {op: field_id for op in value["ops"]}, **rest}
            elif isinstance(value, dict) and "params" not in value:
                value = {"params": value}
            fields[field_id] = value
        return {**raw, "fields": fields}


class SentencePiece(BaseModel):
    """A piece of the sentence the canvas shows on the block: text bound to a field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    field: str
    core: bool = False


class BlockMeta(BaseModel):
    """``tool_specs/_block.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: str
    name: str
    description: str
    long_description: str = Field(alias="longDescription")
    docs_link: str | None = Field(None, alias="docsLink")
    category: Literal["tools", "blocks", "triggers"] = "tools"
    integration_type: str | None = Field(None, alias="integrationType")
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
    host: HostBlock = HostBlock()
    sentences: dict[str, list[SentencePiece]] = Field(default_factory=dict)

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


def _field(
    field_id: str, uses: list[_Use], kind: Widget, meta: BlockMeta, host: HostField | None
) -> dict[str, Any]:
    first = uses[0]
    operations = list(dict.fromkeys(u.operation for u in uses))
    required_in = [u.operation for u in uses if u.param.required]
    kind = host.type if host is not None and host.type is not None else kind
    field: dict[str, Any] = {
        "id": field_id,
        "title": meta.titles.get(first.name, humanize(first.name)),
        "type": kind,
    }
    if first.param.secret:
        field["password"] = True
    if kind == "code":
        field["language"] = "json"
    if kind == "dropdown":
        values = host.options if host is not None and host.options else first.param.enum or []
        options = [
            {"label": meta.option_labels.get(str(v), humanize(str(v))), "id": v} for v in values
        ]
        if required_in != operations:
            options.insert(0, {"label": "Not set", "id": ""})
        field["options"] = options
    placeholder = next((u.param.placeholder for u in uses if u.param.placeholder), None)
    if placeholder:
        field["placeholder"] = placeholder
    default = _same([u.param.default for u in uses])
    if default is not None:
        field["defaultValue"] = default
    elif kind == "dropdown":
        field["defaultValue"] = field["options"][0]["id"]
    field["condition"] = {"field": OPERATION, "value": operations}
    if required_in == operations:
        field["required"] = True
    elif required_in:
        field["required"] = {"field": OPERATION, "value": required_in}
    advanced = not required_in and all(u.param.advanced for u in uses)
    if (host is not None and host.mode == "advanced") or advanced:
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


def _uses(specs: list[ToolSpec], meta: BlockMeta) -> list[_Use]:
    return [
        _Use(meta.operation_id(spec.id), name, param)
        for spec in specs
        for name, param in spec.params.items()
        if param.visibility != "hidden"
    ]


def _host_field_ids(uses: list[_Use], meta: BlockMeta) -> dict[tuple[str, str], str]:
    """(operation, param) -> the host's field id, for the host's own operations.

    Every host field whose operation is served must find its param in that tool.
    """
    host_uses = {(u.operation, u.name) for u in uses}
    served = {u.operation for u in uses}
    ids: dict[tuple[str, str], str] = {}
    for field_id, host_field in meta.host.fields.items():
        for operation, param in host_field.params.items():
            if operation in served and (operation, param) not in host_uses:
                raise SpecError(
                    f"{BLOCK_FILE}: host field {field_id!r} feeds {param!r}, "
                    f"which the tool of operation {operation!r} does not take"
                )
            ids[operation, param] = field_id
    return ids


def _form(specs: list[ToolSpec], meta: BlockMeta) -> _Form:
    """The fields, and which field feeds which param of each operation.

    On the host's operations a param takes the host's field (``host`` in
    ``_block.yaml``); another param there whose name is a host field id gets a
    field of its own. On other operations a param shares the host's field when
    it has its name and kind; the rest share fields by name and kind.
    """
    uses = _uses(specs, meta)
    host_ids = _host_field_ids(uses, meta)
    host_ops = set(meta.host.operations)
    host_groups: dict[str, list[_Use]] = {}
    host_kinds: dict[str, _GroupKey] = {}
    for use in uses:
        field_id = host_ids.get((use.operation, use.name))
        if field_id is not None:
            host_groups.setdefault(field_id, []).append(use)
            _, kind, extra = _group_key(use.name, use.param, meta)
            host_kinds.setdefault(field_id, (field_id, kind, extra))
    groups: dict[_GroupKey, list[_Use]] = {}
    field_of: dict[tuple[str, str], str] = {
        (u.operation, u.name): host_ids[u.operation, u.name]
        for u in uses
        if (u.operation, u.name) in host_ids
    }
    for use in uses:
        if (use.operation, use.name) in field_of:
            continue
        key = _group_key(use.name, use.param, meta)
        if use.operation not in host_ops and host_kinds.get(use.name) == key:
            host_groups[use.name].append(use)  # the same field, on an operation of ours
            field_of[use.operation, use.name] = use.name
            continue
        groups.setdefault(key, []).append(use)
    group_ids: dict[_GroupKey, str] = {}
    for key, group in groups.items():
        rivals = [k for k in groups if k[0] == key[0]]
        primary = max(rivals, key=lambda k: len(groups[k]))  # ties: the first seen
        own_name = key == primary and key[0] not in meta.host.fields
        group_ids[key] = key[0] if own_name else f"{key[0]}_{group[0].operation}"
    taken = [*host_groups, *group_ids.values()]
    if len(set(taken)) != len(taken) or OPERATION in taken:
        raise SpecError(f"{BLOCK_FILE}: two form fields would share an id: {sorted(taken)}")
    for key, group in groups.items():
        for use in group:
            field_of[use.operation, use.name] = group_ids[key]
    fields = [
        _field(field_id, group, host_kinds[field_id][1], meta, meta.host.fields[field_id])
        for field_id, group in host_groups.items()
    ]
    fields += [_field(group_ids[k], group, k[1], meta, None) for k, group in groups.items()]
    fields.sort(key=lambda f: 2 if f.get("mode") == "advanced" else 1 if f.get("password") else 0)
    mapping = {
        meta.operation_id(spec.id): {
            name: field_of[meta.operation_id(spec.id), name]
            for name, param in spec.params.items()
            if param.visibility != "hidden"
        }
        for spec in specs
    }
    inputs = {
        field_id: {"type": group[0].param.type, "description": group[0].param.description}
        for field_id, group in [
            *host_groups.items(),
            *((group_ids[k], g) for k, g in groups.items()),
        ]
    }
    return _Form(fields, mapping, inputs)


# The host's output types: an object or a list is ``json`` there.
_HOST_OUTPUT_TYPES = {"object": "json", "array": "json"}


def _outputs(specs: list[ToolSpec]) -> dict[str, dict[str, str]]:
    """The union of the tools' top-level outputs; a name typed differently by two tools is json."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        for name, out in spec.outputs.items():
            variants = seen.setdefault(name, [])
            kind = _HOST_OUTPUT_TYPES.get(out.type, out.type)
            if (kind, out.description) not in variants:
                variants.append((kind, out.description))
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
        "options": options,
        "defaultValue": options[0]["id"],
        "required": True,
    }


def _sentence_case(name: str) -> str:
    """``Get Run Status`` -> ``Get run status`` (acronyms stay)."""
    first, *rest = name.split(" ")
    return " ".join([first, *(w if w.isupper() else w.lower() for w in rest)])


def _sentences(
    specs: list[ToolSpec], meta: BlockMeta, mapping: Mapping[str, Mapping[str, str]]
) -> dict[str, list[dict[str, Any]]]:
    """Per operation, the sentence the canvas shows: ``_block.yaml``'s, or the
    operation's name bound to its first field that is not a secret."""
    sentences: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        operation = meta.operation_id(spec.id)
        fields = mapping[operation]
        pieces = meta.sentences.get(operation)
        if pieces is not None:
            unknown = [p.field for p in pieces if p.field not in fields.values()]
            if unknown:
                raise SpecError(f"{BLOCK_FILE}: sentence of {operation} names {unknown}")
            sentences[operation] = [p.model_dump(exclude_defaults=True) for p in pieces]
            continue
        shown = [fields[n] for n, p in spec.params.items() if n in fields and not p.secret]
        required = [fields[n] for n, p in spec.params.items() if n in fields and p.required]
        bound = next((f for f in shown if f in required), shown[0] if shown else None)
        piece: dict[str, Any] = {"text": _sentence_case(spec.name), "core": True}
        if bound is not None:
            piece["field"] = bound
        sentences[operation] = [piece]
    return sentences


# The one key of the block JSON that a Sim-style host does not know: what this package
# adds (the icon as SVG, the field -> param map the host has as code, the form schema).
EXTRAS = "x-aacflow"


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
    }
    if meta.integration_type:
        block["integrationType"] = meta.integration_type
    if meta.docs_link:
        block["docsLink"] = meta.docs_link
    block.update(
        {
            "bgColor": meta.bg_color,
            "authMode": meta.auth_mode,
            "canvasPresentation": {
                "sentences": {"byOperation": _sentences(specs, meta, form.mapping)}
            },
            "subBlocks": [_operation_field(specs, meta), *form.fields],
            "tools": {"access": [s.id for s in specs]},
            "inputs": {
                OPERATION: {"type": "string", "description": "Operation to perform"},
                **form.inputs,
            },
            "outputs": _outputs(specs),
        }
    )
    block[EXTRAS] = {
        "icon": meta.icon,
        "iconColor": meta.icon_color,
        "iconSvg": icon_svg(),
        "toolConfig": {
            "tool": {"field": OPERATION, "map": operations},
            "params": form.mapping,
        },
    }
    block[EXTRAS]["formSchema"] = form_schema(block, {s.id: s for s in specs})
    return block


def tool_config(block: Mapping[str, Any]) -> Mapping[str, Any]:
    """The operation -> tool map and, per operation, the field that feeds each param."""
    config: Mapping[str, Any] = block[EXTRAS]["toolConfig"]
    return config


def _form_number(param: ParamSpec, value: Any) -> Any:
    """A number param's form string as a number, as the host's own mapping does for
    ``limit``; anything else stays as it is, for the executor to judge."""
    if param.type != "number" or not isinstance(value, str):
        return value
    try:
        number = float(value.strip())
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return int(number) if number.is_integer() and "." not in value else number


def resolve_call(
    block: Mapping[str, Any],
    values: Mapping[str, Any],
    specs: Mapping[str, ToolSpec] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The tool id and params that a filled-in block form stands for.

    Only the fields the chosen operation shows are read; empty ones (``None``
    or ``""``) count as not given. With ``specs`` (tool id -> spec), number
    params given as form strings become numbers; everything else stays as the
    form holds it: the executor coerces and validates it.
    """
    config = tool_config(block)
    tool_map: Mapping[str, str] = config["tool"]["map"]
    operation = values.get(OPERATION) or block["subBlocks"][0]["defaultValue"]
    if operation not in tool_map:
        known = ", ".join(tool_map)
        raise ValueError(f"{OPERATION}: {operation!r} is not an operation of this block ({known})")
    tool_id = tool_map[operation]
    spec = specs.get(tool_id) if specs is not None else None
    params: dict[str, Any] = {}
    for param, field in config["params"][operation].items():
        value = values.get(field)
        if value is None or value == "":
            continue
        if spec is not None and param in spec.params:
            value = _form_number(spec.params[param], value)
        params[param] = value
    return tool_id, params
