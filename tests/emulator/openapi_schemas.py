"""Validators for component schemas of the shared OpenAPI specs (OpenAPI 3.0 -> JSON Schema).

The specs live in ``../shared/hex-api/`` beside the repository root; ``load_spec`` returns
None when the file is absent so that tests can skip with a reason.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import yaml

# Verbatim gzipped copies of ../shared/hex-api/ (see specs/README.md), so that the
# conformance tests also run on a clone without the shared folder beside it.
VENDORED_DIR = Path(__file__).resolve().parent / "specs"


def _shared_dir() -> Path:
    """The shared spec folder: $HEX_OPENAPI_DIR, or shared/hex-api beside a parent folder."""
    if os.environ.get("HEX_OPENAPI_DIR"):
        return Path(os.environ["HEX_OPENAPI_DIR"])
    repo = Path(__file__).resolve().parents[2]
    for parent in repo.parents:
        candidate = parent / "shared" / "hex-api"
        if candidate.is_dir():
            return candidate
    return VENDORED_DIR


SPEC_DIR = _shared_dir()
SPEC_LATEST = SPEC_DIR / "hex-openapi-latest.json"
SPEC_2022 = SPEC_DIR / "hex-openapi-2022.prefect-hex.yaml"


def read_spec_text(path: Path) -> str | None:
    """The spec's text from the shared folder, else from its vendored gzipped copy."""
    if path.is_file():
        return path.read_text(encoding="utf-8")
    vendored = VENDORED_DIR / (path.name + ".gz")
    if vendored.is_file():
        return gzip.decompress(vendored.read_bytes()).decode("utf-8")
    return None


def load_spec(path: Path) -> dict[str, Any] | None:
    text = read_spec_text(path)
    if text is None:
        return None
    loaded = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` becomes ``anyOf [schema, null]``; the rest is kept."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: to_json_schema(value) for key, value in node.items()}
    # "default" values in these specs are strings like "false"; they carry no constraint.
    converted.pop("default", None)
    converted.pop("example", None)
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class SchemaSet:
    """Validate instances against ``#/components/schemas/<name>`` of one spec."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.schemas: dict[str, Any] = copy.deepcopy(spec["components"]["schemas"])

    def patch(self, name: str, path: list[str], value: Any) -> None:
        """Replace the sub-schema at ``path`` of component ``name`` (for documented drift)."""
        node = self.schemas[name]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    def errors(self, name: str, instance: Any) -> list[str]:
        root = {
            "$ref": f"#/components/schemas/{name}",
            "components": {"schemas": to_json_schema(self.schemas)},
        }
        validator = jsonschema.Draft202012Validator(
            root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        return [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    def check(self, name: str, instance: Any) -> None:
        problems = self.errors(name, instance)
        assert not problems, f"{name}: {problems[:5]}"


class ResponseSchemas:
    """Validate an answer against the response schema the spec gives its operation.

    Operations are found by method and path (relative to ``/v1``, as the emulator's
    routes are); the schema by status code. Validators are compiled once per schema.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = to_json_schema(copy.deepcopy(spec["components"]["schemas"]))
        self._routes: list[tuple[str, re.Pattern[str], str, dict[str, Any]]] = []
        for raw_path, item in spec["paths"].items():
            relative = raw_path.removeprefix("/v1")
            # Path params become one segment; "(projects|models)" is already a regex.
            pattern = re.compile(re.sub(r"\{[^}]+\}", "[^/]+", relative) + "$")
            for method, operation in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self._routes.append(
                        (method.upper(), pattern, operation["operationId"], operation)
                    )
        self._validators: dict[tuple[str, str], jsonschema.Draft202012Validator] = {}

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """(operationId, operation) serving ``method path``, or None if the spec has none.

        A literal path (``/projects/export``) wins over a templated one.
        """
        matches = [
            (op_id, operation, pattern.pattern.count("[^/]+"))
            for verb, pattern, op_id, operation in self._routes
            if verb == method.upper() and pattern.match(path)
        ]
        if not matches:
            return None
        op_id, operation, _ = min(matches, key=lambda match: match[2])
        return op_id, operation

    def response_schema(self, op_id: str, operation: dict[str, Any], status: int) -> Any:
        """The JSON schema for ``status`` (None: no body), KeyError if the status is absent."""
        response = operation["responses"][str(status)]
        content = response.get("content") or {}
        if not content:
            return None
        return content["application/json"]["schema"]

    def errors_for_schema(self, key: tuple[str, str], schema: Any, body: Any) -> list[str]:
        validator = self._validators.get(key)
        if validator is None:
            root = {**to_json_schema(schema), "components": {"schemas": self.components}}
            validator = jsonschema.Draft202012Validator(
                root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            self._validators[key] = validator
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
            for e in validator.iter_errors(body)
        ]

    def component_errors(self, name: str, body: Any) -> list[str]:
        schema = {"$ref": f"#/components/schemas/{name}"}
        return self.errors_for_schema(("component", name), schema, body)
