"""What validation says about each kind of bad input, word for word, and what it makes of
good input: form text read as numbers, flags, lists and ids; flags that send null; rules
between params; secrets never shown. The messages are what a user reads, so whole texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aacflow_hex import Registry, load_registry
from aacflow_hex.engine.validation import ParamError, validate_params

REGISTRY = load_registry()
KEY = "hxtp_key_4f2a"
ID = "123e4567-e89b-42d3-a456-426614174000"
UUID_HINT = "must be a UUID like 123e4567-e89b-42d3-a456-426614174000"
LIST_REASON = "limit caps one list, while fetchAll reads every page up to maxItems"
FORWARD_REASON = "fetchAll reads forward, from the start or from `after`"


def _validate(registry: Registry, tool_id: str, params: dict[str, Any], quick: bool) -> Any:
    tool = registry.tool(tool_id)
    check = tool.quick_check if quick else None
    return validate_params(tool.spec, tool.validator, {"apiKey": KEY, **params}, quick_check=check)


def clean(tool_id: str, params: dict[str, Any], registry: Registry = REGISTRY) -> dict[str, Any]:
    """The params as sent on, with and without the quick check (which must agree)."""
    without = _validate(registry, tool_id, params, quick=False)
    assert _validate(registry, tool_id, params, quick=True) == without
    result: dict[str, Any] = without
    return result


def refusal(tool_id: str, params: dict[str, Any], registry: Registry = REGISTRY) -> list[str]:
    """Every message of the refusal, with and without the quick check (which must agree)."""
    said = []
    for quick in (False, True):
        with pytest.raises(ParamError) as refused:
            _validate(registry, tool_id, params, quick)
        assert str(refused.value) == "; ".join(refused.value.messages)
        said.append(refused.value.messages)
    assert said[0] == said[1]
    return said[0]


# -- form text read as the param's type ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read"),
    [(" 42 ", 42), ("7", 7), ("1e1", 10), ("5.0", 5.0), ("  3.0", 3.0)],
)
def test_number_text_is_read_as_a_number(text: str, read: float) -> None:
    limit = clean("hex_list_projects", {"limit": text})["limit"]
    assert limit == read and type(limit) is type(read)


@pytest.mark.parametrize("text", ["nan", " NaN", "inf", "-inf", float("inf"), float("nan")])
def test_a_number_that_is_not_finite_is_refused(text: Any) -> None:
    shown = str(float(text))
    assert refusal("hex_list_projects", {"limit": text}) == [
        f"limit: must be a finite number, got {shown}"
    ]


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("true", True), (" YES ", True), ("On", True), ("1", True),
        ("FALSE", False), ("no", False), ("off ", False), ("0", False),
    ],
)  # fmt: skip
def test_flag_text_is_read_as_a_boolean(text: str, read: bool) -> None:
    assert clean("hex_list_projects", {"includeArchived": text})["includeArchived"] is read


@pytest.mark.parametrize(
    ("param", "value", "said"),
    [
        ("includeArchived", "perhaps", "includeArchived: must be of type boolean, got a string"),
        ("limit", "ten", "limit: must be of type integer, got a string"),
        ("limit", 2.5, "limit: must be of type integer, got a number"),
        ("limit", {}, "limit: must be of type integer, got an object"),
        ("after", 5, "after: must be of type string, got a number"),
        ("after", False, "after: must be of type string, got a boolean"),
    ],
)
def test_a_value_of_the_wrong_type_names_what_it_got(param: str, value: Any, said: str) -> None:
    assert refusal("hex_list_projects", {param: value}) == [said]


def test_an_empty_form_field_means_not_given() -> None:
    params = {"includeArchived": "", "limit": "", "after": "", "fetchAll": None}
    assert clean("hex_list_projects", params) == {"apiKey": KEY, "maxItems": 10000}


def test_text_for_a_string_param_is_kept_as_typed() -> None:
    assert clean("hex_list_projects", {"after": " c1 "})["after"] == " c1 "


def test_defaults_fill_what_was_not_given_and_not_what_was() -> None:
    ids = {"projectId": ID, "runId": ID}
    assert clean("hex_wait_for_run", ids) == {
        "apiKey": KEY, **ids, "timeout": 3600, "pollInterval": 5, "cancelOnTimeout": False
    }  # fmt: skip
    assert clean("hex_wait_for_run", {**ids, "timeout": "60"})["timeout"] == 60


def test_a_list_in_a_form_field_is_comma_separated_or_json() -> None:
    both = {"collectionId": ID, "userAccess": "CAN_VIEW"}
    commas = clean("hex_update_collection", {**both, "userIds": f" {ID} ,, {ID.upper()} ,"})
    assert commas["userIds"] == [ID, ID.upper()]
    as_json = clean("hex_update_collection", {**both, "userIds": f' ["{ID}"]'})
    assert as_json["userIds"] == [ID]


def test_json_text_for_an_object_param_is_parsed() -> None:
    params = {"name": "n", "type": "trino", "connectionDetails": ' {"hostname": "h"} '}
    assert clean("hex_create_data_connection", params)["connectionDetails"] == {"hostname": "h"}


def test_text_that_is_not_json_is_named_with_where_it_breaks() -> None:
    params = {"name": "n", "type": "trino", "connectionDetails": '{"a": 1'}
    assert refusal("hex_create_data_connection", params) == [
        "connectionDetails: is not valid JSON (Expecting ',' delimiter at char 7)"
    ]  # and not also "is required": it was given, just unreadable


# -- ids and Hex URLs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    [
        f"  {ID} ",
        f"https://app.hex.tech/acme/hex/{ID}/draft/logic",
        f"https://app.hex.tech/acme/app/{ID}",
        f"http://localhost:3000/hex/{ID}",
        f"https://app.hex.tech/acme/hex/{ID}/app/{'0' * 8}-0000-4000-8000-{'0' * 12}",
    ],
)
def test_a_project_url_or_a_padded_id_is_read_as_the_id(given: str) -> None:
    assert clean("hex_get_project", {"projectId": given})["projectId"] == ID


@pytest.mark.parametrize(
    "url",
    [
        "https://app.hex.tech/acme/hex",
        "https://app.hex.tech/acme/hex/",
        f"https://app.hex.tech/acme/{ID}",
        "https://app.hex.tech/acme/hex/not-a-uuid/logic",
        f"https://app.hex.tech/hex-{ID}",
    ],
)
def test_a_url_without_an_id_after_hex_or_app_is_explained(url: str) -> None:
    assert refusal("hex_get_project", {"projectId": url}) == [
        "projectId: this URL holds no id where Hex puts it; expected a UUID or a URL like "
        "https://app.hex.tech/<workspace>/hex/<uuid>/..., where the UUID follows /hex/<uuid> "
        "or /app/<uuid>"
    ]


@pytest.mark.parametrize(
    "given",
    ["not-a-uuid", "", f"ftp://app.hex.tech/hex/{ID[:8]}", f"http:///hex/{ID[:8]}", f"{ID}x"],
)
def test_a_project_id_that_is_neither_id_nor_hex_url_is_refused(given: str) -> None:
    assert refusal("hex_get_project", {"projectId": given}) == [
        f'projectId: {UUID_HINT} or a Hex URL containing one; got "{given}"'
    ]


def test_an_id_that_hex_urls_do_not_carry_takes_no_url() -> None:
    url = f"https://app.hex.tech/acme/hex/{ID}"
    assert refusal("hex_get_run_status", {"projectId": ID, "runId": url}) == [
        "runId: expects a UUID, not a URL"
    ]
    assert refusal("hex_get_run_status", {"projectId": ID, "runId": "r1"}) == [
        f'runId: {UUID_HINT}; got "r1"'
    ]


def test_each_id_of_a_list_is_checked_and_named_by_position() -> None:
    params = {"collectionId": ID, "userIds": f"a, {ID}, c", "userAccess": "CAN_VIEW"}
    assert refusal("hex_update_collection", params) == [
        f'userIds[0]: {UUID_HINT}; got "a"',
        f'userIds[2]: {UUID_HINT}; got "c"',
    ]
    params["userIds"] = [ID, None]
    assert refusal("hex_update_collection", params) == [
        "userIds[1]: must be of type string, got null"
    ]


# -- bounds, choices, lengths -------------------------------------------------------------


def test_bounds_name_the_limit_and_the_value() -> None:
    assert refusal("hex_list_projects", {"limit": 0}) == ["limit: must be at least 1, got 0"]
    assert refusal("hex_list_projects", {"limit": "101"}) == ["limit: must be at most 100, got 101"]
    assert clean("hex_list_projects", {"limit": 1})["limit"] == 1
    assert clean("hex_list_projects", {"limit": 100})["limit"] == 100


def test_a_choice_lists_the_options_and_shows_the_value() -> None:
    assert refusal("hex_list_projects", {"sortDirection": "UP"}) == [
        'sortDirection: must be one of ASC, DESC; got "UP"'
    ]


def test_a_long_value_is_shown_cut_to_sixty_characters() -> None:
    fits = "x" * 58  # 60 characters once quoted
    assert refusal("hex_list_projects", {"sortDirection": fits}) == [
        f'sortDirection: must be one of ASC, DESC; got "{fits}"'
    ]
    assert refusal("hex_list_projects", {"sortDirection": fits + "y"}) == [
        f'sortDirection: must be one of ASC, DESC; got "{"x" * 56}...'
    ]


def test_nested_values_are_named_by_their_path() -> None:
    project = {"projectId": ID}
    note = {"type": "ALL", "includeSuccessScreenshot": True}
    assert refusal(
        "hex_run_project", {**project, "notifications": [{**note, "type": "NEVER"}]}
    ) == ['notifications[0][type]: must be one of SUCCESS, FAILURE, ALL; got "NEVER"']
    empty_channel = {**note, "slackChannelIds": ["C1", ""]}
    assert refusal("hex_run_project", {**project, "notifications": [note, empty_channel]}) == [
        "notifications[1][slackChannelIds][1]: must not be empty"
    ]
    # A nested object's own required keys and extra keys are reported, in jsonschema's words.
    assert refusal("hex_run_project", {**project, "notifications": [{"type": "ALL"}]}) == [
        "notifications[0]: 'includeSuccessScreenshot' is a required property"
    ]
    assert refusal("hex_run_project", {**project, "notifications": [{**note, "x": 1}]}) == [
        "notifications[0]: Additional properties are not allowed ('x' was unexpected)"
    ]


def test_a_nested_choice_lists_the_nested_options() -> None:
    assert refusal("hex_list_threads", {"roles": "ADMIN, KING"}) == [
        'roles[1]: must be one of ADMIN, MANAGER, EDITOR, EXPLORER, MEMBER, GUEST; got "KING"'
    ]


def test_lengths_and_sizes() -> None:
    assert refusal(
        "hex_create_data_connection",
        {"name": "", "type": "trino", "connectionDetails": {}},
    ) == ["name: must not be empty"]
    both = {"collectionId": ID, "userAccess": "CAN_VIEW"}
    assert refusal("hex_update_collection", {**both, "userIds": []}) == [
        "userIds: fails minItems 1; got []"
    ]
    many = {"projectId": ID, "userIds": [ID] * 26, "access": "CAN_VIEW"}
    assert refusal("hex_share_project_with_users", many) == [
        f'userIds: fails maxItems 25; got ["{ID}", "{ID[:15]}...'
    ]


def test_every_problem_is_reported_in_the_order_of_the_params_names() -> None:
    assert refusal(
        "hex_list_projects", {"sortDirection": "UP", "limit": 0, "after": 5, "nope": 1}
    ) == [
        "nope: unknown parameter for hex_list_projects (known: after, apiKey, before, "
        "categories, collectionId, creatorEmail, fetchAll, includeArchived, includeComponents, "
        "includeTrashed, limit, maxItems, ownerEmail, sortBy, sortDirection, statusFilter)",
        "after: must be of type string, got a number",
        "limit: must be at least 1, got 0",
        'sortDirection: must be one of ASC, DESC; got "UP"',
    ]


def test_a_missing_param_is_named_and_the_api_key_says_where_it_may_come_from() -> None:
    assert refusal("hex_get_project", {}) == ["projectId: is required"]
    assert refusal("hex_get_project", {"projectId": None}) == ["projectId: is required"]
    tool = REGISTRY.tool("hex_get_project")
    with pytest.raises(ParamError) as refused:
        validate_params(tool.spec, tool.validator, {"projectId": ID})
    assert refused.value.messages == ["apiKey: is required (pass it, or set HEX_API_KEY)"]


# -- flags that send null -----------------------------------------------------------------


def test_a_flag_that_removes_a_value_leaves_it_out() -> None:
    project = {"projectId": ID}
    assert clean("hex_update_project", {**project, "clearStatus": True}) == {
        "apiKey": KEY, **project, "clearStatus": True
    }  # fmt: skip
    assert clean("hex_update_project", {**project, "status": "", "clearStatus": True}) == {
        "apiKey": KEY, **project, "clearStatus": True
    }  # fmt: skip
    assert clean("hex_update_project", {**project, "status": "Gold", "clearStatus": False}) == {
        "apiKey": KEY, **project, "status": "Gold", "clearStatus": False
    }  # fmt: skip


def test_a_flag_that_removes_a_value_refuses_one_given_too() -> None:
    project = {"projectId": ID}
    assert refusal("hex_update_project", {**project, "status": "Gold", "clearStatus": True}) == [
        "status and clearStatus: cannot be combined; clearStatus removes the status, "
        "so leave status empty"
    ]
    assert refusal("hex_update_project", {**project, "status": ""}) == [
        "status: must not be empty (to remove it, set clearStatus)"
    ]
    assert refusal("hex_update_project", {**project, "clearStatus": False}) == [
        "status: is required"
    ]


# -- rules between params -----------------------------------------------------------------


def test_params_that_exclude_each_other() -> None:
    assert refusal("hex_list_projects", {"fetchAll": "true", "limit": "5", "before": "c"}) == [
        f"fetchAll and limit: cannot be combined; {LIST_REASON}",
        f"fetchAll and before: cannot be combined; {FORWARD_REASON}",
    ]
    # A false flag, an empty cursor: not given, so nothing to combine.
    assert clean("hex_list_projects", {"fetchAll": False, "limit": 5})["limit"] == 5
    assert clean("hex_list_projects", {"fetchAll": True, "before": ""})["fetchAll"] is True


def test_params_that_go_together() -> None:
    cell = {"cellId": ID}
    reason = "Hex resizes only when both are given"
    assert refusal("hex_get_cell_chart_image", {**cell, "width": 300}) == [
        f"height: required with width; {reason}"
    ]
    assert refusal("hex_get_cell_chart_image", {**cell, "height": 300}) == [
        f"width: required with height; {reason}"
    ]
    sized = {**cell, "width": 300, "height": 400}
    assert clean("hex_get_cell_chart_image", sized) == {"apiKey": KEY, **sized}


def test_an_update_needs_something_to_change() -> None:
    said = "source, dataConnectionId, detachDataConnection: give at least one; " + (
        "otherwise the update would change nothing"
    )
    assert refusal("hex_update_cell", {"cellId": ID}) == [said]
    assert refusal("hex_update_cell", {"cellId": ID, "detachDataConnection": False}) == [said]
    assert clean("hex_update_cell", {"cellId": ID, "detachDataConnection": True}) == {
        "apiKey": KEY, "cellId": ID, "detachDataConnection": True
    }  # fmt: skip


def test_a_param_filed_under_another_needs_it() -> None:
    assert refusal("hex_update_cell", {"cellId": ID, "source": "x"}) == [
        "cellType: required when source is given (Hex files source under it)"
    ]
    details = {"dataConnectionId": ID, "connectionDetails": {"port": 1}}
    assert refusal("hex_update_data_connection", details) == [
        "type: required when connectionDetails is given (Hex files connectionDetails under it)"
    ]


def test_a_param_that_needs_another_when_given() -> None:
    params = {
        "cellId": ID,
        "cellType": "SQL",
        "outputDataframe": "df",
        "detachDataConnection": True,
    }
    assert refusal("hex_update_cell", params) == [
        "source: required when outputDataframe is given; "
        "Hex takes the output dataframe together with the SQL source"
    ]
    assert clean("hex_update_cell", {**params, "source": "select 1"})["outputDataframe"] == "df"


def test_a_choice_that_requires_and_forbids_other_params() -> None:
    base = {"name": "n", "connectionDetails": {"hostname": "h"}}
    assert refusal("hex_create_data_connection", {**base, "type": "postgres"}) == [
        "password: required when type is postgres; this type signs in with a password"
    ]
    assert refusal(
        "hex_create_data_connection",
        {**base, "type": "snowflake", "password": "pw12", "accessToken": "tok1"},
    ) == [
        "privateKey, passphrase: required when type is snowflake; "
        "snowflake signs in with a key pair",
        "password, accessToken: not allowed when type is snowflake; "
        "snowflake signs in with a key pair",
    ]
    # trino forbids keys but requires nothing; its password is optional.
    assert clean("hex_create_data_connection", {**base, "type": "trino"})["type"] == "trino"


def test_a_forbidden_param_left_empty_or_false_is_not_sent() -> None:
    params = {"cellId": ID, "cellType": "CODE", "source": "x", "detachDataConnection": False}
    assert clean("hex_update_cell", params) == {
        "apiKey": KEY, "cellId": ID, "cellType": "CODE", "source": "x"
    }  # fmt: skip
    sql = {**params, "cellType": "SQL"}
    assert clean("hex_update_cell", sql)["detachDataConnection"] is False


def test_a_secret_key_inside_a_visible_object_is_refused() -> None:
    params = {
        "name": "n",
        "type": "postgres",
        "password": "pw12",
        "connectionDetails": {"hostname": "h", "password": "pw12", "privateKey": "k"},
    }
    assert refusal("hex_create_data_connection", params) == [
        "connectionDetails: may not contain 'password'; give it in the password field, "
        "which stays hidden",
        "connectionDetails: may not contain 'privateKey'; give it in the privateKey field, "
        "which stays hidden",
    ]
    # Other keys, and the secret fields of their own, are fine.
    params["connectionDetails"] = {"hostname": "h", "passwordFile": "/x"}
    assert clean("hex_create_data_connection", params)["password"] == "pw12"


# -- a spec's own secrets and constraints (specs may come from a user's directory) ---------

CUSTOM_SPEC = """\
id: hex_custom
name: Custom
description: A tool with constrained secrets.
params:
  apiKey:
    {type: string, required: true, secret: true, in: auth, visibility: user-only, description: t}
  pin:
    type: string
    in: body
    secret: true
    visibility: user-only
    schema: {pattern: "^[0-9]{4}$", not: {const: "0000"}}
    description: a pin
  code:
    {type: string, in: body, secret: true, visibility: user-only,
     enum: [alpha, beta], description: c}
  word:
    type: string
    in: body
    schema: {minLength: 2, maxLength: 3, not: {const: "bad"}}
    description: a word
  runId: {type: string, format: uuid, in: body, description: a run}
  level: {type: string, in: body, enum: [low, high], schema: {enum: [low]}, description: narrowed}
  details: {type: json, in: body, schema: {type: object}, description: visible details}
  sshKey:
    {type: string, in: body, wireName: details.ssh.key, secret: true, description: hidden}
