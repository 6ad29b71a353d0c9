"""The parsed-spec cache answers only for the exact same bytes, and never breaks loading."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aacflow_hex.spec.registry import specs_dir
from aacflow_hex.spec.specs import SpecError, load_specs
from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV, cache_dir

TOOL = "hex_get_run_status"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A copy of the packaged specs that a test may edit."""
    return Path(shutil.copytree(specs_dir(), tmp_path / "tool_specs"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(where))
    return where


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("parsed-*.json")) if cache.exists() else []


def test_a_cached_load_gives_the_same_specs_as_a_fresh_parse(specs: Path, cache: Path) -> None:
    fresh = load_specs(specs)
    first = load_specs(specs, cached=True)  # parses and writes the cache
    assert len(_cache_files(cache)) == 1
    second = load_specs(specs, cached=True)  # reads it
    assert first == fresh and second == fresh


def test_an_edited_spec_is_read_again_not_taken_from_the_cache(specs: Path, cache: Path) -> None:
    load_specs(specs, cached=True)
    path = specs / f"{TOOL}.yaml"
    path.write_text(
        path.read_text().replace("Get Run Status", "Run Status, edited"), encoding="utf-8"
    )
    assert load_specs(specs, cached=True)[TOOL].name == "Run Status, edited"
    assert len(_cache_files(cache)) == 1  # replaced, not piled up


def test_a_new_or_removed_spec_file_is_seen(specs: Path, cache: Path) -> None:
    load_specs(specs, cached=True)
    (specs / f"{TOOL}.yaml").unlink()
    assert TOOL not in load_specs(specs, cached=True)


def test_a_corrupt_or_foreign_cache_file_is_ignored(specs: Path, cache: Path) -> None:
    load_specs(specs, cached=True)
    (cached_file,) = _cache_files(cache)
    for junk in ("{not json", json.dumps({"key": "other", "documents": {}}), "[]"):
        cached_file.write_text(junk, encoding="utf-8")
        assert load_specs(specs, cached=True) == load_specs(specs)


def test_invalid_yaml_is_refused_and_not_cached(specs: Path, cache: Path) -> None:
    (specs / f"{TOOL}.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=f"{TOOL}.yaml: not valid YAML"):
        load_specs(specs, cached=True)
    assert _cache_files(cache) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_cache_directory_only_costs_the_cache(specs: Path, cache: Path) -> None:
    cache.mkdir(mode=0o500)
    assert load_specs(specs, cached=True) == load_specs(specs)


def test_a_cache_file_cannot_stand_in_the_cache_directory_s_way(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))
    assert load_specs(specs, cached=True) == load_specs(specs)


def test_an_empty_setting_turns_the_cache_off(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "")
    assert cache_dir() is None
    assert load_specs(specs, cached=True) == load_specs(specs)


def test_a_warm_start_does_not_import_pyyaml(cache: Path) -> None:
    """What the cache is for: the second start skips PyYAML entirely."""
    code = "import sys, aacflow_hex; aacflow_hex.load_registry(); print('yaml' in sys.modules)"
    env = {**os.environ, CACHE_DIR_ENV: str(cache)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs == ["True", "False"]
