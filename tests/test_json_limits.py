"""What a server's JSON may hold, and the words for what it may not: each limit at its
bound, and each refusal's whole reason (shown after "that cannot be used: ")."""

from __future__ import annotations

import json

import pytest

from aacflow_hex.engine.decode import HttpResponse, decode_response
from aacflow_hex.engine.jsonread import JsonRefused, TooManyValues, check_shape, read_json
from aacflow_hex.engine.results import ToolFailure


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"a": NaN}', "it holds NaN, which is not a JSON number"),
        (b"[Infinity]", "it holds Infinity, which is not a JSON number"),
        (b"[1, -Infinity]", "it holds -Infinity, which is not a JSON number"),
        (b"[1e400]", "it holds the number 1e400, too large for a float"),
        (b"[-2.5E999]", "it holds the number -2.5E999, too large for a float"),
        (b"[1234567890123456789.5e999]",
         "it holds the number 1234567890123456789., too large for a float"),
        (b"[" + b"7" * 21 + b"]", "it holds an integer of 21 digits"),
        (b"[-" + b"7" * 21 + b"]", "it holds an integer of 21 digits"),
        (b'["\\ud800"]', "it holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)"),
        (b'["x\\uDFFFy"]', "it holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)"),
        (b'["\\ude00\\ud83d"]', "it holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)"),
    ],
)  # fmt: skip
def test_values_no_caller_can_use_are_refused_with_the_reason(text: bytes, reason: str) -> None:
    with pytest.raises(JsonRefused) as refused:
        read_json(text)
    assert str(refused.value) == reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (b"[" + b"9" * 20 + b"]", [int("9" * 20)]),
        (b"[-" + b"9" * 20 + b"]", [-int("9" * 20)]),
        (b"[1.5e308, -2E-400]", [1.5e308, -0.0]),
        (b'["\\ud83d\\ude00", "\\uD7FF\\uE000"]', ["\U0001f600", "\ud7ff\ue000"]),
    ],
)
def test_values_within_the_limits_are_read(text: bytes, value: object) -> None:
    assert read_json(text) == value


def test_the_depth_limit_is_the_one_given() -> None:
    assert read_json(b"[[[1]]]", max_depth=3) == [[[1]]]
    assert read_json(b'{"a": {"b": [1, 2]}}', max_depth=3) == {"a": {"b": [1, 2]}}
    with pytest.raises(JsonRefused) as refused:
        read_json(b'[{"a": [{}]}]', max_depth=3)
    assert str(refused.value) == "it nests deeper than 3 levels"


def test_brackets_that_do_not_pair_are_not_json_rather_than_too_deep() -> None:
    for text in (b"[" * 200, b"]" * 100 + b"[" * 100):
        with pytest.raises(ValueError) as refused:
            read_json(text)
        assert not isinstance(refused.value, JsonRefused)


def test_nesting_that_only_a_raised_limit_lets_through_is_still_refused() -> None:
    deep = b"[" * 5000 + b"]" * 5000  # beyond Python's recursion limit
    with pytest.raises(JsonRefused) as refused:
        read_json(deep, max_depth=1_000_000)
    assert str(refused.value) == "it nests deeper than 1000000 levels"


def test_the_value_limit_counts_arrays_objects_and_members() -> None:
    ten = b"[" + b"0," * 9 + b"0]"  # one array holding ten members
    check_shape(ten, max_values=10)
    assert read_json(b'{"a": [1, {}], "b": 2}', max_values=5) == {"a": [1, {}], "b": 2}
    with pytest.raises(TooManyValues) as refused:
        check_shape(b"[" + b"0," * 10 + b"0]", max_values=10)
    assert str(refused.value) == "it holds over 10 JSON values"
    with pytest.raises(TooManyValues) as refused:
        read_json(b"[" + b"{}," * 999 + b"{}]", max_values=1000)
    assert str(refused.value) == "it holds over 1,000 JSON values"


def test_the_default_value_limit_is_a_million() -> None:
    check_shape(b"[" + b"0," * 999_999 + b"0]")
    with pytest.raises(TooManyValues) as refused:
        check_shape(b"[" + b"0," * 1_000_000 + b"0]")
    assert str(refused.value) == "it holds over 1,000,000 JSON values"


def test_commas_and_brackets_inside_strings_are_not_counted() -> None:
    texts = ["a,b,c,d,e,f", '",[{', "", '\\",,,', "[[[[[[", '"""']
    body = json.dumps(texts).encode()
    assert read_json(body, max_depth=1, max_values=len(texts)) == texts
    with pytest.raises(TooManyValues):
        check_shape(body, max_values=len(texts) - 1)


def test_each_item_asked_for_may_bring_two_thousand_values() -> None:
    def page(values: int) -> HttpResponse:
        # {"values": [[0, ..., 0]]}: one object, two arrays, and the commas between zeros.
        zeros = values - 3 + 1
        return HttpResponse(200, {}, b'{"values": [[' + b"0," * (zeros - 1) + b"0]]}")

    # A page of one item asked for holds (1 + 1) * 2,000 values at most.
    assert len(decode_response(page(4_000), page=("values", 1))["values"][0]) == 3_998
    with pytest.raises(ToolFailure) as refused:
        decode_response(page(4_001), page=("values", 1))
    assert refused.value.error.kind == "invalid_response"
    assert "with far more items on a page that asked for at most 1;" in refused.value.error.message
