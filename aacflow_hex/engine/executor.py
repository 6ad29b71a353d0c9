"""HexExecutor: validate params, call Hex, map the response onto the outputs.

The steps that decide things (validation, request building, decoding,
mapping) are pure functions in their own modules; this one only sequences
them around the transport, with retries, pacing and timeouts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import random
import re
import sys
import time
import traceback
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp

from ..spec.ratelimits import HEX_RATE_LIMITS, RateLimitTable, resolve_rate_limits
from ..spec.registry import RegisteredTool, Registry, load_registry
from ..spec.specs import ToolSpec
from . import transport
from .baseurl import is_missing_route, missing_route_hint, normalize_base_url
from .build import HttpRequest, build_request
from .decode import (
    HttpResponse,
    classify_error,
    decode_response,
    header,
    printable,
    retry_after_seconds,
)
from .handlers import HANDLERS, HandlerContext
from .listing import fetch_list
from .pacing import Pacer, RateLimiter, TurnTooLate, default_rate_limiter, token_fingerprint
from .progress import ProgressCallback
from .redact import Redactor
from .redis_setting import check_redis_url
from .results import ErrorKind, Timing, ToolError, ToolFailure, ToolResult
from .retry import RetryPolicy, is_ambiguous_status, may_retry_status, may_retry_transport
from .run_store import MemoryRunStatusStore, RunStatusStore
from .safety import UnsafePathValue, check_base_url
from .validation import ParamError, validate_params
from .watcher import DEFAULT_SHARE, RunWatcher

if TYPE_CHECKING:  # the Redis client is imported only when a Redis URL is given
    from .redis_link import RedisLink
    from .shared_pacing import SharedRateLimiter

DEFAULT_BASE_URL = "https://app.hex.tech/api/v1"
DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = transport.MAX_BODY_BYTES
# A handler that bounds itself (a wait's ``timeout`` param) ends by then; this much more
# is a backstop for its cleanup (cancelling a run) before the executor cuts it off.
HANDLER_GRACE = 15.0
# A list walk stops reading this long before the call's deadline, so that it can return
# the pages it has read (``truncated``) instead of being cut off with nothing.
PAGE_MARGIN = 0.2
# What may go into an HTTP header value: visible Latin-1 and spaces, no control characters.
_NOT_IN_HEADER = re.compile(r"[^\x20-\x7e\xa0-\xff]")
log = logging.getLogger("aacflow_hex")
T = TypeVar("T")


@dataclass
class _Call:
    """The state of one execute() call."""

    spec: ToolSpec
    token: str | None = field(repr=False)
    redactor: Redactor = field(repr=False)
    started: float = field(default_factory=time.monotonic)
    deadline: float | None = None  # time.monotonic() when the call's timeout strikes
    waiting_for: str | None = None  # the rate-limit group while waiting for a turn
    attempts: int = 0
    requests: int = 0
    last_status: int | None = None
    progress: ProgressCallback | None = None
    context: HandlerContext | None = None  # a handler's, to say what it had done
    # False once a response body could hold a secret: the output then gets the full
    # redaction; see _may_hold_secret.
    clean_bodies: bool = True  # pragma: no mutate: False only adds a redaction pass, same output


class HexExecutor:
    """Runs tools against one Hex API base URL with one shared aiohttp session."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        registry: Registry | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        retry: RetryPolicy | None = None,
        rate_limits: RateLimitTable | None = HEX_RATE_LIMITS,
        rate_limiter: RateLimiter | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        allow_insecure_hosts: Iterable[str] = (),
        session: aiohttp.ClientSession | None = None,
        seed: int | None = None,
        progress: ProgressCallback | None = None,
        redis_url: str | None = None,
        watch_share: float = DEFAULT_SHARE,
        run_status_store: RunStatusStore | None = None,
    ) -> None:
        # The bare host, ".../api" (what other Hex clients set) and ".../api/v1" all work.
        self.base_url = check_base_url(
            normalize_base_url(base_url or os.environ.get("HEX_API_BASE_URL") or DEFAULT_BASE_URL),
            allow_insecure_hosts,
        )
        self._api_key = api_key or os.environ.get("HEX_API_KEY") or None
        self.registry = registry or load_registry()
        for name, seconds in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            if not seconds >= 0:  # NaN too
                raise ValueError(f"HexExecutor {name} must be seconds, 0 or more (0: no cap)")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        # sock_connect, not connect: waiting for a free pooled connection is not a
        # connect timeout; the call's total timeout bounds that wait.
        self._request_timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout)
        self.retry = retry or RetryPolicy()
        # rate_limits=None: no pacing at all; otherwise Hex's limits with the overrides.
        self.rate_limits = resolve_rate_limits(rate_limits)
        self._limiter: Pacer = rate_limiter or default_rate_limiter()
        # A Redis URL: share the budget with every worker on that Redis (the local
        # limiter stays as the fallback for when Redis is down).
        self._shared: SharedRateLimiter | None = None
        self._redis: RedisLink | None = None
        shared_store: RunStatusStore | None = None
        shared_url = redis_url or os.environ.get("HEX_REDIS_URL") or None
        if shared_url:
            self._redis, shared_store, self._shared = _fleet_sharing(
                shared_url, rate_limiter or default_rate_limiter(), self.rate_limits is not None
            )
            self._limiter = self._shared or self._limiter
        self.max_response_bytes = max_response_bytes
        self._session = session
        self._owns_session = session is None
        self._rng = random.Random(seed)
        self._progress = progress
        self._own_secrets = {self._api_key} if self._api_key else set()
        self._own_redactor = Redactor(self._own_secrets)
        if not 0 < watch_share <= 1:
            raise ValueError(f"watch_share must be in (0, 1], got {watch_share}")
        self.watch_share = watch_share
        # An explicit store wins; with a Redis URL, run statuses are shared by the fleet.
        self._run_status_store = run_status_store or shared_store or MemoryRunStatusStore()
        self._watchers: dict[str, RunWatcher] = {}

    def __repr__(self) -> str:
        key = "set" if self._api_key else "unset"
        return f"HexExecutor(base_url={self.base_url!r}, api_key={key})"

    async def __aenter__(self) -> HexExecutor:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                # Pool size and DNS cache lifetime: tuning that no result depends on.
                connector=aiohttp.TCPConnector(limit=100, ttl_dns_cache=300)  # pragma: no mutate
            )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        watchers, self._watchers = list(self._watchers.values()), {}
        for watcher in watchers:
            await watcher.aclose()
        if self._shared is not None:
            await self._shared.aclose()
        if self._redis is not None:
            await self._redis.aclose()
        if self._session is not None and self._owns_session:
            await self._session.close()
            self._session = None

    async def execute(
        self,
        tool_id: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ToolResult:
        """Run one tool. Never raises for a failed call; an unknown tool id raises.

        ``progress`` (or the executor's) hears how a long call (a wait) is going.
        """
        tool = self.registry.tool(tool_id)
        spec = tool.spec
        raw = dict(params or {})
        if "apiKey" in spec.params and not raw.get("apiKey") and self._api_key:
            raw["apiKey"] = self._api_key
        secrets = [raw.get(name) for name in spec.secret_params] + [self._api_key]
        call = _Call(spec, token=None, redactor=self._redactor(secrets))
        try:
            return await self._execute(call, tool, raw, timeout, progress)
        except Exception as exc:
            # A backstop: whatever a server sent (or a bug of ours) ends as a result.
            return self._failed(call, self._unexpected(call, exc))

    async def _execute(
        self,
        call: _Call,
        tool: RegisteredTool,
        raw: dict[str, Any],
        timeout: float | None,
        progress: ProgressCallback | None,
    ) -> ToolResult:
        spec = call.spec
        try:
            clean = validate_params(spec, tool.validator, raw, quick_check=tool.quick_check)
            _check_timeout(timeout)
            _check_header_value("apiKey", clean.get("apiKey"))
        except ParamError as exc:
            return self._failed(call, ToolError(kind="validation", message=str(exc)))
        call.token = clean.get("apiKey")
        call.progress = progress or self._progress
        limit = self._limit(spec, clean, timeout)
        call.deadline = call.started + limit if limit > 0 else None
        try:
            body = await _within(self._run(call, clean), limit if limit > 0 else None)
        except ToolFailure as exc:
            return self._failed(call, exc.error)
        except asyncio.TimeoutError:
            return self._failed(call, self._timeout_error(call, limit))
        output = tool.map_outputs(body, clean)
        if self._may_hold_secret(call, tool, clean):
            output = call.redactor.value(output)
        result = ToolResult(
            tool_id=spec.id,
            success=True,
            output=output,
            status_code=call.last_status,
            timing=self._timing(call),
        )
        log.debug("%s succeeded in %.0f ms", spec.id, result.timing.elapsed_ms)
        return result

    def _limit(self, spec: ToolSpec, params: dict[str, Any], timeout: float | None) -> float:
        """Seconds the whole call may take; 0: no cap.

        A spec's callTimeout 0 means no cap from the executor: a handler bounded by its
        own ``timeout`` param (a wait) gets that, plus HANDLER_GRACE for its cleanup.
        """
        if timeout is not None:
            return timeout if math.isfinite(timeout) else 0.0
        limit = self.timeout if spec.call_timeout is None else spec.call_timeout
        own = params.get("timeout")
        if limit == 0 and spec.handler is not None and isinstance(own, (int, float)) and own > 0:
            return float(own) + HANDLER_GRACE
        return limit

    def _unexpected(self, call: _Call, exc: Exception) -> ToolError:
        """The error for an exception no step expected; its traceback goes to the log."""
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error(
            "%s: unexpected %s\n%s", call.spec.id, type(exc).__name__, call.redactor.text(trace)
        )
        extra = (
            self._ambiguity(call, _is_idempotent(call.spec, _method(call))) if call.requests else ""
        )
        return ToolError(
            kind="invalid_response",
            message=(
                f"{call.spec.id} could not be completed: an unexpected {type(exc).__name__} "
                f"while handling Hex's answer (logged with its traceback).{extra}"
            ),
        )

    def run_watcher(self, token: str | None) -> RunWatcher:
        """The watcher of this executor's runs for ``token`` (made on first use).

        One per token: waits made with a call's own apiKey never share a watcher (nor
        its requests) with waits made with another key.
        """
        key = token_fingerprint(token)
        watcher = self._watchers.get(key)
        loop = asyncio.get_running_loop()
        if watcher is None or (watcher.loop is not None and watcher.loop is not loop):
            budget = None if self.rate_limits is None else self.rate_limits.get("hex-api")
            watcher = self._watchers[key] = RunWatcher(
                self,
                token,
                base_url=self.base_url,
                limiter=self._limiter,
                budget=budget,
                share=self.watch_share,
                store=self._run_status_store,
            )
        return watcher

    def _redactor(self, secrets: list[Any]) -> Redactor:
        """The executor's own Redactor when the call brings no other secret, else a new one.

        Nearly every call has only the executor's key; a call's own secrets (an apiKey
        param, a connection password) are not kept beyond the call.
        """
        found = {s for s in secrets if isinstance(s, str)}
        if found <= self._own_secrets:  # pragma: no mutate: same secrets, same masking
            return self._own_redactor
        return Redactor(found)

    @staticmethod
    def _may_hold_secret(call: _Call, tool: RegisteredTool, params: dict[str, Any]) -> bool:
        """Whether the output needs the redactor, judged by what it was made from.

        Outputs only pick and retype values from the response bodies and the params
        (mapping joins no strings), so when every body's raw text and every echoed
        param is clean, so is the output, and the redactor's pass over it is skipped.
        A handler's output is made by code, so it always gets the pass.
        """
        if call.spec.handler is not None or not call.clean_bodies:
            return True
        redactor = call.redactor
        for name in tool.output_params:
            value = params.get(name)
            if value is not None and not (isinstance(value, str) and redactor.clean_text(value)):
                return True
        return False

    # -- the pipeline ---------------------------------------------------------

    async def _run(self, call: _Call, params: dict[str, Any]) -> Any:
        spec = call.spec
        if spec.handler is not None:
            handler = HANDLERS[spec.handler]
            own = params.get("timeout")
            context = HandlerContext(
                self,
                call.token,
                tool_id=spec.id,
                progress=call.progress,
                started=call.started,
                deadline=call.started + own if isinstance(own, (int, float)) else None,
            )
            call.context = context
            return await handler(context, params)
        if spec.request is not None and spec.request.pagination is not None:
            pagination = spec.request.pagination
            pages_read = 0

            async def fetch_page(page: dict[str, Any]) -> Any:
                nonlocal pages_read
                asked = min(
                    int(page.get("limit") or pagination.max_page_size), pagination.max_page_size
                )
                expect = (pagination.items, max(asked, 1))
                if pages_read == 0 or call.deadline is None:
                    body = await self._request(call, page, expect)
                else:  # stop in time to return the pages already read
                    body = await self._before_deadline(call, self._request(call, page, expect))
                pages_read += 1  # pragma: no mutate: only compared with 0
                return body

            return await fetch_list(spec, params, fetch_page)
        return await self._request(call, params)

    async def _before_deadline(self, call: _Call, work: Coroutine[Any, Any, T]) -> T:
        """``await work``, or a timeout ToolFailure PAGE_MARGIN before the call's deadline."""
        assert call.deadline is not None
        left = call.deadline - time.monotonic()
        left -= min(PAGE_MARGIN, left / 4)
        try:
            if left <= 0:
                raise asyncio.TimeoutError
            return await _within(work, left)
        except asyncio.TimeoutError:
            work.close()
            limit = call.deadline - call.started
            raise ToolFailure(
                ToolError(kind="timeout", message=f"{call.spec.id} ran out of its {limit:g} s")
            ) from None

    async def _request(
        self, call: _Call, params: dict[str, Any], page: tuple[str, int] | None = None
    ) -> Any:
        spec = call.spec
        assert spec.request is not None
        try:
            request = build_request(spec, params, self.base_url)
        except UnsafePathValue as exc:
            raise ToolFailure(ToolError(kind="validation", message=str(exc))) from exc
        response = await self._send_with_retries(call, request)
        call.last_status = response.status
        if call.clean_bodies and not call.redactor.clean_json(response.body):
            call.clean_bodies = False
        try:
            return decode_response(response, empty_ok=spec.request.empty_ok, page=page)
        except ToolFailure as exc:
            path = request.url[len(self.base_url) :]
            if is_missing_route(response.status, response.body, path):
                hint = missing_route_hint(self.base_url, call.redactor.text(request.url))
                raise ToolFailure(_with_hint(exc.error, hint)) from exc
            if _is_idempotent(spec, request.method) or not 200 <= response.status < 300:
                raise
            # Hex accepted a run trigger (or a create) but its answer is unreadable:
            # the action most likely happened, and the caller must not simply repeat it.
            hint = self._ambiguity(call, idempotent=False).replace("may have", "has most likely")
            raise ToolFailure(_with_hint(exc.error, hint)) from exc

    async def _send_with_retries(self, call: _Call, request: HttpRequest) -> HttpResponse:
        """Send, pacing each attempt, and retry where that cannot start anything twice."""
        spec = call.spec
        assert spec.request is not None
        idempotent = _is_idempotent(spec, request.method)
        policy = self.retry.tuned(spec.request.retry)
        group = spec.request.rate_limit_group
        attempt = 0
        while True:
            attempt += 1
            call.attempts += 1
            try:
                response = await self._paced_send(call, request, group, policy)
            except transport.TransportError as exc:
                retry = may_retry_transport(
                    idempotent=idempotent, maybe_sent=exc.maybe_sent, permanent=exc.permanent
                )
                delay = policy.backoff(attempt, self._rng)
                if retry and attempt < policy.max_attempts and await self._waited(call, delay):
                    continue
                raise ToolFailure(self._transport_error(call, exc, idempotent)) from exc
            if response.status < 400:  # pragma: no mutate: 400 gets no retry or hint either
                return response  # nothing to retry or explain
            retry_after = _retry_after(response)
            if response.status == 429 and self.rate_limits is not None:
                pause = retry_after if retry_after is not None else policy.ceiling(attempt)
                self._limiter.penalize(self.base_url, call.token, group, pause)
            if may_retry_status(response.status, idempotent=idempotent):
                wait = policy.delay(attempt, retry_after, self._rng)
                if (
                    attempt < policy.max_attempts
                    and wait is not None
                    and await self._waited(call, wait)
                ):
                    continue
            if is_ambiguous_status(response.status, idempotent=idempotent):
                error = classify_error(response)
                raise ToolFailure(_with_hint(error, self._ambiguity(call, idempotent)))
            return response

    async def _waited(self, call: _Call, delay: float) -> bool:
        """Sleep ``delay`` unless that would pass the call's deadline (then: False, give up)."""
        if call.deadline is not None and time.monotonic() + delay >= call.deadline:
            return False
        await asyncio.sleep(delay)
        return True

    async def _paced_send(
        self, call: _Call, request: HttpRequest, group: str, policy: RetryPolicy
    ) -> HttpResponse:
        if self.rate_limits is None:
            call.requests += 1
            return await self._send(call, request)
        paused = self._limiter.stats(self.base_url, call.token, group).paused_for
        if call.deadline is not None and time.monotonic() + paused >= call.deadline:
            # A 429 told this token to wait longer than this call may: say so now. A call
            # with time to spare (a wait's status check) queues instead.
            raise ToolFailure(
                ToolError(
                    kind="rate_limited",
                    message=(
                        f"Hex asked this token to wait {paused:.0f} s before its next "
                        f"{group!r} request (a 429 with Retry-After); not sent"
                    ),
                    retry_after=round(paused, 3),
                )
            )
        call.waiting_for = group
        try:
            async with self._limiter.slot(
                self.base_url, call.token, group, self.rate_limits.get(group), call.deadline
            ):
                call.waiting_for = None
                call.requests += 1
                return await self._send(call, request)
        except TurnTooLate as exc:
            raise ToolFailure(
                ToolError(
                    kind="rate_limited",
                    message=(
                        f"Hex's {group!r} rate limit leaves this token no turn before this "
                        f"call's timeout (the next comes in {exc.wait:.0f} s); not sent"
                    ),
                    retry_after=round(exc.wait, 3),
                )
            ) from exc

    async def _send(self, call: _Call, request: HttpRequest) -> HttpResponse:
        if self._session is None:
            raise RuntimeError("use HexExecutor as 'async with HexExecutor(...) as ex'")
        started = time.monotonic()
        try:
            response = await transport.send(
                self._session,
                request,
                token=call.token,
                timeout=self._request_timeout,
                max_body_bytes=self.max_response_bytes,
            )
        except transport.BodyTooLarge as exc:
            raise ToolFailure(
                ToolError(
                    kind="invalid_response",
                    message=(
                        f"Hex's answer to {request.method} {call.redactor.text(request.url)} "
                        f"was not read: {exc} (HexExecutor(max_response_bytes=...))"
                    ),
                )
            ) from exc
        except transport.RedirectRefused as exc:
            raise ToolFailure(
                ToolError(kind="invalid_response", message=call.redactor.text(str(exc)))
            ) from exc
        if log.isEnabledFor(logging.DEBUG):  # the arguments cost a redaction on every call
            log.debug(
                "%s %s -> %s in %.0f ms",
                request.method,
                call.redactor.text(request.url),
                response.status,
                (time.monotonic() - started) * 1000,
            )
        return response

    # -- results ----------------------------------------------------------------

    def _timing(self, call: _Call) -> Timing:
        elapsed = (time.monotonic() - call.started) * 1000
        return Timing(elapsed_ms=elapsed, attempts=call.attempts, requests=call.requests)

    def _failed(self, call: _Call, error: ToolError) -> ToolResult:
        trace_id = printable(call.redactor.text(error.trace_id)) if error.trace_id else None
        error = error.model_copy(
            update={"message": printable(call.redactor.text(error.message)), "trace_id": trace_id}
        )
        log.debug("%s failed: %s: %s", call.spec.id, error.kind, error.message)
        return ToolResult(
            tool_id=call.spec.id,
            success=False,
            error=error,
            status_code=error.status_code,
            timing=self._timing(call),
        )

    def _ambiguity(self, call: _Call, idempotent: bool) -> str:
        if idempotent or call.spec.request is None:
            return ""
        hint = call.spec.request.ambiguous_hint or "Check its state in Hex before trying again."
        return f" The request may have reached Hex and taken effect. {hint}"

    def _handler_effects(self, context: HandlerContext) -> str:
        """What a handler cut off by the call's timeout may have set going in Hex."""
        acted = [
            tool_id
            for tool_id in context.sent
            if tool_id in self.registry.ids()
            and not self.registry.get(tool_id).annotations.idempotent
        ]
        if context.run_id is not None and acted:
            where = f" ({context.run_url})" if context.run_url else ""
            return (
                f" Its run {context.run_id}{where} had started and may still be running;"
                " check it before starting another."
            )
        if acted:
            return (
                f" {acted[-1]} was sent, so the run may have started; list the project's runs"
                " (hex_get_project_runs) before starting another."
            )
        return ""

    def _transport_error(
        self, call: _Call, exc: transport.TransportError, idempotent: bool
    ) -> ToolError:
        kind: ErrorKind = "timeout" if exc.timeout else "transport"
        extra = self._ambiguity(call, idempotent) if exc.maybe_sent else ""
        return ToolError(kind=kind, message=f"{exc}.{extra}")

    def _timeout_error(self, call: _Call, limit: float) -> ToolError:
        extra = (
            self._ambiguity(call, _is_idempotent(call.spec, _method(call))) if call.requests else ""
        )
        if call.context is not None:
            extra += self._handler_effects(call.context)
        if call.waiting_for is not None:
            extra += (
                f" It was waiting for its turn under Hex's {call.waiting_for!r} rate limit;"
                " a longer timeout or fewer concurrent calls with this token would help."
            )
        return ToolError(
            kind="timeout", message=f"{call.spec.id} did not finish within {limit:g} s.{extra}"
        )


async def _within(work: Coroutine[Any, Any, T], seconds: float | None) -> T:
    """``await work``, or asyncio.TimeoutError after ``seconds`` (None: no limit).

    asyncio.timeout (3.11+) runs the work in the calling task; wait_for (3.10) starts a
    new task for every call.
    """
    if sys.version_info >= (3, 11):  # pragma: no mutate: both branches time out alike
        async with asyncio.timeout(seconds):
            return await work
    return await asyncio.wait_for(work, seconds)


def _method(call: _Call) -> str | None:
    return call.spec.request.method if call.spec.request is not None else None


def _check_timeout(timeout: float | None) -> None:
    """A timeout is None (the tool's own), 0 (no cap) or a positive number of seconds."""
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout >= 0):
        raise ParamError([f"timeout: must be a number of seconds, 0 or more; got {timeout!r}"])


