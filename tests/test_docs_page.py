"""The generated tool reference against the user-facing docs page, and the committed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_tables import (
    ToolTables,
    output_paths,
    parse_markdown,
    parse_page,
    parse_page_row,
    read_marked_table,
)

from aacflow_hex import load_registry
from aacflow_hex.surfaces.block import load_block_meta
from aacflow_hex.surfaces.cli import main
from aacflow_hex.surfaces.docs_gen import GENERATED_NOTE, docs_file_name, render_docs

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT.parent / "shared" / "seed" / "hex-tools-docs.txt"
DEVIATIONS = ROOT / "docs" / "deviations.md"
LANGS = ["en", "de"]
REGEN = "run `aacflow-hex docs --out docs` and commit the result"


@pytest.fixture(scope="module")
def page() -> dict[str, ToolTables]:
    if not PAGE.is_file():
        pytest.skip(f"the docs page is not at {PAGE} (CI clones shared/ beside the repo)")
    return parse_page(PAGE.read_text(encoding="utf-8"))


def _extras(marker: str) -> dict[str, set[str]]:
    """Tool -> names (params) or dotted paths (outputs) listed in docs/deviations.md."""
    listed: dict[str, set[str]] = {}
    for row in read_marked_table(DEVIATIONS, marker):
        listed.setdefault(row[0], set()).add(row[1])
    return listed


def _is_extra(path: str, extras: set[str]) -> bool:
    return any(path == e or path.startswith(e + ".") for e in extras)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("apiKeystringJaHex API token (Personal or Workspace)", ("apiKey", "string", True)),
        ("statusFilterstringNeinFilter by status", ("statusFilter", "string", False)),
        ("inputParamsjsonNeinJSON object of input", ("inputParams", "json", False)),
        ("statusstringJaNew project status name", ("status", "string", True)),
    ],
)
def test_page_input_rows_are_split_into_name_type_required(
    line: str, expected: tuple[str, str, bool]
) -> None:
    assert parse_page_row(line, with_required=True) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("typestringConnection type (e.g., snowflake)", ("type", "string", None)),
        ("statusobjectProject status", ("status", "object", None)),
        ("elapsedTimenumberElapsed time in seconds", ("elapsedTime", "number", None)),
        ("categoriesarrayProject categories", ("categories", "array", None)),
    ],
)
def test_page_output_rows_are_split_into_name_and_type(
    line: str, expected: tuple[str, str, None]
) -> None:
    assert parse_page_row(line, with_required=False) == expected


def test_the_page_documents_16_tools(page: dict[str, ToolTables]) -> None:
    assert len(page) == 16
    assert page["hex_cancel_run"].inputs[0] == ("apiKey", "string", True)
    assert [n for n, _, _ in page["hex_get_collection"].outputs][-2:] == ["email", "id"]


@pytest.mark.parametrize("lang", LANGS)
def test_generated_inputs_match_the_page(page: dict[str, ToolTables], lang: str) -> None:
    ours = parse_markdown(render_docs(lang))
    extras = _extras("extra-params")
    for tool, documented in page.items():
        assert tool in ours, f"{tool} is on the docs page but has no spec"
        added = extras.get(tool, set())
        undocumented = {n for n, _, _ in ours[tool].inputs} - {n for n, _, _ in documented.inputs}
        assert undocumented <= added, (
            f"{tool}: params {sorted(undocumented - added)} are not on the docs page; "
            "list them in docs/deviations.md (an extra-params table)"
        )
        for name, _, required in ours[tool].inputs:
            if name in added:
                assert not required, f"{tool}.{name} is beyond the page and must be optional"
        kept = [row for row in ours[tool].inputs if row[0] not in added]
        assert kept == documented.inputs, f"{tool}: (name, type, required) differ from the page"


@pytest.mark.parametrize("lang", LANGS)
def test_generated_outputs_match_the_page(page: dict[str, ToolTables], lang: str) -> None:
    ours = parse_markdown(render_docs(lang))
    extras = _extras("extra-outputs")
    for tool, documented in page.items():
        rows = ours[tool].outputs
        added = extras.get(tool, set())
        paths = output_paths(rows)
        kept = [(n, k) for (n, k, _), p in zip(rows, paths, strict=True) if not _is_extra(p, added)]
        expected = [(n, k) for n, k, _ in documented.outputs]
        documented_names = {n for n, _ in expected}
        unlisted = [
            p for (n, _, _), p in zip(rows, paths, strict=True) if n not in documented_names
        ]
        assert kept == expected, (
            f"{tool}: outputs differ from the docs page (not on the page: {unlisted}); "
            "an output beyond the page goes in docs/deviations.md (extra-outputs)"
        )


def test_every_listed_extra_exists_and_is_not_on_the_page(page: dict[str, ToolTables]) -> None:
    registry = load_registry()
    ours = parse_markdown(render_docs("en"))
    for tool, names in _extras("extra-params").items():
        assert tool in registry, tool
        for name in names:
            assert name in registry.get(tool).params, (tool, name)
            if tool in page:
                assert name not in {n for n, _, _ in page[tool].inputs}, (tool, name)
    for tool, paths in _extras("extra-outputs").items():
        assert tool in registry, tool
        assert paths <= set(output_paths(ours[tool].outputs)), (tool, paths)


@pytest.mark.parametrize("lang", LANGS)
def test_committed_docs_are_up_to_date_with_the_specs(lang: str) -> None:
    path = ROOT / "docs" / docs_file_name(lang)
    assert path.is_file(), f"{path} is missing: {REGEN}"
    assert path.read_text(encoding="utf-8") == render_docs(lang), f"{path} is stale: {REGEN}"


def test_german_and_english_headings() -> None:
    german, english = render_docs("de"), render_docs("en")
    assert "#### Eingabe" in german and "#### Ausgabe" in german
    assert "| Parameter | Typ | Erforderlich | Beschreibung |" in german
    assert "| `apiKey` | string | Ja |" in german and "| Nein |" in german
    assert "#### Input" in english and "| Parameter | Type | Required | Description |" in english
    assert "| `apiKey` | string | Yes |" in english
    assert parse_markdown(german).keys() == parse_markdown(english).keys()
    with pytest.raises(ValueError, match="lang: must be one of en, de"):
        render_docs("fr")


def test_every_tool_is_documented_with_nested_outputs_after_their_parent() -> None:
    ours = parse_markdown(render_docs("en"))
    assert sorted(ours) == load_registry().ids()
    paths = output_paths(ours["hex_get_project"].outputs)
    assert paths.index("creator.email") == paths.index("creator") + 1
    assert "categories.description" in paths


def test_cli_docs_writes_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["docs", "--out", str(tmp_path)]) == 0
    for lang in LANGS:
        assert (tmp_path / docs_file_name(lang)).read_text(encoding="utf-8") == render_docs(lang)
    capsys.readouterr()
    assert main(["docs", "--lang", "de"]) == 0
    assert capsys.readouterr().out == render_docs("de")


PIPE_TOOL = """\
id: w_pipe
name: Pipe
description: |-
  Reads a | b,
  over two lines.
