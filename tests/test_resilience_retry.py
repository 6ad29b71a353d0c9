"""The retry policy: backoff with full jitter, Retry-After, caps, per-tool tuning."""

from __future__ import annotations

import ast
import random
import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from hexfake import FakeHex, Reply
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.pacing import RateLimiter
from aacflow_hex.engine.retry import (
    RetryPolicy,
    is_ambiguous_status,
    may_retry_status,
    may_retry_transport,
)
from aacflow_hex.spec.registry import Registry, load_registry
from aacflow_hex.spec.specs import RetrySpec, SpecError, parse_spec

TOKEN = "hxtp_retry_token_0123456789abcdef"
GET_PROJECT = ("GET", f"/projects/{PROJECT_ID}")
RUN_PROJECT = ("POST", f"/projects/{PROJECT_ID}/runs")
QUICK = RetryPolicy(base_delay=0.01, max_delay=0.05)


def _executor(fake: FakeHex, policy: RetryPolicy = QUICK, **kw: object) -> HexExecutor:
    return HexExecutor(
        fake.base_url,
        TOKEN,
        retry=policy,
        rate_limiter=RateLimiter(),
        **kw,  # type: ignore[arg-type]
    )


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.ceiling(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    rng = random.Random(7)
    samples = [policy.backoff(3, rng) for _ in range(500)]
    assert all(0 <= s <= 2.0 for s in samples)
    assert min(samples) < 0.2 and max(samples) > 1.8  # spread over the whole range


def test_retry_after_is_honoured_up_to_its_cap() -> None:
    policy = RetryPolicy(max_retry_after=30)
    rng = random.Random(0)
    assert policy.delay(1, 12.0, rng) == 12.0
    assert policy.delay(1, 0.0, rng) == 0.0
    assert policy.delay(1, 30.0, rng) == 30.0  # exactly the cap is still waited for
    assert policy.delay(1, 31.0, rng) is None  # too long: give up, report retry_after
    assert policy.ceiling(10_000) == policy.max_delay  # no overflow on huge attempt counts


def test_the_defaults_are_the_ones_the_docs_show() -> None:
    # docs/resilience.md shows the default policy spelled out; a user reads it there.
    text = (Path(__file__).parents[1] / "docs" / "resilience.md").read_text(encoding="utf-8")
    shown = re.search(r"retry=RetryPolicy\((.*?)\)\)", text)
    assert shown is not None
    call = ast.parse(f"f({shown.group(1)})", mode="eval").body
    assert isinstance(call, ast.Call)
    documented = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    assert set(documented) == {"max_attempts", "base_delay", "max_delay", "max_retry_after"}
    assert RetryPolicy() == RetryPolicy(**documented)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "idempotent", "retry", "ambiguous"),
    [
        (429, True, True, False),
        (429, False, True, False),  # refused before it ran: even a run trigger retries
        (502, True, True, False),
        (503, True, True, False),
        (504, True, True, False),
        (500, True, False, False),
        (502, False, False, True),  # a run trigger: may have started
        (503, False, False, True),
        (500, False, False, True),
        (400, False, False, False),
        (404, True, False, False),
    ],
)
def test_which_statuses_are_retried(
    status: int, idempotent: bool, retry: bool, ambiguous: bool
) -> None:
    assert may_retry_status(status, idempotent=idempotent) is retry
    assert is_ambiguous_status(status, idempotent=idempotent) is ambiguous


def test_only_429_and_the_gateway_statuses_are_ever_retried() -> None:
    statuses = range(100, 600)
    retried = {s for s in statuses if may_retry_status(s, idempotent=True)}
    assert retried == {429, 502, 503, 504}
    # A run trigger is sent again only after a 429: Hex refused it before it ran.
    assert {s for s in statuses if may_retry_status(s, idempotent=False)} == {429}


@pytest.mark.parametrize(
    ("idempotent", "maybe_sent", "permanent", "retry"),
    [
        (True, True, False, True),
        (True, False, False, True),
        (False, False, False, True),  # connection refused: nothing reached Hex
        (False, True, False, False),  # reset or timeout after sending: ambiguous
        (True, False, True, False),  # a bad certificate stays bad
    ],
)
def test_which_transport_faults_are_retried(
    idempotent: bool, maybe_sent: bool, permanent: bool, retry: bool
) -> None:
    assert (
        may_retry_transport(idempotent=idempotent, maybe_sent=maybe_sent, permanent=permanent)
        is retry
    )
    if not permanent:  # a fault is not permanent unless the transport says so
        assert may_retry_transport(idempotent=idempotent, maybe_sent=maybe_sent) is retry


