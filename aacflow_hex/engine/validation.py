"""Turn raw params (from a form, an agent or Python) into validated params.

Pure functions: coerce form strings, reduce Hex URLs to ids, validate with
the tool's compiled JSON Schema, and check rules between params. Every
message names the parameter and what was wrong, and never shows a secret.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..spec.quickcheck import QuickCheck
from ..spec.schema import UUID_PATTERN
from ..spec.specs import ParamSpec, Rule, ToolSpec, placeholders

if TYPE_CHECKING:  # jsonschema loads with the first validator (registry), not at import
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as SchemaError

_UUID_IN_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class ParamError(ValueError):
    """One or more params are invalid; ``messages`` name each param."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _coerce(name: str, param: ParamSpec, value: Any) -> Any:
    """Form inputs arrive as strings: read them as the param's type."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if param.type == "number":
        try:
            number = float(text)
        except ValueError:
            return value  # the schema reports the wrong type
        return int(number) if number.is_integer() and "." not in text else number
    if param.type == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        return value
    if param.type == "json":
        if param.json_schema.get("type") == "array" and not text.startswith("["):
            # A form field may list ids as "a, b, c".
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParamError([f"{name}: is not valid JSON ({exc.msg} at char {exc.pos})"]) from exc
    return value


def _id_from_url(name: str, param: ParamSpec, value: str) -> str:
    """Reduce a Hex URL such as https://app.hex.tech/<ws>/hex/<uuid>/... to the uuid."""
    if "//" not in value:
        return value  # no host, so no URL (and no urlsplit on every plain id)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return value
    if not param.url_segments:
        raise ParamError([f"{name}: expects a UUID, not a URL"])
    segments = [s for s in parts.path.split("/") if s]
    for i, segment in enumerate(segments[:-1]):
        if segment in param.url_segments and _UUID_IN_TEXT.fullmatch(segments[i + 1]):
            return segments[i + 1]
    where = " or ".join(f"/{s}/<uuid>" for s in param.url_segments)
    raise ParamError(
        [
            f"{name}: this URL holds no id where Hex puts it; expected a UUID or a URL "
            f"like https://app.hex.tech/<workspace>{where.split(' or ')[0]}/..., "
            f"where the UUID follows {where}"
        ]
    )


def _is_set(value: Any) -> bool:
    return value is not None and value is not False and value != {} and value != ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _shown(param: ParamSpec | None, value: Any) -> str:
    if param is not None and param.secret:
        return "(hidden)"
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: SchemaError, spec: ToolSpec) -> str:
    path = [str(p) for p in error.absolute_path]
    name = path[0] if path else "params"
    param = spec.params.get(name)
    where = name + "".join(f"[{p}]" for p in path[1:])
    got = _shown(param, error.instance)
    kind = error.validator
    if kind == "type":
        expected = error.validator_value
        return f"{where}: must be of type {expected}, got {_type_name(error.instance)}"
    if kind == "minimum":
        return f"{where}: must be at least {error.validator_value:g}, got {got}"
    if kind == "maximum":
        return f"{where}: must be at most {error.validator_value:g}, got {got}"
    if kind == "enum":
        # The failing schema's own list: the param's choices, or a nested item's.
        choices: Any = error.validator_value
        options = ", ".join(str(v) for v in choices)
        return f"{where}: must be one of {options}; got {got}"
    if kind == "pattern" and error.validator_value == UUID_PATTERN and len(path) > 1:
        return f"{where}: must be a UUID like 123e4567-e89b-42d3-a456-426614174000; got {got}"
    if kind == "pattern" and param is not None and param.format == "uuid":
        return (
            f"{where}: must be a UUID like 123e4567-e89b-42d3-a456-426614174000"
            + (" or a Hex URL containing one" if param.url_segments else "")
            + f"; got {got}"
        )
    if kind == "minLength" and error.validator_value == 1:
        return f"{where}: must not be empty"
    if kind in ("minLength", "maxLength", "minItems", "maxItems", "pattern", "format"):
        return f"{where}: fails {kind} {error.validator_value}; got {got}"
    if param is not None and param.secret:
        return f"{where}: is invalid ({kind})"
    return f"{where}: {error.message}"


def _nulled(param: ParamSpec, params: Mapping[str, Any]) -> bool:
    return param.null_when is not None and params.get(param.null_when) is True


def _check_nulled(spec: ToolSpec, params: dict[str, Any]) -> list[str]:
    """Params sent as null by a flag must be left empty; without it, not empty."""
    messages = []
    for name, param in spec.params.items():
        if param.null_when is None:
            continue
        if _nulled(param, params):
            if _is_set(params.get(name)):
                messages.append(
                    f"{name} and {param.null_when}: cannot be combined; {param.null_when} "
                    f"removes the {name}, so leave {name} empty"
                )
            params.pop(name, None)
        elif params.get(name) == "":
            messages.append(f"{name}: must not be empty (to remove it, set {param.null_when})")
    return messages


def _holds(value: Any, keys: list[str]) -> bool:
    """Whether ``value`` has the nested key ``keys`` (``["ssh", "key"]``: value["ssh"]["key"])."""
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


