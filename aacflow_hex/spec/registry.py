"""The registry: every tool spec, each with its input validator compiled once, when first used.

The default registry is built from the specs' cached data (see loading.spec_data), and
each ToolSpec (pydantic) from its data only when something asks for it: listing the
tools (``summaries``) needs neither pydantic nor PyYAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loading import SpecData, spec_data

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

    from .mapping import OutputsMapper
    from .quickcheck import QuickCheck
    from .specs import ToolSpec


class UnknownToolError(KeyError):
    """No tool with that id; the message lists the close matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown tool"


@dataclass(frozen=True)
class ToolSummary:
    """What a listing shows of a tool."""

    id: str
    name: str
    description: str
    read_only: bool

    @classmethod
    def of_spec(cls, spec: ToolSpec) -> ToolSummary:
        return cls(spec.id, spec.name, spec.description, spec.annotations.read_only)

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> ToolSummary:
        """From validated spec data, dumped by alias without defaults (readOnly: false)."""
        read_only = bool(data.get("annotations", {}).get("readOnly", False))
        return cls(data["id"], data["name"], data["description"], read_only)


class RegisteredTool:
    """One tool: its summary at once; its spec, and what is compiled from it, on first use."""

    def __init__(self, summary: ToolSummary, make_spec: Callable[[], ToolSpec]) -> None:
        self.summary = summary
        self._make_spec = make_spec

    @classmethod
    def of_spec(cls, spec: ToolSpec) -> RegisteredTool:
        return cls(ToolSummary.of_spec(spec), lambda: spec)

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> RegisteredTool:
        def make_spec() -> ToolSpec:
            from .specs import spec_from_data

            return spec_from_data(data)

        return cls(ToolSummary.of_data(data), make_spec)

    @cached_property
    def spec(self) -> ToolSpec:
        return self._make_spec()

    @cached_property
    def validator(self) -> Draft202012Validator:
        """The params' JSON Schema validator, compiled on first use and kept.

        Compiling it (and importing jsonschema) waits for the first call, so that
        loading the registry, listing or describing tools does not pay for it.
        """
        from jsonschema import Draft202012Validator

        from .schema import input_schema

        return Draft202012Validator(input_schema(self.spec))

    @cached_property
    def map_outputs(self) -> OutputsMapper:
        """The tool's output mapping, compiled once (see mapping.compile_fields)."""
        from .mapping import compile_fields

        return compile_fields(self.spec.outputs)

    @cached_property
    def output_params(self) -> tuple[str, ...]:
        """The params whose values the outputs echo (``param:`` at any depth)."""
        from .specs import params_in_outputs

        return tuple(sorted(params_in_outputs(self.spec.outputs)))

    @cached_property
    def quick_check(self) -> QuickCheck | None:
        """Proves plainly valid params valid without the validator's walk (see quickcheck)."""
        from .quickcheck import compile_quick_check

        return compile_quick_check(self.validator)


def specs_dir() -> Path:
    """``tool_specs`` inside the installed wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the aacflow_hex package
    for candidate in (here / "tool_specs", here.parent / "tool_specs"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no tool_specs directory next to {here}")


class Registry:
    def __init__(self, specs: Mapping[str, ToolSpec]) -> None:
        self._tools = {
            tool_id: RegisteredTool.of_spec(spec) for tool_id, spec in sorted(specs.items())
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Mapping[str, Any]]) -> Registry:
        """From validated spec data by tool id (loading.spec_data); specs built when asked for."""
        registry = cls({})
        registry._tools = {
            tool_id: RegisteredTool.of_data(data[tool_id]) for tool_id in sorted(data)
        }
        return registry

    def ids(self) -> list[str]:
        return list(self._tools)

    def get(self, tool_id: str) -> ToolSpec:
        return self.tool(tool_id).spec

    def tool(self, tool_id: str) -> RegisteredTool:
        try:
            return self._tools[tool_id]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(tool_id, self._tools, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownToolError(f"unknown tool {tool_id!r}{hint}") from None

    def __contains__(self, tool_id: object) -> bool:
        return tool_id in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def specs(self) -> list[ToolSpec]:
        return [t.spec for t in self._tools.values()]

    def summaries(self) -> list[ToolSummary]:
        """Every tool's id, name, description and read-only flag, without building its spec."""
        return [t.summary for t in self._tools.values()]


def load_registry(directory: Path | str | None = None) -> Registry:
    """All tools in ``tool_specs/`` (or ``directory``). The default one is loaded once."""
    if directory is None:
        return _default_registry()
    from .specs import load_specs

    return Registry(load_specs(Path(directory)))


def _validated_data(resolved: dict[str, dict[str, Any]]) -> dict[str, SpecData]:
    from .specs import validated_data  # pydantic: only when the YAML is read, not from cache

    return validated_data(resolved)


@cache
def _default_registry() -> Registry:
    return Registry.from_data(spec_data(specs_dir(), _validated_data, cached=True))
