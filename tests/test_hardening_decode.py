"""Reading what a hostile server sends, as pure functions: every body ends in a value a
caller can use (and write back as JSON) or in an ``invalid_response`` error."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from aacflow_hex.engine import jsonread
from aacflow_hex.engine.decode import (
    MAX_RETRY_AFTER,
    HttpResponse,
    classify_error,
    decode_response,
    retry_after_seconds,
)
from aacflow_hex.engine.jsonread import MAX_DEPTH, JsonRefused, check_shape, read_json
from aacflow_hex.engine.paging import next_page_params
from aacflow_hex.engine.results import ToolFailure
from aacflow_hex.spec.specs import PaginationSpec


def nested(depth: int) -> bytes:
    return b'{"a":' + b"[" * depth + b"]" * depth + b"}"


def refused(body: bytes, **kwargs: Any) -> str:
    with pytest.raises(ToolFailure) as caught:
        decode_response(HttpResponse(200, {}, body), **kwargs)
    assert caught.value.error.kind == "invalid_response"
    return caught.value.error.message


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("NaN", b'{"a": NaN}'),
        ("Infinity", b'{"a": Infinity}'),
        ("-Infinity", b'{"a": [-Infinity]}'),
        ("a float beyond the largest", b'{"a": 1e400}'),
        ("a 5,000-digit integer", b'{"a": ' + b"9" * 5000 + b"}"),
        ("a 25-digit integer", b'{"a": -' + b"9" * 25 + b"}"),
        ("nesting 65 deep", nested(MAX_DEPTH)),
        ("nesting 600 deep", nested(600)),
        ("nesting 100,000 deep", nested(100_000)),
        ("arrays of objects 300 deep", b"[{" + b'"a":[{' * 300 + b"}]" * 300 + b"}]"),
    ],
)
def test_a_body_no_caller_can_use_is_an_invalid_response(name: str, body: bytes) -> None:
    message = refused(body)
    assert "cannot be used" in message


def test_nesting_up_to_the_limit_is_read_and_can_be_written_back() -> None:
    body = nested(MAX_DEPTH - 1)
    value = decode_response(HttpResponse(200, {}, body))
    assert json.dumps(value, allow_nan=False).encode().replace(b" ", b"") == body


@pytest.mark.parametrize(
    "body",
    [
        # Brackets and quotes inside strings are text, not structure.
        json.dumps({"a": "[" * 500, "b": "{" * 70 + '\\"' + "]" * 3}).encode(),
        json.dumps({"a": ["]" * 100, "x", "[" * 100]}).encode(),
        json.dumps({"text": '"[[[' * 40 + "\\" * 7}).encode(),
        json.dumps([{"a": 1.5, "b": -2, "c": "1e400", "d": "NaN"}] * 100).encode(),
    ],
)
def test_ordinary_bodies_with_brackets_in_strings_are_read_as_is(body: bytes) -> None:
    assert decode_response(HttpResponse(200, {}, body)) == json.loads(body)


def test_strings_cannot_hide_deep_nesting() -> None:
    # ["]",["]",[ ... 1,"["],"["]]: each level's brackets are paired with brackets in
    # strings, so a count that ignored strings would see shallow text.
    deep = b"[" + b'"]",[' * 200 + b"1" + b',"["]' * 200 + b"]"
    assert json.loads(deep)  # valid JSON, 201 levels deep
    with pytest.raises(JsonRefused, match="deeper than"):
        read_json(deep)


def test_too_many_values_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoParsing:
        @staticmethod
        def loads(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the text was parsed")

    monkeypatch.setattr(jsonread, "json", NoParsing)
    with pytest.raises(JsonRefused):
        check_shape(b"[" + b"{}," * 2000 + b"{}]", max_values=1000)
    with pytest.raises(JsonRefused):
        read_json(b"[" + b"0," * 2000 + b"0]", max_values=1000)


# -- list pages --------------------------------------------------------------------


def test_a_page_with_more_items_than_asked_for_is_refused() -> None:
    body = json.dumps({"values": [{"id": str(i)} for i in range(26)]}).encode()
    message = refused(body, page=("values", 25))
    assert "26 items on a page that asked for at most 25" in message
    exact = json.dumps({"values": [{"id": str(i)} for i in range(25)]}).encode()
    assert len(decode_response(HttpResponse(200, {}, exact), page=("values", 25))["values"]) == 25


def test_a_huge_page_is_refused_before_any_item_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = b'{"values": [' + b"{}," * 1_700_000 + b'{}], "pagination": {}}'  # ~5 MB
    parsed: list[bytes] = []
    real_loads = json.loads

    class Watching:
        @staticmethod
        def loads(text: Any, **kwargs: Any) -> Any:
            parsed.append(text)
            return real_loads(text, **kwargs)

    monkeypatch.setattr(jsonread, "json", Watching)
    message = refused(body, page=("values", 100))
    assert "far more items on a page that asked for at most 100" in message
    assert parsed == []


# -- error bodies and paging fields of unexpected types --------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"message": "bad", "issues": 5},
        {"message": "bad", "issues": "not a list"},
        {"message": "bad", "issues": {"message": "x"}},
        {"reason": "bad", "details": {"deep": [1, 2]}, "notFound": 3, "invalid": "x"},
        {"reason": ["not", "a", "string"], "traceId": {"id": 1}},
        {"reason": "x" * 100_000},
        ["a list"],
        "a string",
        7,
    ],
)
def test_an_error_body_of_any_shape_is_classified(body: Any) -> None:
    error = classify_error(HttpResponse(400, {}, json.dumps(body).encode()))
    assert error.kind == "invalid_request"
    assert error.message.startswith("Hex API answered 400 Bad Request")
    assert len(error.message) < 5_000
    assert error.trace_id is None or isinstance(error.trace_id, str)


CURSOR = PaginationSpec(style="cursor", items="values", maxPageSize=100)
OFFSET = PaginationSpec(style="offset", items="runs", maxPageSize=100)


@pytest.mark.parametrize("pagination", [[1], "after", 5, True, {"after": {"x": 1}}, {"after": 7}])
def test_a_pagination_field_that_is_not_an_object_with_a_cursor_ends_the_list(
    pagination: Any,
) -> None:
    assert next_page_params(CURSOR, {"values": [], "pagination": pagination}, {}) is None


@pytest.mark.parametrize("digits", ["²", "١٢", "٣"])
def test_a_next_page_offset_in_other_digits_counts_the_items_instead(digits: str) -> None:
    body = {"runs": [{}, {}], "nextPage": f"/projects/x/runs?offset={digits}"}
    assert next_page_params(OFFSET, body, {"offset": 4}) == {"offset": 6}


# -- Retry-After -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["1e9", "inf", "Infinity", "1e400", "Fri, 31 Dec 9999 23:59:59 GMT", "99999999999"]
)
def test_an_absurd_retry_after_is_capped(value: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds(value, now) == MAX_RETRY_AFTER


@pytest.mark.parametrize("value", ["nan", "-5", "soon", "Mon, 99 Foo 2026 99:99:99 GMT", ""])
def test_a_meaningless_retry_after_is_no_pause(value: str) -> None:
    assert retry_after_seconds(value) in (None, 0.0)


def test_a_429_with_an_infinite_retry_after_stays_valid_json() -> None:
    response = HttpResponse(429, {"Retry-After": "inf"}, b"")
    error = classify_error(response)
    assert error.retry_after == MAX_RETRY_AFTER
    json.loads(json.dumps(error.model_dump(), allow_nan=False))
