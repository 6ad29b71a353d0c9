"""The forms of Hex's base URL that other Hex clients use, read as one. Pure functions.

Hex's own spec names ``https://app.hex.tech/api`` as its server and puts ``/v1`` in every
path, so clients that follow it (and the ``HEX_API_BASE_URL`` they read) hold ``.../api``;
data-pipeline tools hold the bare host; this package's paths start after ``/api/v1``.
All three mean the same API, so one environment serves every client.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

API_PATH = "/api/v1"
EXPECTED_FORMS = "https://<host>, https://<host>/api or https://<host>/api/v1"


def normalize_base_url(url: str) -> str:
    """``url`` ending in ``/api/v1``: the bare host and ``.../api`` get the missing part.

    Any other path (a proxy's own prefix) is kept as given. Nothing else is checked here;
    ``safety.check_base_url`` decides whether the URL may carry the token.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text  # the safety check names the problem
    if not parts.scheme or not parts.netloc:
        return text
    path = parts.path.rstrip("/")
    if path in ("", "/api"):
        path = API_PATH
    elif path.endswith("/api"):
        path += "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def missing_route_hint(base_url: str, url: str) -> str:
    """The sentence a 404 gets when the path itself may not exist at ``base_url``."""
    return (
        f" No such path at {url.split('?', 1)[0]}: the base URL used was {base_url}, and "
        f"Hex's API is expected at {EXPECTED_FORMS} (HEX_API_BASE_URL or base_url)."
    )


_GENERIC_NOT_FOUND = ("not found", "not found.", "no such route", "route not found")


def is_missing_route(status: int, body: bytes, path: str) -> bool:
    """Whether a 404 says the path is missing, rather than a record it names.

    ``path`` is the request's path after the base URL. A path without ids names no
    record (``/projects``), so its 404 can only be a missing route; so is a 404 whose
    body is not Hex's JSON error (a proxy's or web server's page), or one whose message
    is a bare "Not found" / "Cannot GET ..." naming nothing.
    """
    if status != 404:
        return False
    if not any(_looks_like_id(segment) for segment in path.split("/")):
        return True
    text = _error_message(body)
    if text is None:
        return True
    lowered = text.strip().lower()
    return lowered in _GENERIC_NOT_FOUND or lowered.startswith("cannot ")


def _looks_like_id(segment: str) -> bool:
    return len(segment) >= 16 and any(ch.isdigit() for ch in segment)


def _error_message(body: bytes) -> str | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for key in ("reason", "message"):
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None
