"""Validators for component schemas of the shared OpenAPI specs (OpenAPI 3.0 -> JSON Schema).

The specs live in ``../shared/hex-api/`` beside the repository root; ``load_spec`` returns
None when the file is absent so that tests can skip with a reason.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "hex-api"
SPEC_2025 = SPEC_DIR / "hex-openapi.franccesco-hex-toolkit.json"
SPEC_2022 = SPEC_DIR / "hex-openapi-2022.prefect-hex.yaml"


def load_spec(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
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
