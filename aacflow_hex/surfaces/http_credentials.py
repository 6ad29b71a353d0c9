"""Who may call the HTTP MCP server, and with which Hex token (pure; no HTTP library).

Two modes, chosen by the server's environment:

- per request (no ``HEX_API_KEY`` on the server): each caller sends its own Hex token,
  as ``Authorization: Bearer <token>`` or ``X-Hex-Api-Key: <token>``; calls run with it.
  One server serves many workspaces; pacing is per token.
- server-held (``HEX_API_KEY`` on the server): calls run with the server's key, and a
  caller must present the server access token ``AACFLOW_HEX_SERVER_TOKEN`` as
  ``Authorization: Bearer <token>`` (compared in constant time). Without one configured
  the server is open to whoever reaches it, which it allows on a loopback address only.

A refusal names what to send and never repeats what was sent.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

CredentialMode = Literal["per-request", "server-held"]
HEX_KEY_HEADER = "x-hex-api-key"
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True)
class Credentials:
    """How requests are authenticated; the secrets stay out of repr."""

    mode: CredentialMode
    server_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Credentials:
        """The mode the environment asks for; ValueError when it is contradictory."""
        server_token = env.get("AACFLOW_HEX_SERVER_TOKEN") or None
        if env.get("HEX_API_KEY"):
            if server_token is not None:
                _check_token_shape(server_token, "AACFLOW_HEX_SERVER_TOKEN")
            return cls("server-held", server_token)
        if server_token is not None:
            raise ValueError(
                "AACFLOW_HEX_SERVER_TOKEN is set but HEX_API_KEY is not: a server access "
                "token guards the server's own Hex key; set HEX_API_KEY too, or unset it to "
                "let each caller send its own Hex token"
            )
        return cls("per-request")

    def check_bind(self, host: str) -> None:
        """ValueError if this mode may not listen on ``host``."""
        if self.mode == "server-held" and self.server_token is None and not is_loopback(host):
            raise ValueError(
                f"--host {host}: with the server's own HEX_API_KEY, a non-loopback address "
                "needs AACFLOW_HEX_SERVER_TOKEN, which callers then send as "
                "'Authorization: Bearer <token>'"
            )

    def authenticate(self, headers: Mapping[str, str]) -> Grant | Refusal:
        """The Hex token a request's calls run with (None: the server's), or why not.

        ``headers`` maps lower-case names to values.
        """
        bearer = _bearer(headers.get("authorization"))
        hex_key = headers.get(HEX_KEY_HEADER, "").strip() or None
        if self.mode == "server-held":
            if hex_key is not None:
                return Refusal(
                    400,
                    "this server calls Hex with its own key: do not send X-Hex-Api-Key",
                )
            if self.server_token is None:
                return Grant(None)
            if bearer is None:
                return Refusal(
                    401, "send the server access token as 'Authorization: Bearer <token>'"
                )
            if not hmac.compare_digest(bearer.encode(), self.server_token.encode()):
                return Refusal(401, "the server access token is not valid")
            return Grant(None)
        if bearer is not None and hex_key is not None and bearer != hex_key:
            return Refusal(400, "Authorization and X-Hex-Api-Key carry different tokens")
        token = hex_key or bearer
        if token is None:
            return Refusal(
                401,
                "send your Hex API token as 'Authorization: Bearer <token>' "
                "or 'X-Hex-Api-Key: <token>'",
            )
        try:
            _check_token_shape(token, "the Hex API token")
        except ValueError as exc:
            return Refusal(401, str(exc))
        return Grant(token)


@dataclass(frozen=True)
class Grant:
    hex_token: str | None = field(repr=False)


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _check_token_shape(token: str, what: str) -> None:
    """A token is printable ASCII without spaces, and not absurdly long (not echoed)."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_TOKEN_LENGTH} characters")
    if not all("!" <= ch <= "~" for ch in token):
        raise ValueError(f"{what} may hold only printable ASCII characters without spaces")
