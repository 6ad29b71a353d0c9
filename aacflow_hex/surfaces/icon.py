"""The Hex wordmark (``icons/hex.svg``), found in a source checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

ICON_FILE = "hex.svg"


def icons_dir() -> Path:
    """``icons`` inside the installed wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parents[1]  # the aacflow_hex package
    for candidate in (here / "icons", here.parent / "icons"):
        if (candidate / ICON_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"no icons/{ICON_FILE} next to {here}")


def icon_path() -> Path:
    return icons_dir() / ICON_FILE


def icon_svg() -> str:
    """The SVG text of the Hex wordmark."""
    return icon_path().read_text(encoding="utf-8")
