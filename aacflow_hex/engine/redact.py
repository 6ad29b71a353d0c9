"""Keep secrets out of messages, logs and outputs."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

MASK = "***"
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")
_BEARER_START = r"(?i:bearer\s)"  # where _BEARER can match
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary text
# What json.dumps(ensure_ascii=False) escapes inside a string; a secret holding one of
# these does not appear verbatim in JSON text.
_JSON_ESCAPED = re.compile(r'["\\\x00-\x1f]')
# What any JSON writer may escape with a short form (\" \\ \/ \n ...), not only \uXXXX.
_JSON_MAY_ESCAPE = re.compile(r'["\\/\x00-\x1f]')


def _utf8(text: str) -> bytes:
    # A key read from the environment may hold lone surrogates (undecodable bytes).
    return text.encode("utf-8", "surrogatepass")


def encodings(secret: str) -> set[str]:
    """``secret`` as a server is likely to echo it: as is, in base64, percent-encoded.

    Base64 of the key and of ``Bearer <key>`` (an Authorization header echoed in a
    debug field), standard and URL-safe, with and without the padding; and the key
    percent-encoded (a query string), with either case of hex digits.
    """
    found = {secret}
    for text in (secret, f"Bearer {secret}"):
        raw = _utf8(text)
        for encoded in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
            found.update((encoded, encoded.rstrip("=")))
    quoted = quote(secret, safe="", errors="surrogatepass")
    found.update((quoted, re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)))
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str | None]) -> None:
        given = {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_SECRET_LENGTH}
        found = {form for s in given for form in encodings(s)}
        # Longest first, so a secret containing another is masked whole.
        self._secrets = sorted(found, key=len, reverse=True)
        # One search says whether a string needs masking at all; almost none does.
        self._needle = re.compile("|".join([*map(re.escape, self._secrets), _BEARER_START]))
        self._json_blind = any(_JSON_ESCAPED.search(s) for s in self._secrets)
        # Base64 holds "/", which JSON may write as "\/": such a form is searched both
        # ways rather than making every body suspect.
        self._raw_blind = any(_JSON_MAY_ESCAPE.search(s) for s in given)
        self._raw_secrets = [_utf8(s) for s in self._secrets]
        self._raw_secrets += [_utf8(s.replace("/", "\\/")) for s in found if "/" in s]

    def text(self, value: str) -> str:
        if self._needle.search(value) is None:
            return value
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return _BEARER.sub(r"\1" + MASK, value)

    def clean_json(self, raw: bytes) -> bool:
        """True when no string decoded from the JSON text ``raw`` can hold a secret.

        Decoding turns escapes into characters, so a secret could hide behind
        ``\\uXXXX`` (any character) or a short escape (for ``"``, ``\\``, ``/`` and
        control characters): text with ``\\u`` is never called clean, nor is any text
        when a secret holds a character with a short escape. Otherwise a secret in a
        decoded string is in ``raw`` byte for byte, and one substring test finds it.
        """
        if self._raw_blind or b"\\u" in raw:
            return False
        return not any(s in raw for s in self._raw_secrets) and b"bearer" not in raw.lower()

    def clean_text(self, value: str) -> bool:
        """True when ``value`` holds no secret and no bearer value."""
        return self._needle.search(value) is None

    def value(self, data: Any) -> Any:
        """``data`` with every string redacted: a copy where one needed masking, else itself."""
        if not self._may_hold_secret(data):
            return data
        return self._masked(data)

    def _may_hold_secret(self, data: Any) -> bool:
        """False only when no string in ``data`` holds a secret or a bearer header.

        One search of the JSON text (encoded in C) instead of a search per string: a list
        of projects has thousands. A secret that JSON would escape, or data that is not
        JSON, gets the walk.
        """
        if self._json_blind:
            return True
        try:
            text = json.dumps(data, ensure_ascii=False, check_circular=False)
        except (TypeError, ValueError, RecursionError):
            return True
        # Plain substring tests: many times faster than one regex with alternatives.
        return any(s in text for s in self._secrets) or "bearer" in text.lower()

    def _masked(self, data: Any) -> Any:
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):  # keys too: an "object" output keeps Hex's keys
            return {self._masked(k): self._masked(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self._masked(v) for v in data]
        return data
