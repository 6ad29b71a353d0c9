"""Parsed YAML files kept as JSON in the user's cache, valid only for the exact same bytes.

Parsing the tool specs is most of what ``load_registry()`` costs at start-up (PyYAML
builds every node in Python, even with libyaml's parser). The parsed documents are
plain JSON data, so they are kept as JSON, under a key made of every file's name and
bytes: the cache can never answer for files that changed, it just misses. Any problem
with it (no cache directory, a corrupt file, data JSON cannot hold) means a fresh
parse; the cache never makes loading fail.

Where: ``$AACFLOW_HEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/aacflow-hex``, else
``~/.cache/aacflow-hex``. ``AACFLOW_HEX_CACHE_DIR=""`` turns the cache off. One file
per directory of specs, replaced when the specs change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "AACFLOW_HEX_CACHE_DIR"
_FORMAT = 1

Parse = Callable[[str, str], Any]  # (file name, text) -> parsed document


def cache_dir() -> Path | None:
    """Where parsed files are kept, or None when caching is off."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aacflow-hex"


def _key(contents: Sequence[tuple[str, bytes]], parser_version: str) -> str:
    digest = hashlib.sha256(f"{_FORMAT}:{parser_version}".encode())
    for name, data in contents:
        digest.update(b"\0" + name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def _cache_file(files: Sequence[Path]) -> Path | None:
    """One cache file per directory of files: a new version replaces the old one."""
    where = cache_dir()
    if where is None or not files:
        return None
    place = hashlib.sha256(str(files[0].resolve().parent).encode()).hexdigest()[:24]
    return where / f"parsed-{place}.json"


def _read_cached(path: Path, key: str, names: list[str]) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    documents = stored.get("documents")
    if not isinstance(documents, dict) or sorted(documents) != sorted(names):
        return None
    return documents


def _write_cached(path: Path, key: str, documents: dict[str, Any]) -> None:
    try:
        text = json.dumps({"key": key, "documents": documents}, allow_nan=False)
    except (TypeError, ValueError):
        return  # a date, a set, a non-string key...: only JSON data is kept
    if json.loads(text)["documents"] != documents:
        return  # JSON would not give back the same data (e.g. integer keys)
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".parsed-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, path)  # whole or not at all, even with loaders racing
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _text(data: bytes) -> str:
    """The file's text as Path.read_text gives it (UTF-8, universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def parsed_files(files: Sequence[Path], parse: Parse, parser_version: str) -> dict[str, Any]:
    """Each file's parsed document by file name: cached if these exact bytes were parsed before.

    ``parse`` may raise (e.g. a malformed file); nothing is cached then. Bump
    ``parser_version`` when ``parse`` would read the same bytes differently.
    """
    contents = [(path.name, path.read_bytes()) for path in files]
    names = [name for name, _ in contents]
    key = _key(contents, parser_version)
    where = _cache_file(files)
    if where is not None:
        cached = _read_cached(where, key, names)
        if cached is not None:
            return cached
    documents = {name: parse(name, _text(data)) for name, data in contents}
    if where is not None:
        _write_cached(where, key, documents)
    return documents
