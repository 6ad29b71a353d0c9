"""Reading Hex's answers at their edges, as pure functions: which status is which error,
where the next page starts (forwards and backwards), and how long a wait reads."""

from __future__ import annotations

import json

import pytest

from aacflow_hex.engine.baseurl import normalize_base_url
from aacflow_hex.engine.decode import HttpResponse, classify_error, decode_response, printable
from aacflow_hex.engine.paging import item_identity, next_page_params, page_position
from aacflow_hex.engine.progress import format_duration
from aacflow_hex.engine.results import ToolFailure
from aacflow_hex.spec.specs import PaginationSpec

CURSOR = PaginationSpec(style="cursor", items="values", maxPageSize=100)
OFFSET = PaginationSpec(style="offset", items="runs", maxPageSize=100)


@pytest.mark.parametrize(
    ("status", "kind", "said"),
    [
        (400, "invalid_request", "Hex API answered 400 Bad Request"),
        (401, "auth", "Hex API answered 401 Unauthorized (check the API token"),
        (403, "permission", "Hex API answered 403 Forbidden (the token's user lacks the rights"),
        (404, "not_found", "Hex API answered 404 Not Found"),
        (408, "timeout", "Hex API answered 408 Request Timeout"),
        (409, "invalid_request", "Hex API answered 409 Conflict"),
        (410, "invalid_request", "Hex API answered 410 Gone"),
        (422, "invalid_request", "Hex API answered 422 Unprocessable"),
        (429, "rate_limited", "Hex API answered 429 Too Many Requests (Hex's rate limit"),
        (499, "invalid_request", "Hex API answered 499"),
        (500, "server", "Hex API answered 500 Internal Server Error"),
        (599, "server", "Hex API answered 599"),
    ],
)
def test_each_status_is_its_kind_of_error(status: int, kind: str, said: str) -> None:
    error = classify_error(HttpResponse(status))
    assert (error.kind, error.status_code) == (kind, status)
    assert error.message.startswith(said)
    assert error.message.endswith(")") == (kind in ("auth", "permission", "rate_limited"))


@pytest.mark.parametrize("status", [199, 300, 304, 400])
def test_only_a_2xx_answer_is_read_as_success(status: int) -> None:
    with pytest.raises(ToolFailure):
        decode_response(HttpResponse(status, body=b"{}"))


@pytest.mark.parametrize("status", [200, 201, 299])
def test_any_2xx_answer_is_read(status: int) -> None:
    assert decode_response(HttpResponse(status, body=b'{"a": 1}')) == {"a": 1}


def test_a_cursor_walk_goes_forwards_from_after() -> None:
    body = {"values": [], "pagination": {"after": "A2", "before": "B2"}}
    params = {"projectId": "p", "after": "A1", "limit": 5}
    assert next_page_params(CURSOR, body, params) == {"projectId": "p", "after": "A2", "limit": 5}
    assert next_page_params(CURSOR, body, {"limit": 5}) == {"limit": 5, "after": "A2"}


def test_a_cursor_walk_that_started_with_before_goes_backwards() -> None:
    body = {"values": [], "pagination": {"after": "A2", "before": "B2"}}
    params = {"before": "B1", "after": None, "limit": 5}
    assert next_page_params(CURSOR, body, params) == {"before": "B2", "limit": 5}
    # The first page backwards has nothing before it: the walk ends.
    assert next_page_params(CURSOR, {"pagination": {"after": "A2"}}, params) is None


@pytest.mark.parametrize(
    "body",
    [None, [], {"values": []}, {"pagination": None}, {"pagination": {"after": ""}},
     {"pagination": {"after": 7}}],
)  # fmt: skip
def test_a_cursor_page_without_a_cursor_is_the_last(body: object) -> None:
    assert next_page_params(CURSOR, body, {"limit": 5}) is None


def test_an_offset_walk_reads_the_next_offset_or_counts_the_items() -> None:
    body = {"runs": [{}, {}, {}], "nextPage": "https://hex/api/v1/projects/p/runs?offset=40"}
    assert next_page_params(OFFSET, body, {"offset": 20, "limit": 3}) == {"offset": 40, "limit": 3}
    counted = {"runs": [{}, {}, {}], "nextPage": "https://hex/x?offset=%C2%B2"}  # "²"
    assert next_page_params(OFFSET, counted, {"offset": 20}) == {"offset": 23}
    assert next_page_params(OFFSET, {"runs": [{}], "nextPage": "/x"}, {}) == {"offset": 1}
    assert next_page_params(OFFSET, {"runs": [{}], "nextPage": None}, {}) is None


def test_where_a_page_starts_is_named_by_its_cursor_or_offset() -> None:
    assert page_position(CURSOR, {"after": "A1"}) == "after=A1"
    assert page_position(CURSOR, {"before": "B1", "after": ""}) == "before=B1"
    assert page_position(CURSOR, {}) == "the first page"
    assert page_position(OFFSET, {"offset": 40}) == "offset=40"
    assert page_position(OFFSET, {"offset": None}) == "offset=0"


def test_an_item_seen_on_two_pages_has_one_identity() -> None:
    assert item_identity({"id": "x", "runId": "r"}) == "id:x"
    assert item_identity({"runId": "r", "status": "RUNNING"}) == "runId:r"
    unnamed = item_identity({"runId": "", "b": 1, "a": 2})
    assert unnamed == item_identity({"a": 2, "b": 1, "runId": ""})
    assert item_identity(["a"]) == 'item:["a"]'


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(-3, "0.0s"), (0, "0.0s"), (5.25, "5.2s"), (59.94, "59.9s"), (60, "1m00s"),
     (65.5, "1m05s"), (3599, "59m59s"), (3600, "1h00m00s"), (7384, "2h03m04s")],
)  # fmt: skip
def test_a_wait_shows_its_time_in_seconds_then_minutes_then_hours(
    seconds: float, shown: str
) -> None:
    assert format_duration(seconds) == shown


def test_an_error_text_is_capped_at_4000_characters() -> None:
    long = {"reason": "x" * 900, "message": "y" * 900, "details": ["z" * 900] * 5}
    error = classify_error(HttpResponse(400, body=json.dumps(long).encode()))
    prefix = "Hex API answered 400 Bad Request: "
    assert error.message.startswith(prefix)
    text = error.message[len(prefix) :]
    assert len(text) == 4000 and text.endswith("...")


def test_every_lone_surrogate_becomes_a_replacement_character() -> None:
    assert printable("a\ud800\udfff\ue000\ud7ff") == "a\ufffd\ufffd\ue000\ud7ff"


@pytest.mark.parametrize("url", ["//hex.example/api", "hex.example/api", "https:/api"])
def test_a_base_url_without_scheme_or_host_is_left_for_the_safety_check(url: str) -> None:
    assert normalize_base_url(url) == url
