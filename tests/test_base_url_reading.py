"""How a base URL is read (what is kept, what is added) and how a 404 is told apart: a
path the server does not have, or a record it does not have; with the hint's whole text."""

from __future__ import annotations

import pytest

from aacflow_hex.engine.baseurl import is_missing_route, missing_route_hint, normalize_base_url

ID = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("  https://app.hex.tech/api \n", "https://app.hex.tech/api/v1"),
        ("https://h.example/api?region=eu#top", "https://h.example/api/v1?region=eu#top"),
        ("https://h.example/gw/api/", "https://h.example/gw/api/v1"),
        ("https://h.example/capi", "https://h.example/capi"),
        ("https://h.example/apiX", "https://h.example/apiX"),
        ("https://h.example/api-v2", "https://h.example/api-v2"),
        (" https:///api ", "https:///api"),
        ("https://[::1", "https://[::1"),
    ],
)
def test_a_base_url_is_trimmed_and_completed_only_where_hex_s_forms_say(
    given: str, used: str
) -> None:
    assert normalize_base_url(given) == used


def test_the_hint_for_a_missing_path_names_the_path_and_the_base_url() -> None:
    base = "https://gw.example/hex/api/v1"
    hint = missing_route_hint(base, f"{base}/projects?limit=2&after=c1")
    assert hint == (
        f" No such path at {base}/projects: the base URL used was {base}, and Hex's API is "
        "expected at https://<host>, https://<host>/api or https://<host>/api/v1 "
        "(HEX_API_BASE_URL or base_url)."
    )


SIXTEEN = "abcdefghijklmno1"  # the shortest segment read as an id: 16 characters, a digit


@pytest.mark.parametrize(
    ("body", "path", "missing"),
    [
        # A path naming no record: its 404 can only be a missing path.
        (b'{"reason": "Project not found"}', "/projects/abcdefghijklmnop", True),
        (b'{"reason": "Project not found"}', f"/projects/{SIXTEEN[1:]}", True),
        (b'{"reason": "Project not found"}', f"/projects/{SIXTEEN}", False),
        # Hex's words for a record, in either field (reason first).
        (b'{"message": "Project not found"}', f"/projects/{ID}", False),
        (b'{"reason": 404, "message": "Run gone"}', f"/projects/{ID}", False),
        (b'{"reason": "Run gone", "message": "Not found"}', f"/projects/{ID}", False),
        (b'{"reason": "Cannotfind it"}', f"/projects/{ID}", False),
        # Words naming nothing, or no JSON error at all.
        (b'{"reason": "  Not Found. "}', f"/projects/{ID}", True),
        (b'{"reason": "no such route"}', f"/projects/{ID}", True),
        (b'{"message": "Route not found"}', f"/projects/{ID}", True),
        (b'{"message": "Cannot PATCH /x"}', f"/projects/{ID}", True),
        (b'{"error": "Project not found"}', f"/projects/{ID}", True),
        (b'["Project not found"]', f"/projects/{ID}", True),
        (b'{"reason": "Projekt \xff"}', f"/projects/{ID}", True),
    ],
)
def test_a_404_is_a_missing_path_or_a_missing_record(body: bytes, path: str, missing: bool) -> None:
    assert is_missing_route(404, body, path) is missing
    assert is_missing_route(403, body, path) is False
