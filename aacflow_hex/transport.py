"""The one thin adapter between a built request and aiohttp."""

from __future__ import annotations

import asyncio

import aiohttp

from .build import HttpRequest
from .decode import HttpResponse

USER_AGENT = "aacflow-hex"
MAX_BODY_BYTES = 20 * 1024 * 1024


class TransportError(Exception):
    """The exchange failed below HTTP.

    ``maybe_sent`` is True when the server may have received (and acted on)
    the request, e.g. a reset or a timeout after the request was written.
    """

    def __init__(self, message: str, *, timeout: bool, maybe_sent: bool) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.maybe_sent = maybe_sent


class BodyTooLarge(Exception):
    pass


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    if response.content_length is not None and response.content_length > limit:
        raise BodyTooLarge(f"{response.content_length} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def send(
    session: aiohttp.ClientSession,
    request: HttpRequest,
    *,
    token: str | None,
    timeout: aiohttp.ClientTimeout,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> HttpResponse:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        async with session.request(
            request.method,
            request.url,
            params=request.query or None,
            json=request.json,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,  # never hand the token to wherever a redirect points
        ) as response:
            body = await _read_capped(response, max_body_bytes)
            return HttpResponse(response.status, dict(response.headers), body)
    except aiohttp.ConnectionTimeoutError as exc:
        raise TransportError("connecting to Hex timed out", timeout=True, maybe_sent=False) from exc
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise TransportError("Hex did not answer in time", timeout=True, maybe_sent=True) from exc
    except aiohttp.ClientConnectorError as exc:
        raise TransportError(
            f"could not connect to {exc.host}:{exc.port} ({exc.os_error.strerror or exc})",
            timeout=False,
            maybe_sent=False,
        ) from exc
    except aiohttp.ClientError as exc:
        raise TransportError(
            f"the connection to Hex failed: {type(exc).__name__}", timeout=False, maybe_sent=True
        ) from exc
