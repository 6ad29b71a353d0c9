"""The Redis setting (``HEX_REDIS_URL`` or ``redis_url``), checked without importing Redis.

Surfaces check it at start (a server before it serves, the CLI before a call), so a
wrong URL or a missing extra is one clear line, not a failure at the first call.
"""

from __future__ import annotations

import importlib.util

SCHEMES = ("redis", "rediss", "unix")


class RedisSettingError(ValueError):
    """The Redis setting cannot be used: a wrong URL, or the client is not installed."""


def check_redis_url(url: str) -> str:
    """``url`` if it can be used; never echoes it (it may hold a password)."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise RedisSettingError(
            "redis_url (or HEX_REDIS_URL) must start with redis://, rediss:// or unix://, "
            f"got {scheme + '://' if scheme else 'no scheme'}"
        )
    if importlib.util.find_spec("redis") is None:
        raise RedisSettingError(
            "redis_url (or HEX_REDIS_URL) needs the Redis client: pip install 'aacflow-hex[redis]'"
        )
    return url
