"""aacflow-hex: the Hex (hex.tech) tools for AACFlow workflows, agents and people.

The names below are imported when first used (PEP 562), so that ``import aacflow_hex``
and ``load_registry()`` do not pay for aiohttp and pydantic, which only a call needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine.executor import DEFAULT_BASE_URL, HexExecutor
    from .engine.results import ToolError, ToolResult
    from .spec.loading import SpecError
    from .spec.registry import Registry, UnknownToolError, load_registry
    from .spec.specs import ToolSpec
    from .surfaces.icon import icon_path, icon_svg

# Each public name -> the module that defines it.
_LAZY = {
    "DEFAULT_BASE_URL": ".engine.executor",
    "HexExecutor": ".engine.executor",
    "Registry": ".spec.registry",
    "SpecError": ".spec.loading",
    "ToolError": ".engine.results",
    "ToolResult": ".engine.results",
    "ToolSpec": ".spec.specs",
    "UnknownToolError": ".spec.registry",
    "icon_path": ".surfaces.icon",
    "icon_svg": ".surfaces.icon",
    "load_registry": ".spec.registry",
}

__all__ = [
    "DEFAULT_BASE_URL",
    "HexExecutor",
    "Registry",
    "SpecError",
    "ToolError",
    "ToolResult",
    "ToolSpec",
    "UnknownToolError",
    "icon_path",
    "icon_svg",
    "load_registry",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
