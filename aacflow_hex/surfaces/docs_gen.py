"""The tool reference (Markdown), generated from the specs in English or German.

The layout follows the AACFlow docs page of the Hex tools: per tool an id
heading, the description, an input table (parameter, type, required,
description) and an output table (parameter, type, description) where the
fields of an object, or of a list's items, follow their parent, marked ``↳``
once per level. ``hidden`` params are left out; everything else is listed,
the API key too (people set it; agents never see it).

``aacflow-hex docs --out docs`` writes ``docs/tools.en.md`` and
``docs/tools.de.md``; a test keeps the committed files equal to this output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..spec.registry import Registry, load_registry
from ..spec.specs import OutputSpec, ToolSpec
from .block import BlockMeta, load_block_meta

NESTED = "↳"


@dataclass(frozen=True)
class Labels:
    usage: str
    tools: str
    input: str
    output: str
    parameter: str
    type: str
    required: str
    description: str
    yes: str
    no: str


LANGUAGES: Mapping[str, Labels] = MappingProxyType(
    {
        "en": Labels(
            usage="Usage instructions",
            tools="Tools",
            input="Input",
            output="Output",
            parameter="Parameter",
            type="Type",
            required="Required",
            description="Description",
            yes="Yes",
            no="No",
        ),
        "de": Labels(
            usage="Nutzungsanleitung",
            tools="Tools",
            input="Eingabe",
            output="Ausgabe",
            parameter="Parameter",
            type="Typ",
            required="Erforderlich",
            description="Beschreibung",
            yes="Ja",
            no="Nein",
        ),
    }
)
GENERATED_NOTE = (
    "<!-- Generated from tool_specs/ by `aacflow-hex docs --out docs`; do not edit by hand. -->"
)


@dataclass(frozen=True)
class InputRow:
    name: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class OutputRow:
    name: str
    type: str
    description: str
    depth: int


def input_rows(spec: ToolSpec) -> list[InputRow]:
    return [
        InputRow(name, p.type, p.required, p.description)
        for name, p in spec.params.items()
        if p.visibility != "hidden"
    ]


def output_rows(fields: Mapping[str, OutputSpec], depth: int = 0) -> list[OutputRow]:
    """Every output field in pre-order: a parent, then its fields (or its items' fields)."""
    rows: list[OutputRow] = []
    for name, field in fields.items():
        rows.append(OutputRow(name, field.type, field.description, depth))
        children = field.items.properties if field.items is not None else field.properties
        rows.extend(output_rows(children, depth + 1))
    return rows


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return lines


def render_tool(spec: ToolSpec, labels: Labels) -> list[str]:
    inputs = _table(
        [labels.parameter, labels.type, labels.required, labels.description],
        (
            [f"`{r.name}`", r.type, labels.yes if r.required else labels.no, r.description]
            for r in input_rows(spec)
        ),
    )
    outputs = _table(
        [labels.parameter, labels.type, labels.description],
        (
            [(NESTED + " ") * r.depth + f"`{r.name}`", r.type, r.description]
            for r in output_rows(spec.outputs)
        ),
    )
    return [
        f"### `{spec.id}`",
        "",
        _cell(spec.description),
        "",
        f"#### {labels.input}",
        "",
        *inputs,
        "",
        f"#### {labels.output}",
        "",
        *outputs,
        "",
    ]


def render_docs(
    lang: str = "en", registry: Registry | None = None, meta: BlockMeta | None = None
) -> str:
    """The tool reference for every tool in the registry, in ``lang`` (en or de)."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang: must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    labels = LANGUAGES[lang]
    registry = registry or load_registry()
    meta = meta or load_block_meta()
    lines = [
        GENERATED_NOTE,
        "",
        f"# {meta.name}",
        "",
        meta.translated(lang, "description", meta.description),
        "",
        f"## {labels.usage}",
        "",
        meta.translated(lang, "longDescription", meta.long_description),
        "",
        f"## {labels.tools}",
        "",
    ]
    for spec in registry.specs():
        lines.extend(render_tool(spec, labels))
    return "\n".join(lines).rstrip("\n") + "\n"


def docs_file_name(lang: str) -> str:
    return f"tools.{lang}.md"


def write_docs(out_dir: Path | str, langs: Iterable[str] = tuple(LANGUAGES)) -> list[Path]:
    """Write ``tools.<lang>.md`` for each language into ``out_dir``; returns the paths."""
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in langs:
        path = directory / docs_file_name(lang)
        path.write_text(render_docs(lang), encoding="utf-8")
        written.append(path)
    return written
