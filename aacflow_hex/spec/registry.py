"""The registry: every tool spec, each with its input validator compiled once, when first used."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .mapping import OutputsMapper, compile_fields, params_in_outputs
from .quickcheck import QuickCheck, compile_quick_check
from .schema import input_schema
from .specs import ToolSpec, load_specs

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


class UnknownToolError(KeyError):
    """No tool with that id; the message lists the close matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown tool"


@dataclass(frozen=True)
class RegisteredTool:
    spec: ToolSpec

    @cached_property
    def validator(self) -> Draft202012Validator:
        """The params' JSON Schema validator, compiled on first use and kept.

        Compiling it (and importing jsonschema) waits for the first call, so that
        loading the registry, listing or describing tools does not pay for it.
        """
        from jsonschema import Draft202012Validator

        return Draft202012Validator(input_schema(self.spec))

    @cached_property
    def map_outputs(self) -> OutputsMapper:
        """The tool's output mapping, compiled once (see mapping.compile_fields)."""
        return compile_fields(self.spec.outputs)

    @cached_property
    def output_params(self) -> tuple[str, ...]:
        """The params whose values the outputs echo (``param:`` at any depth)."""
        return tuple(sorted(params_in_outputs(self.spec.outputs)))

    @cached_property
    def quick_check(self) -> QuickCheck | None:
        """Proves plainly valid params valid without the validator's walk (see quickcheck)."""
        return compile_quick_check(self.validator)


def specs_dir() -> Path:
    """``tool_specs`` inside the installed wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the aacflow_hex package
    for candidate in (here / "tool_specs", here.parent / "tool_specs"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no tool_specs directory next to {here}")


class Registry:
    def __init__(self, specs: dict[str, ToolSpec]) -> None:
        self._tools = {tool_id: RegisteredTool(spec) for tool_id, spec in sorted(specs.items())}

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


def load_registry(directory: Path | str | None = None) -> Registry:
    """All tools in ``tool_specs/`` (or ``directory``). The default one is loaded once."""
    if directory is None:
        return _default_registry()
    return Registry(load_specs(Path(directory)))


@cache
def _default_registry() -> Registry:
    return Registry(load_specs(specs_dir(), cached=True))
