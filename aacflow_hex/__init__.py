"""aacflow-hex: the Hex (hex.tech) tools for AACFlow workflows, agents and people."""

from .executor import DEFAULT_BASE_URL, HexExecutor
from .icon import icon_path, icon_svg
from .registry import Registry, UnknownToolError, load_registry
from .results import ToolError, ToolResult
from .specs import SpecError, ToolSpec

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
