"""Client-side pacing under Hex's per-token rate limits."""

from __future__ import annotations


class Pacer:
    """Waits before a request so a token stays under its rate-limit group's limits."""

    async def acquire(self, base_url: str, token: str | None, group: str) -> None:
        return None

    def penalize(self, base_url: str, token: str | None, group: str, retry_after: float) -> None:
        return None
