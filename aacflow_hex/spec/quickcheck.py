"""A quick, partial JSON Schema check that proves plainly valid params valid.

jsonschema walks a schema with a fresh validator object per property: about 60 us for
three string params, a third of the executor's own time per call. Most calls send a
few strings, numbers and flags that are plainly valid. ``compile_quick_check`` turns
the simple parts of a tool's input schema into plain Python checks, once per tool.

The check answers True only when it has proved the params valid under the schema;
False means "not proved", and the caller runs the full validator, which also words
the errors. So it makes validation faster, never more lenient: any keyword it does
not know, any value of a type it does not model, sends the call down the full path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

QuickCheck = Callable[[Mapping[str, Any]], bool]
ValueCheck = Callable[[Any], bool]

# Keywords that never reject a value (annotations). ``format`` is one only while the
# validator has no format checker; see compile_quick_check.
_ANNOTATIONS = frozenset(
    {"description", "default", "title", "examples", "deprecated", "readOnly", "writeOnly"}
)
_TOP_LEVEL = frozenset({"type", "properties", "additionalProperties", "required"})


def _never(_value: Any) -> bool:
    return False


def _type_check(expected: Any) -> ValueCheck | None:
    """Exact Python types only: a bool is no number, a Decimal is not modelled."""
    if expected == "string":
        return lambda v: type(v) is str
    if expected == "boolean":
        return lambda v: type(v) is bool
    if expected == "number":
        return lambda v: type(v) is int or type(v) is float
    if expected == "integer":
        return lambda v: type(v) is int or (type(v) is float and v.is_integer())
    return None


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _keyword_check(keyword: str, argument: Any) -> ValueCheck | None:
    """A check that holds exactly when jsonschema's keyword accepts the value, or None."""
    if keyword == "type":
        return _type_check(argument)
    if keyword == "enum":
        if not isinstance(argument, list):
            return None
        # Strings compare alike in JSON Schema and Python; other values (1 vs True) do not.
        strings = frozenset(v for v in argument if isinstance(v, str))
        return lambda v: type(v) is str and v in strings
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if not _is_number(argument):
            return None
        bound = argument
        compare: Callable[[Any], bool] = {
            "minimum": lambda v: v >= bound,
            "maximum": lambda v: v <= bound,
            "exclusiveMinimum": lambda v: v > bound,
            "exclusiveMaximum": lambda v: v < bound,
        }[keyword]
        # Bounds apply to numbers only; anything else is left to the type keyword.
        return lambda v: not _is_number(v) or compare(v)
    if keyword == "pattern":
        if not isinstance(argument, str):
            return None
        try:
            search = re.compile(argument).search
        except re.error:
            return None
        return lambda v: type(v) is not str or search(v) is not None
    if keyword in ("minLength", "maxLength"):
        if type(argument) is not int:
            return None
        limit = argument
        if keyword == "minLength":
            return lambda v: type(v) is not str or len(v) >= limit
        return lambda v: type(v) is not str or len(v) <= limit
    return None


def _property_check(schema: Any, format_asserts: bool) -> ValueCheck:
    """All of a property's keywords at once; ``_never`` when one is not modelled."""
    if not isinstance(schema, dict) or "type" not in schema:
        return _never  # an untyped value could be anything: leave it to jsonschema
    checks: list[ValueCheck] = []
    for keyword, argument in schema.items():
        if keyword in _ANNOTATIONS or (keyword == "format" and not format_asserts):
            continue
        check = _keyword_check(keyword, argument)
        if check is None:
            return _never
        checks.append(check)
    if len(checks) == 1:
        return checks[0]

    # A loop, not all() over a generator: it runs on every call and costs half as much.
    def check_all(value: Any) -> bool:
        for check in checks:  # noqa: SIM110
            if not check(value):
                return False
        return True

    return check_all


def compile_quick_check(validator: Draft202012Validator) -> QuickCheck | None:
    """A quick check for the validator's schema, or None when its shape is not modelled."""
    schema = validator.schema
    if not isinstance(schema, dict) or not set(schema) <= _TOP_LEVEL:
        return None
    properties = schema.get("properties", {})
    if schema.get("type") != "object" or not isinstance(properties, dict):
        return None
    closed = schema.get("additionalProperties", True)
    if closed not in (True, False):
        return None  # a schema for the other properties: not modelled
    required = schema.get("required", [])
    if not isinstance(required, list):
        return None
    format_asserts = validator.format_checker is not None
    checks = {name: _property_check(sub, format_asserts) for name, sub in properties.items()}
    needed = tuple(required)

    def quick_check(params: Mapping[str, Any]) -> bool:
        if type(params) is not dict:
            return False
        for name in needed:
            if name not in params:
                return False
        for name, value in params.items():
            check = checks.get(name)
            if check is None:
                if closed is False:
                    return False
                continue
            if not check(value):
                return False
        return True

    return quick_check
