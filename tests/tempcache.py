"""The parsed-spec cache of a test run: a temporary folder, removed when the run ends.

Imported by conftest.py before anything that loads the specs, so tests write nothing in
the home folder. A cache folder already set in the environment is used and kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile

CACHE_DIR_ENV = "AACFLOW_HEX_CACHE_DIR"
made: str | None = None
if CACHE_DIR_ENV not in os.environ:
    made = tempfile.mkdtemp(prefix="aacflow-hex-cache-")
    os.environ[CACHE_DIR_ENV] = made


def remove() -> None:
    """Remove the folder made here (if any)."""
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
