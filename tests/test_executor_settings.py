"""What HexExecutor(...) takes from its arguments and the environment, and what it refuses."""

from __future__ import annotations

import aiohttp
import pytest
from hexfake import Reply, fake_hex
from samples import PROJECT, PROJECT_ID

from aacflow_hex import HexExecutor
from aacflow_hex.engine.redis_setting import RedisSettingError

OWN_URL = "https://hex.example/api/v1"
ENV_URL = "https://env.hex.example/api/v1"


@pytest.fixture(autouse=True)
def no_hex_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HEX_API_BASE_URL", "HEX_API_KEY", "HEX_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_base_url_or_its_variable_the_executor_calls_hex_itself() -> None:
    assert HexExecutor().base_url == "https://app.hex.tech/api/v1"


def test_the_base_url_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert HexExecutor(OWN_URL).base_url == OWN_URL
    monkeypatch.setenv("HEX_API_BASE_URL", ENV_URL)
    assert HexExecutor().base_url == ENV_URL
    assert HexExecutor(OWN_URL).base_url == OWN_URL


def test_the_repr_says_whether_a_key_is_set_and_never_shows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert repr(HexExecutor(OWN_URL)) == (
        "HexExecutor(base_url='https://hex.example/api/v1', api_key=unset)"
    )
    assert repr(HexExecutor(OWN_URL, "hxtp_own_key")) == (
        "HexExecutor(base_url='https://hex.example/api/v1', api_key=set)"
    )
    monkeypatch.setenv("HEX_API_KEY", "hxtp_env_key")
    assert repr(HexExecutor(OWN_URL)).endswith("api_key=set)")
    monkeypatch.setenv("HEX_API_KEY", "")
    assert repr(HexExecutor(OWN_URL, "")).endswith("api_key=unset)")


@pytest.mark.parametrize("name", ["timeout", "connect_timeout"])
def test_zero_and_fractions_of_a_second_are_accepted_as_timeouts(name: str) -> None:
    for seconds in (0, 0.5, 2.0):
        executor = HexExecutor(OWN_URL, **{name: seconds})  # type: ignore[arg-type]
        assert getattr(executor, name) == seconds


@pytest.mark.parametrize("name", ["timeout", "connect_timeout"])
@pytest.mark.parametrize("seconds", [-0.5, float("nan")])
def test_a_negative_timeout_is_refused_naming_the_setting(name: str, seconds: float) -> None:
    with pytest.raises(ValueError) as refused:
        HexExecutor(OWN_URL, **{name: seconds})  # type: ignore[arg-type]
    assert str(refused.value) == f"HexExecutor {name} must be seconds, 0 or more (0: no cap)"


@pytest.mark.parametrize("share", [1, 0.5, 0.01])
def test_a_watch_share_up_to_the_whole_budget_is_accepted(share: float) -> None:
    assert HexExecutor(OWN_URL, watch_share=share).watch_share == share


@pytest.mark.parametrize("share", [0, -0.5, 1.01, 1.5, 2, float("nan")])
def test_a_watch_share_outside_the_budget_is_refused(share: float) -> None:
    with pytest.raises(ValueError) as refused:
        HexExecutor(OWN_URL, watch_share=share)
    assert str(refused.value) == f"watch_share must be in (0, 1], got {share}"


def test_a_redis_url_from_the_environment_is_checked_like_the_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    said = (
        "redis_url (or HEX_REDIS_URL) must start with redis://, rediss:// or unix://, got http://"
    )
    with pytest.raises(RedisSettingError) as refused:
        HexExecutor(OWN_URL, redis_url="http://cache:6379")
    assert str(refused.value) == said
    monkeypatch.setenv("HEX_REDIS_URL", "http://cache:6379")
    with pytest.raises(RedisSettingError) as refused:
        HexExecutor(OWN_URL)
    assert str(refused.value) == said
    monkeypatch.setenv("HEX_REDIS_URL", "")
    assert HexExecutor(OWN_URL).base_url == OWN_URL  # empty: no Redis


async def test_a_session_passed_in_carries_the_calls_and_stays_open() -> None:
    """The caller's aiohttp session (its trace hooks, its pool) is used, and left open."""
    sent: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession, context: object, params: aiohttp.TraceRequestStartParams
    ) -> None:
        sent.append(params.url.path)

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(on_request_start)
    async with fake_hex() as hex_api, aiohttp.ClientSession(trace_configs=[tracing]) as session:
        hex_api.reply("GET", f"/projects/{PROJECT_ID}", Reply(200, PROJECT))
        async with HexExecutor(hex_api.base_url, "k" * 20, session=session) as ex:
            result = await ex.execute("hex_get_project", {"projectId": PROJECT_ID})
        assert result.success, result.error
        assert sent == [f"/api/v1/projects/{PROJECT_ID}"]
        assert not session.closed
