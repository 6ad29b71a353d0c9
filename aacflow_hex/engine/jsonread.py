"""Read JSON text from a server within limits that keep memory and outputs sane. Pure.

``json.loads`` alone accepts what no caller can use: nesting a thousand levels deep
(pydantic writes at most 255, and recursive code dies earlier), ``NaN`` and
``Infinity`` (not JSON; ``json.dumps`` writes them back as invalid JSON), ``1e400``
(read as infinity), integers of thousands of digits, and millions of tiny values
(``[{},{},...]``: each ``{}`` of 3 bytes becomes a 64-byte dict, so 20 MB of text
take over a gigabyte once mapped). These are refused before the text is parsed,
where the text alone shows them, from a skeleton of the text that costs a few
byte-level passes in C (no Python loop over characters).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Hex's bodies nest about six levels; a json param echoed back may nest more.
MAX_DEPTH = 64
# JSON values (objects, arrays and members) in one body: about 64 MB of Python objects
# at worst, far more than any Hex answer holds (a page of 500 users has ~10,000).
MAX_VALUES = 1_000_000
# Values one list item may bring with it, when a page's size is known.
VALUES_PER_ITEM = 2_000
MAX_INT_DIGITS = 20  # beyond 64 bits: no Hex field is that large

_STRUCTURE = b'"[]{},'
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in _STRUCTURE)
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# Depth does not depend on the kind of bracket: "{" counts as "[" (mismatched kinds are
# not JSON, which json.loads then says).
_ALL_SQUARE = bytes.maketrans(b"{}", b"[]")


class JsonRefused(ValueError):
    """The text is JSON (or may be) that a caller could not use; the message says why."""


class TooManyValues(JsonRefused):
    """The text holds more values than allowed (a list page: more items than asked for)."""


def _outside_strings(skeleton: bytes) -> bytes:
    """The structure of ``skeleton`` (quotes, brackets, commas) that lies outside strings."""
    # Two quotes side by side enclose no structure: dropping them changes nothing
    # outside strings (most strings hold no bracket or comma and go here).
    skeleton = skeleton.replace(b'""', b"")
    if b'"' in skeleton:  # quotes alternate opening and closing: keep the even parts
        skeleton = b"".join(skeleton.split(b'"')[::2])
    return skeleton


def _too_deep(brackets: bytes, max_depth: int) -> bool:
    """Whether balanced ``brackets`` (all written ``[]``) nest deeper than ``max_depth``.

    Each pass removes the innermost pairs, so nesting of depth d is gone after d passes.
    Unbalanced text stops shrinking; json.loads then reports it as not JSON.
    """
    for _ in range(max_depth):
        if not brackets:
            return False
        peeled = brackets.replace(b"[]", b"")
        if len(peeled) == len(brackets):
            return False
        brackets = peeled
    return bool(brackets)


def check_shape(text: bytes, *, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES) -> None:
    """JsonRefused if ``text`` nests deeper than ``max_depth`` or holds too many values.

    Works on the text's skeleton: its quotes, brackets and commas, with escaped quotes
    and backslashes dropped first (they are string content). Counted with the strings
    in, brackets and commas bound the depth and the values from above, so most small
    bodies stop there; otherwise the strings are taken out, so that no string can make
    a body look too big or too deep, nor hide depth behind brackets of its own.
    """
    if b"\\" in text:
        text = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = text.translate(None, _NOT_STRUCTURE)
    opened = skeleton.count(b"{") + skeleton.count(b"[")
    if opened <= max_depth and opened + skeleton.count(b",") <= max_values:
        return
    skeleton = _outside_strings(skeleton)
    commas = skeleton.count(b",")
    brackets = skeleton.translate(_ALL_SQUARE, b",")
    values = len(brackets) // 2 + commas
    if values > max_values:
        raise TooManyValues(f"it holds over {max_values:,} JSON values")
    if len(brackets) // 2 > max_depth and _too_deep(brackets, max_depth):
        raise JsonRefused(f"it nests deeper than {max_depth} levels")


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"it holds {name}, which is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonRefused(f"it holds the number {text[:20]}, too large for a float")
    return number


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))  # pragma: no mutate: a JSON integer has only digits and "-"
    if digits > MAX_INT_DIGITS:
        raise JsonRefused(f"it holds an integer of {digits} digits")
    return int(text)


def read_json(text: bytes, *, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES) -> Any:
    """The value of the JSON ``text``; ValueError (JsonRefused, or a decode error) if none.

    UnicodeDecodeError and json.JSONDecodeError are ValueErrors too.
    """
    check_shape(text, max_depth=max_depth, max_values=max_values)
    try:
        value = json.loads(
            text.decode("utf-8"),
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError as exc:  # only if the shape check was bypassed
        raise JsonRefused(f"it nests deeper than {max_depth} levels") from exc
    if _SURROGATE_ESCAPE.search(text):
        # A paired escape decodes to one character; a lone one to a string no UTF-8
        # writer (pydantic's, a log's) accepts.
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JsonRefused("it holds a lone UTF-16 surrogate (\\uD800-\\uDFFF)") from None
    return value
