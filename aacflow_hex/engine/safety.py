"""Rules that keep the token and the URL safe, whatever the configuration or the input.

- The token is only sent over https, or over http to this machine (loopback) or to a
  host the caller names in ``allow_insecure_hosts`` (an emulator on another box).
- A base URL never carries credentials, a query or a fragment.
- A value put into a URL path is one plain segment: no ``/``, no dot segments, no
  percent signs or control characters, so no input can point a request elsewhere.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_UNSAFE_IN_SEGMENT = re.compile(r"[/\\%?#\x00-\x1f\x7f]")
# A host name as DNS takes it, after IDNA encoding (underscores: local service names).
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")


class UnsafeBaseURL(ValueError):
    """The executor's base URL would put the token at risk."""


class UnsafePathValue(ValueError):
    """A value would change the request path instead of filling one segment."""


def is_loopback(host: str) -> bool:
    """Only literal loopback: ``localhost``, 127.0.0.0/8 and ::1.

    Other names (``evil.localhost`` too) are looked up in DNS here, which may answer
    with any address, so they do not count.
    """
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_host(host: str) -> bool:
    """An IP address, or a name that can be looked up: IDNA-encodable labels of 1 to 63
    characters, with no space, percent sign or control character."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        name = host.encode("idna").decode("ascii")
    except UnicodeError:  # an empty label, or one over 63 characters
        return False
    return _HOST_NAME.fullmatch(name) is not None


def check_base_url(url: str, allow_insecure_hosts: Iterable[str] = ()) -> str:
    """The base URL without a trailing slash, or UnsafeBaseURL saying what is wrong.

    Messages show the host only: a refused URL may hold a password.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as exc:
        raise UnsafeBaseURL("base_url is not a valid URL") from exc
    try:
        port = parts.port
    except ValueError:  # not a number, or not 0-65535
        port = 0
    if port == 0:
        raise UnsafeBaseURL(f"base_url for {host}: the port must be a number from 1 to 65535")
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeBaseURL(
            "base_url must be an absolute https:// URL such as https://app.hex.tech/api/v1"
        )
    if not _is_host(host):
        raise UnsafeBaseURL(f"base_url for {host!r}: the host is not a valid name or address")
    if parts.username is not None or parts.password is not None:
        raise UnsafeBaseURL(
            f"base_url for {host} must not carry credentials; pass the token as api_key"
        )
    if parts.query or parts.fragment:
        raise UnsafeBaseURL(f"base_url for {host} must not have a query or a fragment")
    allowed = {h.strip("[]").lower() for h in allow_insecure_hosts}
    if parts.scheme == "http" and not is_loopback(host) and host.lower() not in allowed:
        raise UnsafeBaseURL(
            f"refusing to send the Hex token over plain http to {host}; use https://, "
            f"or pass allow_insecure_hosts=[{host!r}] if that host is yours"
        )
    return url.rstrip("/")


def same_origin(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def path_segment(name: str, value: object, *, uuid: bool) -> str:
    """``value`` quoted as one URL path segment; UnsafePathValue if it could be more."""
    text = str(value)
    if uuid:
        if not _UUID.fullmatch(text):
            raise UnsafePathValue(f"{name}: must be a UUID to be used in the request path")
        return text  # hex digits and hyphens: nothing to quote
    if text in ("", ".", "..") or _UNSAFE_IN_SEGMENT.search(text):
        raise UnsafePathValue(f"{name}: cannot be used in the request path as given")
    return quote(text, safe="")
