"""What a tool spec may say and what it means when it leaves a key out; a malformed one
fails to load with a message naming the file and the field (whole messages pinned: they
are what a spec author reads)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from hexfake import FakeHex, Reply
from pydantic import ValidationError

from aacflow_hex import HexExecutor, load_registry
from aacflow_hex.engine.pacing import LaneStats, RateLimiter
from aacflow_hex.engine.paging import keep_item, local_filters
from aacflow_hex.engine.retry import RetryPolicy
from aacflow_hex.spec.ratelimits import HEX_RATE_LIMITS, RateLimit
from aacflow_hex.spec.registry import Registry
from aacflow_hex.spec.specs import SpecError, ToolSpec, parse_spec
from aacflow_hex.surfaces.agents import anthropic_tool, mcp_tool

TOKEN = "hxtp_spec_format_token_0123456789"
SOURCE = "hex_demo.yaml"


def _raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "hex_demo",
        "name": "Demo",
        "description": "A demo tool.",
        "params": {
            "groupId": {"type": "string", "in": "path", "required": True},
            "name": {"type": "string", "in": "body"},
            "note": {"type": "string", "in": "body"},
        },
        "request": {"method": "PATCH", "path": "/groups/{groupId}"},
        "outputs": {"id": {"type": "string", "path": "id"}},
    }
    raw.update(overrides)
    return raw


def _parse(**overrides: Any) -> ToolSpec:
    return parse_spec(_raw(**overrides), source=SOURCE, shared_params={}, shapes={})


def _refused(**overrides: Any) -> str:
    with pytest.raises(SpecError) as raised:
        _parse(**overrides)
    return str(raised.value)


def _registry_of(spec: ToolSpec) -> Registry:
    return Registry({spec.id: spec})


def _with_param(name: str, param: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {**_raw()["params"], name: param, **overrides}


# -- what a spec means when it leaves a key out ---------------------------------------


def test_a_tool_without_annotations_claims_nothing_to_agents() -> None:
    hints = mcp_tool(_parse())["annotations"]
    assert (hints["readOnlyHint"], hints["destructiveHint"], hints["idempotentHint"]) == (
        False,
        False,
        False,
    )


class _RecordingPacer:
    """Paces like a RateLimiter, recording the group and the limit of each request."""

    def __init__(self) -> None:
        self.limiter = RateLimiter()
        self.paced: list[tuple[str, RateLimit | None]] = []

    def slot(
        self,
        base_url: str,
        token: str | None,
        group: str,
        limit: RateLimit | None,
        deadline: float | None = None,
    ) -> AbstractAsyncContextManager[None]:
        self.paced.append((group, limit))
        return self.limiter.slot(base_url, token, group, limit, deadline)

    def penalize(self, base_url: str, token: str | None, group: str, seconds: float) -> None:
        self.limiter.penalize(base_url, token, group, seconds)

    def stats(self, base_url: str, token: str | None, group: str) -> LaneStats:
        return self.limiter.stats(base_url, token, group)


async def test_a_tool_naming_no_rate_limit_group_is_paced_under_hex_s_default_limits(
    hex_api: FakeHex,
) -> None:
    spec = _parse()
    hex_api.reply("PATCH", "/groups/g1", Reply(200, {"id": "g1"}))
    pacer = _RecordingPacer()
    registry = _registry_of(spec)
    async with HexExecutor(
        hex_api.base_url,
        TOKEN,
        registry=registry,
        rate_limiter=pacer,  # type: ignore[arg-type]
    ) as ex:
        result = await ex.execute("hex_demo", {"groupId": "g1", "name": "n"})
    assert result.success, result.error
    assert pacer.paced == [("hex-api", HEX_RATE_LIMITS["hex-api"])]


@pytest.mark.parametrize(("empty_ok", "success"), [(None, False), (True, True)])
async def test_an_empty_200_is_success_only_for_a_tool_that_says_emptyok(
    empty_ok: bool | None, success: bool, hex_api: FakeHex
) -> None:
    request = {**_raw()["request"], **({} if empty_ok is None else {"emptyOk": empty_ok})}
    hex_api.reply("PATCH", "/groups/g1", Reply(200, b""))
    async with HexExecutor(
        hex_api.base_url,
        TOKEN,
        registry=_registry_of(_parse(request=request)),
        rate_limiter=RateLimiter(),
        retry=RetryPolicy(max_attempts=1),
    ) as ex:
        result = await ex.execute("hex_demo", {"groupId": "g1", "name": "n"})
    assert result.success is success


def test_a_local_filter_naming_only_a_field_keeps_the_items_where_it_is_set() -> None:
    status = {"type": "string", "localFilters": {"PUBLISHED": {"field": "publishedAt"}}}
    spec = _parse(params=_with_param("status", status))
    chosen = local_filters(spec.params, {"status": "PUBLISHED"})
    assert keep_item({"publishedAt": "2024-01-01"}, chosen)
    assert not keep_item({"publishedAt": None}, chosen)


# -- the retry block --------------------------------------------------------------------


def test_the_retry_block_takes_its_smallest_values() -> None:
    retry = {"maxAttempts": 1, "baseDelay": 0, "maxDelay": 0, "maxRetryAfter": 0}
    spec = _parse(request={**_raw()["request"], "retry": retry})
    tuned = RetryPolicy().tuned(spec.request.retry if spec.request else None)
    assert (tuned.max_attempts, tuned.base_delay, tuned.max_delay, tuned.max_retry_after) == (
        1,
        0,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("retry", "message"),
    [
        (
            {"maxAttempts": 0},
            "request.retry.maxAttempts: Input should be greater than or equal to 1",
        ),
        (
            {"baseDelay": -1, "maxDelay": -0.5},
            "request.retry.baseDelay: Input should be greater than or equal to 0; "
            "request.retry.maxDelay: Input should be greater than or equal to 0",
        ),
        (
            {"maxRetryAfter": -1},
            "request.retry.maxRetryAfter: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_retry_block_below_its_bounds_is_refused(retry: dict[str, Any], message: str) -> None:
    assert _refused(request={**_raw()["request"], "retry": retry}) == f"{SOURCE}: {message}"


# -- rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        {"exclusive": ["name", "note"]},
        {"together": ["name", "note"]},
        {"atLeastOne": ["name", "note"]},
        {"when": "name", "requires": ["note"]},
        {"when": "name", "forbids": ["note"]},
        {"when": "name", "equals": ["x"], "requires": ["note"]},
    ],
)
def test_each_kind_of_rule_loads(rule: dict[str, Any]) -> None:
    assert len(_parse(rules=[{**rule, "reason": "r"}]).rules) == 1


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({}, "give exactly one of exclusive, together, atLeastOne, when"),
        (
            {"exclusive": ["name", "note"], "together": ["name", "note"]},
            "give exactly one of exclusive, together, atLeastOne, when",
        ),
        (
            {"atLeastOne": ["name"], "when": "note", "requires": ["name"]},
            "give exactly one of exclusive, together, atLeastOne, when",
        ),
        ({"when": "name"}, "a `when` rule needs requires or forbids"),
        ({"when": "name", "equals": ["x"]}, "a `when` rule needs requires or forbids"),
        (
            {"exclusive": ["name", "note"], "requires": ["name"]},
            "requires, forbids and equals go with `when`",
        ),
        (
            {"together": ["name", "note"], "forbids": ["name"]},
            "requires, forbids and equals go with `when`",
        ),
        (
            {"atLeastOne": ["name", "note"], "equals": ["x"]},
            "requires, forbids and equals go with `when`",
        ),
    ],
)
def test_a_malformed_rule_is_refused_naming_it(rule: dict[str, Any], message: str) -> None:
    said = _refused(rules=[{"exclusive": ["name", "note"], "reason": "r"}, {**rule, "reason": "r"}])
    assert said == f"{SOURCE}: rules.1: Value error, {message}"


@pytest.mark.parametrize(
    "rule",
    [
        {"exclusive": ["name", "nope"]},
        {"when": "nope", "requires": ["name"]},
        {"when": "name", "requires": ["nope"]},
        {"when": "name", "forbids": ["nope"]},
    ],
)
def test_a_rule_naming_an_unknown_param_is_refused(rule: dict[str, Any]) -> None:
    said = _refused(rules=[{**rule, "reason": "r"}])
    assert said == f"{SOURCE}: (top level): Value error, rules name unknown params ['nope']"


def test_rules_are_told_to_agents_in_words() -> None:
    rules = [
        {"exclusive": ["name", "note"], "reason": "one label"},
        {"together": ["name", "note"], "reason": "a pair"},
        {"atLeastOne": ["name", "note"], "reason": "something to change"},
        {"when": "name", "requires": ["note"], "forbids": ["groupId"], "reason": "why"},
        {"when": "name", "equals": ["a", "b"], "forbids": ["note"], "reason": "because"},
    ]
    described = anthropic_tool(_parse(rules=rules))["description"]
    assert described == (
        "A demo tool. "
        "name and note cannot be combined: one label. "
        "Give name and note together or not at all: a pair. "
        "Give at least one of name, note: something to change. "
        "When name is set, note must be given and groupId must not be given: why. "
        "When name is a or b, note must not be given: because."
    )


# -- request, handler, params named elsewhere -------------------------------------------


def test_a_tool_with_both_a_request_and_a_handler_is_refused() -> None:
    said = _refused(handler="wait_for_run")
    assert said == f"{SOURCE}: (top level): Value error, give exactly one of request and handler"


@pytest.mark.parametrize(
    "param",
    [
        {"type": "string", "in": "body", "wireName": "{nope}Cell"},
        {"type": "json", "in": "body", "wireItem": {"path": "user.id", "with": {"a": "nope"}}},
        {"type": "string", "in": "body", "nullWhen": "nope"},
    ],
)
def test_a_param_naming_an_unknown_param_is_refused(param: dict[str, Any]) -> None:
    said = _refused(params=_with_param("extra", param))
    assert said == f"{SOURCE}: (top level): Value error, params.extra names unknown param 'nope'"


def test_a_param_naming_a_known_param_loads() -> None:
    params = _with_param("kind", {"type": "string", "in": "control"})
    params["extra"] = {
        "type": "json",
        "in": "body",
        "wireName": "{kind}Cell",
        "wireItem": {"path": "user.id", "with": {"access": "note"}},
    }
    params["clear"] = {"type": "boolean", "in": "control"}
    params["name"] = {"type": "string", "in": "body", "nullWhen": "clear"}
    spec = _parse(params=params)
    assert spec.params["extra"].wire_item is not None
    assert spec.params["extra"].wire_item.with_params == {"access": "note"}


@pytest.mark.parametrize(
    "outputs",
    [
        {"group": {"type": "object", "properties": {"id": {"type": "string", "param": "nope"}}}},
        {"groups": {"type": "array", "items": {"type": "string", "param": "nope"}}},
    ],
)
def test_an_output_echoing_an_unknown_param_at_any_depth_is_refused(
    outputs: dict[str, Any],
) -> None:
    said = _refused(outputs=outputs)
    assert said == f"{SOURCE}: (top level): Value error, outputs name unknown param 'nope'"


def test_a_spec_whose_id_is_not_its_file_name_fails_to_load(tmp_path: Path) -> None:
    (tmp_path / "hex_demo.yaml").write_text(
        "id: hex_other\nname: Demo\ndescription: d\nparams: {}\n"
        "request: {method: GET, path: /groups}\noutputs: {}\n"
    )
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == "hex_demo.yaml: id 'hex_other' must equal the file name"


def test_a_spec_that_is_no_mapping_fails_to_load(tmp_path: Path) -> None:
    (tmp_path / "hex_demo.yaml").write_text("- just\n- a list\n")
    with pytest.raises(SpecError) as raised:
        load_registry(tmp_path)
    assert str(raised.value) == "hex_demo.yaml: a tool spec must be a mapping"


# -- shared params and shapes --------------------------------------------------------------


def test_a_ref_or_shape_that_is_not_shared_is_refused_naming_the_field() -> None:
    params = _with_param("name", {"ref": "nope", "in": "body"})
    said = _refused(params=params)
    assert said == f"{SOURCE}: params.name: ref 'nope' is not in _params.yaml"
    said = _refused(outputs={"shape": "nope"})
    assert said == f"{SOURCE}: outputs: shape 'nope' is not in _shapes.yaml"
    said = _refused(outputs={"group": {"shape": "nope"}})
    assert said == f"{SOURCE}: outputs.group: shape 'nope' is not in _shapes.yaml"


def test_an_output_field_naming_no_source_reads_the_body_key_of_its_name() -> None:
    shapes = {"member": {"email": {"type": "string"}, "role": {"type": "string"}}}
    outputs = {
        "shape": "member",
        "role": {"description": "The member's role"},
        "team": {"shape": "member", "properties": {"email": {"path": "mail"}}},
        "people": {
            "type": "array",
            "items": {"type": "object", "properties": {"n": {"type": "number"}}},
        },
    }
    spec = parse_spec(_raw(outputs=outputs), source=SOURCE, shared_params={}, shapes=shapes)
    body = {
        "email": "a@x",
        "role": "admin",
        "team": {"email": "no", "mail": "t@x", "role": "r"},
        "people": [{"n": 1}, {"n": 2}],
    }
    from aacflow_hex.spec.mapping import map_fields

    assert map_fields(spec.outputs, body, {}) == {
        "email": "a@x",
        "role": "admin",
        "team": {"email": "t@x", "role": "r"},
        "people": [{"n": 1}, {"n": 2}],
    }
    assert spec.outputs["role"].description == "The member's role"
    assert spec.outputs["people"].items is not None and spec.outputs["people"].items.path is None


def test_an_unknown_tool_is_named_with_at_most_three_close_matches(tmp_path: Path) -> None:
    from aacflow_hex.spec.registry import UnknownToolError

    for suffix in ("a", "b", "c", "d"):
        (tmp_path / f"hex_demo_{suffix}.yaml").write_text(
            f"id: hex_demo_{suffix}\nname: Demo\ndescription: d\nparams: {{}}\n"
            "request: {method: GET, path: /groups}\noutputs: {}\n"
        )
    registry = load_registry(tmp_path)
    with pytest.raises(UnknownToolError) as raised:
        registry.get("hex_demo_")
    assert str(raised.value) == (
        "unknown tool 'hex_demo_'; did you mean hex_demo_d, hex_demo_c, hex_demo_b?"
    )
    with pytest.raises(UnknownToolError) as raised:
        registry.tool("list_everything")
    assert str(raised.value) == "unknown tool 'list_everything'"
    assert str(UnknownToolError()) == "unknown tool"
    assert "hex_demo_a" in registry and "hex_demo_" not in registry and len(registry) == 4


def test_a_loaded_spec_cannot_be_changed_by_its_users() -> None:
    """Every call shares the registry's specs: one caller's change would reach all."""
    spec = _parse()
    with pytest.raises(ValidationError, match="frozen"):
        spec.name = "Changed"
    with pytest.raises(ValidationError, match="frozen"):
        spec.params["name"].required = True


def test_a_spec_built_in_python_may_use_the_python_names() -> None:
    from aacflow_hex.spec.specs import ParamSpec, RequestSpec

    assert ParamSpec(type="string", location="body", wire_name="n") == ParamSpec.model_validate(
        {"type": "string", "in": "body", "wireName": "n"}
    )
    assert RequestSpec(method="GET", path="/x", empty_ok=True).empty_ok is True


def test_a_list_of_ids_is_checked_id_by_id_unless_its_spec_says_how() -> None:
    params = _with_param(
        "ids",
        {"type": "json", "in": "body", "schema": {"type": "array", "items": {"format": "uuid"}}},
    )
    own = {"type": "string", "format": "uuid", "pattern": "^[0-9]+$"}
    params["codes"] = {"type": "json", "in": "body", "schema": {"type": "array", "items": own}}
    validator = _registry_of(_parse(params=params)).tool("hex_demo").validator
    an_id = "5a8591dd-4039-49df-9202-96385ba3eff8"
    assert validator.is_valid({"groupId": "g", "ids": [an_id], "codes": ["123"]})
    assert not validator.is_valid({"groupId": "g", "ids": [an_id, "../users"]})
    assert not validator.is_valid({"groupId": "g", "codes": [an_id]})
