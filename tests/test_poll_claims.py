"""A worker holding a project's poll claim: it renews the claim every third of a lease
while it polls and gives it back after, whatever way the poll ends."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from aacflow_hex.engine.run_store import PollClaims, StoreKey, holding

KEY = StoreKey("https://hex.example/api/v1", "hash", "project-1")


class Claims:
    """A shared store's claims, recording what a holder does with them."""

    def __init__(self, lease: float = 9.0, release_fails: bool = False) -> None:
        self.claim_lease = lease
        self.release_fails = release_fails
        self.calls: list[tuple[str, StoreKey, str]] = []
        self.renewed = asyncio.Event()

    async def finals(self, key: StoreKey, run_ids: list[str]) -> dict[str, Mapping[str, Any]]:
        return {}

    async def claim(self, key: StoreKey, holder: str) -> bool:
        return True

    async def renew(self, key: StoreKey, holder: str) -> None:
        self.calls.append(("renew", key, holder))
        if sum(call[0] == "renew" for call in self.calls) >= 3:
            self.renewed.set()

    async def release(self, key: StoreKey, holder: str) -> None:
        self.calls.append(("release", key, holder))
        if self.release_fails:
            raise ConnectionError("store gone")


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every asyncio pause asked for while the test runs (the renewer's), recorded
    instead of slept: a pause passes at once."""
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        asked.append(delay)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return asked


async def test_the_holder_renews_every_third_of_a_lease_then_releases(
    pauses: list[float],
) -> None:
    claims = Claims(lease=9.0)
    assert isinstance(claims, PollClaims)
    async with holding(claims, KEY, "worker-1"):
        await asyncio.wait_for(claims.renewed.wait(), 5)
    assert set(pauses) == {3.0}
    renews = [call for call in claims.calls if call[0] == "renew"]
    assert len(renews) >= 3 and set(renews) == {("renew", KEY, "worker-1")}
    assert claims.calls[-1] == ("release", KEY, "worker-1")
    assert claims.calls.count(("release", KEY, "worker-1")) == 1
    settled = len(claims.calls)
    await asyncio.sleep(0)
    assert len(claims.calls) == settled  # no renewing after the release


async def test_a_poll_that_fails_or_is_cancelled_still_gives_the_claim_back(
    pauses: list[float],
) -> None:
    claims = Claims()
    with pytest.raises(RuntimeError, match="poll failed"):
        async with holding(claims, KEY, "worker-1"):
            raise RuntimeError("poll failed")
    assert claims.calls == [("release", KEY, "worker-1")]

    async def poll_forever() -> None:
        async with holding(claims, KEY, "worker-2"):
            await asyncio.Event().wait()

    task = asyncio.create_task(poll_forever())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert claims.calls[-1] == ("release", KEY, "worker-2")


async def test_a_store_that_cannot_take_the_claim_back_does_not_fail_the_poll(
    pauses: list[float],
) -> None:
    claims = Claims(release_fails=True)
    async with holding(claims, KEY, "worker-1"):
        pass
    assert claims.calls == [("release", KEY, "worker-1")]
