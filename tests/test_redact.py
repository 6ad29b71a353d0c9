"""Redactor: masks every secret in a value, and leaves clean values untouched."""

from __future__ import annotations

from typing import Any

import pytest
from hexfake import FakeHex
from samples import PROJECT_ID

from aacflow_hex import HexExecutor
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


# "tok~>?1" as a server may echo it: base64 of the key and of "Bearer <key>", standard and
# URL-safe, with and without padding; percent-encoded with either case of hex digits.
ECHOED = "tok~>?1"
ECHOES = [
    "dG9rfj4/MQ==", "dG9rfj4/MQ", "dG9rfj4_MQ==", "dG9rfj4_MQ",
    "QmVhcmVyIHRva34+PzE=", "QmVhcmVyIHRva34+PzE", "QmVhcmVyIHRva34-PzE=", "QmVhcmVyIHRva34-PzE",
    "tok~%3E%3F1", "tok~%3e%3f1",
]  # fmt: skip


@pytest.mark.parametrize("echo", ECHOES)
def test_a_secret_echoed_encoded_is_masked_whole(echo: str) -> None:
    redactor = Redactor([ECHOED])
    assert redactor.text(f"debug: {echo}.") == f"debug: {MASK}."
    assert redactor.clean_text(f"debug: {echo}.") is False
    assert redactor.value({"debug": [echo]}) == {"debug": [MASK]}
    assert redactor.clean_json(b'{"debug": "' + echo.encode() + b'"}') is False


def test_an_encoded_secret_with_a_slash_is_found_in_json_that_escapes_the_slash() -> None:
    redactor = Redactor([ECHOED])
    assert redactor.clean_json(b'{"debug": "dG9rfj4\\/MQ"}') is False
    assert redactor.clean_json(b'{"debug": "dG9rfj4/MA", "ok": "tok~"}') is True


def test_values_too_short_to_be_secrets_are_not_masked() -> None:
    redactor = Redactor([None, "", "abc", "wxyz"])
    assert redactor.text("abc and wxyz") == f"abc and {MASK}"
    assert redactor.clean_text("abc") is True
    assert redactor.value({"a": "abc"}) == {"a": "abc"}


def test_text_is_clean_only_without_a_secret_or_a_bearer_value() -> None:
    redactor = Redactor([SECRET])
    assert redactor.clean_text("Sales report, owner a@b.c") is True
    assert redactor.clean_text(f"key={SECRET}") is False
    assert redactor.clean_text("Authorization: BEARER abc") is False
    assert redactor.text("Authorization: BEARER abc,def") == f"Authorization: BEARER {MASK},def"
    assert redactor.value({"h": "BEARER abc"}) == {"h": f"BEARER {MASK}"}
    assert redactor.text("Sales report") == "Sales report"


def test_a_secret_that_is_not_valid_unicode_is_still_masked() -> None:
    secret = "key\udc80tail"  # a lone surrogate, as os.environ gives for undecodable bytes
    redactor = Redactor([secret])
    assert redactor.text(f"a {secret} b") == f"a {MASK} b"


async def test_a_key_with_undecodable_bytes_is_refused_as_a_param_not_a_crash(
    hex_api: FakeHex,
) -> None:
    key = "hxtp_\udc80abcd"  # how os.environ gives bytes that are not UTF-8
    async with HexExecutor(base_url=hex_api.base_url, api_key=key) as executor:
        result = await executor.execute("hex_get_project", {"projectId": PROJECT_ID})
    assert result.error is not None and result.error.kind == "validation"
    assert result.error.message == (
        "apiKey: cannot be sent in an HTTP header: it holds a line break, another control "
        "character or a character outside Latin-1 (was it copied with a stray newline?)"
    )
    assert hex_api.received == []


def test_a_secret_with_letters_beyond_ascii_is_found_in_any_value() -> None:
    secret = "clé-secrète-9"
    data = {"items": [{"note": f"token {secret} used"}], "count": 1}
    assert Redactor([secret]).value(data) == {"items": [{"note": f"token {MASK} used"}], "count": 1}