def _check_secret_keys(spec: ToolSpec, params: Mapping[str, Any]) -> list[str]:
    """A json object may not carry a key that a secret param fills in it, at any depth.

    Secrets have their own hidden, masked params; inside a visible object they would
    reach an AI's context and could come back unmasked.
    """
    messages = []
    for name, param in spec.params.items():
        value = params.get(name)
        if param.type != "json" or param.secret or not isinstance(value, dict):
            continue
        prefix = (param.wire_name or name) + "."
        for secret_name, secret in spec.params.items():
            wire = secret.wire_name or secret_name
            leaf = wire.removeprefix(prefix)
            if secret.secret and wire.startswith(prefix) and _holds(value, leaf.split(".")):
                messages.append(
                    f"{name}: may not contain {leaf!r}; give it in the {secret_name} field, "
                    "which stays hidden"
                )
    return messages


def _check_placeholders(spec: ToolSpec, params: Mapping[str, Any]) -> list[str]:
    """A param whose body key depends on another (``{type}``) needs that other param."""
    messages = []
    for name, param in spec.params.items():
        if name not in params:  # given values are never None here: None means not given
            continue
        for other in placeholders(param.wire_name or ""):
            if other not in params and not spec.params[other].required:
                messages.append(
                    f"{other}: required when {name} is given (Hex files {name} under it)"
                )
    return messages


def _check_rule(rule: Rule, params: dict[str, Any]) -> list[str]:
    if rule.exclusive:
        given = [p for p in rule.exclusive if _is_set(params.get(p))]
        if len(given) > 1:
            return [f"{' and '.join(given)}: cannot be combined; {rule.reason}"]
        return []
    if rule.at_least_one:
        if not any(_is_set(params.get(p)) for p in rule.at_least_one):
            return [f"{', '.join(rule.at_least_one)}: give at least one; {rule.reason}"]
        return []
    if rule.together:
        given = [p for p in rule.together if _is_set(params.get(p))]
        if 0 < len(given) < len(rule.together):
            absent = [p for p in rule.together if p not in given]
            return [f"{', '.join(absent)}: required with {', '.join(given)}; {rule.reason}"]
        return []
    assert rule.when is not None
    value = params.get(rule.when)
    if not _is_set(value) or (rule.equals is not None and value not in rule.equals):
        return []
    condition = f"{rule.when} is {value}" if rule.equals is not None else f"{rule.when} is given"
    messages = []
    absent = [p for p in rule.requires if not _is_set(params.get(p))]
    if absent:
        messages.append(f"{', '.join(absent)}: required when {condition}; {rule.reason}")
    present = [p for p in rule.forbids if _is_set(params.get(p))]
    if present:
        messages.append(f"{', '.join(present)}: not allowed when {condition}; {rule.reason}")
    for name in rule.forbids:
        params.pop(name, None)  # an empty or false value means "not given": not sent
    return messages


def _missing(name: str, param: ParamSpec) -> str:
    if param.location == "auth":
        return f"{name}: is required (pass it, or set HEX_API_KEY)"
    return f"{name}: is required"


def validate_params(
    spec: ToolSpec,
    validator: Draft202012Validator,
    raw: Mapping[str, Any],
    *,
    quick_check: QuickCheck | None = None,
) -> dict[str, Any]:
    """Coerce, normalize and validate; returns the clean params or raises ParamError.

    ``quick_check`` (the registry's, for this tool) may prove the params valid and so
    spare the JSON Schema walk; whatever it cannot prove, the validator decides.
    """
    messages: list[str] = []
    unreadable: set[str] = set()
    params: dict[str, Any] = {}
    for name, value in raw.items():
        param = spec.params.get(name)
        if param is None:
            known = ", ".join(sorted(spec.params))
            messages.append(f"{name}: unknown parameter for {spec.id} (known: {known})")
            continue
        if value is None or (value == "" and param.type != "string"):
            continue  # an empty form field means "not given"
        if value == "" and not param.required:
            continue
        try:
            value = _coerce(name, param, value)
            if isinstance(value, float) and not math.isfinite(value):
                # NaN passes every minimum and maximum, and JSON has no such number.
                raise ParamError([f"{name}: must be a finite number, got {value}"])
            if param.format == "uuid" and isinstance(value, str):
                value = _id_from_url(name, param, value.strip())
        except ParamError as exc:
            messages.extend(exc.messages)
            unreadable.add(name)
            continue
        params[name] = value
    for name, param in spec.params.items():
        if name not in params and param.default is not None:
            params[name] = param.default
    messages.extend(_check_nulled(spec, params))
    messages.extend(_check_placeholders(spec, params))
    messages.extend(_check_secret_keys(spec, params))
    missing = [
        n
        for n, p in spec.params.items()
        if p.required and n not in params and not _nulled(p, params)
    ]
    messages.extend(_missing(n, spec.params[n]) for n in missing if n not in unreadable)
    proved = quick_check is not None and quick_check(params)
    schema_errors = [] if proved else validator.iter_errors(params)
    for error in sorted(schema_errors, key=lambda e: list(e.absolute_path)):
        top_level = not error.absolute_path
        if error.validator in ("required", "additionalProperties") and top_level:
            continue  # reported above, with clearer words
        messages.append(_describe(error, spec))
    for rule in spec.rules:
        # A param that could not be read is neither given nor missing: its own message says.
        if unreadable.isdisjoint(rule.names):
            messages.extend(_check_rule(rule, params))
    if messages:
        raise ParamError(messages)
    return params
