"""What was read from YAML files, kept as JSON in the user's cache, valid only for the same bytes.

Parsing and validating the tool specs is most of what ``load_registry()`` would cost at
start-up (PyYAML builds every node in Python, even with libyaml's parser; pydantic builds
its validators). What comes out is plain JSON data, so it is kept as JSON, under a key
made of every file's name and bytes and the reading code's version: the cache can never
answer for files that changed, it just misses. Any problem with it (no cache directory,
a corrupt file, data JSON cannot hold) means a fresh read; the cache never makes loading
fail.

Where: ``$AACFLOW_HEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/aacflow-hex``, else
``~/.cache/aacflow-hex``. ``AACFLOW_HEX_CACHE_DIR=""`` turns the cache off. One file
per directory of specs, replaced when the specs change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "AACFLOW_HEX_CACHE_DIR"
_FORMAT = 2  # pragma: no mutate: any value that no earlier format used does the same

Build = Callable[[dict[str, str]], dict[str, Any]]  # every file's text by file name -> JSON data


def cache_dir() -> Path | None:
    """Where parsed files are kept, or None when caching is off."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aacflow-hex"


def _key(contents: Sequence[tuple[str, bytes]], version: str) -> str:
    digest = hashlib.sha256(f"{_FORMAT}:{version}".encode())
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


def _read_cached(path: Path, key: str) -> dict[str, Any] | None:
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    data = stored.get("data")
    return data if isinstance(data, dict) else None


def _write_cached(path: Path, key: str, data: dict[str, Any]) -> None:
    try:
        text = json.dumps({"key": key, "data": data}, allow_nan=False)
    except (TypeError, ValueError):
        return  # a date, a set, a non-string key...: only JSON data is kept
    if json.loads(text)["data"] != data:
        return  # JSON would not give back the same data (e.g. integer keys)
    import tempfile  # only a write needs it

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


def cached_data(files: Sequence[Path], build: Build, version: str) -> dict[str, Any]:
    """``build(texts)`` for these files: cached if these exact bytes were read before.

    ``build`` may raise (e.g. a malformed file); nothing is cached then. ``version``
    names the code behind ``build``: another version never reads this one's data.
    """
    contents = [(path.name, path.read_bytes()) for path in files]
    key = _key(contents, version)
    where = _cache_file(files)
    if where is not None:
        cached = _read_cached(where, key)
        if cached is not None:
            return cached
    data = build({name: _text(raw) for name, raw in contents})
    if where is not None:
        _write_cached(where, key, data)
    return data
