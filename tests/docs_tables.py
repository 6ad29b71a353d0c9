"""Read tool tables back: from the docs page's flattened text and from our Markdown.

The docs page (``shared/seed/hex-tools-docs.txt``) runs each table row
together: ``apiKeystringJaHex API token...`` is name, type, Ja/Nein and
description; output rows have no Ja/Nein, and nested fields follow their
parent (pre-order) with no mark of depth. So a table is compared as the
ordered list of (name, type[, required]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TYPES = ("string", "number", "boolean", "json", "object", "array")
_TYPE = "|".join(TYPES)
_PAGE_INPUT = re.compile(rf"^([A-Za-z][A-Za-z0-9]*?)({_TYPE})(Ja|Nein)(.*)$")
# A description starts with anything but a lowercase letter, which keeps a
# name that ends in a type word ("objectstring...") from being cut short.
_PAGE_OUTPUT = re.compile(rf"^([A-Za-z][A-Za-z0-9]*?)({_TYPE})(?![a-z])(.*)$")
_PAGE_TOOL = re.compile(r"^hex_[a-z_]+$")
_MD_TOOL = re.compile(r"^### `(hex_[a-z_]+)`$")
_MD_ROW = re.compile(r"^\| ((?:↳ )*)`([^`]+)` \| (\w+) \| (?:(Ja|Nein|Yes|No) \| )?")
_YES = {"Ja", "Yes"}


@dataclass
class ToolTables:
    inputs: list[tuple[str, str, bool]] = field(default_factory=list)
    # (name, type, depth); depth is None where the source does not say (the page)
    outputs: list[tuple[str, str, int | None]] = field(default_factory=list)


def parse_page_row(line: str, *, with_required: bool) -> tuple[str, str, bool | None]:
    match = (_PAGE_INPUT if with_required else _PAGE_OUTPUT).match(line)
    if match is None:
        raise ValueError(f"not a table row: {line!r}")
    required = match.group(3) == "Ja" if with_required else None
    return match.group(1), match.group(2), required


def parse_page(text: str) -> dict[str, ToolTables]:
    tables: dict[str, ToolTables] = {}
    current: ToolTables | None = None
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _PAGE_TOOL.match(line):
            current = tables.setdefault(line, ToolTables())
            section = "description"
        elif current is None:
            continue
        elif line == "On this page":
            break
        elif line in ("Eingabe", "Ausgabe"):
            section = line
        elif line.startswith("ParameterTyp"):
            continue  # the header row
        elif section == "Eingabe":
            name, kind, required = parse_page_row(line, with_required=True)
            current.inputs.append((name, kind, bool(required)))
        elif section == "Ausgabe":
            name, kind, _ = parse_page_row(line, with_required=False)
            current.outputs.append((name, kind, None))
    return tables


def parse_markdown(text: str) -> dict[str, ToolTables]:
    """Our generated reference: ``### `tool` ``, then an input and an output table."""
    tables: dict[str, ToolTables] = {}
    current: ToolTables | None = None
    for line in text.splitlines():
        tool = _MD_TOOL.match(line)
        if tool:
            current = tables.setdefault(tool.group(1), ToolTables())
            continue
        row = _MD_ROW.match(line)
        if current is None or row is None:
            continue
        depth, name, kind, required = row.groups()
        if required is not None:
            current.inputs.append((name, kind, required in _YES))
        else:
            current.outputs.append((name, kind, depth.count("↳")))
    return tables


def output_paths(rows: list[tuple[str, str, int | None]]) -> list[str]:
    """Dotted paths (``creator.email``) of rows that carry their depth."""
    stack: list[str] = []
    paths = []
    for name, _, depth in rows:
        level = depth or 0
        del stack[level:]
        stack.append(name)
        paths.append(".".join(stack))
    return paths


def read_marked_table(path: Path, marker: str) -> list[list[str]]:
    """The body rows of every Markdown table between ``<!-- marker`` and ``<!-- /marker -->``."""
    rows: list[list[str]] = []
    inside = header_seen = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"<!-- {marker}"):
            inside, header_seen = True, False
        elif line.startswith(f"<!-- /{marker}"):
            inside = False
        elif inside and line.startswith("|") and not line.startswith("|---"):
            if header_seen:
                rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            header_seen = True
    return rows
