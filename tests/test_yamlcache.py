"""The parsed-spec cache answers only for the exact same bytes, and never breaks loading."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aacflow_hex.spec import loading, yamlcache
from aacflow_hex.spec.registry import load_registry, specs_dir
from aacflow_hex.spec.specs import SpecError, load_specs
from aacflow_hex.spec.yamlcache import CACHE_DIR_ENV, cache_dir

TOOL = "hex_get_run_status"
SOURCES = Path(loading.__file__).parent  # the code that reads and checks the specs


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A copy of the packaged specs that a test may edit."""
    return Path(shutil.copytree(specs_dir(), tmp_path / "tool_specs"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("AACFLOW_HEX_CACHE_DIR", str(where))  # the documented setting
    return where


def _cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("parsed-*.json")) if cache.exists() else []


def test_a_cached_load_gives_the_same_specs_as_a_fresh_parse(specs: Path, cache: Path) -> None:
    fresh = load_specs(specs)
    first = load_specs(specs, cached=True)  # parses and writes the cache
    assert len(_cache_files(cache)) == 1
    second = load_specs(specs, cached=True)  # reads it
    assert first == fresh and second == fresh


def test_a_second_load_of_the_same_bytes_parses_nothing(
    specs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_specs(specs)
    load_specs(specs, cached=True)
    monkeypatch.setattr(loading, "parse_yaml", _refuse_to_parse)
    assert load_specs(specs, cached=True) == fresh


def _refuse_to_parse(name: str, text: str) -> None:
    raise AssertionError(f"{name} was parsed again")


def test_an_edited_spec_is_cached_in_its_turn(
    specs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_specs(specs, cached=True)
    path = specs / f"{TOOL}.yaml"
    path.write_text(path.read_text().replace("Get Run Status", "Edited"), encoding="utf-8")
    load_specs(specs, cached=True)
    monkeypatch.setattr(loading, "parse_yaml", _refuse_to_parse)
    assert load_specs(specs, cached=True)[TOOL].name == "Edited"


def test_a_cache_written_by_another_format_version_is_not_read(
    specs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_specs(specs, cached=True)
    monkeypatch.setattr(yamlcache, "_FORMAT", "another format")
    monkeypatch.setattr(loading, "parse_yaml", _refuse_to_parse)
    with pytest.raises(AssertionError, match="was parsed again"):
        load_specs(specs, cached=True)


def test_a_folder_of_one_spec_file_is_cached(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "hex_demo.yaml").write_text(
        "id: hex_demo\nname: Demo\ndescription: d\nparams: {}\n"
        "request: {method: GET, path: /groups}\noutputs: {}\n",
        encoding="utf-8",
    )
    first = load_specs(folder, cached=True)
    assert list(first) == ["hex_demo"] and load_specs(folder, cached=True) == first
    assert len(_cache_files(cache)) == 1


def test_specs_with_windows_line_endings_read_the_same_from_the_cache(
    specs: Path, cache: Path
) -> None:
    for path in specs.glob("*.yaml"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert load_specs(specs, cached=True) == load_specs(specs)
    old_mac = specs / f"{TOOL}.yaml"
    old_mac.write_bytes(old_mac.read_bytes().replace(b"\r\n", b"\r"))
    assert load_specs(specs, cached=True) == load_specs(specs)


def test_a_cache_write_that_cannot_land_leaves_nothing_behind(specs: Path, cache: Path) -> None:
    load_specs(specs, cached=True)
    (cached_file,) = _cache_files(cache)
    cached_file.unlink()
    cached_file.mkdir()  # the file's place is taken: the new cache cannot replace it
    assert load_specs(specs, cached=True) == load_specs(specs)
    assert [p.name for p in cache.iterdir()] == [cached_file.name]


def test_only_the_packaged_specs_are_cached_by_default(specs: Path, cache: Path) -> None:
    load_registry(specs)
    load_specs(specs)
    assert _cache_files(cache) == []


def test_the_cache_folder_is_the_user_s_alone_and_made_with_its_parents(
    specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = tmp_path / "deep" / "er" / "cache"
    monkeypatch.setenv("AACFLOW_HEX_CACHE_DIR", str(where))
    load_specs(specs, cached=True)
    assert len(_cache_files(where)) == 1
    assert where.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    ("xdg", "folder"),
    [
        (None, "home/.cache/aacflow-hex"),
        ("", "home/.cache/aacflow-hex"),  # empty: as if not set
        ("xdg", "xdg/aacflow-hex"),
    ],
)
def test_without_its_own_setting_the_cache_goes_where_xdg_says(
    xdg: str | None, folder: str, specs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AACFLOW_HEX_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / xdg) if xdg else "")
    assert load_specs(specs, cached=True) == load_specs(specs)
    assert len(_cache_files(tmp_path / folder)) == 1
    assert cache_dir() == tmp_path / folder


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


def _code_in(folder: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> None:
    """The reading code as if installed in ``folder`` (its specs.py with ``extra`` added)."""
    folder.mkdir(exist_ok=True)
    shutil.copy(SOURCES / "loading.py", folder / "loading.py")
    (folder / "specs.py").write_text((SOURCES / "specs.py").read_text() + extra, encoding="utf-8")
    monkeypatch.setattr(loading, "__file__", str(folder / "loading.py"))


def test_a_cache_written_by_other_reading_code_is_not_read(
    specs: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _code_in(tmp_path / "code", monkeypatch)
    load_specs(specs, cached=True)
    _code_in(tmp_path / "code", monkeypatch, extra="\n# a newer specs.py\n")
    monkeypatch.setattr(loading, "parse_yaml", _refuse_to_parse)
    with pytest.raises(AssertionError, match="was parsed again"):
        load_specs(specs, cached=True)


def test_without_the_reading_code_s_sources_nothing_is_cached(
    specs: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bytecode-only install has nothing to key the cache on: it reads the files."""
    monkeypatch.setattr(loading, "__file__", str(tmp_path / "no-sources" / "loading.py"))
    assert load_specs(specs, cached=True) == load_specs(specs)
    assert _cache_files(cache) == []


def test_reading_spec_data_keeps_no_cache_unless_asked(specs: Path, cache: Path) -> None:
    from aacflow_hex.spec.specs import validated_data

    assert loading.spec_data(specs, validated_data) == loading.spec_data(
        specs, validated_data, cached=True
    )
    assert len(_cache_files(cache)) == 1
    (cached_file,) = _cache_files(cache)
    cached_file.unlink()
    loading.spec_data(specs, validated_data)
    assert _cache_files(cache) == []
