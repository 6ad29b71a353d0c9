"""aacflow-hex: the Hex (hex.tech) tools for AACFlow workflows, agents and people."""

from .engine.executor import DEFAULT_BASE_URL, HexExecutor
from .engine.results import ToolError, ToolResult
from .spec.registry import Registry, UnknownToolError, load_registry
from .spec.specs import SpecError, ToolSpec
from .surfaces.icon import icon_path, icon_svg

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
