"""Redactor: masks every secret in a value, and leaves clean values untouched."""

from __future__ import annotations

from typing import Any

import pytest

from aacflow_hex.engine.redact import MASK, Redactor

SECRET = "hxtp_5f1d2e3c4b5a6978"


def test_a_value_without_secrets_is_returned_as_is() -> None:
    data = {"items": [{"title": "Sales", "owner": {"email": "a@b.c"}}], "count": 1}
    assert Redactor([SECRET]).value(data) is data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"a": [{"b": f"x {SECRET} y"}]}, {"a": [{"b": f"x {MASK} y"}]}),
        ([1, None, f"{SECRET}"], [1, None, MASK]),
        ({"note": f"Authorization: Bearer\t{SECRET}x"}, {"note": f"Authorization: Bearer\t{MASK}"}),
        ({"h": "bearer abc.def"}, {"h": f"bearer {MASK}"}),
        ({f"key-{SECRET}": 1}, {f"key-{MASK}": 1}),
    ],
)
def test_secrets_and_bearer_values_are_masked_at_any_depth(data: Any, expected: Any) -> None:
    assert Redactor([SECRET]).value(data) == expected


@pytest.mark.parametrize("secret", ['tok"en42', "tok\\en42", "tok\nen42"])
def test_a_secret_that_json_escapes_is_still_found(secret: str) -> None:
    data = {"a": {"b": [f"before {secret} after"]}}
    assert Redactor([secret]).value(data) == {"a": {"b": [f"before {MASK} after"]}}


def test_values_json_cannot_encode_are_walked() -> None:
    data = {"when": object(), "note": SECRET}
    redacted = Redactor([SECRET]).value(data)
    assert redacted["note"] == MASK and redacted["when"] is data["when"]


def test_the_longest_secret_is_masked_whole() -> None:
    assert Redactor(["abcd", "abcdefgh"]).text("key abcdefgh") == f"key {MASK}"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": "' + SECRET.encode() + b'"}',
        b'{"a": "' + "".join(f"\\u{ord(c):04x}" for c in SECRET).encode() + b'"}',
        b'{"a": "\\u0041"}',  # any \u escape could spell a secret
        b'{"h": "BeArEr\\tabc"}',
    ],
)
def test_json_text_that_may_decode_to_a_secret_is_not_clean(raw: bytes) -> None:
    assert Redactor([SECRET]).clean_json(raw) is False


def test_json_text_without_secrets_is_clean() -> None:
    assert Redactor([SECRET]).clean_json(b'{"a": "hxtp_other", "b": [1, "x\\ny"]}') is True


def test_a_secret_with_an_escapable_character_makes_no_json_clean() -> None:
    # JSON may write "/" as "\/", so the secret need not appear byte for byte.
    assert Redactor(["abc/def"]).clean_json(b'{"a": "abc\\/def"}') is False
    assert Redactor(["abc/def"]).clean_json(b'{"a": "nothing"}') is False