request: {method: POST, path: /custom}
outputs:
  ok: {type: boolean, value: true, description: whether it worked}
"""


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder: Path = tmp_path_factory.mktemp("specs")
    (folder / "hex_custom.yaml").write_text(CUSTOM_SPEC, encoding="utf-8")
    return load_registry(folder)


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"pin": "12a4"}, "pin: fails pattern ^[0-9]{4}$; got (hidden)"),
        ({"pin": "0000"}, "pin: is invalid (not)"),
        ({"code": "gamma"}, "code: must be one of alpha, beta; got (hidden)"),
        ({"word": "long"}, 'word: fails maxLength 3; got "long"'),
        ({"word": "a"}, 'word: fails minLength 2; got "a"'),
        ({"word": "bad"}, "word: 'bad' should not be valid under {'const': 'bad'}"),
        ({"runId": "r1"}, f'runId: {UUID_HINT}; got "r1"'),
        ({"level": "high"}, 'level: must be one of low; got "high"'),
        (
            {"details": {"host": "h", "ssh": {"user": "u", "key": "k"}}},
            "details: may not contain 'ssh.key'; give it in the sshKey field, which stays hidden",
        ),
    ],
)
def test_a_spec_s_own_constraints_are_named_and_its_secrets_never_shown(
    custom: Registry, params: dict[str, Any], said: str
) -> None:
    assert refusal("hex_custom", params, custom) == [said]


def test_a_param_that_could_not_be_read_is_only_said_once() -> None:
    params = {"collectionId": ID, "userIds": '["x"', "userAccess": "CAN_VIEW"}
    assert refusal("hex_update_collection", params) == [
        "userIds: is not valid JSON (Expecting ',' delimiter at char 4)"
    ]  # not also "required with userAccess", nor "give at least one"
    params = {**params, "groupAccess": "CAN_EDIT"}
    assert refusal("hex_update_collection", params) == [
        "userIds: is not valid JSON (Expecting ',' delimiter at char 4)",
        "groupIds: required with groupAccess; each group is granted the access level given",
    ]


@pytest.mark.parametrize(
    "details", [{"ssh": {"user": "u"}}, {"ssh": "tunnel"}, {"ssh.key": "not nested"}, {}]
)
def test_a_visible_object_without_the_secret_s_nested_key_is_taken(
    custom: Registry, details: dict[str, Any]
) -> None:
    assert clean("hex_custom", {"details": details}, custom)["details"] == details