def _check_header_value(name: str, value: Any) -> None:
    """A secret that cannot go into a header is refused here, not by aiohttp (or a server)."""
    if isinstance(value, str) and _NOT_IN_HEADER.search(value):
        raise ParamError(
            [
                f"{name}: cannot be sent in an HTTP header: it holds a line break, another "
                "control character or a character outside Latin-1 (was it copied with a "
                "stray newline?)"
            ]
        )


def _fleet_sharing(
    url: str, local: RateLimiter, pacing: bool
) -> tuple[RedisLink, RunStatusStore, SharedRateLimiter | None]:
    """What the Redis at ``url`` shares: the link, run statuses, and pacing if it is on."""
    check_redis_url(url)  # a clear RedisSettingError, before anything imports Redis
    from .redis_link import RedisLink
    from .shared_pacing import SharedRateLimiter
    from .shared_statuses import RedisRunStatusStore

    link = RedisLink(url)
    pacer = SharedRateLimiter(link, local) if pacing else None
    return link, RedisRunStatusStore(link), pacer


def _is_idempotent(spec: ToolSpec, method: str | None) -> bool:
    return spec.annotations.idempotent or method == "GET"


def _with_hint(error: ToolError, hint: str) -> ToolError:
    """``error`` with ``hint`` (a sentence starting with a space) after its message."""
    return error.model_copy(update={"message": error.message.rstrip(".") + "." + hint})


def _retry_after(response: HttpResponse) -> float | None:
    return retry_after_seconds(header(response.headers, "retry-after"))