def test_a_tool_spec_can_tune_the_policy() -> None:
    tuned = QUICK.tuned(RetrySpec(maxAttempts=2, maxRetryAfter=120))
    assert (tuned.max_attempts, tuned.max_retry_after, tuned.base_delay) == (2, 120, 0.01)
    assert QUICK.tuned(None) is QUICK
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def _spec_with_retry(retry: object) -> Registry:
    raw = {
        "id": "hex_get_project",
        "name": "Get Project",
        "description": "d",
        "annotations": {"readOnly": True, "idempotent": True},
        "params": {
            "apiKey": {"type": "string", "in": "auth", "secret": True, "required": True},
            "projectId": {"type": "string", "format": "uuid", "in": "path", "required": True},
        },
        "request": {"method": "GET", "path": "/projects/{projectId}", "retry": retry},
        "outputs": {"id": {"type": "string", "path": "id"}},
    }
    spec = parse_spec(raw, source="test.yaml", shared_params={}, shapes={})
    return Registry({spec.id: spec})


def test_a_malformed_retry_block_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="maxAttempts"):
        _spec_with_retry({"maxAttempts": 0})
    with pytest.raises(SpecError, match="retries"):
        _spec_with_retry({"retries": 3})


async def test_the_spec_retry_block_limits_attempts(hex_api: FakeHex) -> None:
    hex_api.reply(*GET_PROJECT, Reply(503, {"message": "down"}))
    registry = _spec_with_retry({"maxAttempts": 2})
    async with _executor(hex_api, registry=registry) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "server"
    assert len(hex_api.received) == 2 and result.timing.attempts == 2


async def test_a_429_with_an_http_date_retry_after_is_retried(hex_api: FakeHex) -> None:
    past = format_datetime(datetime.now(timezone.utc) - timedelta(seconds=5), usegmt=True)
    hex_api.reply(
        *GET_PROJECT,
        Reply(429, {"reason": "slow down"}, headers={"Retry-After": past}),
        Reply(200, PROJECT),
    )
    async with _executor(hex_api) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.success and len(hex_api.received) == 2


async def test_a_retry_after_beyond_the_cap_ends_the_call_with_it(hex_api: FakeHex) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(minutes=30), usegmt=True)
    hex_api.reply(
        *GET_PROJECT, Reply(429, {"reason": "hourly limit"}, headers={"Retry-After": later})
    )
    started = time.monotonic()
    async with _executor(hex_api, RetryPolicy(max_retry_after=60)) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert time.monotonic() - started < 1
    assert result.error is not None and result.error.kind == "rate_limited"
    assert result.error.retry_after is not None and 1700 < result.error.retry_after <= 1800
    assert len(hex_api.received) == 1


async def test_no_retry_waits_past_the_calls_deadline(hex_api: FakeHex) -> None:
    """Better a prompt 503 with its Retry-After than a timeout that says less."""
    hex_api.reply(*GET_PROJECT, Reply(503, {"message": "busy"}, headers={"Retry-After": "5"}))
    started = time.monotonic()
    async with _executor(hex_api) as ex:
        result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID}, timeout=1)
    assert time.monotonic() - started < 0.9
    assert result.error is not None and result.error.kind == "server"
    assert result.error.retry_after == 5


async def test_a_run_trigger_refused_with_429_is_sent_again(hex_api: FakeHex) -> None:
    hex_api.reply(
        *RUN_PROJECT,
        Reply(429, {"reason": "kernel limit"}, headers={"Retry-After": "0"}),
        Reply(201, {"projectId": PROJECT_ID, "runId": PROJECT_ID}),
    )
    async with _executor(hex_api) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.success and len(hex_api.received) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_run_trigger_answered_with_a_5xx_says_it_may_have_started(
    hex_api: FakeHex, status: int
) -> None:
    hex_api.reply(*RUN_PROJECT, Reply(status, {"message": "oops"}))
    async with _executor(hex_api) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "server"
    assert "may have reached Hex" in result.error.message
    assert "hex_get_project_runs" in result.error.message  # the spec's ambiguousHint
    assert len(hex_api.received) == 1


async def test_the_default_registry_specs_load_with_the_retry_field() -> None:
    spec = load_registry().get("hex_run_project")
    assert spec.request is not None and spec.request.rate_limit_group == "hex-run-kernel"


async def test_a_refused_connection_is_retried_even_for_a_run_trigger() -> None:
    """Nothing reached Hex, so trying again cannot start a second run."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)
    async with HexExecutor(
        f"http://127.0.0.1:{port}/api/v1", TOKEN, retry=policy, rate_limiter=RateLimiter()
    ) as ex:
        result = await ex.execute("hex_run_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "transport"
    assert "could not connect" in result.error.message
    assert "reached Hex" not in result.error.message
    assert result.timing.attempts == 3
