"""The aiohttp application: routing plus one middleware that applies, in order,
request logging, fault injection, authentication, authorization, rate limiting, and the
rendering of errors in the endpoint's body family."""

from __future__ import annotations

import asyncio
import json
import logging
import math

from aiohttp import web

from .config import FaultRule
from .errors import ApiError, Family, error_body, error_response
from .faults import API_PREFIX, MALFORMED_BODIES
from .requestlog import RecordedRequest
from .routes import all_routes
from .routing import ROLE_RANK, Handler, RouteSpec
from .runtime import STATE_KEY, EmulatorState, RequestContext, request_origin, set_context

log = logging.getLogger(__name__)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer; the client sees a disconnect."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError  # aiohttp treats this as a vanished client


def _fault_response(rule: FaultRule, family: Family, trace_id: str) -> web.Response:
    status = rule.status or 503
    headers = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = _retry_after_value(rule.retry_after, fractional=True)
    if rule.body is not None:
        text, content_type = MALFORMED_BODIES[rule.body]
        return web.Response(status=status, text=text, content_type=content_type, headers=headers)
    body = error_body(family, status, f"Injected fault: HTTP {status}", trace_id)
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json", headers=headers
    )


def _retry_after_value(seconds: float, *, fractional: bool) -> str:
    if fractional:
        return f"{max(seconds, 0.001):.3f}".rstrip("0").rstrip(".")
    return str(max(1, math.ceil(seconds)))


def _corrupt(response: web.StreamResponse, rule: FaultRule) -> web.Response:
    text, content_type = MALFORMED_BODIES[rule.body or "truncated_json"]
    return web.Response(status=rule.status or response.status, text=text, content_type=content_type)


def unknown_path_reason(request: web.Request, origin: str) -> str:
    """Express's "Cannot GET /path", plus where the API lives: a wrong base URL shows here."""
    reason = f"Cannot {request.method} {request.path}"
    if request.path.startswith(API_PREFIX + "/"):
        return reason
    return (
        f"{reason}: Hex API paths start with {API_PREFIX}/ (base URL {origin}{API_PREFIX}, "
        f"or {origin}/api for clients that add /v1 themselves)"
    )


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def _authorized_call(
    request: web.Request,
    state: EmulatorState,
    context: RequestContext,
    spec: RouteSpec,
    handler: Handler,
) -> web.StreamResponse:
    token = _bearer(request)
    if token is None:
        raise ApiError(401, "Missing bearer token (Authorization: Bearer <token>)")
    user = state.user_for_token(token)
    if user is None:
        raise ApiError(401, "Invalid or expired API token")
    context.user = user
    context.entry.role = user.role
    if ROLE_RANK[user.role] < ROLE_RANK[spec.min_role]:
        raise ApiError(403, f"Your role ({user.role}) cannot call {spec.operation}")
    group = state.config.operation_groups.get(spec.operation, spec.group)
    decision = state.limiter.check(token, group, state.now())
    if not decision.allowed:
        retry = _retry_after_value(
            decision.retry_after, fractional=state.config.fractional_retry_after
        )
        raise ApiError(
            429,
            f"Rate limit exceeded for {group}: {decision.limit} requests per "
            f"{decision.window:g} s; retry after {retry} s",
            headers={"Retry-After": retry},
        )
    return await handler(request)


@web.middleware
async def pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    route_name = request.match_info.route.name
    spec = state.routes.get(route_name) if route_name else None
    family: Family = spec.family if spec else "T"
    trace_id = state.new_id()
    entry = RecordedRequest(
        method=request.method,
        path=request.path,
        query=tuple(request.query.items()),
        headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        operation=spec.operation if spec else None,
        at=state.now(),
    )
    context = RequestContext(trace_id, entry, origin=request_origin(request))
    set_context(context)
    if state.config.log_requests:
        state.requests.append(entry)

    rule = state.faults.match(request.method, request.path)
    if rule is not None:
        if rule.latency > 0:
            # The body arrived with the request: a client that gives up while the server
            # is slow has still delivered it (it is read before the wait, not after).
            await request.read()
            await asyncio.sleep(rule.latency)
        if rule.kind == "drop_before":
            return _drop(request)
        if rule.kind == "status":
            injected = _fault_response(rule, family, trace_id)
            entry.status = injected.status
            return injected

    response: web.StreamResponse
    try:
        if spec is None:
            response = await handler(request)  # aiohttp raises 404/405 for unknown routes
        else:
            response = await _authorized_call(request, state, context, spec, handler)
    except ApiError as err:
        response = error_response(family, err, trace_id)
    except web.HTTPException as exc:
        reason = unknown_path_reason(request, context.origin) if exc.status == 404 else exc.reason
        response = error_response(family, ApiError(exc.status, reason), trace_id)
    except Exception:
        log.exception("emulator handler failed")
        response = error_response(family, ApiError(500, "Internal server error"), trace_id)

    if rule is not None and rule.kind == "drop_after":
        return _drop(request)
    if rule is not None and rule.kind == "malformed":
        response = _corrupt(response, rule)
    entry.status = response.status
    return response


def build_app(state: EmulatorState) -> web.Application:
    app = web.Application(middlewares=[pipeline])
    app[STATE_KEY] = state
    for spec in all_routes():
        app.router.add_route(spec.method, API_PREFIX + spec.path, spec.handler, name=spec.operation)
        state.routes[spec.operation] = spec
    return app