annotations: {readOnly: true, idempotent: true}
params:
  apiKey: {ref: apiKey}
  mode: {type: string, description: "either x | y"}
  secretPlan: {type: string, visibility: hidden, default: p}
request: {method: GET, path: /pipe}
outputs:
  plan:
    type: object
    description: The plan
    properties:
      steps:
        type: array
        description: Its steps
        items:
          type: object
          properties:
            name: {type: string, description: Step name}
  total: {type: number, description: Steps}
"""


def test_a_tool_renders_as_its_id_description_and_two_tables(tmp_path: Path) -> None:
    import shutil

    from aacflow_hex.spec.registry import specs_dir
    from aacflow_hex.surfaces.docs_gen import LANGUAGES, render_tool

    for shared in ("_params.yaml", "_shapes.yaml"):
        shutil.copy(specs_dir() / shared, tmp_path / shared)
    (tmp_path / "w_pipe.yaml").write_text(PIPE_TOOL, encoding="utf-8")
    spec = load_registry(tmp_path).get("w_pipe")
    assert render_tool(spec, LANGUAGES["de"]) == [
        "### `w_pipe`",
        "",
        "Reads a \\| b, over two lines.",
        "",
        "#### Eingabe",
        "",
        "| Parameter | Typ | Erforderlich | Beschreibung |",
        "| --- | --- | --- | --- |",
        "| `apiKey` | string | Ja | Hex API token (Personal or Workspace) |",
        "| `mode` | string | Nein | either x \\| y |",
        "",
        "#### Ausgabe",
        "",
        "| Parameter | Typ | Beschreibung |",
        "| --- | --- | --- |",
        "| `plan` | object | The plan |",
        "| ↳ `steps` | array | Its steps |",
        "| ↳ ↳ `name` | string | Step name |",
        "| `total` | number | Steps |",
        "",
    ]


def test_the_reference_opens_with_the_blocks_name_and_words(tmp_path: Path) -> None:
    meta = load_block_meta()
    english, german = render_docs("en"), render_docs("de")
    assert english.startswith(
        f"{GENERATED_NOTE}\n\n# {meta.name}\n\n{meta.description}\n\n## Usage instructions\n\n"
        f"{meta.long_description}\n\n## Tools\n\n### `"
    )
    german_description = meta.translations["de"]["description"]
    assert german.startswith(f"{GENERATED_NOTE}\n\n# Hex\n\n{german_description}\n\n## Nutzung")
    for text in (english, german):
        assert text.endswith("|\n") and not text.endswith("\n\n")
    assert render_docs() == english  # English unless told otherwise


def test_docs_are_written_into_a_new_folder(tmp_path: Path) -> None:
    from aacflow_hex.surfaces.docs_gen import write_docs

    out = tmp_path / "site" / "docs"
    assert write_docs(out) == [out / "tools.en.md", out / "tools.de.md"]
    assert write_docs(out, ["de"]) == [out / "tools.de.md"]  # again, over the old files
    assert (out / "tools.de.md").read_text(encoding="utf-8") == render_docs("de")
