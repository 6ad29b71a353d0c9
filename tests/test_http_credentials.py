"""Who may call the HTTP MCP server: what a refused caller is told to send, which token
a call runs with, which tokens are well formed, and where an open server may listen."""

from __future__ import annotations

import pytest

from aacflow_hex.surfaces.http_credentials import (
    MAX_TOKEN_LENGTH,
    Credentials,
    Grant,
    Refusal,
    is_loopback,
)

SERVER = Credentials("server-held", "srv-token")
OPEN_SERVER = Credentials("server-held", None)
PER_REQUEST = Credentials("per-request")
SEND_YOURS = (
    "send your Hex API token as 'Authorization: Bearer <token>' or 'X-Hex-Api-Key: <token>'"
)


@pytest.mark.parametrize(
    ("credentials", "headers", "expected"),
    [
        (PER_REQUEST, {}, Refusal(401, SEND_YOURS)),
        (PER_REQUEST, {"authorization": "Bearer "}, Refusal(401, SEND_YOURS)),
        (PER_REQUEST, {"authorization": ""}, Refusal(401, SEND_YOURS)),
        (PER_REQUEST, {"authorization": "Token hxtp_a"}, Refusal(401, SEND_YOURS)),
        (PER_REQUEST, {"x-hex-api-key": "   "}, Refusal(401, SEND_YOURS)),
        (PER_REQUEST, {"authorization": "  Bearer   hxtp_a  "}, Grant("hxtp_a")),
        (PER_REQUEST, {"authorization": "BEARER hxtp_a"}, Grant("hxtp_a")),
        (PER_REQUEST, {"x-hex-api-key": " hxtp_b "}, Grant("hxtp_b")),
        (
            PER_REQUEST,
            {"authorization": "Basic abc", "x-hex-api-key": "hxtp_b"},
            Grant("hxtp_b"),  # not a bearer token: the key header alone decides
        ),
        (
            PER_REQUEST,
            {"authorization": "Bearer hxtp_a", "x-hex-api-key": "hxtp_b"},
            Refusal(400, "Authorization and X-Hex-Api-Key carry different tokens"),
        ),
        (
            PER_REQUEST,
            {"x-hex-api-key": "hxtp_\u00e9"},
            Refusal(
                401,
                "the Hex API token may hold only printable ASCII characters without spaces",
            ),
        ),
        (
            PER_REQUEST,
            {"x-hex-api-key": "x" * (MAX_TOKEN_LENGTH + 1)},
            Refusal(401, f"the Hex API token is longer than {MAX_TOKEN_LENGTH} characters"),
        ),
        (PER_REQUEST, {"x-hex-api-key": "x" * MAX_TOKEN_LENGTH}, Grant("x" * MAX_TOKEN_LENGTH)),
        (PER_REQUEST, {"x-hex-api-key": "!a~"}, Grant("!a~")),  # the printable ends
        (
            SERVER,
            {},
            Refusal(401, "send the server access token as 'Authorization: Bearer <token>'"),
        ),
        (
            SERVER,
            {"authorization": "Basic srv-token"},
            Refusal(401, "send the server access token as 'Authorization: Bearer <token>'"),
        ),
        (
            SERVER,
            {"authorization": "Bearer srv-tokenX"},
            Refusal(401, "the server access token is not valid"),
        ),
        (SERVER, {"authorization": "Bearer srv-token"}, Grant(None)),
        (SERVER, {"authorization": "Bearer srv-token", "x-hex-api-key": " "}, Grant(None)),
        (
            OPEN_SERVER,
            {"x-hex-api-key": "hxtp_a"},
            Refusal(400, "this server calls Hex with its own key: do not send X-Hex-Api-Key"),
        ),
        (OPEN_SERVER, {"authorization": "Bearer whatever"}, Grant(None)),
    ],
    ids=str,
)
def test_what_a_caller_is_granted_or_told(
    credentials: Credentials, headers: dict[str, str], expected: Grant | Refusal
) -> None:
    assert credentials.authenticate(headers) == expected


@pytest.mark.parametrize("character", ["\x7f", "\t", " ", "\x00", "\u00a0"])
def test_a_token_with_a_character_outside_printable_ascii_is_refused(character: str) -> None:
    outcome = PER_REQUEST.authenticate({"x-hex-api-key": f"hxtp{character}zq"})
    assert isinstance(outcome, Refusal) and outcome.status == 401


def test_a_grant_and_the_credentials_keep_their_tokens_out_of_repr() -> None:
    assert "hxtp_q7" not in repr(Grant("hxtp_q7"))
    assert "srv-q7" not in repr(Credentials("server-held", "srv-q7"))


def test_the_environment_picks_the_mode() -> None:
    assert Credentials.from_env({"HEX_API_KEY": "k"}) == Credentials("server-held", None)
    held = Credentials.from_env({"HEX_API_KEY": "k", "AACFLOW_HEX_SERVER_TOKEN": "srv"})
    assert held == Credentials("server-held", "srv")
    # An empty setting is no setting.
    assert Credentials.from_env({"HEX_API_KEY": "", "AACFLOW_HEX_SERVER_TOKEN": ""}) == (
        Credentials("per-request")
    )
    assert Credentials.from_env({"HEX_API_KEY": "k", "AACFLOW_HEX_SERVER_TOKEN": ""}) == (
        Credentials("server-held", None)
    )


def test_a_server_token_callers_could_not_send_is_refused_at_start() -> None:
    env = {"HEX_API_KEY": "k", "AACFLOW_HEX_SERVER_TOKEN": "two words"}
    with pytest.raises(ValueError, match=r"^AACFLOW_HEX_SERVER_TOKEN may hold only printable"):
        Credentials.from_env(env)
    env["AACFLOW_HEX_SERVER_TOKEN"] = "s" * (MAX_TOKEN_LENGTH + 1)
    with pytest.raises(ValueError, match=r"^AACFLOW_HEX_SERVER_TOKEN is longer than 512"):
        Credentials.from_env(env)


def test_a_guard_without_a_key_to_guard_is_refused_with_the_way_out() -> None:
    with pytest.raises(ValueError) as refused:
        Credentials.from_env({"AACFLOW_HEX_SERVER_TOKEN": "srv-q7"})
    said = str(refused.value)
    assert said.startswith("AACFLOW_HEX_SERVER_TOKEN is set but HEX_API_KEY is not")
    assert "set HEX_API_KEY too" in said and "srv-q7" not in said


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("evil-localhost.com", False),
        ("localhost.evil.com", False),
        ("", False),
    ],
)
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_open_server_listens_on_loopback_only_and_says_what_to_set() -> None:
    OPEN_SERVER.check_bind("localhost")
    OPEN_SERVER.check_bind("[::1]")
    with pytest.raises(ValueError) as refused:
        OPEN_SERVER.check_bind("192.0.2.7")
    said = str(refused.value)
    assert said.startswith("--host 192.0.2.7: with the server's own HEX_API_KEY")
    assert "needs AACFLOW_HEX_SERVER_TOKEN" in said and "'Authorization: Bearer <token>'" in said
    SERVER.check_bind("192.0.2.7")
    PER_REQUEST.check_bind("192.0.2.7")
