"""What a start imports: commands that send no request load neither aiohttp nor the MCP SDK,
and the registry lists tools from the spec cache without pydantic; the public names still
import as before. Checked in fresh interpreters (sys.modules), never by timing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import aacflow_hex
from aacflow_hex.spec.loading import spec_data
from aacflow_hex.spec.registry import Registry, ToolSummary, specs_dir
from aacflow_hex.spec.specs import SpecError, load_specs, validated_data
from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV

# Run in one fresh interpreter: each command in turn, then what it added to sys.modules.
_PROBE = """
import contextlib, io, json, sys
from aacflow_hex.surfaces.cli import main
seen = {}
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit:
            pass
    seen[" ".join(argv)] = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(json.dumps(seen))
"""
NO_REQUEST_COMMANDS = [
    ["--help"],
    ["tools"],
    ["tools", "--json"],
    ["describe", "hex_get_run_status"],
    ["describe", "hex_run_project", "--json"],
    ["export", "openai"],
    ["export", "anthropic"],
    ["export", "mcp"],
    ["export", "block"],
    ["docs"],
    ["docs", "--lang", "de"],
]


def _run(code: str, *args: str, cache: Path) -> str:
    env = {**os.environ, CACHE_DIR_ENV: str(cache)}
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    ).stdout


def _imported_by(
    commands: list[list[str]], roots: tuple[str, ...], cache: Path
) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = json.loads(
        _run(_PROBE % (roots,), json.dumps(commands), cache=cache)
    )
    return seen


def test_commands_that_send_no_request_import_neither_aiohttp_nor_the_mcp_sdk(
    tmp_path: Path,
) -> None:
    seen = _imported_by(NO_REQUEST_COMMANDS, ("aiohttp", "mcp", "asyncio"), tmp_path)
    assert seen == {" ".join(argv): [] for argv in NO_REQUEST_COMMANDS}


def test_listing_tools_from_the_spec_cache_imports_no_pydantic_yaml_or_jsonschema(
    tmp_path: Path,
) -> None:
    roots = ("pydantic", "yaml", "jsonschema", "aiohttp")
    first = _imported_by([["tools"]], roots, tmp_path)["tools"]
    assert "pydantic" in first and "yaml" in first  # the first start reads and checks the YAML
    assert _imported_by([["tools"], ["tools", "--json"]], roots, tmp_path) == {
        "tools": [],
        "tools --json": [],
    }


def test_a_call_still_imports_what_it_needs(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom aacflow_hex import HexExecutor, ToolResult\n"
        "print(HexExecutor.__name__, ToolResult.__name__, 'aiohttp' in sys.modules)"
    )
    assert _run(code, cache=tmp_path).split() == ["HexExecutor", "ToolResult", "True"]


def test_every_public_name_imports_from_the_package() -> None:
    from aacflow_hex.engine.executor import HexExecutor
    from aacflow_hex.engine.results import ToolResult
    from aacflow_hex.spec.specs import ToolSpec

    for name in aacflow_hex.__all__:
        assert getattr(aacflow_hex, name) is not None, name
    assert aacflow_hex.HexExecutor is HexExecutor
    assert aacflow_hex.ToolResult is ToolResult
    assert aacflow_hex.ToolSpec is ToolSpec
    assert aacflow_hex.SpecError is SpecError
    assert set(aacflow_hex.__all__) <= set(dir(aacflow_hex))
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        aacflow_hex.Nothing  # noqa: B018


def test_a_tool_result_still_dumps_as_a_model() -> None:
    result = aacflow_hex.ToolResult(tool_id="hex_get_project", success=True, output={"a": 1})
    assert result.model_dump()["output"] == {"a": 1}
    assert json.loads(result.model_dump_json())["tool_id"] == "hex_get_project"


def test_summaries_from_the_cache_match_the_validated_specs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    fresh = load_specs(specs_dir())

    for _ in range(2):  # written, then read back
        registry = Registry.from_data(spec_data(specs_dir(), validated_data, cached=True))
        assert registry.summaries() == [ToolSummary.of_spec(fresh[i]) for i in sorted(fresh)]
        assert registry.specs() == [fresh[i] for i in sorted(fresh)]
    assert any(not s.read_only for s in registry.summaries())
    assert any(s.read_only for s in registry.summaries())


@pytest.fixture
def broken_specs(tmp_path: Path) -> Path:
    specs = Path(shutil.copytree(specs_dir(), tmp_path / "tool_specs"))
    path = specs / "hex_get_run_status.yaml"
    path.write_text(path.read_text().replace("method: GET", "method: FETCH"), encoding="utf-8")
    return specs


def test_a_spec_error_names_the_file_and_field_with_the_cache_on(
    broken_specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(cache))
    for _ in range(2):  # nothing cached: the second load finds the error again
        with pytest.raises(SpecError, match=r"hex_get_run_status\.yaml: request\.method"):
            load_specs(broken_specs, cached=True)
    assert not cache.exists() or not list(cache.glob("parsed-*.json"))
