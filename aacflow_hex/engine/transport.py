"""The one thin adapter between a built request and aiohttp.

It adds the headers, reads at most ``max_body_bytes`` of the answer, follows a
redirect only for a GET to the same origin (so the Authorization header never
reaches another host), and turns aiohttp's exceptions into TransportError, saying
whether the server may have received the request.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import aiohttp

from .build import HttpRequest
from .decode import HttpResponse, header
from .safety import same_origin

USER_AGENT = "aacflow-hex"
MAX_BODY_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class TransportError(Exception):
    """The exchange failed below HTTP.

    ``maybe_sent`` is True when the server may have received (and acted on) the
    request, e.g. a reset or a timeout after the request was written.
    ``permanent`` is True when trying again cannot help (a bad TLS certificate).
    """

    def __init__(
        self, message: str, *, timeout: bool, maybe_sent: bool, permanent: bool = False
    ) -> None:
        super().__init__(message)  # pragma: no mutate: Exception.__new__ keeps it in args
        self.timeout = timeout
        self.maybe_sent = maybe_sent
        self.permanent = permanent


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the response was larger than the {limit:,} byte limit")
        self.limit = limit


class RedirectRefused(Exception):
    """Hex answered with a redirect that is not followed; the message names the target host."""


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """At most ``limit`` bytes of the body as decoded (a gzip or deflate body inflated).

    Content-Length counts the bytes on the wire, which a compressed body multiplies
    (a 500 kB gzip bomb inflates to 512 MB): it only refuses early, and the decoded
    chunks are counted as they come. aiohttp inflates a chunk at a time.
    """
    if response.content_length is not None:
        if response.content_length > limit:
            raise BodyTooLarge(limit)
        if "Content-Encoding" not in response.headers:
            return await response.read()  # no more than the declared length
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _redirect_target(request: HttpRequest, response: HttpResponse) -> str | None:
    """Where a redirect points, if it is one to follow; RedirectRefused if it is not."""
    if response.status not in _REDIRECTS:
        return None
    location = header(response.headers, "location")
    if not location:
        return None
    target = urljoin(request.url, location)
    if request.method != "GET" or not same_origin(request.url, target):
        where = target.split("?", 1)[0]
        raise RedirectRefused(
            f"Hex answered {response.status} redirecting {request.method} to {where}; it was "
            "not followed, so the token stays with the configured base URL"
        )
    return target


async def send(
    session: aiohttp.ClientSession,
    request: HttpRequest,
    *,
    token: str | None,
    timeout: aiohttp.ClientTimeout,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> HttpResponse:
    """One exchange (plus same-origin GET redirects); raises TransportError below HTTP."""
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url, query = request.url, request.query or None
    for _ in range(MAX_REDIRECTS + 1):
        response = await _exchange(session, request, url, query, headers, timeout, max_body_bytes)
        target = _redirect_target(HttpRequest(request.method, url), response)
        if target is None:
            return response
        url, query = target, None  # the Location holds the whole target, query included
    raise RedirectRefused(f"Hex redirected more than {MAX_REDIRECTS} times")


async def _exchange(
    session: aiohttp.ClientSession,
    request: HttpRequest,
    url: str,
    query: list[tuple[str, str]] | None,
    headers: dict[str, str],
    timeout: aiohttp.ClientTimeout,
    max_body_bytes: int,
) -> HttpResponse:
    try:
        async with session.request(
            request.method,
            url,
            params=query,
            json=request.json,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,  # decided above, so the token never follows to another host
        ) as response:
            body = await _read_capped(response, max_body_bytes)
            # The headers stay a case-insensitive multidict: no copy, and lookups by name.
            return HttpResponse(response.status, response.headers, body)
    except aiohttp.ConnectionTimeoutError as exc:
        raise TransportError("connecting to Hex timed out", timeout=True, maybe_sent=False) from exc
    except (asyncio.TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise TransportError("Hex did not answer in time", timeout=True, maybe_sent=True) from exc
    except aiohttp.ClientConnectorCertificateError as exc:
        raise TransportError(
            f"Hex's TLS certificate for {exc.host} was not accepted",
            timeout=False,
            maybe_sent=False,
            permanent=True,
        ) from exc
    except aiohttp.InvalidURL as exc:
        # Refused before any connection: nothing was sent.
        raise TransportError(
            "the request URL cannot be used (check the base URL); nothing was sent",
            timeout=False,
            maybe_sent=False,
            permanent=True,
        ) from exc
    except aiohttp.ClientConnectorError as exc:
        reason = exc.os_error.strerror or type(exc.os_error).__name__
        raise TransportError(
            f"could not connect to {exc.host}:{exc.port} ({reason})",
            timeout=False,
            maybe_sent=False,
        ) from exc
    except aiohttp.ClientError as exc:
        raise TransportError(_broken_connection(exc), timeout=False, maybe_sent=True) from exc


def _broken_connection(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "Hex closed the connection without answering"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "Hex's answer was cut off"
    if isinstance(exc, aiohttp.ClientOSError):
        return "the connection to Hex was reset"
    return f"the exchange with Hex failed ({type(exc).__name__})"
