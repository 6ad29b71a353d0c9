"""What a host engine loads from the ``aacflow.integrations`` entry point ``hex``.

::

    from importlib.metadata import entry_points

    hex_ = entry_points(group="aacflow.integrations")["hex"].load()
    hex_.id, hex_.name          # "hex", "Hex"
    hex_.registry               # Registry: every tool spec, validators compiled
    hex_.block()                # the canvas block (dict, as `aacflow-hex export block`)
    hex_.icon_svg()             # the Hex wordmark as SVG text; hex_.icon_path() its file
    tool_id, params = hex_.resolve(form_values)    # a filled-in block form -> a tool call
    async with hex_.create_executor(api_key=..., base_url=...) as ex:
        result = await ex.execute(tool_id, params)

The object holds no state: each attribute reads the specs (loaded once per
process by the registry) or builds a fresh value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..spec.registry import Registry, load_registry
from .icon import icon_path, icon_svg

if TYPE_CHECKING:  # each imported when first used: a host loads this at its start
    from ..engine.executor import HexExecutor


class HexIntegration:
    id = "hex"
    name = "Hex"

    @property
    def registry(self) -> Registry:
        return load_registry()

    def block(self, *, read_only: bool = False) -> dict[str, Any]:
        from .block import build_block

        return build_block(self.registry, read_only=read_only)

    def icon_svg(self) -> str:
        return icon_svg()

    def icon_path(self) -> Path:
        return icon_path()

    def resolve(self, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The tool id and params a filled-in block form stands for (field ids as
        AACFlow's own Hex block saves them; number fields' text read as numbers)."""
        from .block import resolve_call

        registry = self.registry
        return resolve_call(self.block(), values, {s.id: s for s in registry.specs()})

    def create_executor(
        self, *, api_key: str | None = None, base_url: str | None = None, **options: Any
    ) -> HexExecutor:
        """A HexExecutor (use it with ``async with``); ``options`` go to its constructor."""
        from ..engine.executor import HexExecutor

        return HexExecutor(base_url=base_url, api_key=api_key, registry=self.registry, **options)

    def __repr__(self) -> str:
        return f"HexIntegration(tools={len(self.registry)})"


integration = HexIntegration()
