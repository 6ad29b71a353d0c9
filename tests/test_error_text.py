"""The words a user reads when Hex answers with an error or a body no one can use.

``classify_error`` and ``decode_response`` are pure: each case is one answer from Hex and
the exact ``ToolError`` it becomes (kind, message, trace id, Retry-After).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from aacflow_hex.engine.decode import (
    HttpResponse,
    classify_error,
    decode_response,
    header,
    printable,
    retry_after_seconds,
)
from aacflow_hex.engine.results import ToolError, ToolFailure

NOW = datetime(2026, 11, 28, 9, 0, 0, tzinfo=timezone.utc)
PERMISSION_HINT = "the token's user lacks the rights for this; a workspace token may be needed"


def error_of(status: int, body: Any = None, **headers: str) -> ToolError:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    return classify_error(HttpResponse(status, headers, raw))


def refused(response: HttpResponse, **kwargs: Any) -> ToolError:
    with pytest.raises(ToolFailure) as caught:
        decode_response(response, **kwargs)
    return caught.value.error


# -- what Hex said, in both error families ------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"reason": "bad limit", "details": "at most 100"}, "bad limit; at most 100"),
        ({"reason": "bad", "details": ""}, "bad"),
        ({"reason": "bad", "details": [{"field": "n"}, "two"]}, 'bad; {"field": "n"}; "two"'),
        ({"code": "BAD", "message": "Invalid", "issues": [{"message": "one"}, {"message": 5}, "x"]},
         "Invalid; one"),
        ({"code": "NOT_ALLOWED"}, "NOT_ALLOWED"),
        ({"code": "NOT_ALLOWED", "issues": [{"message": "why"}]}, "why"),
        ({"notFound": [{"paramName": "regoin"}, "sku"], "invalid": []},
         "unknown input parameters: regoin, sku"),
        ({"notFound": [], "invalid": [{"paramName": "limit"}, {"other": 1}, 7]},
         "invalid input parameters: limit, {'other': 1}, 7"),
        ({"reason": "r", "message": "m", "notFound": ["a"], "invalid": ["b"]},
         "r; m; unknown input parameters: a; invalid input parameters: b"),
    ],
)  # fmt: skip
def test_an_error_says_everything_hex_said_in_order(body: dict[str, Any], says: str) -> None:
    error = error_of(400, body)
    assert (error.kind, error.status_code) == ("invalid_request", 400)
    assert error.message == f"Hex API answered 400 Bad Request: {says}"


def test_long_lists_in_an_error_are_cut_to_twenty_entries() -> None:
    names = [f"p{i}" for i in range(25)]
    issues = [{"message": f"i{i}"} for i in range(25)]
    details = [f"d{i}" for i in range(25)]
    assert error_of(400, {"notFound": names}).message.endswith(
        "unknown input parameters: " + ", ".join(names[:20])
    )
    assert error_of(400, {"invalid": names}).message.endswith(
        "invalid input parameters: " + ", ".join(names[:20])
    )
    assert error_of(400, {"message": "m", "issues": issues}).message.endswith("; i19")
    said = error_of(400, {"reason": "r", "details": details}).message
    assert said.endswith('; "d19"') and '"d20"' not in said


def test_a_long_part_and_a_long_message_are_cut_with_an_ellipsis() -> None:
    exactly = error_of(400, {"reason": "x" * 1000}).message
    assert exactly == "Hex API answered 400 Bad Request: " + "x" * 1000
    part = error_of(400, {"reason": "x" * 1001}).message
    assert part == "Hex API answered 400 Bad Request: " + "x" * 997 + "..."
    many = [{"message": c * 1000} for c in "abcde"]
    text = error_of(400, {"message": "m", "issues": many}).message
    said = text.removeprefix("Hex API answered 400 Bad Request: ")
    assert len(said) == 4000 and said.endswith("d" * 3 + "...")


@pytest.mark.parametrize(
    ("status", "kind", "head", "hint"),
    [
        (400, "invalid_request", "400 Bad Request", None),
        (401, "auth", "401 Unauthorized", "check the API token (HEX_API_KEY or the apiKey param)"),
        (403, "permission", "403 Forbidden", PERMISSION_HINT),
        (404, "not_found", "404 Not Found", None),
        (408, "timeout", "408 Request Timeout", None),
        (409, "invalid_request", "409 Conflict", None),
        (418, "invalid_request", "418 I'm a Teapot", None),
        (429, "rate_limited", "429 Too Many Requests",
         "Hex's rate limit was reached; wait before calling again"),
        (499, "invalid_request", "499", None),
        (500, "server", "500 Internal Server Error", None),
        (599, "server", "599", None),
    ],
)  # fmt: skip
def test_each_status_has_its_kind_and_words(
    status: int, kind: str, head: str, hint: str | None
) -> None:
    error = error_of(status, {"reason": "said"})
    tail = f" ({hint})" if hint else ""
    assert (error.kind, error.status_code) == (kind, status)
    assert error.message == f"Hex API answered {head}: said{tail}"
    assert error_of(status).message == f"Hex API answered {head}{tail}"  # no body: no colon


# -- bodies that are not Hex's JSON error -------------------------------------------


def test_a_body_that_is_not_hexs_json_error_names_its_type() -> None:
    html = error_of(502, b"<html>", **{"Content-Type": "text/html; charset=utf-8"})
    assert (
        html.message
        == "Hex API answered 502 Bad Gateway: the body was not Hex's JSON error (text/html)"
    )
    untyped = error_of(502, b"<html>")
    assert untyped.message.endswith("(unknown type)")
    odd_type = "application/" + "x" * 150
    long = error_of(502, b"<html>", **{"Content-Type": odd_type})
    assert long.message.endswith(f"({odd_type[:97]}...)")
    empty_json = error_of(500, {"unrelated": 1}, **{"content-type": "application/json"})
    assert empty_json.message == (
        "Hex API answered 500 Internal Server Error: the body was not Hex's JSON error "
        "(application/json)"
    )


# -- trace ids and Retry-After ------------------------------------------------------


def test_the_trace_id_comes_from_the_body_then_the_header_and_is_kept_short() -> None:
    assert (
        error_of(404, {"reason": "gone", "traceId": "body-t"}, **{"X-Trace-Id": "hdr-t"}).trace_id
        == "body-t"
    )
    assert error_of(404, {"reason": "gone"}, **{"X-Trace-Id": "hdr-t"}).trace_id == "hdr-t"
    assert error_of(404, {"reason": "gone"}).trace_id is None
    assert error_of(404, {"traceId": "t" * 200}).trace_id == "t" * 200
    assert error_of(404, {"traceId": "t" * 201}).trace_id == "t" * 197 + "..."
    assert error_of(404, {}, **{"x-trace-id": "h" * 300}).trace_id == "h" * 197 + "..."


def test_retry_after_is_read_from_the_header_in_any_case() -> None:
    assert error_of(429, {}, **{"RETRY-AFTER": "0.5"}).retry_after == 0.5
    assert error_of(503, {}, **{"retry-after": "12"}).retry_after == 12
    assert error_of(429, {}).retry_after is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (" 12 ", 12.0),
        ("0.25", 0.25),  # a sub-second pause is kept as it is
        ("-5", 0.0),
        ("3600", 3600.0),
        ("3601", 3600.0),
        ("Sat, 28 Nov 2026 09:00:30 GMT", 30.0),
        ("Sat, 28 Nov 2026 09:00:30 -0000", 30.0),  # no zone given: read as UTC
        ("Sat, 28 Nov 2026 10:00:30 +0100", 30.0),
        ("Sat, 28 Nov 2026 08:59:00 GMT", 0.0),
        ("nan", None),
        ("", None),
        (None, None),
        ("tomorrow", None),
    ],
)
def test_retry_after_values(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, NOW) == seconds


# -- successes that cannot be used ---------------------------------------------------


@pytest.mark.parametrize(("status", "phrase"), [(199, "199"), (300, "300 Multiple Choices")])
def test_only_2xx_is_a_success(status: int, phrase: str) -> None:
    error = refused(HttpResponse(status, {}, b'{"reason": "odd"}'))
    assert error.message == f"Hex API answered {phrase}: odd"
    for ok in (200, 299):
        assert decode_response(HttpResponse(ok, {}, b'{"a": 1}')) == {"a": 1}


def test_an_empty_body_is_a_success_only_where_none_is_due() -> None:
    assert decode_response(HttpResponse(204, {}, b"")) == {}
    assert decode_response(HttpResponse(200, {}, b"  \n"), empty_ok=True) == {}
    error = refused(HttpResponse(200, {}, b" \r\n"))
    assert (error.kind, error.status_code) == ("invalid_response", 200)
    assert error.message == "Hex API answered 200 OK with an empty body"


def test_a_success_that_is_not_json_says_its_type_and_size() -> None:
    error = refused(HttpResponse(200, {"Content-Type": "text/html; charset=utf-8"}, b"<b>hi</b>"))
    assert error.kind == "invalid_response"
    assert (
        error.message == "Hex API answered 200 OK with a body that is not JSON (text/html, 9 bytes)"
    )
    odd_type = "application/" + "x" * 150
    long = refused(HttpResponse(200, {"Content-Type": odd_type}, b"<b>hi</b>"))
    assert long.message.endswith(f"({odd_type[:97]}..., 9 bytes)")
    untyped = refused(HttpResponse(201, {}, b"{oops"))
    assert untyped.message == (
        "Hex API answered 201 Created with a body that is not JSON (unknown type, 5 bytes)"
    )


def test_a_page_may_hold_exactly_as_many_items_as_asked_for() -> None:
    body = json.dumps({"values": [{"id": str(i)} for i in range(3)], "next": None}).encode()
    assert len(decode_response(HttpResponse(200, {}, body), page=("values", 3))["values"]) == 3
    error = refused(HttpResponse(200, {}, body), page=("values", 2))
    assert error.message == (
        "Hex API answered 200 OK with 3 items on a page that asked for at most 2; "
        "the page was refused"
    )
    # Items under another key, or no list at all, are the output mapping's to judge.
    other = decode_response(HttpResponse(200, {}, body), page=("runs", 2))
    assert len(other["values"]) == 3


# -- header text as any writer takes it ----------------------------------------------


def test_headers_are_found_whatever_their_case() -> None:
    assert header({"Content-Type": "text/plain"}, "content-type") == "text/plain"
    assert header({"content-type": "a", "Content-Type": "b"}, "content-type") == "a"
    assert header({"Other": "x"}, "content-type") is None


def test_lone_surrogates_become_replacement_characters_and_others_stay() -> None:
    text = "a\ud7ff\ud800\udbff\udc00\udfff\ue000é"
    assert printable(text) == "a\ud7ff\ufffd\ufffd\ufffd\ufffd\ue000é"
    assert printable("plain") == "plain"
    bad = error_of(502, b"x", **{"Content-Type": "text/\udcff"})
    assert bad.message.endswith("(text/\ufffd)")
